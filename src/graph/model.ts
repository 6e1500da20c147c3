import type { HostFacts } from '../facts/types.js';
import { findLink } from '../facts/types.js';
import { FAMILIES, familyOf, familyOfText, formatCidr, type AddressFamily } from '../address/family.js';
import type { DesiredNetwork } from '../inventory/types.js';
import { isOurs } from '../plan/assess.js';
import { forwardingOn, firewallFor } from '../plan/assess-forwarding.js';
import type { Mismatch } from '../result/finding.js';
import { applyFabric, buildFabric, hostFabric, linkIndex, type GraphFabric, type GraphHostFabric } from './fabric-model.js';
import { addressDrift, raise, raiseFromFacts, type Live } from './live.js';

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

/** An address family's name: `ipv4`, `ipv6`. */
export type GraphFamily = AddressFamily['name'];

/** A bridge's addressing in one family. */
export interface GraphNet {
  family: GraphFamily;
  /** `172.18.0.0/16`, `fd00:18::/64` */
  subnet: string;
  /** the gateway address, without prefix, as `ip` prints it */
  address: string;
  /** this family's traffic out is masqueraded (IPv6: NAT66) */
  nat: boolean;
}

export interface GraphBridge extends Live {
  /** safe identifier (letters, digits, `_`), unique in the model */
  id: string;
  name: string;
  /** one per family the bridge has, IPv4's first; never empty */
  nets: GraphNet[];
}

export interface GraphNamespace extends Live {
  id: string;
  name: string;
  bridge: string;
  /** its address in each of its bridge's nets, in their order, with the subnet's prefix length: `172.18.0.2/16`, `fd00:18::2/64` */
  addresses: string[];
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

/** MASQUERADE of a bridge's subnet (one family's: IPv6's is NAT66) towards the host's upstream. */
export interface GraphNat extends Live {
  id: string;
  /** bridge node id → upstream node id */
  from: string;
  to: string;
  bridge: string;
  family: GraphFamily;
  subnet: string;
  /** a fabric's bridge: the supernet, which the rule leaves alone (`! -d`) */
  except?: string;
}

/** The host's uplink, with each NAT'ed family's forwarding switch (present when a bridge has NAT). */
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
  /**
   * Folded (fold-hosts.ts): the names of the hosts this one stands for, two or more, in host
   * order, each with the same topology and live states; absent for a host drawn on its own.
   */
  group?: string[];
}

export interface GraphModel {
  /** some host was given with live facts */
  live: boolean;
  hosts: GraphHost[];
  /** the fabric the hosts are members of, if any */
  fabric?: GraphFabric;
}

const note = (part: string, m: Mismatch): string => `${part}: ${m.actual}`;
/** a namespace's parts that are its veth pair's ends: drawn on the veth edge */
const VETH_PARTS = new Set(['host_if.master', 'host_if.mtu', 'host_if.state', 'ns_if.mtu', 'ns_if.state']);

/** Each family's NAT rule and forwarding switch, as findings name them (`nat`, `nat6`; `ip_forward`, `ip6_forward`). */
const NAT_KIND: Record<GraphFamily, string> = { ipv4: 'nat', ipv6: 'nat6' };
const FORWARD_KIND: Record<GraphFamily, string> = { ipv4: 'ip_forward', ipv6: 'ip6_forward' };
const familyOfKind = (kinds: Record<GraphFamily, string>, kind: string): GraphFamily | undefined =>
  (Object.keys(kinds) as GraphFamily[]).find((f) => kinds[f] === kind);

/** The element a mismatch is about, by its object's kind and name; true when one was drawn. */
function applyMismatch(host: GraphHost, m: Mismatch): boolean {
  const { kind, name } = m.object;
  if (familyOfKind(FORWARD_KIND, kind) && host.upstream) {
    raise(host.upstream, 'drift', note(name, m));
    return true;
  }
  const natFamily = familyOfKind(NAT_KIND, kind);
  if (kind === 'bridge' || natFamily) {
    const bridge = host.bridges.find((x) => x.name === name);
    if (!bridge) return false;
    if (natFamily) {
      const nat = host.nats.find((x) => x.bridge === bridge.name && x.family === natFamily);
      if (nat) raise(nat, m.actual === 'absent' ? 'missing' : 'drift', note(kind, m));
      else raise(bridge, 'drift', note(kind, m));
    } else if (m.part === '') raise(bridge, 'missing');
    else raise(bridge, 'drift', note(m.part, m));
    return true;
  }
  if (kind === 'namespace') {
    const ns = host.namespaces.find((x) => x.name === name);
    if (!ns) return false;
    const veth = host.veths.find((v) => v.namespace === ns.name);
    if (m.part === '') {
      raise(ns, 'missing');
      if (veth) raise(veth, 'missing');
    } else if (veth && m.part === 'veth') raise(veth, m.actual === 'absent' ? 'missing' : 'drift', note('veth', m));
    else if (veth && VETH_PARTS.has(m.part)) raise(veth, 'drift', note(m.part, m));
    else raise(ns, 'drift', note(m.part, m));
    return true;
  }
  return false;
}

function applyMismatches(host: GraphHost, mismatches: Mismatch[]): void {
  for (const m of mismatches) if (!applyMismatch(host, m)) raise(host, 'drift', note(m.path, m));
}

/**
 * What the facts show beyond the mismatches: e.g. a name taken by something not ours (a conflict,
 * not a mismatch), an address of either family absent, NAT or forwarding of a family off.
 */
function applyFacts(host: GraphHost, facts: HostFacts, network: DesiredNetwork): void {
  const firewall = firewallFor(network, facts).backend;
  for (const b of host.bridges) {
    const link = findLink(facts.root, b.name);
    if (!link) raiseFromFacts(b, 'missing', 'absent');
    else if (link.kind !== 'bridge') raiseFromFacts(b, 'drift', `exists as ${link.kind ?? 'device'}`);
    else if (!isOurs(link, facts.record)) raiseFromFacts(b, 'drift', 'not created by cnet-remote');
    else if (!link.up) raiseFromFacts(b, 'drift', 'state: DOWN');
    if (link) addressDrift(b, link.addresses, b.nets.map(gatewayCidr));
  }
  for (const n of host.namespaces) {
    if (!facts.netns.has(n.name)) raiseFromFacts(n, 'missing', 'absent');
    const link = findLink(facts.namespaces.get(n.name), n.nsIf);
    if (link) addressDrift(n, link.addresses, n.addresses);
  }
  for (const v of host.veths) {
    const link = findLink(facts.root, v.hostIf);
    if (!link || !facts.netns.has(v.namespace)) raiseFromFacts(v, 'missing', 'absent');
    else if (link.kind !== 'veth') raiseFromFacts(v, 'drift', `${v.hostIf} exists as ${link.kind ?? 'device'}`);
    else if (link.master !== v.bridge) raiseFromFacts(v, 'drift', `host_if.master: ${link.master ?? 'none'}`);
  }
  for (const nat of host.nats) {
    if (firewall.unusable(facts, nat.family)) {
      raiseFromFacts(nat, 'missing', `${firewall.name} unavailable${nat.family === 'ipv4' ? '' : ' for IPv6'}`);
      continue;
    }
    const rule = firewall.rule({ kind: 'nat', subnet: nat.subnet, bridge: nat.bridge, ...(nat.except ? { except: nat.except } : {}) });
    if (!firewall.has(facts, rule)) raiseFromFacts(nat, 'missing', `${NAT_KIND[nat.family]}: absent`);
  }
  const up = host.upstream;
  for (const f of FAMILIES) {
    if (!up || !host.nats.some((n) => n.family === f.name)) continue;
    const on = forwardingOn(facts, f);
    if (on === false) raiseFromFacts(up, 'drift', `${FORWARD_KIND[f.name]}: 0`);
    else if (on === undefined) raiseFromFacts(up, 'drift', `${FORWARD_KIND[f.name]}: ${f.name} not available`);
  }
}

/** The bridge's own address in a net, with the subnet's prefix length: `172.18.0.1/16`. */
const gatewayCidr = (n: GraphNet): string => `${n.address}/${n.subnet.slice(n.subnet.indexOf('/') + 1)}`;

function buildHost(input: GraphHostInput, index: number): GraphHost {
  const id = `h${index}`;
  const specs = input.network.bridges;
  const bridges: GraphBridge[] = specs.map((b, i) => ({
    id: `${id}_br${i}`,
    name: b.name,
    nets: b.nets.map((n) => ({ family: familyOf(n.subnet).name, subnet: formatCidr(n.subnet), address: n.address, nat: n.nat })),
    notes: [],
  }));
  const namespaces: GraphNamespace[] = input.network.namespaces.map((n, i) => {
    const nets = specs.find((b) => b.name === n.bridge)?.nets;
    return {
      id: `${id}_ns${i}`,
      name: n.name,
      bridge: n.bridge,
      addresses: n.addresses.map((a, k) => `${a}/${nets?.[k]?.subnet.prefix ?? familyOfText(a).bits}`),
      hostIf: n.hostIf,
      nsIf: n.nsIf,
      notes: [],
    };
  });
  const veths: GraphVeth[] = [];
  for (const [i, n] of namespaces.entries()) {
    const bridge = bridges.find((b) => b.name === n.bridge);
    if (bridge)
      veths.push({ id: `${id}_veth${i}`, from: bridge.id, to: n.id, bridge: bridge.name, namespace: n.name, hostIf: n.hostIf, nsIf: n.nsIf, notes: [] });
  }
  const upstream: GraphUpstream | undefined = specs.some((b) => b.nets.some((n) => n.nat)) ? { id: `${id}_up`, notes: [] } : undefined;
  const nats: GraphNat[] = [];
  for (const [i, b] of bridges.entries()) {
    for (const [k, net] of b.nets.entries()) {
      const except = specs[i]?.nets[k]?.natExcept;
      if (net.nat && upstream)
        nats.push({
          // IPv4's keeps the id it had before IPv6
          id: `${id}_nat${i}${net.family === 'ipv4' ? '' : `_${net.family}`}`,
          from: b.id,
          to: upstream.id,
          bridge: b.name,
          family: net.family,
          subnet: net.subnet,
          ...(except ? { except: formatCidr(except) } : {}),
          notes: [],
        });
    }
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
    applyFacts(host, input.live.facts, input.network);
    host.mismatches = input.live.mismatches.length;
    const worst = elements(host).some((el) => el.state !== 'ok');
    if (worst) raise(host, 'drift');
  });
  return { live: hosts.some((h) => h.live !== undefined), hosts: out, ...(fabric ? { fabric } : {}) };
}
