import type { AddressFact, AddressFamilyName, FdbEntry, LinkFact, NetnsFacts, RouteFact, VxlanFacts } from './types.js';
import { parseJsonStream } from '../remote/json-stream.js';

/** an address of `ip -json addr show` (hosts are untrusted: every field checked before use) */
interface IpAddrInfo {
  family?: unknown;
  local?: unknown;
  prefixlen?: unknown;
  scope?: unknown;
  tentative?: unknown;
  dadfailed?: unknown;
}

interface IpLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  operstate?: string;
  master?: string;
  ifalias?: string;
  address?: string;
  link_index?: number;
  link_netnsid?: number;
  mtu?: number;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string; local6?: string; link?: string } };
  addr_info?: IpAddrInfo[];
}

interface IpRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
  table?: string;
  type?: string;
  protocol?: string;
}

function asArray<T>(v: unknown, what: string): T[] {
  if (!Array.isArray(v)) throw new Error(`expected a JSON array of ${what}`);
  return v as T[];
}

/**
 * What a gather's `ip -batch` lists, by the gather's age: `dual` (since IPv6, the gather's `ipv6`
 * section says so): both families' addresses, then two route lists, IPv4's (`route show table all
 * root 0.0.0.0/0`) and IPv6's (`… root ::/0`); else (`ip -4`, before): IPv4's only, one route list.
 */
const familiesOf = (dual: boolean): readonly AddressFamilyName[] => (dual ? ['inet', 'inet6'] : ['inet']);

/**
 * Parses the output of `ip -d -j -batch -` with `link show`, `addr show` and the route lists
 * (three arrays from an older gather's `ip -4`, four when `dual`): links with their addresses,
 * and the routes of every table.
 */
export function parseIpShow(text: string, dual = false): NetnsFacts {
  const values = parseJsonStream(text);
  const want = 2 + familiesOf(dual).length;
  if (values.length !== want) throw new Error(`expected ${want} JSON arrays from ip -batch, got ${values.length}`);
  return ipShowOf(values, dual);
}

/**
 * The root namespace's batch: the arrays of parseIpShow, then `netns list` (name → nsid), then
 * `route get CONTROLLER` when the script knew the controller's address (the device it leaves by).
 * `netns list` prints nothing at all on a host that never had a namespace (no /run/netns): the
 * two are told apart by what they hold (a route has `dst`).
 */
export function parseRootBatch(text: string, dual = false): { root: NetnsFacts; netns: Map<string, number | undefined>; mgmtDev?: string } {
  const values = parseJsonStream(text);
  const fixed = 2 + familiesOf(dual).length;
  if (values.length < fixed || values.length > fixed + 2) throw new Error(`expected ${fixed} to ${fixed + 2} JSON arrays from ip -batch, got ${values.length}`);
  const rest = values.slice(fixed);
  const isRoute = (v: unknown) => Array.isArray(v) && v.length > 0 && typeof (v[0] as { dst?: unknown })?.dst === 'string';
  const routeGet = rest.length === 2 || (rest.length === 1 && isRoute(rest[0])) ? rest.pop() : undefined;
  const netns = new Map<string, number | undefined>();
  for (const n of asArray<{ name: string; id?: number }>(rest[0] ?? [], 'namespaces')) netns.set(n.name, n.id);
  const mgmtDev = routeGet === undefined ? undefined : asArray<{ dev?: string }>(routeGet, 'routes')[0]?.dev;
  return { root: ipShowOf(values.slice(0, fixed), dual), netns, ...(mgmtDev ? { mgmtDev } : {}) };
}

/** An address of a family asked for, its flags only when ip says true; undefined for anything else. */
function addressOf(i: IpAddrInfo, family: AddressFamilyName): AddressFact | undefined {
  if (i.family !== family || typeof i.local !== 'string') return undefined;
  return {
    family,
    local: i.local,
    prefixlen: typeof i.prefixlen === 'number' ? i.prefixlen : family === 'inet' ? 32 : 128,
    scope: typeof i.scope === 'string' ? i.scope : 'global',
    ...(i.tentative === true ? { tentative: true as const } : {}),
    ...(i.dadfailed === true ? { dadfailed: true as const } : {}),
  };
}

function routeOf(r: IpRoute, family: AddressFamilyName): RouteFact {
  return {
    family,
    dst: r.dst ?? 'default',
    ...(r.gateway ? { gateway: r.gateway } : {}),
    ...(r.dev ? { dev: r.dev } : {}),
    table: r.table ?? 'main',
    type: r.type ?? 'unicast',
    ...(r.protocol ? { protocol: r.protocol } : {}),
  };
}

function ipShowOf(values: unknown[], dual: boolean): NetnsFacts {
  const [rawLinks, rawAddrs, ...rawRoutes] = values;
  const families = familiesOf(dual);
  const addrs = new Map<number, AddressFact[]>();
  for (const a of asArray<IpLink>(rawAddrs, 'addresses')) {
    const infos = asArray<IpAddrInfo>(a.addr_info ?? [], 'addresses');
    // IPv4's, then IPv6's (as the kernel dumps them; held, whatever a host prints)
    addrs.set(
      a.ifindex,
      families.flatMap((f) => infos.flatMap((i) => addressOf(i, f) ?? [])),
    );
  }
  const links: LinkFact[] = asArray<IpLink>(rawLinks, 'links').map((l) => ({
    ifindex: l.ifindex,
    name: l.ifname,
    ...(l.linkinfo?.info_kind ? { kind: l.linkinfo.info_kind } : {}),
    ...(l.master ? { master: l.master } : {}),
    up: (l.flags ?? []).includes('UP'),
    operstate: l.operstate ?? 'UNKNOWN',
    ...(l.ifalias !== undefined ? { alias: l.ifalias } : {}),
    ...(l.address !== undefined ? { mac: l.address } : {}),
    ...(l.link_index !== undefined ? { peerIfindex: l.link_index } : {}),
    ...(l.link_netnsid !== undefined ? { peerNetnsId: l.link_netnsid } : {}),
    ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
    ...(l.linkinfo?.info_kind === 'vxlan' ? { vxlan: vxlanOf(l.linkinfo.info_data ?? {}) } : {}),
    addresses: addrs.get(l.ifindex) ?? [],
  }));
  const routes = families.flatMap((f, n) => asArray<IpRoute>(rawRoutes[n], 'routes').map((r) => routeOf(r, f)));
  return { links, routes };
}

function vxlanOf(d: { id?: number; port?: number; local?: string; local6?: string; link?: string }): VxlanFacts {
  // an IPv6 underlay's local address is `local6`
  const local = typeof d.local === 'string' ? d.local : typeof d.local6 === 'string' ? d.local6 : undefined;
  return { id: d.id ?? 0, ...(d.port !== undefined ? { port: d.port } : {}), ...(local ? { local } : {}), ...(d.link ? { dev: d.link } : {}) };
}

/** `bridge -j fdb show dev DEV` → the entries that send to a remote VTEP. Empty text: no entries. */
export function parseFdb(text: string): FdbEntry[] {
  if (text.trim() === '') return [];
  return parseJsonStream(text)
    .flatMap((v) => asArray<{ mac?: string; dst?: string }>(v, 'fdb entries'))
    .flatMap((e) => (e.mac && e.dst ? [{ mac: e.mac, dst: e.dst }] : []));
}
