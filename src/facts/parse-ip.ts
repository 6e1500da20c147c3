import type { AddressFact, LinkFact, NetnsFacts, RouteFact } from './types.js';
import { parseJsonStream } from './json-stream.js';

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
  linkinfo?: { info_kind?: string };
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

/** `ip -j netns list` → name → nsid (undefined when the kernel has not assigned one). */
export function parseNetnsList(text: string): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  if (text.trim() === '') return out;
  for (const v of parseJsonStream(text)) {
    for (const n of asArray<{ name: string; id?: number }>(v, 'namespaces')) out.set(n.name, n.id);
  }
  return out;
}
