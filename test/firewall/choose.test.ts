import { describe, expect, it } from 'vitest';
import type { FirewallSetting } from '../../src/inventory/types.js';
import { BACKENDS, backendOf, chooseFirewall } from '../../src/firewall/choose.js';
import { iptables } from '../../src/firewall/iptables.js';
import { nftables } from '../../src/firewall/nftables.js';
import { readFirewallFacts } from '../../src/firewall/read-facts.js';
import type { FirewallFacts } from '../../src/firewall/types.js';
import { fixture, gatherText, gathered } from './helpers.js';

/**
 * chooseFirewall on firewall facts read from recorded outputs: iptables-save's
 * (test/fixtures/iptables-save, test/fixtures/facts) and the gather's nft-table sections
 * (test/fixtures/nft).
 */

/** The firewall facts of a gather whose iptables section is this, and nft-table section(s) these (none: facts from before nftables was read). */
const factsOf = (iptablesSection: string, nft?: string): FirewallFacts => readFirewallFacts(gathered(`@@iptables\n${iptablesSection}${nft ?? ''}@@end\n`));
const save = (name: string) => fixture(`iptables-save/${name}.txt`);
/** the same, without its rules (the recordings hold one of ours) */
const saveNoRules = (name: string) => save(name).replace(/^-A .*\n/gm, '');
const NOT_FOUND = 'sh: 1: iptables-save: not found\n@@iptables-failed\n';
const table = (name: string) => gatherText([['nft-table', fixture(`nft/${name}.json`)]]);
const nftGather = (name: string) => fixture(`nft/gather-${name}.txt`);
/** iptables-save of converged.txt: cnet-remote's two rules */
const ourIptables = /@@iptables\n([^@]*)/.exec(fixture('facts/converged.txt'))![1]!;

const choice = (asked: FirewallSetting | undefined, f: FirewallFacts) => {
  const c = chooseFirewall(asked, f);
  return [c.backend.name, c.why];
};

describe('chooseFirewall', () => {
  it('asked for one: that one, whatever the host holds', () => {
    const both = factsOf(ourIptables, table('rules'));
    expect(choice('nftables', both)).toEqual(['nftables', 'cnet.firewall: nftables']);
    expect(choice('iptables', both)).toEqual(['iptables', 'cnet.firewall: iptables']);
    // even one the host does not have (its `unusable` refuses it)
    const neither = factsOf(NOT_FOUND, nftGather('nft-not-found'));
    expect(choice('iptables', neither)).toEqual(['iptables', 'cnet.firewall: iptables']);
    expect(choice('nftables', neither)).toEqual(['nftables', 'cnet.firewall: nftables']);
  });

  it('auto, ours in nftables: nftables (before ours in iptables too)', () => {
    expect(choice('auto', factsOf(save('nf_tables'), table('rules')))).toEqual(['nftables', 'auto: its NAT rules are in nftables already']);
    expect(choice(undefined, factsOf(ourIptables, table('rules')))).toEqual(['nftables', 'auto: its NAT rules are in nftables already']);
    expect(choice('auto', factsOf(NOT_FOUND, table('flushed-chain')))).toEqual(['nftables', 'auto: its NAT rules are in nftables already']);
  });

  it('auto, ours in iptables: iptables (an nftables table of ours without a rule does not count)', () => {
    expect(choice('auto', factsOf(ourIptables))).toEqual(['iptables', 'auto: its NAT rules are in iptables already']);
    expect(choice('auto', factsOf(ourIptables, table('empty-table')))).toEqual(['iptables', 'auto: its NAT rules are in iptables already']);
  });

  it('auto, none of ours anywhere, iptables answers: iptables, naming its variant when its header does', () => {
    expect(choice('auto', factsOf(saveNoRules('nf_tables'), nftGather('absent-table')))).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
    expect(choice('auto', factsOf(saveNoRules('legacy-present'), nftGather('absent-table')))).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
    const legacy = saveNoRules('nf_tables').replace('(nf_tables)', '(legacy)');
    expect(choice('auto', factsOf(legacy, nftGather('absent-table')))).toEqual(['iptables', 'auto: iptables (legacy) answers']);
    // no table loaded: no header, no variant
    expect(choice('auto', factsOf(save('empty'), nftGather('absent-table')))).toEqual(['iptables', 'auto: iptables answers']);
    expect(choice('auto', factsOf(save('empty'), nftGather('nft-not-found')))).toEqual(['iptables', 'auto: iptables answers']);
  });

  it('auto, iptables missing, nft there: nftables', () => {
    expect(choice('auto', factsOf(NOT_FOUND, nftGather('absent-table')))).toEqual(['nftables', 'auto: iptables is not installed, nft is']);
    expect(choice('auto', factsOf(NOT_FOUND, table('empty-table')))).toEqual(['nftables', 'auto: iptables is not installed, nft is']);
  });

  it('auto, neither answers: nftables, whose `unusable` says what to install', () => {
    const f = factsOf(NOT_FOUND, nftGather('nft-not-found'));
    expect(choice('auto', f)).toEqual(['nftables', 'auto: neither iptables nor nft answered']);
    expect(chooseFirewall('auto', f).backend.unusable(f)).toMatch(/install it \(apt-get install nftables\)/);
    expect(choice('auto', factsOf(NOT_FOUND, nftGather('not-root')))).toEqual(['nftables', 'auto: neither iptables nor nft answered']);
  });

  it('auto, facts without an nft field (recorded before nftables was read): iptables, as they were', () => {
    const f = factsOf(NOT_FOUND);
    expect(f.nft).toBeUndefined();
    expect(choice('auto', f)).toEqual(['iptables', 'auto: nftables was not read']);
  });
});

describe('BACKENDS, backendOf', () => {
  it('both backends, iptables first', () => {
    expect(BACKENDS).toEqual([iptables, nftables]);
  });

  it('the backend an object of ours is in: the table and rules marked nftables’ are nftables’', () => {
    expect(backendOf({ kind: 'nft-table', family: 'inet', name: 'cnet_remote' })).toBe(nftables);
    expect(backendOf({ kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0', nftables: true })).toBe(nftables);
    expect(backendOf({ kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' })).toBe(iptables);
  });

  it('each object a backend owns is that backend’s (owned and backendOf agree)', () => {
    const f = factsOf(ourIptables, table('rules'));
    for (const b of BACKENDS) {
      expect(b.owned(f).length, b.name).toBeGreaterThan(0);
      for (const o of b.owned(f)) expect(backendOf(o), JSON.stringify(o)).toBe(b);
    }
  });
});

describe('chooseFirewall for a host that NATs IPv6 (families)', () => {
  const V6 = ['ipv4', 'ipv6'] as const;
  /** the gather's ip6tables section(s): ip6tables-save's recording (test/fixtures/ip6tables-save), failed ones with ip6tables-failed */
  const ip6 = (name: string) =>
    gatherText([
      ['ip6tables', fixture(`ip6tables-save/${name}.txt`)],
      ...(['not-found', 'not-root'].includes(name) ? [['ip6tables-failed', ''] as [string, string]] : []),
    ]);
  const v4 = saveNoRules('nf_tables');
  const choice6 = (f: FirewallFacts, families: readonly ('ipv4' | 'ipv6')[] = V6) => {
    const c = chooseFirewall('auto', f, families);
    return [c.backend.name, c.why];
  };

  it('ip6tables answers: iptables, as for IPv4 alone', () => {
    expect(choice6(factsOf(v4, `${ip6('empty')}${nftGather('absent-table')}`))).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
  });

  it('ip6tables fails (not found, refusing) while iptables answers, nft answers: nftables, whose inet table takes both families', () => {
    for (const name of ['not-found', 'not-root']) {
      const f = factsOf(v4, `${ip6(name)}${nftGather('absent-table')}`);
      expect(choice6(f), name).toEqual(['nftables', 'auto: the host NATs IPv6 and ip6tables does not answer, nft does']);
      expect(nftables.unusable(f, 'ipv6')).toBeUndefined();
      // a host that NATs IPv4 only is not moved by what ip6tables does
      expect(choice6(f, ['ipv4'])).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
      expect(choice('auto', f)).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
    }
  });

  it('ip6tables and nft both fail: iptables, whose unusable(facts, ipv6) says what to install', () => {
    const f = factsOf(v4, `${ip6('not-found')}${nftGather('nft-not-found')}`);
    expect(choice6(f)).toEqual(['iptables', 'auto: iptables (nf_tables) answers (ip6tables does not, nor does nft)']);
    expect(iptables.unusable(f, 'ipv6')).toMatch(
      /^ip6tables is not usable on the host \(sh: 1: ip6tables-save: not found\): install it \(apt-get install iptables, which holds ip6tables\)/,
    );
    expect(iptables.unusable(f, 'ipv4')).toBeUndefined();
  });

  it('ip6tables not read (no section): not known to fail, iptables; its unusable(facts, ipv6) says IPv6 was not gathered', () => {
    const f = factsOf(v4, nftGather('absent-table'));
    expect(f.nat6).toBeUndefined();
    expect(choice6(f)).toEqual(['iptables', 'auto: iptables (nf_tables) answers']);
    expect(iptables.unusable(f, 'ipv6')).toMatch(/^ip6tables was not read on the host/);
  });

  it('rules of ours already in iptables: never moved unasked, even where ip6tables fails (unusable names cnet.firewall: nftables)', () => {
    const f = factsOf(ourIptables, `${ip6('not-found')}${nftGather('absent-table')}`);
    expect(choice6(f)).toEqual(['iptables', 'auto: its NAT rules are in iptables already']);
    expect(iptables.unusable(f, 'ipv6')).toMatch(/or set cnet\.firewall: nftables, or nat6: false$/);
    // IPv6 rules of ours in ip6tables count as ours in iptables
    const six = factsOf(save('empty'), `${ip6('rules')}${nftGather('absent-table')}`);
    expect(choice6(six)).toEqual(['iptables', 'auto: its NAT rules are in iptables already']);
  });

  it('rules of ours in nftables (either family): nftables', () => {
    expect(choice6(factsOf(v4, `${ip6('empty')}${table('dual-stack')}`))).toEqual(['nftables', 'auto: its NAT rules are in nftables already']);
  });
});
