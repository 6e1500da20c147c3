import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cidr, parseCidr } from '../../src/address/family.js';
import { firewalldForward, parseFirewalld, trustedZoneFix, zoneWords } from '../../src/firewall/firewalld.js';
import { nftAcceptFix, nftForwardDrops, parseNftChains } from '../../src/firewall/nft-chains.js';
import type { FamilyName, FirewallFacts } from '../../src/firewall/types.js';
import { fixture } from './helpers.js';
import { canRun, recording, scratchNetns } from './scratch-netns.js';

/**
 * The forward path judged per address family beyond iptables (ip6tables' FORWARD chain:
 * ip6tables.test.ts): native nftables forward chains (a chain of family `ip6` or `inet` judges
 * IPv6, one of family `ip` does not), on `nft -j list chains` as nft 1.0.6 printed it
 * (test/fixtures/nft/forward-chains.json) and, as root, against real forwarded traffic in scratch
 * namespaces; firewalld's zones for IPv6 sources (`ip6 saddr`), on what a real firewalld 1.3.3
 * wrote (test/fixtures/firewalld/11-*, 12-*, record.sh).
 */

const cidr = (t: string) => parseCidr(t) as Cidr;
const facts = (chainsJson: string): FirewallFacts => ({ nat: { available: true, rules: [] }, nftChains: parseNftChains(chainsJson) });
const named = (f: FirewallFacts, family?: FamilyName) => nftForwardDrops(f, family).map((c) => `${c.family} ${c.table} ${c.name}`);

describe('nftables forward chains per family (forward-chains.json)', () => {
  const f = () => facts(fixture('nft/forward-chains.json'));

  it('the base chains read: iptables-nft’s and ip6tables-nft’s own tables (ip filter, ip6 filter) are not among them', () => {
    expect(f().nftChains?.filter((c) => c.hook === 'forward')).toEqual([
      { family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' },
      { family: 'ip', table: 'v4fw', name: 'forward', hook: 'forward', policy: 'drop' },
      { family: 'ip6', table: 'v6fw', name: 'forward', hook: 'forward', policy: 'drop' },
      { family: 'ip6', table: 'open6', name: 'forward', hook: 'forward', policy: 'accept' },
    ]);
    expect(fixture('nft/forward-chains.json')).toContain('"family": "ip6", "table": "filter", "name": "FORWARD"');
  });

  it('IPv6 is judged by the inet and ip6 chains, IPv4 by the inet and ip ones (the default)', () => {
    expect(named(f(), 'ipv6')).toEqual(['inet filter forward', 'ip6 v6fw forward']);
    expect(named(f(), 'ipv4')).toEqual(['inet filter forward', 'ip v4fw forward']);
    expect(named(f())).toEqual(named(f(), 'ipv4'));
  });

  it('a bridge-family forward chain sees bridged frames of both families', () => {
    const bridged: FirewallFacts = {
      nat: { available: true, rules: [] },
      nftChains: [{ family: 'bridge', table: 't', name: 'fw', hook: 'forward', policy: 'drop' }],
    };
    expect([named(bridged, 'ipv4'), named(bridged, 'ipv6')]).toEqual([['bridge t fw'], ['bridge t fw']]);
  });

  it('nftAcceptFix: the same words in a chain of any family', () => {
    const [inet, v6] = nftForwardDrops(f(), 'ipv6');
    expect(nftAcceptFix(v6!, 'br0')).toBe(
      'nft insert rule ip6 v6fw forward iifname br0 accept && nft insert rule ip6 v6fw forward oifname br0 ct state related,established accept',
    );
    expect(nftAcceptFix(inet!, 'br0')).toMatch(/^nft insert rule inet filter forward iifname br0 accept && /);
  });
});

const RECORD = process.env.RECORD_NFT6_FIXTURES === '1';

describe.skipIf(!canRun('nft', 'iptables', 'ip6tables', 'ping'))('against the real nft and forwarded traffic, in scratch namespaces', () => {
  /** R routes between A (10.61.1.0/24, fd00:61:1::/64) and B (10.61.2.0/24, fd00:61:2::/64) by its interfaces ra and rb */
  const [r, a, b] = [scratchNetns(), scratchNetns(), scratchNetns()];
  const ip = (ns: string, ...args: string[]) => r.run(['ip', '-n', ns, ...args]);
  /** A pings B's address: whether a reply came */
  const reaches = (address: string) => a.sh(`ping -c 3 -i 0.2 -W 1 ${address}`).status === 0;
  const traffic = () => ({ ipv4: reaches('10.61.2.2'), ipv6: reaches('fd00:61:2::2') });

  beforeAll(() => {
    for (const ns of [r, a, b]) ns.create();
    for (const [peer, side, n] of [
      [a, 'ra', 1],
      [b, 'rb', 2],
    ] as const) {
      ip(r.name, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer.name);
      ip(r.name, 'addr', 'add', `10.61.${n}.1/24`, 'dev', side);
      ip(r.name, 'addr', 'add', `fd00:61:${n}::1/64`, 'dev', side, 'nodad');
      ip(r.name, 'link', 'set', side, 'up');
      ip(peer.name, 'addr', 'add', `10.61.${n}.2/24`, 'dev', 'eth0');
      ip(peer.name, 'addr', 'add', `fd00:61:${n}::2/64`, 'dev', 'eth0', 'nodad');
      ip(peer.name, 'link', 'set', 'eth0', 'up');
      ip(peer.name, 'route', 'add', 'default', 'via', `10.61.${n}.1`);
      ip(peer.name, '-6', 'route', 'add', 'default', 'via', `fd00:61:${n}::1`);
    }
    r.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  });
  afterAll(() => {
    for (const ns of [a, b, r]) ns.remove();
  });

  it('records forward-chains.json: nft’s view of the chains, iptables-nft’s included', () => {
    const drop = '{ type filter hook forward priority 0 ; policy drop ; }';
    for (const [family, table] of [
      ['inet', 'filter'],
      ['ip', 'v4fw'],
      ['ip6', 'v6fw'],
    ]) {
      r.run(['nft', 'add', 'table', family!, table!]);
      r.run(['nft', 'add', 'chain', family!, table!, 'forward', drop]);
    }
    r.run(['nft', 'add', 'table', 'ip6', 'open6']);
    r.run(['nft', 'add', 'chain', 'ip6', 'open6', 'forward', '{ type filter hook forward priority 0 ; policy accept ; }']);
    r.run(['iptables', '-w', '-P', 'FORWARD', 'DROP']);
    r.run(['ip6tables', '-w', '-P', 'FORWARD', 'DROP']);
    const text = r.run(['nft', '-j', 'list', 'chains']);
    expect(parseNftChains(text)).toEqual(parseNftChains(recording('nft/forward-chains.json', text, RECORD)));
    expect(traffic()).toEqual({ ipv4: false, ipv6: false });
  });

  it('those tables (iptables-nft’s too) deleted: nothing drops, both families pass', () => {
    for (const t of ['inet filter', 'ip v4fw', 'ip6 v6fw', 'ip6 open6', 'ip filter', 'ip6 filter']) r.sh(`nft delete table ${t}`);
    expect(r.run(['nft', 'list', 'tables'])).toBe('');
    expect(traffic()).toEqual({ ipv4: true, ipv6: true });
  });

  it.each(['ip', 'ip6', 'inet'])(
    'a forward chain of family %s with policy drop: dropped exactly where nftForwardDrops says, and its fix lets it through',
    (family) => {
      r.run(['nft', 'add', 'table', family, 'fw']);
      r.run(['nft', 'add', 'chain', family, 'fw', 'forward', '{ type filter hook forward priority 0 ; policy drop ; }']);
      const f = facts(r.run(['nft', '-j', 'list', 'chains']));
      const judged = { ipv4: nftForwardDrops(f, 'ipv4').length === 0, ipv6: nftForwardDrops(f, 'ipv6').length === 0 };
      expect(traffic()).toEqual(judged);
      expect(judged).toEqual({ ipv4: family === 'ip6', ipv6: family === 'ip' });
      for (const c of nftForwardDrops(f, family === 'ip' ? 'ipv4' : 'ipv6')) expect(r.sh(nftAcceptFix(c, 'ra')).status).toBe(0);
      expect(traffic()).toEqual({ ipv4: true, ipv6: true });
      r.run(['nft', 'delete', 'table', family, 'fw']);
    },
  );
});

describe('firewalld: IPv6 sources (11-sources6, 12-source6-interface-fix)', () => {
  const recorded = (s: string) => parseFirewalld(fixture(`firewalld/${s}.table.json`));
  const UP = { out: 'eth0' };
  const BR0_6 = { name: 'br0', subnet: cidr('fd00:10::/64') };
  const BR1_6 = { name: 'br1', subnet: cidr('fd00:11::/64') };
  const BR1_4 = { name: 'br1', subnet: cidr('10.11.0.0/24') };

  it('11: `ip6 saddr` bindings read (a prefix; one address as /128), in the chain’s order before the interfaces', () => {
    const fw = recorded('11-sources6');
    expect(fw.bindings).toEqual([
      { zone: 'internal', source: 'fd00:11::/64' },
      { zone: 'trusted', source: 'fd00:12::/64' },
      { zone: 'trusted', source: 'fd00:13::5/128' },
      { zone: 'public', interface: 'eth0' },
      { zone: 'trusted', interface: 'br0' },
    ]);
    expect(fw.defaultZone).toBe('public');
    // internal forwards to its own source: `ip6 daddr fd00:11::/64 accept`
    expect(fw.zones.find((z) => z.name === 'internal')).toEqual({
      name: 'internal',
      verdict: 'reject',
      forwardTo: { interfaces: [], sources: ['fd00:11::/64'] },
      other: 0,
    });
  });

  it('11: br1’s IPv6 subnet is judged in internal (by its source), its IPv4 one in the default zone: an IPv6 source never takes IPv4', () => {
    const fw = recorded('11-sources6');
    expect(firewalldForward(fw, BR1_6, UP)).toEqual({ zone: 'internal', by: 'source', passes: false });
    expect(firewalldForward(fw, BR1_6, { out: 'br1', dst: BR1_6.subnet })).toEqual({ zone: 'internal', by: 'source', passes: true });
    expect(firewalldForward(fw, BR1_4, UP)).toEqual({ zone: 'public', by: 'default', passes: true });
    // certain, though three IPv6 sources come first: none of them can hold IPv4 traffic
    expect(firewalldForward(fw, BR1_4, { out: 'eth9' })).toEqual({ zone: 'public', by: 'default', passes: false });
    // an IPv4 destination is never in internal's IPv6 source
    expect(firewalldForward(fw, BR1_4, { out: 'br1', dst: BR1_4.subnet })).toEqual({ zone: 'public', by: 'default', passes: false });
    expect(zoneWords('br1', firewalldForward(fw, BR1_6, UP)!)).toBe("br1's subnet is bound to zone internal");
  });

  it('11: br0 by its interface (both families); an IPv6 subnet inside a trusted source passes; one only partly bound is not judged', () => {
    const fw = recorded('11-sources6');
    expect(firewalldForward(fw, BR0_6, UP)).toEqual({ zone: 'trusted', by: 'interface', passes: true });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('fd00:12::/80') }, { out: 'eth9' })).toEqual({ zone: 'trusted', by: 'source', passes: true });
    // fd00:13::5 lies in fd00:13::/64: maybe bound, maybe not
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('fd00:13::/64') }, { out: 'eth9' })).toEqual({ zone: 'public', by: 'default' });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('fd00:14::/64') }, { out: 'eth9' })).toEqual({ zone: 'public', by: 'default', passes: false });
  });

  it('12: after the fix named for br1, its IPv4 traffic is in trusted by the interface', () => {
    const fw = recorded('12-source6-interface-fix');
    expect(trustedZoneFix('br1', firewalldForward(recorded('11-sources6'), BR1_6, UP)!)).toBe(
      'firewall-cmd --zone=trusted --add-interface=br1 && firewall-cmd --permanent --zone=trusted --add-interface=br1',
    );
    expect(firewalldForward(fw, BR1_4, UP)).toEqual({ zone: 'trusted', by: 'interface', passes: true });
  });

  // BUG (src/firewall/firewalld.ts trustedZoneFix): for a bridge judged by a source binding the fix adds
  // the interface, but firewalld (1.3.3, recorded) puts every source binding before the interfaces: the
  // source still wins. The fix would move the source (`--change-source=SOURCE`), which the verdict
  // does not name yet (FirewalldVerdict has no `source`)
  it.fails('12: after the fix named for br1, its IPv6 traffic is in trusted', () => {
    expect(firewalldForward(recorded('12-source6-interface-fix'), BR1_6, UP)).toMatchObject({ zone: 'trusted', passes: true });
  });
});
