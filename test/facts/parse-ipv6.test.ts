import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { parseIpShow, parseRootBatch } from '../../src/facts/parse-ip.js';
import { findLink, type HostFacts, type LinkFact, type NetnsFacts } from '../../src/facts/types.js';
import { splitSections } from '../../src/remote/markers.js';

/**
 * IPv6 as the real iproute2 6.1 prints it, through the gather program: recorded in scratch network
 * namespaces by test/fixtures/facts/ipv6/record.sh (README there), each state beside the raw
 * `ip -6 -d -j` output of the namespace it is about, read a moment later.
 */
const DIR = new URL('../fixtures/facts/ipv6/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');
const facts = (name: string): HostFacts => parseFacts(text(`${name}.txt`), name);

function link(ns: NetnsFacts | undefined, name: string): LinkFact {
  const l = findLink(ns, name);
  if (!l) throw new Error(`no link ${name}`);
  return l;
}
const ns = (f: HostFacts, name: string): NetnsFacts => {
  const n = f.namespaces.get(name);
  if (!n) throw new Error(`no namespace ${name}`);
  return n;
};
/** a link's addresses as `family local/len [flags]` */
const addrs = (l: LinkFact) =>
  l.addresses.map((a) => [a.family, `${a.local}/${a.prefixlen}`, a.scope, a.tentative ? 'tentative' : '', a.dadfailed ? 'dadfailed' : ''].join(' ').trim());
const isLinkLocal = (a: string) => a.startsWith('inet6 fe80::') && a.endsWith('/64 link');
/** the raw `ip -6 -d -j addr show` / `route show table all` of a namespace, read as the gather's IPv6 part is */
const rawAddrs = (name: string) => parseIpShow(`[]\n${text(`${name}.addr6.json`)}\n[]\n[]\n`, true);
const rawRoutes = (name: string) => parseIpShow(`[]\n[]\n[]\n${text(`${name}.route6.json`)}\n`, true).routes;
const inet6Of = (n: NetnsFacts) => n.links.map((l) => [l.name, l.addresses.filter((a) => a.family === 'inet6')] as const).filter(([, a]) => a.length);
const rawInet6 = (name: string) =>
  (JSON.parse(text(`${name}.addr6.json`)) as { ifname: string; addr_info: { local: string }[] }[]).map(
    (l) => [l.ifname, l.addr_info.map((a) => a.local)] as const,
  );

describe('the seed dual-stack (dual-stack.txt: the gather as on a host where `up` built it, the controller an IPv6 client)', () => {
  const f = facts('dual-stack');

  it('br0 holds its IPv4 and IPv6 addresses (IPv4 first) and its link-local one, none tentative (added with nodad)', () => {
    expect(addrs(link(f.root, 'br0'))).toEqual(['inet 172.18.0.1/16 global', 'inet6 fd00:18::1/64 global', expect.stringMatching(/^inet6 fe80::/)]);
    expect(isLinkLocal(addrs(link(f.root, 'br0'))[2]!)).toBe(true);
    expect(addrs(link(ns(f, 'container1'), 'ceth1'))).toEqual([
      'inet 172.18.0.2/16 global',
      'inet6 fd00:18::2/64 global',
      'inet6 fe80::42:acff:fe12:2/64 link',
    ]);
    expect(addrs(link(ns(f, 'container2'), 'ceth2'))).toEqual([
      'inet 172.18.0.3/16 global',
      'inet6 fd00:18::3/64 global',
      'inet6 fe80::42:acff:fe12:3/64 link',
    ]);
    expect(addrs(link(ns(f, 'container1'), 'lo'))).toEqual(['inet 127.0.0.1/8 host', 'inet6 ::1/128 host']);
  });

  it("each namespace's default route in both families, IPv4's list first; IPv6's ::/0 written `default`", () => {
    const main = ns(f, 'container1').routes.filter((r) => r.table === 'main');
    expect(main.map((r) => [r.family, r.dst, r.gateway, r.dev, r.protocol])).toEqual([
      ['inet', 'default', '172.18.0.1', 'ceth1', 'boot'],
      ['inet', '172.18.0.0/16', undefined, 'ceth1', 'kernel'],
      ['inet6', 'fd00:18::/64', undefined, 'ceth1', 'kernel'],
      ['inet6', 'fe80::/64', undefined, 'ceth1', 'kernel'],
      ['inet6', 'default', 'fd00:18::1', 'ceth1', 'boot'],
    ]);
    const families = f.root.routes.map((r) => r.family);
    expect(families.indexOf('inet6')).toBe(families.lastIndexOf('inet') + 1);
    expect(f.root.routes.filter((r) => r.table === 'main' && r.dst === 'default').map((r) => [r.family, r.gateway])).toEqual([
      ['inet', '10.249.0.2'],
      ['inet6', '2001:db8:249::2'],
    ]);
  });

  it("the gather's IPv6 addresses and routes are exactly what `ip -6 -d -j` printed for the same namespace", () => {
    expect(inet6Of(ns(f, 'container1')).map(([n, a]) => [n, a.map((x) => x.local)])).toEqual(rawInet6('dual-stack.container1'));
    expect(inet6Of(f.root).map(([n, a]) => [n, a.map((x) => x.local)])).toEqual(rawInet6('dual-stack.host'));
    expect(ns(f, 'container1').routes.filter((r) => r.family === 'inet6')).toEqual(rawRoutes('dual-stack.container1'));
    expect(f.root.routes.filter((r) => r.family === 'inet6')).toEqual(rawRoutes('dual-stack.host'));
  });

  it("IPv6 forwarding on, IPv6 not disabled, each root interface's accept_ra (eth0 at 2, as forwarding wants)", () => {
    expect([f.ipForward, f.ip6Forward, f.ipv6Disabled]).toEqual([true, true, false]);
    expect(Object.fromEntries(f.acceptRa!)).toEqual({ br0: 1, eth0: 2, lo: 1, veth1: 1, veth2: 1 });
  });

  it('the route back to the IPv6 client: eth0', () => {
    expect(f.mgmt).toEqual({ client: '2001:db8:249::1', server: '2001:db8:249::10', dev: 'eth0' });
  });

  it('reads ip6tables because the record lists an IPv6 NAT rule (the gather was not asked): its rule as ip6tables-save prints it', () => {
    const sections = splitSections(text('dual-stack.txt'));
    expect(sections.get('ip6tables')).toContain('-A POSTROUTING -s fd00:18::/64 ! -o br0 -m comment --comment "cnet-remote:br0" -j MASQUERADE');
    expect(sections.has('ip6tables-failed')).toBe(false);
    expect(f.record).toContainEqual({ kind: 'nat', subnet: 'fd00:18::/64', bridge: 'br0' });
  });

  it('the IPv4 view is what it was: only IPv4 routes and addresses when filtered by family', () => {
    expect(
      f.root.routes.filter((r) => r.family === 'inet' && r.table === 'main').map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`),
    ).toEqual(['default via 10.249.0.2 dev eth0', '10.249.0.0/24 dev eth0', '172.18.0.0/16 dev br0']);
    for (const n of [f.root, ...f.namespaces.values()])
      for (const l of n.links) for (const a of l.addresses) expect(a.family === 'inet', `${l.name} ${a.local}`).toBe(/^\d+\.\d+\.\d+\.\d+$/.test(a.local));
  });
});

describe('an address read while duplicate address detection runs (tentative.txt)', () => {
  const f = facts('tentative');

  it('is tentative, as is the link-local address of a link just up; the IPv4 address never is', () => {
    const a = link(ns(f, 'tent'), 'ceth').addresses;
    expect(a.find((x) => x.local === 'fd00:18::5')).toEqual({ family: 'inet6', local: 'fd00:18::5', prefixlen: 64, scope: 'global', tentative: true });
    expect(a.find((x) => x.scope === 'link')?.tentative).toBe(true);
    expect(a.find((x) => x.local === '172.18.0.5')).toEqual({ family: 'inet', local: '172.18.0.5', prefixlen: 16, scope: 'global' });
    expect(rawAddrs('tentative').links).toEqual([]);
  });

  it('and no longer once DAD is done (tentative-settled.addr6.json, the same namespace later)', () => {
    const raw = JSON.parse(text('tentative.addr6.json')) as { addr_info: { tentative?: boolean }[] }[];
    const later = JSON.parse(text('tentative-settled.addr6.json')) as { addr_info: { tentative?: boolean; local: string }[] }[];
    expect(raw.flatMap((l) => l.addr_info).filter((a) => a.tentative).length).toBe(2);
    expect(later.flatMap((l) => l.addr_info).filter((a) => a.tentative)).toEqual([]);
    expect(later.flatMap((l) => l.addr_info).map((a) => a.local)).toContain('fd00:18::5');
  });
});

describe('an address another namespace on the bridge already holds (dadfailed.txt)', () => {
  const f = facts('dadfailed');

  it('is dadfailed (and tentative for good) in the second namespace; the first keeps it', () => {
    const second = link(ns(f, 'dad2'), 'ceth').addresses.find((a) => a.local === 'fd00:18::7');
    expect(second).toEqual({ family: 'inet6', local: 'fd00:18::7', prefixlen: 64, scope: 'global', tentative: true, dadfailed: true });
    const first = link(ns(f, 'dad1'), 'ceth').addresses.find((a) => a.local === 'fd00:18::7');
    expect(first).toEqual({ family: 'inet6', local: 'fd00:18::7', prefixlen: 64, scope: 'global' });
  });

  it('its route is still listed (the kernel keeps the prefix route of a failed address)', () => {
    expect(ns(f, 'dad2').routes.filter((r) => r.family === 'inet6')).toEqual(rawRoutes('dadfailed.dad2'));
  });
});

describe('a link with only its link-local address (link-local.txt)', () => {
  const f = facts('link-local');

  it('holds one IPv6 address of scope link and no IPv4 one; routes: fe80::/64 and no default', () => {
    expect(addrs(link(ns(f, 'll'), 'ceth'))).toEqual([expect.stringMatching(/^inet6 fe80::[0-9a-f:]+\/64 link$/)]);
    const main = ns(f, 'll').routes.filter((r) => r.table === 'main');
    expect(main.map((r) => [r.family, r.dst])).toEqual([['inet6', 'fe80::/64']]);
    expect(inet6Of(ns(f, 'll')).map(([n, a]) => [n, a.map((x) => x.local)])).toEqual(rawInet6('link-local'));
  });
});

describe("a default route learned from router advertisements (ra-default.txt), forwarding on, accept_ra 1: the pitfall's state", () => {
  const f = facts('ra-default');

  it('is an IPv6 default route via the router’s link-local address, protocol ra', () => {
    expect(f.root.routes.filter((r) => r.dst === 'default')).toEqual([
      { family: 'inet6', dst: 'default', gateway: 'fe80::1', dev: 'eth0', table: 'main', type: 'unicast', protocol: 'ra' },
    ]);
    expect(f.root.routes.filter((r) => r.family === 'inet6')).toEqual(rawRoutes('ra-default'));
  });

  it('with forwarding on and eth0 at accept_ra 1; no ip6tables (neither asked nor recorded)', () => {
    expect(f.ip6Forward).toBe(true);
    expect(f.acceptRa?.get('eth0')).toBe(1);
    expect(splitSections(text('ra-default.txt')).has('ip6tables')).toBe(false);
  });
});

describe('IPv6 disabled (ipv6-disabled.txt: net.ipv6.conf.all.disable_ipv6=1 in the host and in namespace off1)', () => {
  const f = facts('ipv6-disabled');

  it('says so, and no link holds an IPv6 address; off1 has no IPv6 route', () => {
    expect([f.ipv6Disabled, f.ip6Forward]).toEqual([true, false]);
    for (const n of [f.root, ns(f, 'off1')]) for (const l of n.links) expect(l.addresses.filter((a) => a.family === 'inet6')).toEqual([]);
    expect(ns(f, 'off1').routes.filter((r) => r.family === 'inet6')).toEqual([]);
    expect(JSON.parse(text('ipv6-disabled.off1.addr6.json'))).toEqual([]);
    expect(link(ns(f, 'off1'), 'ceth').addresses).toEqual([{ family: 'inet', local: '172.18.0.9', prefixlen: 16, scope: 'global' }]);
  });

  it('an IPv6 address cannot be added then (what ip says)', () => {
    expect(text('ipv6-disabled.addr-add.txt')).toBe('Error: ipv6: IPv6 is disabled on this device.\nexit 2\n');
  });
});

describe('older gathers (no ipv6 section: `ip -4`, three arrays a batch)', () => {
  it('read as before: IPv4 only, and no IPv6 switch', () => {
    const f = parseFacts(readFileSync(new URL('../fixtures/facts/converged.txt', import.meta.url), 'utf8'));
    expect(f.ip6Forward).toBeUndefined();
    expect(f.acceptRa).toBeUndefined();
    expect(f.ipv6Disabled).toBeUndefined();
    expect(new Set(f.root.routes.map((r) => r.family))).toEqual(new Set(['inet']));
  });
});

describe('a host whose kernel has no IPv6 (`@@ipv6` says absent): the batches are still both families', () => {
  it('no switch, the four arrays read', () => {
    const t = text('ra-default.txt').replace(/@@ipv6\n[^@]*/, '@@ipv6\nabsent\n');
    const f = parseFacts(t);
    expect([f.ip6Forward, f.ipv6Disabled, f.acceptRa]).toEqual([undefined, undefined, undefined]);
    expect(f.root.routes.some((r) => r.family === 'inet6')).toBe(true);
  });
});

describe('parseIpShow and parseRootBatch, both families (hosts are untrusted)', () => {
  const links = '[{"ifindex":2,"ifname":"x","flags":["UP"]}]';

  it('keeps inet and inet6 addresses of the right shape, flags only when true, 128 for an IPv6 address without a length', () => {
    const addr = JSON.stringify([
      {
        ifindex: 2,
        addr_info: [
          { family: 'inet6', local: 'fd00::1', prefixlen: 64, scope: 'global', tentative: 'yes', dadfailed: 1 },
          { family: 'inet6', local: 'fd00::2' },
          { family: 'inet', local: 5, prefixlen: 24 },
          { family: 'link', local: 'aa' },
          { family: 'inet', local: '10.0.0.1', prefixlen: '24', scope: 7 },
          { family: 'inet6', local: 'fd00::3', prefixlen: 64, scope: 'global', tentative: true, dadfailed: true },
        ],
      },
    ]);
    const n = parseIpShow(`${links}\n${addr}\n[]\n[]\n`, true);
    expect(n.links[0]!.addresses).toEqual([
      { family: 'inet', local: '10.0.0.1', prefixlen: 32, scope: 'global' },
      { family: 'inet6', local: 'fd00::1', prefixlen: 64, scope: 'global' },
      { family: 'inet6', local: 'fd00::2', prefixlen: 128, scope: 'global' },
      { family: 'inet6', local: 'fd00::3', prefixlen: 64, scope: 'global', tentative: true, dadfailed: true },
    ]);
  });

  it('the third list is IPv4 routes and the fourth IPv6 routes', () => {
    const n = parseIpShow(`${links}\n[]\n[{"dst":"10.0.0.0/24","dev":"x"}]\n[{"dst":"default","gateway":"fe80::1","dev":"x","protocol":"ra"}]\n`, true);
    expect(n.routes).toEqual([
      { family: 'inet', dst: '10.0.0.0/24', dev: 'x', table: 'main', type: 'unicast' },
      { family: 'inet6', dst: 'default', gateway: 'fe80::1', dev: 'x', table: 'main', type: 'unicast', protocol: 'ra' },
    ]);
  });

  it('wants exactly four arrays a namespace, four to six at the root', () => {
    expect(() => parseIpShow(`${links}\n[]\n[]\n`, true)).toThrow(/expected 4 JSON arrays from ip -batch, got 3/);
    expect(() => parseIpShow(`${links}\n[]\n[]\n{}\n`, true)).toThrow(/expected a JSON array of routes/);
    expect(() => parseIpShow(`${links}\n{"addr_info":1}\n[]\n[]\n`, true)).toThrow(/expected a JSON array of addresses/);
    expect(() => parseRootBatch(`${links}\n[]\n[]\n`, true)).toThrow(/expected 4 to 6 JSON arrays from ip -batch, got 3/);
    expect(() => parseRootBatch(`${links}\n[]\n[]\n[]\n[]\n[]\n[]\n`, true)).toThrow(/got 7/);
  });

  it('at the root: the namespaces, and `route get` of an IPv6 controller (with or without a namespace list before it)', () => {
    const get = '[{"dst":"2001:db8::1","from":"::","dev":"eth0","table":"main","protocol":"kernel","prefsrc":"2001:db8::10"}]';
    const four = `${links}\n[]\n[]\n[]\n`;
    expect(parseRootBatch(`${four}[{"name":"a","id":0}]\n${get}\n`, true)).toMatchObject({ mgmtDev: 'eth0', netns: new Map([['a', 0]]) });
    expect(parseRootBatch(`${four}${get}\n`, true)).toMatchObject({ mgmtDev: 'eth0', netns: new Map() });
    expect(parseRootBatch(four, true).mgmtDev).toBeUndefined();
  });
});

describe('the route back to an IPv6 link-local client (fe80::1%eth0: the gather does not ask ip about it)', () => {
  it('is its zone when a root interface has that name, else unknown', () => {
    const t = text('ra-default.txt');
    // the recording's mgmt section swapped for a link-local client, its `route get` left out (as the gather does for such a client)
    const withClient = (c: string) =>
      parseFacts(t.replace(/@@mgmt\n[^\n]*\n/, `@@mgmt\n${c} fe80::10%eth0\n`).replace(/\n[^\n]*"dst":"10\.249\.0\.1"[^\n]*\n@@state-dir/, '\n@@state-dir'));
    expect(withClient('fe80::1%eth0').mgmt).toEqual({ client: 'fe80::1%eth0', server: 'fe80::10%eth0', dev: 'eth0' });
    expect(splitSections(t).get('root')).toContain('"dst":"10.249.0.1"');
    expect(withClient('fe80::1%nope').mgmt).toEqual({ client: 'fe80::1%nope', server: 'fe80::10%eth0' });
  });
});
