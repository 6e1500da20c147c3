import { createHash } from 'node:crypto';
import type { ResolvedHost, DesiredNetwork, FabricPeer, FabricSpec, NamespaceSpec } from '../inventory/types.js';
import type { ProbeKind } from '../result/result.js';
import { type Cidr, familyOf } from '../address/family.js';
import { leavesHost } from '../plan/assess-forwarding.js';

/** One ping to run: from a namespace (or the host's root namespace) to an address the inventory names. */
export interface PlannedProbe {
  kind: ProbeKind;
  /** namespace name; undefined for the host itself */
  netns?: string;
  from: string;
  to: string;
  target: string;
}

/** Up to this many peers, a host probes every one; beyond, a bounded set (fabricTargets). */
export const FABRIC_PROBE_ALL = 8;
/** beyond FABRIC_PROBE_ALL: the ring neighbours, and this many more chosen at random (stably) */
export const FABRIC_PROBE_RANDOM = 6;

/**
 * The peers a host's fabric probes reach: all of them in a small fabric; in a big one, its two
 * ring neighbours (the next and previous subnets: every host is probed by two others, the ring
 * closes) and FABRIC_PROBE_RANDOM more, picked by a hash of the two hosts' names (the same pairs
 * every run, different pairs for each host).
 */
export function fabricTargets(f: FabricSpec, self: string): FabricPeer[] {
  const peers = f.peers.filter((p) => p.probe);
  if (peers.length <= FABRIC_PROBE_ALL) return peers;
  const at = (c: Cidr) => BigInt(c.network);
  const bySubnet = [...peers].sort((a, b) => (at(a.subnet) < at(b.subnet) ? -1 : at(a.subnet) > at(b.subnet) ? 1 : 0));
  const next = bySubnet.find((p) => at(p.subnet) > at(f.subnet)) ?? bySubnet[0]!;
  const prev = [...bySubnet].reverse().find((p) => at(p.subnet) < at(f.subnet)) ?? bySubnet[bySubnet.length - 1]!;
  const rank = (p: FabricPeer) => createHash('sha256').update(`${self}\0${p.host}`).digest().readUInt32BE(0);
  const rest = peers
    .filter((p) => p !== next && p !== prev)
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, FABRIC_PROBE_RANDOM);
  return [...new Set([next, prev, ...rest])];
}

/**
 * The probe matrix of one host: every namespace to every other on its bridge, each namespace to
 * its gateway, the host to every namespace, and every namespace on a NAT bridge to the upstream
 * of its family (only when the inventory names one: `cnet_probe_target`, `cnet_probe_target6`;
 * a routed global IPv6 prefix's namespaces too); in a fabric, the first namespace on
 * its bridge to a container on other members (fabricTargets). Nothing else is ever a target.
 */
export function probePlan(desired: DesiredNetwork, upstream: ResolvedHost['probeTarget'] = {}, self = ''): PlannedProbe[] {
  const out: PlannedProbe[] = [];
  const on = (bridge: string): NamespaceSpec[] => desired.namespaces.filter((n) => n.bridge === bridge);
  for (const b of desired.bridges) {
    const members = on(b.name);
    // each family's probes in turn (IPv4's first), over its own addresses
    for (const [i, net] of b.nets.entries()) {
      for (const a of members) {
        for (const t of members) if (t !== a) out.push({ kind: 'peer', netns: a.name, from: a.name, to: t.name, target: t.addresses[i]! });
        out.push({ kind: 'gateway', netns: a.name, from: a.name, to: b.name, target: net.address });
      }
      for (const t of members) out.push({ kind: 'host', from: 'host', to: t.name, target: t.addresses[i]! });
      const target = upstream[familyOf(net.subnet).name];
      if (leavesHost(net) && target) for (const a of members) out.push({ kind: 'upstream', netns: a.name, from: a.name, to: 'upstream', target });
    }
  }
  const f = desired.fabric;
  const src = f ? on(f.bridge)[0] : undefined;
  if (f && src) {
    const targets = fabricTargets(f, self);
    for (const p of targets) out.push({ kind: 'fabric', netns: src.name, from: src.name, to: `${p.host}/${p.probe!.ns}`, target: p.probe!.address });
    // the same peers over IPv6, where the fabric has it
    for (const p of f.supernet6 ? targets : [])
      if (p.probe?.address6) out.push({ kind: 'fabric', netns: src.name, from: src.name, to: `${p.host}/${p.probe.ns}`, target: p.probe.address6 });
  }
  return out;
}

/** What a run's fabric probes cover, for its output (the set is bounded in big fabrics). */
export function fabricProbeNote(desired: DesiredNetwork[], command: string): string | undefined {
  const peers = Math.max(-1, ...desired.map((d) => (d.fabric ? d.fabric.peers.length : -1)));
  if (peers < 0) return undefined;
  if (command === 'up') return 'fabric: cross-host probes run with `verify --probe` (while `up` runs, the other hosts are still being built)';
  if (peers <= FABRIC_PROBE_ALL) return `fabric probes: each host pings a container on every other member (${peers})`;
  return `fabric probes: each host pings ${FABRIC_PROBE_ALL} of its ${peers} peers, its ring neighbours and ${FABRIC_PROBE_RANDOM} chosen at random (the same each run): every host is pinged by at least two others`;
}
