import type { InventoryIssue, SourceLocation } from '../errors.js';
import { disagreements, fabricBridgeName, fabricSettings, mergeFabric, someHosts, type FabricSettings, type Setting } from './fabric-settings.js';
import type { FlatHost } from './flatten.js';
import { locatedVar } from './host-var.js';
import { broadcastOf, contains, formatCidr, formatIpv4, isIpv4, overlaps, parseCidr, parseIpv4, type Cidr } from '../address/ipv4.js';
import { showText } from '../shown.js';
import type { BridgeSpec, DesiredNetwork, FabricPeer, FabricSpec, Located } from './types.js';

/** A member of the fabric, resolved: its settings (the same on every member), subnet and underlay address. */
export interface FabricMember {
  host: string;
  settings: FabricSettings;
  subnet: Cidr;
  underlay: string;
}

/** What resolveNetwork needs to know of a host's fabric. */
export interface FabricBridge {
  /** the fabric bridge's name, known also when the fabric did not resolve */
  name: string;
  /** the bridge, when the host's fabric resolved; else namespaces on it are skipped (the fabric's issues say why) */
  spec?: BridgeSpec;
  /** user bridges must not overlap it */
  supernet?: Cidr;
  /** the VXLAN device's name: no other interface may take it */
  device?: string;
}

export interface FabricResolution {
  /** host → its fabric bridge, for every host whose variables have a `cnet.fabric` */
  bridges: Map<string, FabricBridge>;
  /** every member, in inventory order; empty unless the whole fabric resolved */
  members: FabricMember[];
  issues: InventoryIssue[];
}

const at = (loc: SourceLocation) => `${loc.file}:${loc.line}:${loc.col}`;

/** What makes an address unusable as a host's underlay address, if anything. */
function notUnicast(address: string): string | undefined {
  const first = parseIpv4(address) >>> 24;
  if (first === 0) return 'is not a host address';
  if (first === 127) return 'is a loopback address (a port forward?), which the other hosts cannot reach';
  if (first >= 224) return 'is a multicast or reserved address';
  return undefined;
}

/**
 * A host's address on the underlay: `cnet_underlay_address`, else the address it is reached at
 * (ansible_host, ansible_ssh_host or its name) when that is an IPv4 address. `address` is the
 * connection's; undefined when the host has none (an issue already).
 */
export function underlayOf(host: FlatHost, address: string | undefined): { underlay?: Located<string>; issue?: InventoryIssue } {
  const hostLoc = () => host.src.locate(host.path);
  const explicit = locatedVar(host, 'cnet_underlay_address');
  if (explicit) {
    const bad = notUnicast(explicit.value);
    if (bad) return { issue: { loc: explicit.loc, message: `cnet_underlay_address ${explicit.value} of host ${showText(host.name)} ${bad}` } };
    return { underlay: explicit };
  }
  if (address === undefined) return {};
  const key = (['ansible_host', 'ansible_ssh_host'] as const).find((k) => locatedVar(host, k)?.value === address);
  const set = key ? locatedVar(host, key) : undefined;
  const what = key ? `${key} ${showText(address)}` : `its name ${showText(address)}`;
  // found only when an issue needs it (locatedVar)
  const loc = () => set?.loc ?? hostLoc();
  if (!isIpv4(address)) {
    return { issue: { loc: loc(), message: `host ${showText(host.name)} has no underlay address: ${what} is not an IPv4 address; set cnet_underlay_address` } };
  }
  const bad = notUnicast(address);
  if (bad) return { issue: { loc: loc(), message: `host ${showText(host.name)} has no underlay address: ${what} ${bad}; set cnet_underlay_address` } };
  return {
    underlay: {
      value: address,
      get loc() {
        return loc();
      },
    },
  };
}

/** Two members with one underlay address, or one inside the supernet (routes to it would loop into the fabric). */
export function underlayIssues(members: readonly { host: string; underlay: Located<string> }[], supernet: Cidr | undefined): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const seen = new Map<string, { host: string; underlay: Located<string> }>();
  for (const { host, underlay } of members) {
    const prev = seen.get(underlay.value);
    if (prev) {
      issues.push({
        loc: underlay.loc,
        message: `underlay address ${underlay.value} of host ${showText(host)} is also that of host ${showText(prev.host)} (${at(prev.underlay.loc)}): each member needs its own`,
      });
    } else seen.set(underlay.value, { host, underlay });
    if (supernet && contains(supernet, parseIpv4(underlay.value))) {
      issues.push({
        loc: underlay.loc,
        message: `underlay address ${underlay.value} of host ${showText(host)} is inside the fabric's supernet ${formatCidr(supernet)}: the underlay must be another network`,
      });
    }
  }
  return issues;
}

type Taken = { host: string; cidr: Cidr; at: Located<string> };

/**
 * The explicit `cnet_fabric_subnet`s: each inside its member's supernet, overlapping no other.
 * Needs no agreement between members (each is checked against its own supernet).
 */
export function explicitSubnets(members: readonly { host: string; explicit?: Located<string>; supernet?: Cidr }[]): {
  taken: Taken[];
  issues: InventoryIssue[];
} {
  const issues: InventoryIssue[] = [];
  const taken: Taken[] = [];
  for (const { host, explicit, supernet: sup } of members) {
    if (!explicit || !sup) continue;
    const cidr = parseCidr(explicit.value);
    if (typeof cidr === 'string') continue; // reported by flatten's checkVars
    if (cidr.prefix < sup.prefix || !contains(sup, cidr.network)) {
      issues.push({
        loc: explicit.loc,
        message: `cnet_fabric_subnet ${formatCidr(cidr)} of host ${showText(host)} is outside the fabric's supernet ${formatCidr(sup)}`,
      });
      continue;
    }
    const clash = taken.find((t) => overlaps(t.cidr, cidr));
    if (clash) {
      issues.push({
        loc: explicit.loc,
        message: `cnet_fabric_subnet ${formatCidr(cidr)} of host ${showText(host)} overlaps ${formatCidr(clash.cidr)} of host ${showText(clash.host)} (${at(clash.at.loc)})`,
      });
      continue;
    }
    taken.push({ host, cidr, at: explicit });
  }
  return { taken, issues };
}

/**
 * Each member's subnet of the supernet: its `cnet_fabric_subnet` (see explicitSubnets), else the
 * lowest free `host_prefix` block, members taken in inventory order, so a host added later never
 * renumbers the others.
 */
export function fabricSubnets(
  members: readonly { host: string; explicit?: Located<string> }[],
  supernet: Setting<Cidr>,
  hostPrefix: Setting<number>,
): { subnets: Map<string, Cidr>; issues: InventoryIssue[] } {
  const sup = supernet.value;
  const { taken, issues } = explicitSubnets(members.map((m) => ({ ...m, supernet: sup })));
  const subnets = new Map(taken.map((t) => [t.host, t.cidr]));
  const size = 2 ** (32 - hostPrefix.value);
  const end = broadcastOf(sup) + 1;
  let next = sup.network;
  const unplaced: string[] = [];
  for (const { host, explicit } of members) {
    if (explicit) continue;
    while (next < end && taken.some((t) => overlaps(t.cidr, { network: next, prefix: hostPrefix.value }))) next += size;
    if (next >= end) {
      unplaced.push(host);
      continue;
    }
    subnets.set(host, { network: next, prefix: hostPrefix.value });
    next += size;
  }
  if (unplaced.length > 0) {
    const blocks = 2 ** (hostPrefix.value - sup.prefix);
    issues.push({
      loc: supernet.loc,
      message:
        `no room left in the fabric's supernet ${formatCidr(sup)} for a /${hostPrefix.value} (host_prefix) subnet of host${unplaced.length > 1 ? 's' : ''} ${someHosts(unplaced.map((h) => showText(h)))}: ` +
        `it holds ${blocks} /${hostPrefix.value} subnets, for ${members.length} members; use a larger supernet or a longer host_prefix`,
    });
  }
  return { subnets, issues };
}

/** The fabric's bridge on a member: the first address of its subnet is the containers' gateway. */
export function fabricBridgeSpec(settings: FabricSettings, subnet: Cidr): BridgeSpec {
  return {
    name: settings.bridge.value,
    nets: [{ subnet, address: formatIpv4(subnet.network + 1), nat: settings.nat.value, natExcept: settings.supernet.value }],
    ...(settings.vxlan ? { mtu: settings.vxlan.mtu.value } : {}),
  };
}

/**
 * The fabric of the inventory: its members (every host with a `cnet.fabric`), their settings,
 * which must agree, their subnets and underlay addresses, and each one's fabric bridge.
 * `addressOf` gives a host's connection address (undefined when it has none).
 */
export function resolveFabric(hosts: readonly FlatHost[], addressOf: (host: string) => string | undefined): FabricResolution {
  const issues: InventoryIssue[] = [];
  const bridges = new Map<string, FabricBridge>();
  const candidates: { host: string; settings?: FabricSettings; underlay?: Located<string>; explicit?: Located<string> }[] = [];
  for (const h of [...hosts].sort((a, b) => a.order - b.order)) {
    const explicit = locatedVar(h, 'cnet_fabric_subnet');
    const merged = mergeFabric(h.layers);
    if (!merged) {
      if (explicit) issues.push({ loc: explicit.loc, message: `cnet_fabric_subnet is set, but host ${showText(h.name)} is not in a fabric (no cnet.fabric)` });
      continue;
    }
    const own = fabricSettings(merged, h.name);
    const under = underlayOf(h, addressOf(h.name));
    issues.push(...own.issues, ...(under.issue ? [under.issue] : []));
    const mine = own.settings;
    bridges.set(
      h.name,
      mine
        ? { name: mine.bridge.value, supernet: mine.supernet.value, ...(mine.vxlan ? { device: mine.vxlan.device.value } : {}) }
        : { name: fabricBridgeName(merged) },
    );
    candidates.push({
      host: h.name,
      ...(own.settings ? { settings: own.settings } : {}),
      ...(under.underlay ? { underlay: under.underlay } : {}),
      ...(explicit ? { explicit } : {}),
    });
  }
  const settled = candidates.flatMap((c) => (c.settings ? [{ host: c.host, settings: c.settings }] : []));
  const disagree = disagreements(settled);
  issues.push(...disagree);
  const shared = settled[0]?.settings;
  // subnets only from settings every member has, and agrees on
  const agreed = shared && disagree.length === 0 && settled.length === candidates.length ? shared : undefined;
  issues.push(
    ...underlayIssues(
      candidates.flatMap((c) => (c.underlay ? [{ host: c.host, underlay: c.underlay }] : [])),
      agreed?.supernet.value,
    ),
  );
  if (!agreed) {
    issues.push(...explicitSubnets(candidates.map((c) => ({ ...c, ...(c.settings ? { supernet: c.settings.supernet.value } : {}) }))).issues);
    return { bridges, members: [], issues };
  }

  const { subnets, issues: subnetIssues } = fabricSubnets(candidates, agreed.supernet, agreed.hostPrefix);
  issues.push(...subnetIssues);
  const members: FabricMember[] = [];
  for (const c of candidates) {
    const subnet = subnets.get(c.host);
    if (!subnet) continue;
    // agreed: every candidate has settings, the same
    bridges.get(c.host)!.spec = fabricBridgeSpec(c.settings!, subnet);
    if (c.underlay) members.push({ host: c.host, settings: c.settings!, subnet, underlay: c.underlay.value });
  }
  return { bridges, members: members.length === candidates.length ? members : [], issues };
}

/** The peer a member is to the others: its subnet, underlay address, and a container of it to probe. */
export function fabricPeer(member: FabricMember, network: DesiredNetwork | undefined): FabricPeer {
  const ns = network?.namespaces.find((n) => n.bridge === member.settings.bridge.value);
  return { host: member.host, subnet: member.subnet, underlay: member.underlay, ...(ns ? { probe: { ns: ns.name, address: ns.addresses[0]! } } : {}) };
}

/**
 * Each member's FabricSpec, with every other member as a peer, in inventory order. Needs every
 * member's namespaces resolved (for the probe). `peers` is computed when read (an enumerable
 * getter, so JSON and copies see an array): n members holding n - 1 peers each would be n²
 * objects kept for the whole run, which a large fleet cannot afford.
 */
export function fabricSpecs(members: readonly FabricMember[], networkOf: (host: string) => DesiredNetwork | undefined): Map<string, FabricSpec> {
  const peers = members.map((m) => fabricPeer(m, networkOf(m.host)));
  return new Map(
    members.map((m): [string, FabricSpec] => {
      const s = m.settings;
      const vxlan = s.vxlan
        ? {
            device: s.vxlan.device.value,
            vni: s.vxlan.vni.value,
            port: s.vxlan.port.value,
            ...(s.vxlan.dev ? { dev: s.vxlan.dev.value } : {}),
            mtu: s.vxlan.mtu.value,
          }
        : undefined;
      const spec = { mode: s.mode.value, supernet: s.supernet.value, bridge: s.bridge.value, subnet: m.subnet, underlay: m.underlay } as FabricSpec;
      Object.defineProperty(spec, 'peers', { get: () => peers.filter((p) => p.host !== m.host), enumerable: true });
      if (vxlan) spec.vxlan = vxlan;
      return [m.host, spec];
    }),
  );
}
