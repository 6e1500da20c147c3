import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../src/address/family.js';
import { acceptFix, acceptNetFix, type ForwardNet, forwardAccepted, forwardDrops, forwardVerdict } from '../../src/firewall/forward-path.js';
import { IPTABLES, iptables, ourNatRule } from '../../src/firewall/iptables.js';
import type { NatRule } from '../../src/firewall/nat-rule.js';
import { readFirewallFacts } from '../../src/firewall/read-facts.js';
import type { FirewallFacts } from '../../src/firewall/types.js';
import { fixture, gatherText, gathered } from './helpers.js';
import { canRun, recording, scratchNetns, undated } from './scratch-netns.js';

/**
 * The iptables backend's IPv6 rules (ip6tables) and ip6tables' FORWARD chain, on what
 * ip6tables 1.8.9 printed (test/fixtures/ip6tables-save/, test/fixtures/iptables-save/dual-stack.txt).
 * As root, the second part runs the backend's own argv (and the forward path's fixes) with the real
 * iptables and ip6tables in a scratch network namespace, saves with `ip6tables-save 2>&1` (as the
 * gather runs it) and compares each state with its recording (the dates aside);
 * `RECORD_IP6TABLES_FIXTURES=1` writes them anew (test/fixtures/ip6tables-save/record.sh).
 */

const BR0: NatRule = { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' };
const BR0_6: NatRule = { kind: 'nat', subnet: 'fd00:18::/64', bridge: 'br0' };
/** a fabric's bridge: its host's part of supernet6 masqueraded but toward the supernet */
const CNET0_6: NatRule = { kind: 'nat', subnet: 'fd00:30:0:1::/64', bridge: 'cnet0', except: 'fd00:30::/48' };
const OURS_6 = [BR0_6, CNET0_6];
/** Docker's own IPv6 masquerade, and a rule commented as ours in another shape: neither is ours */
const FOREIGN_6 = [
  ['-t', 'nat', '-A', 'POSTROUTING', '-s', 'fd00:99::/64', '!', '-o', 'docker0', '-j', 'MASQUERADE'],
  ['-t', 'nat', '-A', 'POSTROUTING', '-s', 'fd00:18::/64', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'],
];
const cidr = (t: string) => parseCidr(t) as Cidr;
const NET0_6: ForwardNet = { name: 'br0', subnet: cidr('fd00:18::/64') };
const NET1_6: ForwardNet = { name: 'brd1', subnet: cidr('fd00:19::/64') };
const NET0_4: ForwardNet = { name: 'br0', subnet: cidr('172.18.0.0/16') };

const save6 = (name: string) => fixture(`ip6tables-save/${name}.txt`);
/** The firewall facts of a gather whose iptables section is `v4` and ip6tables section `v6` (undefined: none; `failed`: with ip6tables-failed). */
function factsOf(v4: string, v6?: string, failed = false): FirewallFacts {
  const sections: [string, string][] = [['iptables', v4], ...(v6 !== undefined ? [['ip6tables', v6] as [string, string]] : [])];
  return readFirewallFacts(gathered(`${gatherText([...sections, ...(failed ? [['ip6tables-failed', ''] as [string, string]] : [])])}@@end\n`));
}
const dualStack = () => factsOf(fixture('iptables-save/dual-stack.txt'), save6('rules'));

describe('commands', () => {
  it('IPTABLES: iptables for IPv4, ip6tables for IPv6', () => {
    expect(IPTABLES).toEqual({ ipv4: 'iptables', ipv6: 'ip6tables' });
  });

  it('natSteps: an IPv6 rule goes to ip6tables’ nat POSTROUTING, in the words iptables’ has', () => {
    const spec = [
      '-s',
      'fd00:30:0:1::/64',
      '!',
      '-d',
      'fd00:30::/48',
      '!',
      '-o',
      'cnet0',
      '-m',
      'comment',
      '--comment',
      'cnet-remote:cnet0',
      '-j',
      'MASQUERADE',
    ];
    expect(iptables.natSteps(CNET0_6)).toEqual({
      add: ['ip6tables', '-w', '-t', 'nat', '-A', 'POSTROUTING', ...spec],
      del: ['ip6tables', '-w', '-t', 'nat', '-D', 'POSTROUTING', ...spec],
    });
    expect(iptables.natSteps(BR0).add[0]).toBe('iptables');
    expect(iptables.removal(BR0_6)).toEqual({ argv: iptables.natSteps(BR0_6).del, undo: iptables.natSteps(BR0_6).add });
  });

  it('ourNatRule: a rule is ours only with addresses of the family of the table it was read from', () => {
    const words = iptables.natSteps(BR0_6).add.slice(6);
    expect(ourNatRule(words, 'ipv6')).toEqual(BR0_6);
    expect(ourNatRule(words, 'ipv4')).toBeUndefined();
    expect(ourNatRule(words)).toBeUndefined();
    const v4 = iptables.natSteps(BR0).add.slice(6);
    expect(ourNatRule(v4, 'ipv6')).toBeUndefined();
    // an IPv4 except on an IPv6 rule
    expect(ourNatRule(iptables.natSteps({ ...BR0_6, except: '172.16.0.0/12' }).add.slice(6), 'ipv6')).toBeUndefined();
  });
});

describe('on the recordings (ip6tables 1.8.9)', () => {
  it('rules.txt: the nat table’s IPv6 rules; ours are both families’, in order: iptables’ then ip6tables’', () => {
    const f = dualStack();
    expect(f.nat6?.available).toBe(true);
    expect(f.nat6?.variant).toBe('nf_tables');
    expect(f.nat6?.rules.map((r) => r.join(' '))).toEqual([
      '-s fd00:18::/64 ! -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE',
      '-s fd00:30:0:1::/64 ! -d fd00:30::/48 ! -o cnet0 -m comment --comment cnet-remote:cnet0 -j MASQUERADE',
      '-s fd00:99::/64 ! -o docker0 -j MASQUERADE',
      '-s fd00:18::/64 -m comment --comment cnet-remote:br0 -j MASQUERADE',
    ]);
    expect(f.nat.rules.map((r) => r.join(' '))).toEqual(['-s 172.18.0.0/16 ! -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE']);
    expect(iptables.owned(f)).toEqual([BR0, ...OURS_6]);
  });

  it('has: each rule in its family’s table only; another except or none is another rule', () => {
    const f = dualStack();
    expect([BR0, BR0_6, CNET0_6].map((r) => iptables.has(f, r))).toEqual([true, true, true]);
    expect(iptables.has(f, { ...CNET0_6, except: 'fd00:30::/40' })).toBe(false);
    expect(iptables.has(f, { kind: 'nat', subnet: CNET0_6.subnet, bridge: 'cnet0' })).toBe(false);
    // in iptables' facts alone (no ip6tables section): no IPv6 rule is there
    const v4only = factsOf(fixture('iptables-save/dual-stack.txt'));
    expect(v4only.nat6).toBeUndefined();
    expect([iptables.has(v4only, BR0), iptables.has(v4only, BR0_6)]).toEqual([true, false]);
    expect(iptables.owned(v4only)).toEqual([BR0]);
  });

  it('removal round trip: each owned rule’s removal is its delete; without them, ip6tables holds what removed.txt shows', () => {
    const f = dualStack();
    const owned = iptables.owned(f);
    for (const o of owned) expect(iptables.removal(o).argv[0], JSON.stringify(o)).toBe(o.kind === 'nat' && o.subnet.includes(':') ? 'ip6tables' : 'iptables');
    const left = iptables.without(f, owned);
    const removed = factsOf(fixture('iptables-save/empty.txt'), save6('removed'));
    expect(left.nat6?.rules).toEqual(removed.nat6?.rules);
    expect(left.nat.rules).toEqual([]);
    expect(iptables.owned(left)).toEqual([]);
    expect(iptables.owned(removed)).toEqual([]);
    // one family's removal leaves the other's rules
    expect(iptables.owned(iptables.without(f, [BR0]))).toEqual(OURS_6);
    expect(iptables.owned(iptables.without(f, [BR0_6]))).toEqual([BR0, CNET0_6]);
    // nftables' objects are not iptables'
    expect(iptables.without(f, [{ ...BR0_6, nftables: true }])).toEqual(f);
  });

  it('empty.txt: ip6tables answered with no table: available, no rules, FORWARD accepts', () => {
    const f = factsOf(fixture('iptables-save/empty.txt'), save6('empty'));
    expect(save6('empty')).toBe('');
    expect(f.nat6).toEqual({ available: true, rules: [] });
    expect(f.forwardChain6).toEqual({ policy: 'ACCEPT', rules: [] });
    expect(iptables.unusable(f, 'ipv6')).toBeUndefined();
  });

  it('legacy.txt, legacy-present.txt: ip6tables-legacy’s header names no variant; ip6tables-nft warns of legacy tables', () => {
    const legacy = factsOf(fixture('iptables-save/empty.txt'), save6('legacy'));
    expect(legacy.nat6?.variant).toBe('legacy');
    expect(iptables.owned(legacy)).toEqual([BR0_6]);
    const present = factsOf(fixture('iptables-save/empty.txt'), save6('legacy-present'));
    expect(save6('legacy-present')).toMatch(/^# Warning: ip6tables-legacy tables present/);
    expect(present.nat6).toMatchObject({ variant: 'nf_tables', legacyTables: true });
    // recorded after the removals: the foreign rules alone, none of ours (the legacy table's is not shown)
    expect(present.nat6?.rules).toEqual(factsOf('', save6('removed')).nat6?.rules);
    expect(iptables.owned(present)).toEqual([]);
  });

  it('unusable(facts, family): ip6tables not read, not found, refusing: each said, with what to do; IPv4 unaffected', () => {
    const v4 = fixture('iptables-save/empty.txt');
    expect(iptables.unusable(factsOf(v4), 'ipv6')).toBe(
      'ip6tables was not read on the host (the facts were gathered without IPv6): IPv6 NAT cannot be planned from them',
    );
    const notFound = factsOf(v4, save6('not-found'), true);
    expect(notFound.nat6).toEqual({ available: false, rules: [], error: 'sh: 1: ip6tables-save: not found' });
    expect(notFound.forwardChain6).toBeUndefined();
    expect(iptables.unusable(notFound, 'ipv6')).toBe(
      'ip6tables is not usable on the host (sh: 1: ip6tables-save: not found): install it (apt-get install iptables, which holds ip6tables), or set cnet.firewall: nftables, or nat6: false',
    );
    expect(iptables.unusable(factsOf(v4, save6('not-root'), true), 'ipv6')).toBe(
      'ip6tables is not usable on the host (ip6tables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)): install it (apt-get install iptables, which holds ip6tables), or set cnet.firewall: nftables, or nat6: false',
    );
    expect([iptables.unusable(notFound), iptables.unusable(notFound, 'ipv4')]).toEqual([undefined, undefined]);
  });
});

describe('ip6tables’ FORWARD chain (forward-drop.txt: policy DROP, as Docker 27+ and Ubuntu 24.04 set it)', () => {
  const drop = () => factsOf(fixture('iptables-save/empty.txt'), save6('forward-drop'));

  it('an IPv6 net is judged by ip6tables’ chain, an IPv4 one by iptables’ (which accepts here)', () => {
    const f = drop();
    expect(f.forwardChain6).toEqual({ policy: 'DROP', rules: [['-s', 'fd00:19::/64', '-j', 'REJECT', '--reject-with', 'icmp6-port-unreachable']] });
    expect(f.forwardChain).toEqual({ policy: 'ACCEPT', rules: [] });
    expect([forwardAccepted(f, NET0_6), forwardAccepted(f, NET1_6), forwardAccepted(f, NET0_4)]).toEqual([false, false, true]);
    expect(forwardDrops(f, NET1_6)).toEqual([['-s', 'fd00:19::/64', '-j', 'REJECT', '--reject-with', 'icmp6-port-unreachable']]);
    expect(forwardDrops(f, NET0_6)).toEqual([]);
  });

  it('forwardVerdict and the fixes name ip6tables', () => {
    const f = drop();
    expect(forwardVerdict(f, NET1_6)).toEqual({
      policy: 'DROP',
      accepted: false,
      drops: [
        {
          text: '-s fd00:19::/64 -j REJECT --reject-with icmp6-port-unreachable',
          fix: 'ip6tables -D FORWARD -s fd00:19::/64 -j REJECT --reject-with icmp6-port-unreachable',
        },
      ],
    });
    expect(forwardVerdict(f, NET0_4)).toEqual({ policy: 'ACCEPT', accepted: true, drops: [] });
    expect(acceptFix(NET0_6)).toBe('ip6tables -I FORWARD -i br0 -j ACCEPT && ip6tables -I FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
    expect(acceptNetFix(cidr('fd00:30::/48'))).toBe('ip6tables -I FORWARD -s fd00:30::/48 -j ACCEPT && ip6tables -I FORWARD -d fd00:30::/48 -j ACCEPT');
  });

  it('forward-fixed.txt (the fixes run): br0 accepted, brd1’s REJECT gone, the policy still DROP', () => {
    const f = factsOf(fixture('iptables-save/empty.txt'), save6('forward-fixed'));
    expect(f.forwardChain6?.policy).toBe('DROP');
    expect([forwardAccepted(f, NET0_6), forwardAccepted(f, NET1_6)]).toEqual([true, false]);
    expect(forwardDrops(f, NET1_6)).toEqual([]);
  });

  it('without ip6tables’ facts (not gathered, or it failed): IPv6 accepted, nothing dropped, no policy claimed', () => {
    for (const f of [factsOf(fixture('iptables-save/empty.txt')), factsOf(fixture('iptables-save/empty.txt'), save6('not-found'), true)]) {
      expect(forwardAccepted(f, NET1_6)).toBe(true);
      expect(forwardVerdict(f, NET1_6)).toEqual({ accepted: true, drops: [] });
    }
  });
});

const RECORD = process.env.RECORD_IP6TABLES_FIXTURES === '1';

describe.skipIf(!canRun('iptables', 'ip6tables', 'ip6tables-save', 'xtables-legacy-multi'))(
  'against the real ip6tables 1.8.9, in a scratch network namespace',
  () => {
    const ns = scratchNetns();
    /** `CMD-save 2>&1` as the gather runs it, compared with (or recorded as) its fixture but for the dates */
    const saved = (cmd: 'iptables' | 'ip6tables', path: string, how?: Parameters<typeof ns.sh>[1]): string => {
      const { out } = ns.sh(`${cmd}-save`, how);
      expect(undated(out), `${path} as recorded`).toBe(undated(recording(path, out, RECORD)));
      return out;
    };
    const save = (name: string) => saved('ip6tables', `ip6tables-save/${name}.txt`);
    /** a fix as the facts print it (commands joined by &&), run as the user would paste it */
    const runFix = (fix: string) => expect(ns.sh(fix).status, fix).toBe(0);

    beforeAll(() => ns.create());
    afterAll(() => ns.remove());

    it('a fresh namespace: ip6tables-save prints nothing', () => {
      expect(save('empty')).toBe('');
    });

    it('natSteps.add of each family’s rules: iptables gets the IPv4 one, ip6tables the IPv6 ones, each read back as ours', () => {
      for (const r of [BR0, ...OURS_6]) ns.run(iptables.natSteps(r).add);
      for (const argv of FOREIGN_6) ns.run(['ip6tables', '-w', ...argv]);
      const f = factsOf(saved('iptables', 'iptables-save/dual-stack.txt'), save('rules'));
      expect(iptables.owned(f)).toEqual([BR0, ...OURS_6]);
      expect(f.nat.rules).toHaveLength(1);
    });

    it('FORWARD policy DROP and a REJECT; the fixes the facts name, run: br0 accepted, the REJECT gone', () => {
      ns.run(['ip6tables', '-w', '-P', 'FORWARD', 'DROP']);
      ns.run(['ip6tables', '-w', '-A', 'FORWARD', '-s', 'fd00:19::/64', '-j', 'REJECT']);
      const drop = factsOf('', save('forward-drop'));
      expect([forwardAccepted(drop, NET0_6), forwardAccepted(drop, NET1_6)]).toEqual([false, false]);
      runFix(acceptFix(NET0_6));
      runFix(forwardVerdict(drop, NET1_6).drops[0]!.fix);
      const fixed = factsOf('', save('forward-fixed'));
      expect([forwardAccepted(fixed, NET0_6), forwardDrops(fixed, NET1_6)]).toEqual([true, []]);
      // IPv4's FORWARD was never touched
      expect(factsOf(ns.sh('iptables-save').out).forwardChain).toEqual({ policy: 'ACCEPT', rules: [] });
    });

    it('removal of everything owned (both families): nothing of ours is left, the foreign rules are', () => {
      const before = factsOf(ns.sh('iptables-save').out, ns.sh('ip6tables-save').out);
      const owned = iptables.owned(before);
      expect(owned).toEqual([BR0, ...OURS_6]);
      for (const o of owned) ns.run(iptables.removal(o).argv);
      const after = factsOf(ns.sh('iptables-save').out, save('removed'));
      expect(iptables.owned(after)).toEqual([]);
      expect(after.nat6?.rules).toEqual(iptables.without(before, owned).nat6?.rules);
      expect(after.nat.rules).toEqual([]);
      // the undo of a removal adds the rule back
      ns.run(iptables.removal(BR0_6).undo!);
      expect(iptables.owned(factsOf('', ns.sh('ip6tables-save').out))).toEqual([BR0_6]);
      ns.run(iptables.removal(BR0_6).argv);
    });

    it('ip6tables-legacy: the backend’s argv through the legacy commands; its header, then ip6tables-nft’s warning', () => {
      const legacy = ns.links({ ip6tables: '/usr/sbin/xtables-legacy-multi', 'ip6tables-save': '/usr/sbin/xtables-legacy-multi' });
      const path = `${legacy}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
      ns.run(iptables.natSteps(BR0_6).add, { PATH: path });
      expect(iptables.owned(factsOf('', saved('ip6tables', 'ip6tables-save/legacy.txt', { path })))).toEqual([BR0_6]);
      expect(factsOf('', save('legacy-present')).nat6?.legacyTables).toBe(true);
    });

    it('ip6tables-save not found, or refusing a user other than root: what the gather’s section holds', () => {
      // a PATH holding sh alone
      const path = ns.links({ sh: '/bin/sh' });
      const notFound = ns.sh('ip6tables-save', { path });
      expect(notFound.status).toBe(127);
      expect(notFound.out).toBe(recording('ip6tables-save/not-found.txt', notFound.out, RECORD));
      const notRoot = ns.sh('ip6tables-save', { nobody: true });
      expect(notRoot.status).not.toBe(0);
      expect(notRoot.out).toBe(recording('ip6tables-save/not-root.txt', notRoot.out, RECORD));
    });
  },
);
