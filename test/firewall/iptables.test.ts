import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../src/address/family.js';
import { FactsError } from '../../src/errors.js';
import type { HostFacts } from '../../src/facts/types.js';
import type { GatheredSections } from '../../src/firewall/backend.js';
import { firewall } from '../../src/firewall/choose.js';
import { acceptFix, forwardAccepted, forwardDrops, iptables } from '../../src/firewall/iptables.js';
import { describeNat, type NatRule } from '../../src/firewall/nat-rule.js';
import { splitSections } from '../../src/remote/markers.js';
import { bothSeeds, edited, facts } from '../verify/helpers.js';

/**
 * The iptables backend through its interface (backend.ts), on the recorded facts
 * (test/fixtures/facts: gather-script outputs of lab VMs, see its README).
 */
const desired = bothSeeds();
const [br0, brd1] = desired.bridges as [(typeof desired.bridges)[0], (typeof desired.bridges)[0]];
const [empty, converged, drifted, foreign, forwardDrop, fabricRouted] = ['empty', 'converged', 'drifted', 'foreign', 'forward-drop', 'fabric-routed'].map(
  (name) => facts(name),
) as [HostFacts, HostFacts, HostFacts, HostFacts, HostFacts, HostFacts];

const ACCEPT_BR0 = 'iptables -I FORWARD -i br0 -j ACCEPT && iptables -I FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
const REJECT = ['-s', '172.19.0.0/24', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];

const withForward = (f: HostFacts, policy: string, rules: string[][] = []): HostFacts => edited(f, (c) => void (c.forwardChain = { policy, rules }));

const BR0: NatRule = { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' };
const BRD1: NatRule = { kind: 'nat', subnet: '172.19.0.0/24', bridge: 'brd1' };
const CNET0: NatRule = { kind: 'nat', subnet: '172.30.0.0/24', bridge: 'cnet0', except: '172.30.0.0/16' };
const cidr = (text: string): Cidr => parseCidr(text) as Cidr;

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8');

/** The sections of a recorded gather, as parse-facts.ts hands them to the backend. */
function gathered(text: string): GatheredSections {
  const sections = splitSections(text);
  return {
    get: (name) => sections.get(name),
    has: (name) => sections.has(name),
    need: (name) => {
      const s = sections.get(name);
      if (s === undefined) throw new FactsError(`facts output has no "${name}" section`);
      return s;
    },
    parse: (_name, body, fn) => fn(body),
  };
}

describe('the backend chosen', () => {
  it('is iptables, reading the sections "iptables", "iptables-failed" and "nft"', () => {
    expect(firewall).toBe(iptables);
    expect([firewall.name, ...firewall.sections]).toEqual(['iptables', 'iptables', 'iptables-failed', 'nft']);
  });
});

describe('parseFacts', () => {
  it('converged.txt: the nat table’s POSTROUTING rules as words, no filter table: FORWARD accepts', () => {
    const f = iptables.parseFacts(gathered(fixtureText('converged')));
    expect(f.nat.available).toBe(true);
    expect(f.nat.rules.map((r) => r.join(' '))).toEqual([
      '-s 10.77.0.0/16 -j MASQUERADE',
      '-s 172.18.0.0/16 ! -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE',
      '-s 172.19.0.0/24 ! -o brd1 -m comment --comment cnet-remote:brd1 -j MASQUERADE',
    ]);
    expect(f.forwardChain).toEqual({ policy: 'ACCEPT', rules: [] });
  });

  it('forward-drop.txt: the FORWARD policy and its REJECT rule', () => {
    expect(iptables.parseFacts(gathered(fixtureText('forward-drop'))).forwardChain).toEqual({ policy: 'DROP', rules: [REJECT] });
  });

  it('"iptables-failed": NAT unavailable with iptables’ message, no forward chain', () => {
    const text = fixtureText('converged').replace(/@@iptables\n[^@]*/, '@@iptables\nsh: 1: iptables-save: not found\n@@iptables-failed\n');
    const f = iptables.parseFacts(gathered(text));
    expect(f).toEqual({ nat: { available: false, rules: [], error: 'sh: 1: iptables-save: not found' } });
    expect(iptables.unusable({ ...converged, ...f })).toBe(
      'iptables is not usable on the host (sh: 1: iptables-save: not found): install it (apt-get install iptables) or set nat: false',
    );
  });

  it('gives what parseFacts puts in the facts, on every recorded gather', () => {
    for (const name of ['empty', 'converged', 'drifted', 'foreign', 'forward-drop', 'fabric-routed', 'fabric-vxlan', 'fabric-down']) {
      const f = facts(name);
      expect(iptables.parseFacts(gathered(fixtureText(name)))).toEqual({
        nat: f.nat,
        ...(f.forwardChain ? { forwardChain: f.forwardChain } : {}),
        ...(f.nftChains ? { nftChains: f.nftChains } : {}),
      });
    }
  });

  it('without an "iptables" section: the gather did not finish', () => {
    expect(() => iptables.parseFacts(gathered('@@root\n[]\n@@end\n'))).toThrow(FactsError);
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
      expect(iptables.hasNat(f, rule)).toBe(true);
    }
  });

  it('hasNat: exactly the rule (drifted.txt lost br0’s; another except is another rule)', () => {
    expect([iptables.hasNat(drifted, BR0), iptables.hasNat(drifted, BRD1)]).toEqual([false, true]);
    expect(iptables.hasNat(fabricRouted, { ...CNET0, except: '172.30.0.0/17' })).toBe(false);
    expect(iptables.hasNat(fabricRouted, { kind: 'nat', subnet: CNET0.subnet, bridge: CNET0.bridge })).toBe(false);
    expect(iptables.hasNat(empty, BR0)).toBe(false);
  });

  it('ownNat: only rules in our exact shape with our comment, in the chain’s order', () => {
    expect(iptables.ownNat(converged)).toEqual([BR0, BRD1]);
    expect(iptables.ownNat(drifted)).toEqual([BRD1]);
    expect(iptables.ownNat(foreign)).toEqual([]);
    expect(iptables.ownNat(fabricRouted)).toEqual([CNET0]);
  });

  it('ownNat: none of the hostile comments iptables 1.8.9 printed (hostile-iptables.txt) is taken for ours', () => {
    const hostile = iptables.parseFacts(gathered(`@@iptables\n${fixtureText('hostile-iptables')}@@end\n`));
    expect(hostile.nat.rules).toHaveLength(3);
    expect(iptables.ownNat({ ...converged, ...hostile })).toEqual([]);
  });

  it('withoutNat: the removed rules go, the others stay in order', () => {
    expect(iptables.withoutNat(converged, [BR0]).rules.map((r) => r[1])).toEqual(['10.77.0.0/16', '172.19.0.0/24']);
    expect(iptables.withoutNat(converged, [])).toEqual(converged.nat);
    expect(iptables.withoutNat(fabricRouted, [{ kind: 'nat', subnet: CNET0.subnet, bridge: CNET0.bridge }])).toEqual(fabricRouted.nat);
  });

  it('unusable: only when iptables did not answer', () => {
    expect([empty, converged, forwardDrop].map((f) => iptables.unusable(f))).toEqual([undefined, undefined, undefined]);
    expect(iptables.unusable(edited(converged, (c) => void (c.nat = { available: false, rules: [] })))).toBe(
      'iptables is not usable on the host (not found): install it (apt-get install iptables) or set nat: false',
    );
  });

  it('describeNat, as mismatches and leftovers show a rule', () => {
    expect([describeNat(BR0), describeNat(CNET0)]).toEqual(['MASQUERADE 172.18.0.0/16 ! -o br0', 'MASQUERADE 172.30.0.0/24 ! -d 172.30.0.0/16 ! -o cnet0']);
  });
});

describe('forwardAccepted, forwardDrops, acceptFix', () => {
  it('without FORWARD facts (iptables unreadable, older gathers) everything is accepted and nothing dropped', () => {
    const { forwardChain, ...unreadable } = converged;
    expect(forwardChain).toEqual({ policy: 'ACCEPT', rules: [] });
    expect(forwardAccepted(unreadable, br0)).toBe(true);
    expect(forwardDrops(unreadable, br0)).toEqual([]);
  });

  it('forward-drop.txt: policy DROP accepts neither bridge; the REJECT rule names brd1’s subnet only', () => {
    expect([forwardAccepted(forwardDrop, br0), forwardAccepted(forwardDrop, brd1)]).toEqual([false, false]);
    expect(forwardDrops(forwardDrop, br0)).toEqual([]);
    expect(forwardDrops(forwardDrop, brd1)).toEqual([REJECT]);
  });

  it('a rule accepts or drops a bridge by -i/-o name or -s/-d subnet, unless negated', () => {
    const f = withForward(converged, 'DROP', [
      ['-d', '172.18.0.0/16', '-j', 'ACCEPT'],
      ['!', '-o', 'brd1', '-j', 'ACCEPT'],
      ['-o', 'brd1', '-j', 'DROP'],
      ['-i', 'eth0', '-j', 'DROP'],
    ]);
    expect(forwardAccepted(f, br0)).toBe(true);
    expect(forwardAccepted(f, brd1)).toBe(false);
    expect(forwardDrops(f, br0)).toEqual([]);
    expect(forwardDrops(f, brd1)).toEqual([['-o', 'brd1', '-j', 'DROP']]);
  });

  it('acceptFix: accept out of the bridge, and the replies back', () => {
    expect(acceptFix(br0)).toBe(ACCEPT_BR0);
  });
});

describe('forwardVerdict, acceptNetFix', () => {
  it('forward-drop.txt: the policy, not accepted, each drop shown with the command deleting it', () => {
    expect(iptables.forwardVerdict(forwardDrop, brd1)).toEqual({
      policy: 'DROP',
      accepted: false,
      drops: [
        {
          text: '-s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
          fix: 'iptables -D FORWARD -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
        },
      ],
    });
    expect(iptables.forwardVerdict(forwardDrop, br0)).toEqual({ policy: 'DROP', accepted: false, drops: [] });
  });

  it('converged.txt accepts; without FORWARD facts no policy is claimed', () => {
    expect(iptables.forwardVerdict(converged, br0)).toEqual({ policy: 'ACCEPT', accepted: true, drops: [] });
    const { forwardChain: _, ...unreadable } = converged;
    expect(iptables.forwardVerdict(unreadable, br0)).toEqual({ accepted: true, drops: [] });
  });

  it('acceptFix through the interface; acceptNetFix accepts a fabric’s supernet from and to', () => {
    expect(iptables.acceptFix(br0)).toBe(ACCEPT_BR0);
    expect(iptables.acceptNetFix(cidr('172.30.0.0/16'))).toBe(
      'iptables -I FORWARD -s 172.30.0.0/16 -j ACCEPT && iptables -I FORWARD -d 172.30.0.0/16 -j ACCEPT',
    );
  });
});
