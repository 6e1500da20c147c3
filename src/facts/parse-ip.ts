import type { AddressFact, FdbEntry, LinkFact, NetnsFacts, RouteFact, VxlanFacts } from './types.js';
import { parseJsonStream } from '../remote/json-stream.js';

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
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string; link?: string } };
  addr_info?: { family?: string; local?: string; prefixlen?: number; scope?: string }[];
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
 * Parses the output of `ip -4 -d -j -batch -` with `link show`, `addr show`, `route show table
 * all` (three arrays): links with their IPv4 addresses, and IPv4 routes of every table.
 */
export function parseIpShow(text: string): NetnsFacts {
  const values = parseJsonStream(text);
  if (values.length !== 3) throw new Error(`expected 3 JSON arrays from ip -batch, got ${values.length}`);
  return ipShowOf(values);
}

/**
 * The root namespace's batch: the three of parseIpShow, then `netns list` (name → nsid), then
 * `route get CONTROLLER` when the script knew the controller's address (the device it leaves by).
 * `netns list` prints nothing at all on a host that never had a namespace (no /run/netns): the
 * two are told apart by what they hold (a route has `dst`).
 */
export function parseRootBatch(text: string): { root: NetnsFacts; netns: Map<string, number | undefined>; mgmtDev?: string } {
  const values = parseJsonStream(text);
  if (values.length < 3 || values.length > 5) throw new Error(`expected 3 to 5 JSON arrays from ip -batch, got ${values.length}`);
  const rest = values.slice(3);
  const isRoute = (v: unknown) => Array.isArray(v) && v.length > 0 && typeof (v[0] as { dst?: unknown })?.dst === 'string';
  const routeGet = rest.length === 2 || (rest.length === 1 && isRoute(rest[0])) ? rest.pop() : undefined;
  const netns = new Map<string, number | undefined>();
  for (const n of asArray<{ name: string; id?: number }>(rest[0] ?? [], 'namespaces')) netns.set(n.name, n.id);
  const mgmtDev = routeGet === undefined ? undefined : asArray<{ dev?: string }>(routeGet, 'routes')[0]?.dev;
  return { root: ipShowOf(values.slice(0, 3)), netns, ...(mgmtDev ? { mgmtDev } : {}) };
}

function ipShowOf(values: unknown[]): NetnsFacts {
  const [rawLinks, rawAddrs, rawRoutes] = values;
  const addrs = new Map<number, AddressFact[]>();
  for (const a of asArray<IpLink>(rawAddrs, 'addresses')) {
    addrs.set(
      a.ifindex,
      (a.addr_info ?? [])
        .filter((i) => i.family === 'inet' && i.local !== undefined)
        .map((i) => ({ local: i.local!, prefixlen: i.prefixlen ?? 32, scope: i.scope ?? 'global' })),
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
  const routes: RouteFact[] = asArray<IpRoute>(rawRoutes, 'routes').map((r) => ({
    dst: r.dst ?? 'default',
    ...(r.gateway ? { gateway: r.gateway } : {}),
    ...(r.dev ? { dev: r.dev } : {}),
    table: r.table ?? 'main',
    type: r.type ?? 'unicast',
    ...(r.protocol ? { protocol: r.protocol } : {}),
  }));
  return { links, routes };
}

function vxlanOf(d: { id?: number; port?: number; local?: string; link?: string }): VxlanFacts {
  return { id: d.id ?? 0, ...(d.port !== undefined ? { port: d.port } : {}), ...(d.local ? { local: d.local } : {}), ...(d.link ? { dev: d.link } : {}) };
}

/** `bridge -j fdb show dev DEV` → the entries that send to a remote VTEP. Empty text: no entries. */
export function parseFdb(text: string): FdbEntry[] {
  if (text.trim() === '') return [];
  return parseJsonStream(text)
    .flatMap((v) => asArray<{ mac?: string; dst?: string }>(v, 'fdb entries'))
    .flatMap((e) => (e.mac && e.dst ? [{ mac: e.mac, dst: e.dst }] : []));
}
