import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { formatCidr } from '../inventory/ipv4.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { isOurs } from '../plan/assess.js';
import { hasNatRule } from '../plan/nat-rule.js';
import type { Mismatch } from '../result/result.js';
import { applyFabric, buildFabric, hostFabric, linkIndex, type GraphFabric, type GraphHostFabric } from './fabric-model.js';
import { raise, raiseFromFacts, type Live } from './live.js';

/**
 * The picture of a desired network, per host, that the renderers draw: bridges, namespaces, the
 * veth pair joining each namespace to its bridge, and NAT from a bridge to the host's upstream;
 * with a fabric, its members and the edges between them (fabric-model.ts).
 * With live facts, each element also carries how the host compares (live.ts).
 */
export type { Live, LiveState } from './live.js';

export interface GraphHostInput {
  name: string;
  address?: string;
  network: DesiredNetwork;
  /** the host's facts and the mismatches `verify` found in them (`assess` of network against facts) */
  live?: { facts: HostFacts; mismatches: Mismatch[] };
}

export interface GraphBridge extends Live {
  /** safe identifier (letters, digits, `_`), unique in the model */
  id: string;
  name: string;
  /** `172.18.0.0/16` */
  subnet: string;
  /** the gateway address, without prefix */
  address: string;
  nat: boolean;
}

export interface GraphNamespace extends Live {
  id: string;
  name: string;
  bridge: string;
  /** without prefix */
  address: string;
  /** the bridge subnet's prefix length */
  prefix: number;
  hostIf: string;
  nsIf: string;
}

/** The veth pair: `hostIf` on the bridge ↔ `nsIf` in the namespace. */
export interface GraphVeth extends Live {
  id: string;
  /** bridge node id → namespace node id */
  from: string;
  to: string;
  bridge: string;
  namespace: string;
  hostIf: string;
  nsIf: string;
}

/** MASQUERADE of a bridge's subnet towards the host's upstream. */
export interface GraphNat extends Live {
  id: string;
  /** bridge node id → upstream node id */
  from: string;
  to: string;
  bridge: string;
  subnet: string;
  /** a fabric's bridge: the supernet, which the rule leaves alone (`! -d`) */
  except?: string;
}

/** The host's uplink, with ip_forward (present when a bridge has NAT). */
export interface GraphUpstream extends Live {
  id: string;
}

export interface GraphHost extends Live {
  id: string;
  name: string;
  address?: string;
  bridges: GraphBridge[];
  namespaces: GraphNamespace[];
  veths: GraphVeth[];
  nats: GraphNat[];
  upstream?: GraphUpstream;
  /** a fabric member's own part: subnet, underlay address, fabric bridge, VXLAN device */
  fabric?: GraphHostFabric;
  /** live mode: number of mismatches found on the host */
  mismatches?: number;
}

export interface GraphModel {
  /** some host was given with live facts */
  live: boolean;
  hosts: GraphHost[];
  /** the fabric the hosts are members of, if any */
  fabric?: GraphFabric;
}

const BRIDGE_PARTS = new Set(['', 'state', 'address', 'nat']);
const NAMESPACE_PARTS = new Set(['', 'lo', 'veth', 'host_if.master', 'host_if.state', 'ns_if.state', 'mac', 'address', 'default_route']);
/** the mismatch's `desired` for an absent bridge or namespace (its path is the bare `bridges.NAME`) */
const EXISTS = { bridge: 'bridge', namespace: 'present' } as const;

interface Placed {
  name: string;
  /** the path after the name: `''`, `state`, `host_if.master`, … */
  part: string;
}

/**
 * Which element a mismatch path names. Names may contain dots (`bridges.a.b.state`), so every
 * name the path could start with is a candidate; a known part, consistent with `desired`, wins,
 * then the longest name.
 */
function place(m: Mismatch, prefix: string, names: string[], parts: Set<string>, exists: string): Placed | undefined {
  if (!m.path.startsWith(prefix)) return undefined;
  const rest = m.path.slice(prefix.length);
  const candidates = names
    .filter((n) => rest === n || rest.startsWith(`${n}.`))
    .map((n) => ({ name: n, part: rest === n ? '' : rest.slice(n.length + 1) }))
    .sort((a, b) => b.name.length - a.name.length);
  return candidates.find((c) => parts.has(c.part) && (c.part === '') === (m.desired === exists)) ?? candidates.find((c) => parts.has(c.part)) ?? candidates[0];
}

const note = (part: string, m: Mismatch): string => `${part}: ${m.actual}`;

function applyMismatches(host: GraphHost, mismatches: Mismatch[]): void {
  const bridgeNames = host.bridges.map((b) => b.name);
  const nsNames = host.namespaces.map((n) => n.name);
  for (const m of mismatches) {
    if (m.path === 'ip_forward' && host.upstream) {
      raise(host.upstream, 'drift', note('ip_forward', m));
      continue;
    }
    const b = place(m, 'bridges.', bridgeNames, BRIDGE_PARTS, EXISTS.bridge);
    const bridge = b && host.bridges.find((x) => x.name === b.name);
    if (b && bridge) {
      if (b.part === '') raise(bridge, 'missing');
      else if (b.part === 'nat') {
        const nat = host.nats.find((x) => x.bridge === bridge.name);
        if (nat) raise(nat, m.actual === 'absent' ? 'missing' : 'drift', note('nat', m));
        else raise(bridge, 'drift', note('nat', m));
      } else raise(bridge, 'drift', note(b.part, m));
      continue;
    }
    const n = place(m, 'namespaces.', nsNames, NAMESPACE_PARTS, EXISTS.namespace);
    const ns = n && host.namespaces.find((x) => x.name === n.name);
    if (n && ns) {
      const veth = host.veths.find((v) => v.namespace === ns.name);
      if (n.part === '') {
        raise(ns, 'missing');
        if (veth) raise(veth, 'missing');
      } else if (veth && n.part === 'veth') raise(veth, m.actual === 'absent' ? 'missing' : 'drift', note('veth', m));
      else if (veth && /^(host_if|ns_if)\./.test(n.part)) raise(veth, 'drift', note(n.part, m));
      else raise(ns, 'drift', note(n.part, m));
      continue;
    }
    raise(host, 'drift', note(m.path, m));
  }
}

/** What the facts show beyond the mismatches: e.g. a name taken by something not ours (a conflict, not a mismatch). */
function applyFacts(host: GraphHost, facts: HostFacts): void {
  for (const b of host.bridges) {
    const link = findLink(facts.root, b.name);
    if (!link) raiseFromFacts(b, 'missing', 'absent');
    else if (link.kind !== 'bridge') raiseFromFacts(b, 'drift', `exists as ${link.kind ?? 'device'}`);
    else if (!isOurs(link, facts.record)) raiseFromFacts(b, 'drift', 'not created by cnet-remote');
    else if (!link.up) raiseFromFacts(b, 'drift', 'state: DOWN');
  }
  for (const n of host.namespaces) {
    if (!facts.netns.has(n.name)) raiseFromFacts(n, 'missing', 'absent');
  }
  for (const v of host.veths) {
    const link = findLink(facts.root, v.hostIf);
    if (!link || !facts.netns.has(v.namespace)) raiseFromFacts(v, 'missing', 'absent');
    else if (link.kind !== 'veth') raiseFromFacts(v, 'drift', `${v.hostIf} exists as ${link.kind ?? 'device'}`);
    else if (link.master !== v.bridge) raiseFromFacts(v, 'drift', `host_if.master: ${link.master ?? 'none'}`);
  }
  for (const nat of host.nats) {
    if (!facts.nat.available) {
      raiseFromFacts(nat, 'missing', 'iptables unavailable');
      continue;
    }
    if (!hasNatRule(facts, nat.subnet, nat.bridge, nat.except)) raiseFromFacts(nat, 'missing', 'nat: absent');
  }
  if (host.upstream && !facts.ipForward) raiseFromFacts(host.upstream, 'drift', 'ip_forward: 0');
}

function buildHost(input: GraphHostInput, index: number): GraphHost {
  const id = `h${index}`;
  const bridges: GraphBridge[] = input.network.bridges.map((b, i) => ({
    id: `${id}_br${i}`,
    name: b.name,
    subnet: formatCidr(b.subnet),
    address: b.address,
    nat: b.nat,
    notes: [],
  }));
  const namespaces: GraphNamespace[] = input.network.namespaces.map((n, i) => ({
    id: `${id}_ns${i}`,
    name: n.name,
    bridge: n.bridge,
    address: n.address,
    prefix: input.network.bridges.find((b) => b.name === n.bridge)?.subnet.prefix ?? 32,
    hostIf: n.hostIf,
    nsIf: n.nsIf,
    notes: [],
  }));
  const veths: GraphVeth[] = [];
  for (const [i, n] of namespaces.entries()) {
    const bridge = bridges.find((b) => b.name === n.bridge);
    if (bridge)
      veths.push({ id: `${id}_veth${i}`, from: bridge.id, to: n.id, bridge: bridge.name, namespace: n.name, hostIf: n.hostIf, nsIf: n.nsIf, notes: [] });
  }
  const upstream: GraphUpstream | undefined = bridges.some((b) => b.nat) ? { id: `${id}_up`, notes: [] } : undefined;
  const nats: GraphNat[] = [];
  for (const [i, b] of bridges.entries()) {
    const except = input.network.bridges[i]?.natExcept;
    if (b.nat && upstream)
      nats.push({
        id: `${id}_nat${i}`,
        from: b.id,
        to: upstream.id,
        bridge: b.name,
        subnet: b.subnet,
        ...(except ? { except: formatCidr(except) } : {}),
        notes: [],
      });
  }
  return {
    id,
    name: input.name,
    ...(input.address !== undefined ? { address: input.address } : {}),
    bridges,
    namespaces,
    veths,
    nats,
    ...(upstream ? { upstream } : {}),
    ...(input.network.fabric ? { fabric: hostFabric(id, input.network.fabric, bridges) } : {}),
    notes: [],
  };
}

/** Every drawable element of a host, for setting states. */
function elements(host: GraphHost): Live[] {
  return [
    ...host.bridges,
    ...host.namespaces,
    ...host.veths,
    ...host.nats,
    ...(host.upstream ? [host.upstream] : []),
    ...(host.fabric?.vxlan ? [host.fabric.vxlan] : []),
  ];
}

/** Desired networks (and, per host, optionally live facts and mismatches) → the graph to draw. */
export function graphModel(hosts: GraphHostInput[]): GraphModel {
  const out = hosts.map((input, index) => buildHost(input, index));
  const fabric = buildFabric(out, hosts);
  const linkOf = fabric ? linkIndex(fabric) : undefined;
  hosts.forEach((input, index) => {
    const host = out[index]!;
    if (!input.live) return;
    for (const el of [host, ...elements(host)]) el.state = 'ok';
    const spec = input.network.fabric;
    // the fabric's mismatches go to its device and edges; the rest as on any host
    const rest = spec && linkOf ? applyFabric(host, spec, input.live, linkOf) : input.live.mismatches;
    applyMismatches(host, rest);
    applyFacts(host, input.live.facts);
    host.mismatches = input.live.mismatches.length;
    const worst = elements(host).some((el) => el.state !== 'ok');
    if (worst) raise(host, 'drift');
  });
  return { live: hosts.some((h) => h.live !== undefined), hosts: out, ...(fabric ? { fabric } : {}) };
}
