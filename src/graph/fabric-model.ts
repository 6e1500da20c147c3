import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { type Cidr, formatCidr } from '../address/family.js';
import type { FabricPeer, FabricSpec } from '../inventory/types.js';
import { routeMatches, routesTo, ZERO_MAC } from '../plan/assess-fabric.js';
import { isOurs } from '../plan/assess.js';
import type { Mismatch } from '../result/finding.js';
import { raise, raiseFromFacts, type Live, type LiveState } from './live.js';
import type { GraphBridge, GraphHost, GraphHostInput } from './model.js';

/**
 * The fleet view of a fabric (cnet.fabric): its members, and the edges between them. Up to
 * MESH_LIMIT members, one edge per pair (routed: both hosts' routes to each other's subnet; vxlan:
 * the tunnel); past it, n(n-1)/2 edges would be unreadable, so one edge per member to the fabric
 * itself (a hub) carries that member's routes or forwarding entries to all the others.
 */
export const MESH_LIMIT = 12;

export interface GraphMember {
  host: string;
  /** the host's id when it is in the picture; else an id of its own (`fm0`) */
  id: string;
  /** in the picture; else known only as a peer (a host left out by --limit) */
  drawn: boolean;
  subnet: string;
  underlay: string;
}

/** An edge of the fabric: a pair of members (`mesh`), or one member and the hub (`b` undefined). */
export interface GraphFabricLink extends Live {
  id: string;
  a: string;
  b?: string;
}

export interface GraphFabric {
  mode: FabricSpec['mode'];
  supernet: string;
  vxlan?: { device: string; vni: number; port: number };
  /** the members in the picture, in its order, then the others (peers only), in inventory order */
  members: GraphMember[];
  layout: 'mesh' | 'hub';
  /** mesh: every pair with a member in the picture; hub: every member in the picture */
  links: GraphFabricLink[];
}

/** The VXLAN device of a member, a port of the fabric's bridge. */
export interface GraphVxlan extends Live {
  id: string;
  name: string;
  vni: number;
  port: number;
  mtu: number;
}

/** What a member host draws of the fabric itself. */
export interface GraphHostFabric {
  subnet: string;
  underlay: string;
  /** the fabric's bridge (one of the host's bridges), by name and node id */
  bridge: string;
  bridgeId?: string;
  vxlan?: GraphVxlan;
}

/** A subnet and, in a dual-stack fabric, its IPv6 twin, as one text (IPv4's first). */
const both = (c: Cidr, c6: Cidr | undefined): string => [c, ...(c6 ? [c6] : [])].map(formatCidr).join(', ');

/** A member's underlay address and, when a routed fabric's IPv6 next hop is another, that one. */
const underlays = (m: { underlay: string; underlay6?: string }): string =>
  m.underlay6 && m.underlay6 !== m.underlay ? `${m.underlay}, ${m.underlay6}` : m.underlay;

/** A member's own part; reads the spec's settings only (not its peers). */
export function hostFabric(hostId: string, spec: FabricSpec, bridges: GraphBridge[]): GraphHostFabric {
  const bridgeId = bridges.find((b) => b.name === spec.bridge)?.id;
  const v = spec.vxlan;
  return {
    subnet: both(spec.subnet, spec.subnet6),
    underlay: underlays(spec),
    bridge: spec.bridge,
    ...(bridgeId !== undefined ? { bridgeId } : {}),
    ...(v ? { vxlan: { id: `${hostId}_vx`, name: v.device, vni: v.vni, port: v.port, mtu: v.mtu, notes: [] } } : {}),
  };
}

/** The fabric of the hosts in the picture (one fabric per inventory), or undefined when none is a member. */
export function buildFabric(hosts: GraphHost[], inputs: GraphHostInput[]): GraphFabric | undefined {
  const first = inputs.find((i) => i.network.fabric)?.network.fabric;
  if (!first) return undefined;
  const drawn: GraphMember[] = hosts.flatMap((h) =>
    h.fabric ? [{ host: h.name, id: h.id, drawn: true, subnet: h.fabric.subnet, underlay: h.fabric.underlay }] : [],
  );
  const inPicture = new Set(drawn.map((m) => m.host));
  const peers = first.peers; // computed on each read (resolve-fabric.ts): once here
  const others: GraphMember[] = peers
    .filter((p) => !inPicture.has(p.host))
    .map((p, i) => ({ host: p.host, id: `fm${i}`, drawn: false, subnet: both(p.subnet, p.subnet6), underlay: underlays(p) }));
  const members = [...drawn, ...others];
  const layout = members.length > MESH_LIMIT ? 'hub' : 'mesh';
  const live = new Set(inputs.filter((i) => i.live && i.network.fabric).map((i) => i.name));
  const links: GraphFabricLink[] = [];
  const add = (a: string, b?: string): void => {
    const checked = live.has(a) || (b !== undefined && live.has(b));
    links.push({ id: `fl${links.length}`, a, ...(b !== undefined ? { b } : {}), ...(checked ? { state: 'ok' as const } : {}), notes: [] });
  };
  if (layout === 'hub') for (const m of drawn) add(m.host);
  else {
    for (const [i, a] of members.entries()) {
      for (const b of members.slice(i + 1)) if (a.drawn || b.drawn) add(a.host, b.host);
    }
  }
  const v = first.vxlan;
  return {
    mode: first.mode,
    supernet: both(first.supernet, first.supernet6),
    ...(v ? { vxlan: { device: v.device, vni: v.vni, port: v.port } } : {}),
    members,
    layout,
    links,
  };
}

/** The edge that shows `holder`'s route or forwarding entry to `peer`. */
export type LinkIndex = (holder: string, peer: string) => GraphFabricLink | undefined;

export function linkIndex(f: GraphFabric): LinkIndex {
  const byKey = new Map(f.links.map((l) => [l.b === undefined ? l.a : `${l.a}\u0000${l.b}`, l]));
  if (f.layout === 'hub') return (holder) => byKey.get(holder);
  return (holder, peer) => byKey.get(`${holder}\u0000${peer}`) ?? byKey.get(`${peer}\u0000${holder}`);
}

interface Direction {
  state: LiveState;
  note: string;
}

/**
 * A live member's fabric: each of its routes (routed) or forwarding entries (vxlan) to a peer is
 * drawn on the edge to that peer, from the mismatches, else from the facts (a route someone else
 * made is a conflict, not a mismatch); the device's own mismatches on the device. Returns the
 * mismatches that are not the fabric's, for the host's other elements.
 */
export function applyFabric(host: GraphHost, spec: FabricSpec, live: { facts: HostFacts; mismatches: Mismatch[] }, linkOf: LinkIndex): Mismatch[] {
  const vx = host.fabric?.vxlan;
  const peers = spec.peers; // computed on each read: once here
  const isPeer = new Set(peers.map((p) => p.host));
  const found = new Map<string, Direction>();
  const rest: Mismatch[] = [];
  for (const m of live.mismatches) {
    const { kind, name, host: to } = m.object;
    const fdb = kind === 'fdb';
    // the peer a route or forwarding entry leads to; a stale entry's is its address
    const peer = kind === 'route' || fdb ? (to ?? (fdb ? name : undefined)) : undefined;
    // a peer's route or entry (it desires one); else one to what is no member now (it desires none)
    if (peer && m.desired !== 'absent' && isPeer.has(peer)) found.set(peer, direction(host.name, peer, fdb, m.actual));
    else if (vx && peer && fdb) raise(vx, 'drift', `fdb ${peer}: not a member`);
    else if (vx && kind === 'vxlan' && m.part === '') raise(vx, m.actual === 'absent' ? 'missing' : 'drift', `vxlan: ${m.actual}`);
    else if (vx && kind === 'vxlan') raise(vx, 'drift', `${m.part}: ${m.actual}`);
    else if (vx && kind === 'route' && to === undefined) raise(vx, 'drift', `route ${formatCidr(spec.supernet)}: ${m.actual}`);
    else rest.push(m);
  }
  if (vx) vxlanFacts(vx, spec.bridge, live.facts);
  const entries = vx ? new Set((live.facts.fdb?.get(vx.name) ?? []).filter((e) => e.mac === ZERO_MAC).map((e) => e.dst)) : undefined;
  for (const p of peers) {
    const d = found.get(p.host) ?? (entries ? fdbFact(host.name, p, entries) : routeFact(host.name, p, live.facts));
    const link = linkOf(host.name, p.host);
    if (!d || !link) continue;
    raise(link, d.state, d.note);
    raise(host, 'drift');
  }
  return rest;
}

function direction(holder: string, peer: string, fdb: boolean, actual: string): Direction {
  if (fdb) return { state: 'missing', note: `no fdb entry ${holder} → ${peer}` };
  return actual === 'absent' ? { state: 'missing', note: `no route ${holder} → ${peer}` } : { state: 'drift', note: `${holder} → ${peer}: ${actual}` };
}

function routeFact(holder: string, p: FabricPeer, facts: HostFacts): Direction | undefined {
  const have = routesTo(facts, formatCidr(p.subnet));
  if (have.some((r) => routeMatches(r, { via: p.underlay }))) return undefined;
  const other = have[0];
  if (!other) return { state: 'missing', note: `no route ${holder} → ${p.host}` };
  return {
    state: 'drift',
    note: `${holder} → ${p.host}: ${[other.gateway ? `via ${other.gateway}` : '', other.dev ? `dev ${other.dev}` : ''].filter(Boolean).join(' ')}`,
  };
}

function fdbFact(holder: string, p: FabricPeer, entries: Set<string>): Direction | undefined {
  return entries.has(p.underlay) ? undefined : { state: 'missing', note: `no fdb entry ${holder} → ${p.host}` };
}

/** What the facts show of the device beyond the mismatches (e.g. a device of that name not ours). */
function vxlanFacts(vx: GraphVxlan, bridge: string, facts: HostFacts): void {
  const link = findLink(facts.root, vx.name);
  if (!link) raiseFromFacts(vx, 'missing', 'absent');
  else if (link.kind !== 'vxlan') raiseFromFacts(vx, 'drift', `exists as ${link.kind ?? 'device'}`);
  else if (!isOurs(link, facts.record)) raiseFromFacts(vx, 'drift', 'not created by cnet-remote');
  else if (!link.up) raiseFromFacts(vx, 'drift', 'state: DOWN');
  else if (link.master !== bridge) raiseFromFacts(vx, 'drift', `master: ${link.master ?? 'none'}`);
}
