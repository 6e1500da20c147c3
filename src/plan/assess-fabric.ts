import type { HostFacts, LinkFact, RouteFact } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { formatCidr } from '../address/family.js';
import { fabricSupernets } from '../inventory/resolve-fabric.js';
import type { FabricPeer, FabricSpec, VxlanSpec } from '../inventory/types.js';
import { TAG } from '../ownership/record.js';
import { mismatch, type FindingObject } from '../result/finding.js';
import { assessMaster, assessMtu, assessUp, inTheWay, ip, type Assessment } from './assess.js';
import type { Step } from './step.js';

/** The all-zeros entry: broadcast and unknown traffic is sent to that VTEP (head-end replication). */
export const ZERO_MAC = '00:00:00:00:00:00';

type RouteTarget = { via: string } | { dev: string };

const targetWords = (t: RouteTarget): string[] => ('via' in t ? ['via', t.via] : ['dev', t.dev]);
const showRoute = (r: RouteFact): string => [r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ');

/** The main table's routes to exactly `dst`. */
export function routesTo(facts: HostFacts, dst: string): RouteFact[] {
  return facts.root.routes.filter((r) => r.table === 'main' && r.type === 'unicast' && r.dst === dst);
}

/** Does route `r` go where `t` says: via that gateway, or straight out of that device? */
export function routeMatches(r: RouteFact, t: RouteTarget): boolean {
  return 'via' in t ? r.gateway === t.via : r.dev === t.dev && !r.gateway;
}

/** A route the fabric needs: present, or added (replacing ours); someone else's route to the same place is a conflict. */
function assessRoute(peer: string | undefined, dst: string, want: RouteTarget, facts: HostFacts, out: Assessment): void {
  const have = routesTo(facts, dst);
  if (have.some((r) => routeMatches(r, want))) return;
  const desired = targetWords(want).join(' ');
  const ours = facts.record.some((o) => o.kind === 'route' && o.dst === dst);
  if (have.length && !ours) {
    out.conflicts.push(
      `the host already routes ${dst} ${showRoute(have[0]!)} (not created by cnet-remote); the fabric needs ${desired}: remove that route or change the fabric`,
    );
    return;
  }
  const old = have[0];
  out.findings.push({
    ...mismatch({ kind: 'route', name: dst, ...(peer !== undefined ? { host: peer } : {}) }, '', desired, old ? showRoute(old) : 'absent'),
    fix: [
      {
        phase: 'route',
        argv: ip(undefined, 'route', 'replace', dst, ...targetWords(want)),
        reason: `the fabric routes ${dst} ${desired}`,
        owns: { kind: 'route', dst, ...want },
        undo: old
          ? ip(undefined, 'route', 'replace', dst, ...(old.gateway ? ['via', old.gateway] : []), ...(old.dev ? ['dev', old.dev] : []))
          : ip(undefined, 'route', 'del', dst, ...targetWords(want)),
      },
    ],
  });
}

function vxlanIsRight(link: LinkFact | undefined, f: FabricSpec, v: VxlanSpec): boolean {
  const x = link?.vxlan;
  return x !== undefined && x.id === v.vni && (x.port ?? 4789) === v.port && x.local === f.underlay && (v.dev === undefined || x.dev === v.dev);
}

const vxlanText = (f: FabricSpec, v: VxlanSpec): string => `vxlan id ${v.vni} dstport ${v.port} local ${f.underlay}${v.dev ? ` dev ${v.dev}` : ''}`;

/** The VXLAN device on the fabric's bridge, and one forwarding entry per peer. */
function assessVxlan(f: FabricSpec, v: VxlanSpec, peers: FabricPeer[], facts: HostFacts, out: Assessment): void {
  const object: FindingObject = { kind: 'vxlan', name: v.device };
  if (inTheWay(out, facts, v.device, 'vxlan', 'set another fabric device')) return;
  const link = findLink(facts.root, v.device);
  const right = vxlanIsRight(link, f, v);
  if (!right) {
    const fix: Step[] = [];
    if (link) fix.push({ phase: 'vxlan', argv: ip(undefined, 'link', 'del', 'dev', v.device), reason: `${v.device} has other parameters` });
    fix.push(
      {
        phase: 'vxlan',
        argv: ip(
          undefined,
          'link',
          'add',
          'name',
          v.device,
          'type',
          'vxlan',
          'id',
          String(v.vni),
          'dstport',
          String(v.port),
          'local',
          f.underlay,
          ...(v.dev ? ['dev', v.dev] : []),
        ),
        reason: `VXLAN device ${v.device} is missing`,
        owns: { kind: 'link', name: v.device },
        undo: ip(undefined, 'link', 'del', 'dev', v.device),
      },
      { phase: 'link', argv: ip(undefined, 'link', 'set', 'dev', v.device, 'alias', TAG), reason: 'mark it as ours' },
    );
    const x = link?.vxlan;
    const actual = link ? (x ? `vxlan id ${x.id} dstport ${x.port ?? '?'} local ${x.local ?? '-'}${x.dev ? ` dev ${x.dev}` : ''}` : 'not vxlan') : 'absent';
    out.findings.push({ ...mismatch(object, '', vxlanText(f, v), actual), fix });
  }
  const cur = right ? link : undefined;
  out.findings.push(...assessMtu(object, 'mtu', undefined, cur, v.device, v.mtu));
  out.findings.push(...assessMaster(object, 'master', cur, v.device, f.bridge, undefined));
  out.findings.push(...assessUp(object, 'state', undefined, cur, v.device));

  const entries = cur ? (facts.fdb?.get(v.device) ?? []).filter((e) => e.mac === ZERO_MAC) : [];
  const fdb = (verb: 'append' | 'del', dst: string) => ['bridge', 'fdb', verb, ZERO_MAC, 'dev', v.device, 'dst', dst];
  const have = new Set(entries.map((e) => e.dst));
  const want = new Set(peers.map((p) => p.underlay));
  for (const p of peers) {
    if (have.has(p.underlay)) continue;
    out.findings.push({
      ...mismatch({ kind: 'fdb', name: p.underlay, host: p.host }, '', `${ZERO_MAC} dst ${p.underlay}`, 'absent'),
      fix: [
        { phase: 'fdb', argv: fdb('append', p.underlay), reason: `peer ${p.host} is not in ${v.device}'s forwarding database`, undo: fdb('del', p.underlay) },
      ],
    });
  }
  // our own device: an entry for a host that left the fabric would still get its broadcasts
  for (const e of entries) {
    if (want.has(e.dst)) continue;
    out.findings.push({
      ...mismatch({ kind: 'fdb', name: e.dst }, '', 'absent', `${ZERO_MAC} dst ${e.dst}`),
      fix: [{ phase: 'fdb', argv: fdb('del', e.dst), reason: `${e.dst} is not a member of the fabric`, undo: fdb('append', e.dst) }],
    });
  }
  for (const supernet of fabricSupernets(f)) assessRoute(undefined, formatCidr(supernet), { dev: f.bridge }, facts, out);
}

/**
 * The fabric's own objects on this host (its bridge is among the bridges): `routed`, a route to
 * each peer's subnet via the peer's underlay address (its IPv6 subnet via its IPv6 one); `vxlan`,
 * the VXLAN device on the bridge (over an IPv4 or IPv6 underlay), the peers in its forwarding
 * database, and the supernet (and supernet6) routed onto the bridge.
 */
export function assessFabric(f: FabricSpec, facts: HostFacts, out: Assessment): void {
  const peers = f.peers; // computed on each read (resolve-fabric.ts): once here
  if (f.mode === 'vxlan' && f.vxlan) {
    assessVxlan(f, f.vxlan, peers, facts, out);
    return;
  }
  for (const p of peers) {
    assessRoute(p.host, formatCidr(p.subnet), { via: p.underlay }, facts, out);
    if (f.supernet6 && p.subnet6 && p.underlay6) assessRoute(p.host, formatCidr(p.subnet6), { via: p.underlay6 }, facts, out);
  }
  // a route of ours to a subnet no member has now (a host that left) is a leftover (plan.ts): removed as VXLAN drops its entry
}
