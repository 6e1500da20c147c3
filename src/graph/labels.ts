import { MESH_LIMIT, type GraphFabric, type GraphFabricLink, type GraphMember, type GraphVxlan } from './fabric-model.js';
import { hostRanges } from '../result/host-order.js';
import type { GraphBridge, GraphHost, GraphNamespace, GraphNat, GraphUpstream, GraphVeth, Live, LiveState } from './model.js';

/** The text of each element, as lines, shared by every format (each escapes it its own way). */

/** How each live state is drawn: stroke colour, dash pattern (undefined: solid), fill. */
export const STATE_STYLE: Record<LiveState, { stroke: string; dash?: string; fill: string; text: string }> = {
  ok: { stroke: '#2e7d32', fill: '#edf7ee', text: '#1b1b1b' },
  drift: { stroke: '#e67e22', dash: '6 4', fill: '#fff4e5', text: '#1b1b1b' },
  missing: { stroke: '#c62828', dash: '4 4', fill: '#fdecea', text: '#c62828' },
};

/** The line saying what is wrong, for an element not ok. */
export function stateLine(el: Live): string[] {
  if (el.state === 'missing') return ['missing'];
  if (el.state === 'drift') return [el.notes.length ? `drift (${el.notes.join('; ')})` : 'drift'];
  return [];
}

export function hostTitle(h: GraphHost): string {
  if (h.fabric) return memberTitle({ host: h.name, ...h.fabric });
  return h.address !== undefined ? `${h.name} (${h.address})` : h.name;
}

/** How many characters a folded host's list of names takes per line. */
export const GROUP_LINE = 80;

/**
 * A host's title as lines: a host on its own, its title; a folded host, the hosts it stands for
 * (`vm1–vm60 (60 hosts)`, ranges where names count up), wrapped after a comma.
 */
export function hostTitleLines(h: GraphHost): string[] {
  if (!h.group) return [hostTitle(h)];
  const items = hostRanges(h.group);
  items.push(`${items.pop()} (${h.group.length} hosts)`);
  return wrapList(items, GROUP_LINE);
}

/** A bridge: its name, then each family's subnet and gateway (IPv4's first). */
export function bridgeLines(b: GraphBridge): string[] {
  return [b.name, ...b.nets.flatMap((n) => [n.subnet, `gw ${n.address}`]), ...stateLine(b)];
}

/** A namespace: its name, then its address in each family. */
export function namespaceLines(n: GraphNamespace): string[] {
  return [n.name, ...n.addresses, ...stateLine(n)];
}

export function upstreamLines(u: GraphUpstream): string[] {
  return ['upstream', ...stateLine(u)];
}

export function vethLines(v: GraphVeth): string[] {
  return [`${v.hostIf} ↔ ${v.nsIf}`, ...stateLine(v)];
}

/** IPv4's masquerade is `NAT`, IPv6's `NAT66`. */
export function natLines(n: GraphNat): string[] {
  return [n.family === 'ipv4' ? 'NAT' : 'NAT66', ...stateLine(n)];
}

/** A fabric member: `vm1 · 10.1.0.10 · 172.30.0.0/24` (name, underlay address, container subnet). */
export function memberTitle(m: Pick<GraphMember, 'host' | 'underlay' | 'subnet'>): string {
  return `${m.host} · ${m.underlay} · ${m.subnet}`;
}

/** A member outside the picture (left out by --limit), drawn only as the others' peer. */
export function outsideMemberLines(m: GraphMember): string[] {
  return [memberTitle(m), 'not in this picture'];
}

export function vxlanLines(v: GraphVxlan): string[] {
  return [v.name, `VXLAN vni ${v.vni} :${v.port}`, `mtu ${v.mtu}`, ...stateLine(v)];
}

const tunnel = (v: { vni: number; port: number }): string => `VXLAN vni ${v.vni} :${v.port}`;

/** `fabric 172.30.0.0/16 · routed`, `fabric 172.31.0.0/16 · VXLAN vni 42 :4789` */
export function fabricTitle(f: GraphFabric): string {
  return `fabric ${f.supernet} · ${f.vxlan ? tunnel(f.vxlan) : 'routed'}`;
}

/** What the fabric's edges stand for: counts, and how they are drawn. */
export function fabricSummary(f: GraphFabric): string[] {
  const n = f.members.length;
  const count = f.vxlan ? (n * (n - 1)) / 2 : n * (n - 1);
  const what = `${count} ${f.vxlan ? 'tunnel' : 'route'}${count === 1 ? '' : 's'}`;
  const outside = f.members.filter((m) => !m.drawn).length;
  return [
    `${n} host${n === 1 ? '' : 's'}, ${what}`,
    f.layout === 'mesh' ? 'one edge per pair of hosts' : `more than ${MESH_LIMIT} hosts: one edge per host to the fabric, not one per pair`,
    ...(outside ? [`${outside} of them not in this picture`] : []),
  ];
}

/** How many notes an edge's state line shows: a hub edge may carry one per peer. */
const NOTES_SHOWN = 3;

/** An edge's state, with every note: which host lacks which route or entry (the first few). */
export function linkStateLine(el: Live): string[] {
  if (el.state !== 'missing' && el.state !== 'drift') return [];
  if (!el.notes.length) return [el.state];
  const more = el.notes.length - NOTES_SHOWN;
  return [`${el.state} (${el.notes.slice(0, NOTES_SHOWN).join('; ')}${more > 0 ? `; … ${more} more` : ''})`];
}

/**
 * A fabric edge: routed, both hosts' routes (`route 172.30.1.0/24 via 10.1.0.11`, the first host's
 * to the second); vxlan, the tunnel; a hub edge, how many peers the member reaches.
 */
export function fabricLinkLines(f: GraphFabric, link: GraphFabricLink, member: (host: string) => GraphMember | undefined): string[] {
  const peers = f.members.length - 1;
  let lines: string[];
  if (link.b === undefined) lines = [f.vxlan ? `VXLAN to ${peers} peer${peers === 1 ? '' : 's'}` : `routes to ${peers} peer${peers === 1 ? '' : 's'}`];
  else if (f.vxlan) lines = [tunnel(f.vxlan)];
  else {
    const a = member(link.a);
    const b = member(link.b);
    lines = a && b ? [`route ${b.subnet} via ${b.underlay}`, `route ${a.subnet} via ${a.underlay}`] : [];
  }
  return [...lines, ...linkStateLine(link)];
}

/** Members by name, for labelling edges. */
export function memberLookup(f: GraphFabric): (host: string) => GraphMember | undefined {
  const byName = new Map(f.members.map((m) => [m.host, m]));
  return (host) => byName.get(host);
}

/** Lines of at most `width` characters (one item may be longer), items joined by `, `. */
export function wrapList(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [k, item] of items.entries()) {
    const piece = k < items.length - 1 ? `${item},` : item;
    if (line && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(line);
  return lines;
}
