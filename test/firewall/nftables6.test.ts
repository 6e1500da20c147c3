import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirewallObject } from '../../src/firewall/backend.js';
import type { NatRule } from '../../src/firewall/nat-rule.js';
import { chainOf, ourNatRule, parseNftTable } from '../../src/firewall/nft-table.js';
import { nftables } from '../../src/firewall/nftables.js';
import type { FirewallFacts } from '../../src/firewall/types.js';
import { fixture } from './helpers.js';
import { canRun, recording, scratchNetns } from './scratch-netns.js';

/**
 * The nftables backend with both families in its one table `inet cnet_remote`: IPv4's rule in
 * `nat_BRIDGE` as before, IPv6's (`ip6 saddr …`) in `nat6_BRIDGE`. On what nft 1.0.6 printed
 * (test/fixtures/nft/dual-stack*.json, wrong-family-chains.json); as root, the second part runs
 * the backend's own argv with the real nft in a scratch network namespace and compares each
 * read-back with its recording (`RECORD_NFT6_FIXTURES=1` writes them anew; test/fixtures/nft/README.md).
 */

const rule = (subnet: string, bridge: string, except?: string): NatRule => nftables.rule({ kind: 'nat', subnet, bridge, ...(except ? { except } : {}) });
const BR0 = rule('172.18.0.0/16', 'br0');
const CNET0 = rule('172.30.0.0/24', 'cnet0', '172.30.0.0/16');
const BR0_6 = rule('fd00:18::/64', 'br0');
/** a fabric's bridge: its part of supernet6, masqueraded but toward the supernet */
const CNET0_6 = rule('fd00:30:0:1::/64', 'cnet0', 'fd00:30::/48');
const RULES = [BR0, CNET0, BR0_6, CNET0_6];
const TABLE: FirewallObject = { kind: 'nft-table', family: 'inet', name: 'cnet_remote' };
const T = ['inet', 'cnet_remote'];

const listedFacts = (text: string): FirewallFacts => ({ nat: { available: true, rules: [] }, nft: { available: true, table: parseNftTable(text) } });
const recorded = (name: string) => listedFacts(fixture(`nft/${name}.json`));
const byName = <X extends { name: string }>(xs: X[]): X[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

describe('commands', () => {
  it('natSteps: an IPv6 rule is `ip6 saddr` (and `ip6 daddr != EXCEPT`) in chain nat6_BRIDGE; IPv4’s stays in nat_BRIDGE', () => {
    const chain = [...T, 'nat6_cnet0'];
    expect(nftables.natSteps(CNET0_6)).toEqual({
      add: [
        ...['nft', 'add', 'chain', ...chain, ';', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain, ';'],
        ...['add', 'chain', ...chain, '{ type nat hook postrouting priority 100 ; policy accept ; }', ';'],
        ...['add', 'rule', ...chain, 'ip6', 'saddr', 'fd00:30:0:1::/64', 'ip6', 'daddr', '!=', 'fd00:30::/48'],
        ...['oifname', '!=', '"cnet0"', 'masquerade', 'comment', '"cnet-remote:cnet0"'],
      ],
      del: ['nft', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain],
    });
    expect(nftables.natSteps(BR0).del).toEqual(['nft', 'flush', 'chain', ...T, 'nat_br0', ';', 'delete', 'chain', ...T, 'nat_br0']);
    expect([chainOf('br0'), chainOf('br0', 'ipv4'), chainOf('br0', 'ipv6')]).toEqual(['nat_br0', 'nat_br0', 'nat6_br0']);
  });

  it('unusable: nft takes both families; asked for IPv6, the same answer as for IPv4', () => {
    expect(nftables.unusable(listedFacts(fixture('nft/empty-table.json')), 'ipv6')).toBeUndefined();
    const absent: FirewallFacts = { nat: { available: true, rules: [] }, nft: { available: false, error: 'nft: not found' } };
    expect(nftables.unusable(absent, 'ipv6')).toBe(nftables.unusable(absent, 'ipv4'));
    expect(nftables.unusable(absent, 'ipv6')).toMatch(/^nftables is not usable on the host \(nft: not found\): install it \(apt-get install nftables\)/);
  });

  it('without: a removed IPv6 rule takes nat6_BRIDGE, leaving the same bridge’s IPv4 chain', () => {
    const f = recorded('dual-stack');
    expect(nftables.without(f, [BR0_6]).nft?.table?.chains.map((c) => c.name)).toEqual(['nat_br0', 'nat_cnet0', 'nat6_cnet0']);
    expect(nftables.without(f, [BR0]).nft?.table?.chains.map((c) => c.name)).toEqual(['nat_cnet0', 'nat6_br0', 'nat6_cnet0']);
  });
});

describe('on the recorded tables (nft 1.0.6)', () => {
  it('dual-stack.json: both families’ rules in one table, each in its family’s chain, and the table: all ours', () => {
    const f = recorded('dual-stack');
    expect(f.nft?.table?.chains).toEqual(RULES.map((r) => ({ name: chainOf(r.bridge, r.subnet.includes(':') ? 'ipv6' : 'ipv4'), empty: false, rule: r })));
    expect(nftables.owned(f)).toEqual([...RULES, TABLE]);
    expect(RULES.map((r) => nftables.has(f, r))).toEqual(RULES.map(() => true));
    expect(nftables.has(f, { ...CNET0_6, except: 'fd00:30::/40' })).toBe(false);
    expect(nftables.has(f, rule(CNET0_6.subnet, 'cnet0'))).toBe(false);
  });

  it('dual-stack-flushed6.json: a flushed nat6_ chain is ours, empty (the table stays ours); its rule is missing', () => {
    const f = recorded('dual-stack-flushed6');
    expect(f.nft?.table?.chains.find((c) => c.name === 'nat6_br0')).toEqual({ name: 'nat6_br0', empty: true });
    expect(nftables.owned(f)).toEqual([BR0, CNET0, CNET0_6, TABLE]);
  });

  it('dual-stack-foreign-rule6.json: another’s rule in nat6_br0: that chain and the table are not ours, the other rules are', () => {
    const f = recorded('dual-stack-foreign-rule6');
    expect(byName(f.nft?.table?.chains ?? []).find((c) => c.name === 'nat6_br0')).toEqual({ name: 'nat6_br0', empty: false });
    expect(nftables.has(f, TABLE)).toBe(false);
    expect(nftables.owned(f)).toEqual([BR0, CNET0, CNET0_6]);
  });

  it('removal round trip: without what is owned, the table holds what foreign-rule6-left.json shows, and it stays (not ours)', () => {
    const f = recorded('dual-stack-foreign-rule6');
    const owned = nftables.owned(f);
    for (const o of owned) expect(nftables.removal(o)).toEqual(removalOf(o));
    const left = recorded('foreign-rule6-left');
    expect(nftables.without(f, owned).nft).toEqual(left.nft);
    expect(nftables.owned(left)).toEqual([]);
    expect(nftables.has(left, TABLE)).toBe(false);
  });

  it('wrong-family-chains.json: an IPv4 rule in nat6_br1, an IPv6 one in nat_br2 (comments and all ours): neither is ours', () => {
    const f = recorded('wrong-family-chains');
    expect(f.nft?.table?.chains).toEqual([
      { name: 'nat6_br1', empty: false },
      { name: 'nat_br2', empty: false },
    ]);
    expect(nftables.owned(f)).toEqual([]);
  });
});

/** what nftables.removal gives: a rule's chain deleted (undone by adding it), the table deleted */
const removalOf = (o: FirewallObject) =>
  o.kind === 'nft-table' ? { argv: ['nft', 'delete', 'table', ...T] } : { argv: nftables.natSteps(o).del, undo: nftables.natSteps(o).add };

type Json = ReturnType<typeof JSON.parse>;
describe('ourNatRule on edited recordings: one family per rule', () => {
  const ruleOf = (chain: string) => JSON.parse(fixture('nft/dual-stack.json')).nftables.find((i: Json) => i.rule?.chain === chain).rule;

  it('nat6_cnet0’s rule, as nft printed it, is CNET0_6; nat_cnet0’s is CNET0', () => {
    const r = ruleOf('nat6_cnet0');
    expect(ourNatRule(r.expr, r.comment)).toEqual(CNET0_6);
    const r4 = ruleOf('nat_cnet0');
    expect(ourNatRule(r4.expr, r4.comment)).toEqual(CNET0);
  });

  it('the mixed cases below, each with the other match made the same family, are ours again (one thing broken each)', () => {
    const r = ruleOf('nat6_cnet0');
    const ip = (field: string, addr: string, len: number) => ({ left: { payload: { protocol: 'ip', field } }, right: { prefix: { addr, len } } });
    r.expr[0].match = { ...r.expr[0].match, ...ip('saddr', '10.1.0.0', 24) };
    r.expr[1].match = { ...r.expr[1].match, ...ip('daddr', '10.0.0.0', 8) };
    expect(ourNatRule(r.expr, r.comment)).toEqual(rule('10.1.0.0/24', 'cnet0', '10.0.0.0/8'));
  });

  const cases: [string, (expr: Json[]) => void][] = [
    // each family's match valid on its own: only the mixing makes it another's
    [
      'an `ip daddr 10.0.0.0/8` except on an `ip6 saddr` rule',
      (e) => void (e[1].match = { ...e[1].match, left: { payload: { protocol: 'ip', field: 'daddr' } }, right: { prefix: { addr: '10.0.0.0', len: 8 } } }),
    ],
    [
      'an `ip saddr 10.1.0.0/24` rule with an `ip6 daddr` except',
      (e) => void (e[0].match = { ...e[0].match, left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.1.0.0', len: 24 } } }),
    ],
    // an address of one family under the other's protocol
    ['an IPv6 address under `ip saddr`', (e) => void (e[0].match.left.payload.protocol = 'ip')],
    ['an IPv4 address under `ip6 saddr`', (e) => void (e[0].match.right.prefix.addr = '10.0.0.0')],
    ['an IPv4 except under `ip6 daddr`', (e) => void (e[1].match.right.prefix.addr = '10.0.0.0')],
    ['`ip6 nexthdr`, not saddr', (e) => void (e[0].match.left.payload.field = 'nexthdr')],
    ['another protocol (`arp saddr`)', (e) => void (e[0].match.left.payload.protocol = 'arp')],
  ];
  it.each(cases)('%s: not ours', (_name, edit) => {
    const r = ruleOf('nat6_cnet0');
    edit(r.expr);
    expect(ourNatRule(r.expr, r.comment)).toBeUndefined();
  });
});

const RECORD = process.env.RECORD_NFT6_FIXTURES === '1';

describe.skipIf(!canRun('nft'))('against the real nft, in a scratch network namespace', () => {
  const ns = scratchNetns();
  /** `nft -j list table inet cnet_remote`, compared with (or recorded as) test/fixtures/nft/NAME.json: parsed alike, and the same text but for the version */
  const listed = (name: string): FirewallFacts => {
    const text = ns.run(['nft', '-j', 'list', 'table', ...T]);
    const rec = recording(`nft/${name}.json`, text, RECORD);
    expect(parseNftTable(text), `${name}.json as recorded`).toEqual(parseNftTable(rec));
    const body = (t: string) => JSON.parse(t).nftables as { metainfo?: { version?: string } }[];
    if (body(text)[0]?.metainfo?.version === body(rec)[0]?.metainfo?.version) expect(body(text).slice(1)).toEqual(body(rec).slice(1));
    return listedFacts(text);
  };
  const tables = () => ns.run(['nft', 'list', 'tables']);

  beforeAll(() => ns.create());
  afterAll(() => ns.remove());

  it('prepare, then natSteps.add of both families’ rules (one with except each): all read back as ours, the table too', () => {
    for (const step of nftables.prepare({ nat: { available: true, rules: [] }, nft: { available: true } })) ns.run(step.argv);
    for (const r of RULES) ns.run(nftables.natSteps(r).add);
    const f = listed('dual-stack');
    expect(nftables.owned(f)).toEqual([...RULES, TABLE]);
    for (const r of RULES) expect(nftables.has(f, r), JSON.stringify(r)).toBe(true);
    // the add again rewrites nat6_br0: the same rules
    ns.run(nftables.natSteps(BR0_6).add);
    expect(byName(listedFacts(ns.run(['nft', '-j', 'list', 'table', ...T])).nft?.table?.chains ?? [])).toEqual(byName(f.nft?.table?.chains ?? []));
  });

  it('nat6_br0 flushed: its rule missing, the table still ours; natSteps.del removes the chain, br0’s IPv4 chain stays', () => {
    ns.run(['nft', 'flush', 'chain', ...T, 'nat6_br0']);
    expect(nftables.owned(listed('dual-stack-flushed6'))).toEqual([BR0, CNET0, CNET0_6, TABLE]);
    ns.run(nftables.natSteps(BR0_6).del);
    const chains = listedFacts(ns.run(['nft', '-j', 'list', 'table', ...T])).nft?.table?.chains.map((c) => c.name);
    expect(chains).toEqual(['nat_br0', 'nat_cnet0', 'nat6_cnet0']);
  });

  it('a foreign rule in nat6_br0: removing everything owned leaves the table with that chain (not deleted: not ours)', () => {
    ns.run(nftables.natSteps(BR0_6).add);
    ns.run(['nft', 'add', 'rule', ...T, 'nat6_br0', 'counter']);
    const f = listed('dual-stack-foreign-rule6');
    const owned = nftables.owned(f);
    expect(owned).toEqual([BR0, CNET0, CNET0_6]);
    for (const o of owned) ns.run(nftables.removal(o).argv);
    const left = listed('foreign-rule6-left');
    expect(nftables.owned(left)).toEqual([]);
    expect(nftables.without(f, owned).nft).toEqual(left.nft);
    expect(tables()).toBe('table inet cnet_remote\n');
  });

  it('natSteps.add makes nat6_br0 ours again; then every removal leaves nothing', () => {
    ns.run(nftables.natSteps(BR0_6).add);
    const f = listedFacts(ns.run(['nft', '-j', 'list', 'table', ...T]));
    const owned = nftables.owned(f);
    expect(owned).toEqual([BR0_6, TABLE]);
    for (const o of owned) ns.run(nftables.removal(o).argv);
    expect(tables()).toBe('');
  });

  it('rules of our shape in the other family’s chain are not ours', () => {
    for (const step of nftables.prepare({ nat: { available: true, rules: [] }, nft: { available: true } })) ns.run(step.argv);
    const hook = '{ type nat hook postrouting priority 100 ; policy accept ; }';
    ns.run(['nft', 'add', 'chain', ...T, 'nat6_br1', hook]);
    ns.run(['nft', 'add', 'rule', ...T, 'nat6_br1', 'ip', 'saddr', '10.1.0.0/24', 'oifname', '!=', '"br1"', 'masquerade', 'comment', '"cnet-remote:br1"']);
    ns.run(['nft', 'add', 'chain', ...T, 'nat_br2', hook]);
    ns.run(['nft', 'add', 'rule', ...T, 'nat_br2', 'ip6', 'saddr', 'fd00:2::/64', 'oifname', '!=', '"br2"', 'masquerade', 'comment', '"cnet-remote:br2"']);
    const f = listed('wrong-family-chains');
    expect(nftables.owned(f)).toEqual([]);
    // in their own family’s chains, the same rules are ours
    ns.run(nftables.natSteps(rule('10.1.0.0/24', 'br1')).add);
    ns.run(nftables.natSteps(rule('fd00:2::/64', 'br2')).add);
    expect(nftables.owned(listedFacts(ns.run(['nft', '-j', 'list', 'table', ...T])))).toEqual([rule('10.1.0.0/24', 'br1'), rule('fd00:2::/64', 'br2')]);
    ns.run(['nft', 'delete', 'table', ...T]);
    expect(tables()).toBe('');
  });
});
