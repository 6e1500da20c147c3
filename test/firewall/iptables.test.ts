import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import { chooseFirewall } from '../../src/firewall/choose.js';
import { iptables } from '../../src/firewall/iptables.js';
import { describeNat, type NatRule } from '../../src/firewall/nat-rule.js';
import { readFirewallFacts } from '../../src/firewall/read-facts.js';
import { edited, facts } from '../verify/helpers.js';
import { fixture, gathered } from './helpers.js';

/**
 * The iptables backend through its interface (backend.ts), on the recorded facts
 * (test/fixtures/facts: gather-script outputs of lab VMs, see its README). Reading the gather's
 * sections: read-facts.test.ts; the FORWARD chain: forward-path.test.ts.
 */
const [empty, converged, drifted, foreign, forwardDrop, fabricRouted] = ['empty', 'converged', 'drifted', 'foreign', 'forward-drop', 'fabric-routed'].map(
  (name) => facts(name),
) as [HostFacts, HostFacts, HostFacts, HostFacts, HostFacts, HostFacts];

const BR0: NatRule = { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' };
const BRD1: NatRule = { kind: 'nat', subnet: '172.19.0.0/24', bridge: 'brd1' };
const CNET0: NatRule = { kind: 'nat', subnet: '172.30.0.0/24', bridge: 'cnet0', except: '172.30.0.0/16' };

describe('the backend chosen', () => {
  it('is iptables for every recorded gather (read before nftables was): their rules are there, or iptables answers', () => {
    for (const name of ['empty', 'converged', 'drifted', 'foreign', 'forward-drop', 'fabric-routed', 'fabric-vxlan', 'fabric-down']) {
      expect(chooseFirewall(undefined, facts(name)).backend, name).toBe(iptables);
    }
    expect(iptables.name).toBe('iptables');
  });
});

describe('NAT rules', () => {
  it('natSteps: append to and delete from nat POSTROUTING, Docker’s shape tagged with the bridge', () => {
    const spec = ['-s', '172.18.0.0/16', '!', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'];
    expect(iptables.natSteps(BR0)).toEqual({
      add: ['iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', ...spec],
      del: ['iptables', '-w', '-t', 'nat', '-D', 'POSTROUTING', ...spec],
    });
    expect(iptables.natSteps(CNET0).add.slice(6, 11)).toEqual(['-s', '172.30.0.0/24', '!', '-d', '172.30.0.0/16']);
  });

  it('what natSteps adds reads back equal from iptables-save (fabric-routed.txt, converged.txt)', () => {
    for (const [f, rule] of [
      [fabricRouted, CNET0],
      [converged, BR0],
      [converged, BRD1],
    ] as const) {
      const written = iptables.natSteps(rule).add.slice(6).join(' ');
      expect(f.nat.rules.map((r) => r.join(' '))).toContain(written);
      expect(iptables.has(f, rule)).toBe(true);
    }
  });

  it('has: exactly the rule (drifted.txt lost br0’s; another except is another rule)', () => {
    expect([iptables.has(drifted, BR0), iptables.has(drifted, BRD1)]).toEqual([false, true]);
    expect(iptables.has(fabricRouted, { ...CNET0, except: '172.30.0.0/17' })).toBe(false);
    expect(iptables.has(fabricRouted, { kind: 'nat', subnet: CNET0.subnet, bridge: CNET0.bridge })).toBe(false);
    expect(iptables.has(empty, BR0)).toBe(false);
    // nftables' table is not iptables'
    expect(iptables.has(converged, { kind: 'nft-table', family: 'inet', name: 'cnet_remote' })).toBe(false);
  });

  it('owned: only rules in our exact shape with our comment, in the chain’s order', () => {
    expect(iptables.owned(converged)).toEqual([BR0, BRD1]);
    expect(iptables.owned(drifted)).toEqual([BRD1]);
    expect(iptables.owned(foreign)).toEqual([]);
    expect(iptables.owned(fabricRouted)).toEqual([CNET0]);
  });

  it('owned: none of the hostile comments iptables 1.8.9 printed (hostile-iptables.txt) is taken for ours', () => {
    const hostile = readFirewallFacts(gathered(`@@iptables\n${fixture('facts/hostile-iptables.txt')}@@end\n`));
    expect(hostile.nat.rules).toHaveLength(3);
    expect(iptables.owned({ ...converged, ...hostile })).toEqual([]);
  });

  it('without: the removed rules go, the others stay in order; nftables’ objects are not iptables’', () => {
    expect(iptables.without(converged, [BR0]).nat.rules.map((r) => r[1])).toEqual(['10.77.0.0/16', '172.19.0.0/24']);
    expect(iptables.without(converged, []).nat).toEqual(converged.nat);
    expect(iptables.without(fabricRouted, [{ kind: 'nat', subnet: CNET0.subnet, bridge: CNET0.bridge }]).nat).toEqual(fabricRouted.nat);
    expect(
      iptables.without(converged, [
        { ...BR0, nftables: true },
        { kind: 'nft-table', family: 'inet', name: 'cnet_remote' },
      ]).nat,
    ).toEqual(converged.nat);
  });

  it('unusable: only when iptables did not answer', () => {
    expect([empty, converged, forwardDrop].map((f) => iptables.unusable(f))).toEqual([undefined, undefined, undefined]);
    expect(iptables.unusable(edited(converged, (c) => void (c.nat = { available: false, rules: [] })))).toBe(
      'iptables is not usable on the host (not found): install it (apt-get install iptables), or set cnet.firewall: nftables, or nat: false',
    );
  });

  it('rule drops nftables’ mark; prepare asks for nothing; removal deletes a rule by its words (undone by adding it)', () => {
    expect(iptables.rule({ ...BR0, nftables: true })).toEqual(BR0);
    expect(iptables.prepare(empty)).toEqual([]);
    expect(iptables.removal(CNET0)).toEqual({ argv: iptables.natSteps(CNET0).del, undo: iptables.natSteps(CNET0).add });
  });

  it('describeNat, as mismatches and leftovers show a rule', () => {
    expect([describeNat(BR0), describeNat(CNET0)]).toEqual(['MASQUERADE 172.18.0.0/16 ! -o br0', 'MASQUERADE 172.30.0.0/24 ! -d 172.30.0.0/16 ! -o cnet0']);
  });
});
