import type { InventoryIssue, SourceLocation } from '../errors.js';
import { disagreements, fabricBridgeName, fabricSettings, mergeFabric, someHosts, type FabricSettings, type Setting } from './fabric-settings.js';
import type { FlatHost } from './flatten.js';
import { locatedVar } from './host-var.js';
import { broadcastOf, contains, formatCidr, formatIpv4, isIpv4, overlaps, parseCidr, parseIpv4, type Cidr } from '../address/ipv4.js';
import { showText } from '../shown.js';
import type { Cidr as AnyCidr } from '../address/family.js';
import { formatCidr6, formatIpv6, isIpv6, overlaps6, parseIpv6, type Cidr as Cidr6 } from '../address/ipv6.js';
import type { BridgeSpec, DesiredNetwork, FabricPeer, FabricSpec, Located } from './types.js';

/** A member of the fabric, resolved: its settings (the same on every member), subnet and underlay address. */
export interface FabricMember {
  host: string;
  settings: FabricSettings;
  subnet: Cidr;
  /** IPv4 or IPv6 (VXLAN runs over either; a routed fabric's IPv4 routes need IPv4) */
  underlay: string;
  /** with supernet6: its IPv6 subnet, and (routed) its IPv6 underlay address, the next hop of its IPv6 subnet */
  subnet6?: Cidr6;
  underlay6?: string;
}

/** What resolveNetwork needs to know of a host's fabric. */
export interface FabricBridge {
  /** the fabric bridge's name, known also when the fabric did not resolve */
  name: string;
  /** the bridge, when the host's fabric resolved; else namespaces on it are skipped (the fabric's issues say why) */
  spec?: BridgeSpec;
  /** user bridges must not overlap it (nor supernet6) */
  supernet?: Cidr;
  supernet6?: Cidr6;
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
  if (isIpv6(address)) {
    const a = parseIpv6(address);
    if (a <= 1n) return a === 0n ? 'is not a host address' : 'is a loopback address (a port forward?), which the other hosts cannot reach';
    if (a >> 118n === 0x3fan) return 'is a link-local address, which routes and VXLAN cannot use without an interface';
    if (a >> 120n === 0xffn) return 'is a multicast address';
    if (a >> 32n === 0xffffn) return 'is an IPv4-mapped address: write the IPv4 address';
    return undefined;
  }
  if (!isIpv4(address)) return 'is not an IP address';
  const first = parseIpv4(address) >>> 24;
  if (first === 0) return 'is not a host address';
  if (first === 127) return 'is a loopback address (a port forward?), which the other hosts cannot reach';
  if (first >= 224) return 'is a multicast or reserved address';
  return undefined;
}

/**
 * A host's address on the underlay: `cnet_underlay_address`, else the address it is reached at
 * (ansible_host, ansible_ssh_host or its name) when that is an IP address (IPv4 or IPv6). `address` is the
 * connection's; undefined when the host has none (an issue already).
 */
export function underlayOf(host: FlatHost, address: string | undefined): { underlay?: Located<string>; issue?: InventoryIssue } {
  const explicit = locatedVar(host, 'cnet_underlay_address');
  if (explicit) {
    const bad = notUnicast(explicit.value);
    if (bad) return { issue: { loc: explicit.loc, message: `cnet_underlay_address ${explicit.value} of host ${showText(host.name)} ${bad}` } };
    return { underlay: asIpPrints(explicit) };
  }
  return reachedAt(host, address);
}

/** The address a host is reached at (ansible_host, ansible_ssh_host or its name) as its underlay address, where it is an IP address. */
function reachedAt(host: FlatHost, address: string | undefined): { underlay?: Located<string>; issue?: InventoryIssue } {
  const hostLoc = () => host.src.locate(host.path);
  if (address === undefined) return {};
  const key = (['ansible_host', 'ansible_ssh_host'] as const).find((k) => locatedVar(host, k)?.value === address);
  const set = key ? locatedVar(host, key) : undefined;
  const what = key ? `${key} ${showText(address)}` : `its name ${showText(address)}`;
  // found only when an issue needs it (locatedVar)
  const loc = () => set?.loc ?? hostLoc();
  if (!isIpv4(address) && !isIpv6(address)) {
    return { issue: { loc: loc(), message: `host ${showText(host.name)} has no underlay address: ${what} is not an IP address; set cnet_underlay_address` } };
  }
  const bad = notUnicast(address);
  if (bad) return { issue: { loc: loc(), message: `host ${showText(host.name)} has no underlay address: ${what} ${bad}; set cnet_underlay_address` } };
  return {
    underlay: {
      value: isIpv6(address) ? formatIpv6(parseIpv6(address)) : address,
      get loc() {
        return loc();
      },
    },
  };
}

/** An IPv6 address as `ip` prints it (the facts' text, which routes, VXLAN and fdb entries are compared with). */
const asIpPrints = (a: Located<string>): Located<string> => (isIpv6(a.value) ? { value: formatIpv6(parseIpv6(a.value)), loc: a.loc } : a);

/** Two members with one underlay address, or one inside the supernet (routes to it would loop into the fabric). */
export function underlayIssues(
  members: readonly { host: string; underlay: Located<string> }[],
  supernet: Cidr | undefined,
  supernet6?: Cidr6,
): InventoryIssue[] {
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
    if (supernet6 && isIpv6(underlay.value) && overlaps6(supernet6, { network: parseIpv6(underlay.value), prefix: 128 })) {
      issues.push({
        loc: underlay.loc,
        message: `underlay address ${underlay.value} of host ${showText(host)} is inside the fabric's supernet6 ${formatCidr6(supernet6)}: the underlay must be another network`,
      });
    }
    if (supernet && isIpv4(underlay.value) && contains(supernet, parseIpv4(underlay.value))) {
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

/** The fabric's bridge on a member: the first address of each of its subnets is the containers' gateway. */
export function fabricBridgeSpec(settings: FabricSettings, subnet: Cidr, subnet6?: Cidr6): BridgeSpec {
  const v6 = settings.ipv6;
  return {
    name: settings.bridge.value,
    nets: [
      { subnet, address: formatIpv4(subnet.network + 1), nat: settings.nat.value, natExcept: settings.supernet.value },
      ...(v6 && subnet6 ? [{ subnet: subnet6, address: formatIpv6(subnet6.network + 1n), nat: v6.nat.value, natExcept: v6.supernet.value }] : []),
    ],
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
  const candidates: { host: string; settings?: FabricSettings; underlay?: Located<string>; underlay6?: Located<string>; explicit?: Located<string> }[] = [];
  for (const h of [...hosts].sort((a, b) => a.order - b.order)) {
    const explicit = locatedVar(h, 'cnet_fabric_subnet');
    const merged = mergeFabric(h.layers);
    if (!merged) {
      if (explicit) issues.push({ loc: explicit.loc, message: `cnet_fabric_subnet is set, but host ${showText(h.name)} is not in a fabric (no cnet.fabric)` });
      continue;
    }
    const under = underlayOf(h, addressOf(h.name));
    const own = fabricSettings(merged, h.name, under.underlay && isIpv6(under.underlay.value) ? 'ipv6' : 'ipv4');
    issues.push(...own.issues, ...(under.issue ? [under.issue] : []));
    const mine = own.settings;
    bridges.set(
      h.name,
      mine
        ? {
            name: mine.bridge.value,
            supernet: mine.supernet.value,
            ...(mine.ipv6 ? { supernet6: mine.ipv6.supernet.value } : {}),
            ...(mine.vxlan ? { device: mine.vxlan.device.value } : {}),
          }
        : { name: fabricBridgeName(merged) },
    );
    candidates.push({
      host: h.name,
      ...(own.settings ? { settings: own.settings } : {}),
      ...(under.underlay ? { underlay: under.underlay } : {}),
      ...underlay6Of(h, own.settings, under.underlay, addressOf(h.name), issues),
      ...(explicit ? { explicit } : {}),
    });
  }
  const settled = candidates.flatMap((c) => (c.settings ? [{ host: c.host, settings: c.settings }] : []));
  const shared = settled[0]?.settings;
  const families = shared ? underlayFamilyIssues(shared, candidates) : [];
  // underlays of two families under VXLAN make the default MTUs differ: the families are the cause
  const disagree = disagreements(settled).filter((i) => !(families.length && /^the fabric's mtu /.test(i.message)));
  issues.push(...disagree, ...families);
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
  const v6 = agreed.ipv6 ? fabricSubnets6(candidates, agreed.ipv6.supernet, agreed.ipv6.hostPrefix) : undefined;
  if (v6) issues.push(...v6.issues);
  issues.push(
    ...underlayIssues(
      candidates.flatMap((c) => (c.underlay6 && c.underlay6 !== c.underlay ? [{ host: c.host, underlay: c.underlay6 }] : [])),
      undefined,
      agreed.ipv6?.supernet.value,
    ),
  );
  const members: FabricMember[] = [];
  for (const c of candidates) {
    const subnet = subnets.get(c.host);
    if (!subnet) continue;
    // agreed: every candidate has settings, the same
    const subnet6 = v6?.subnets.get(c.host);
    bridges.get(c.host)!.spec = fabricBridgeSpec(c.settings!, subnet, subnet6);
    if (c.underlay)
      members.push({
        host: c.host,
        settings: c.settings!,
        subnet,
        underlay: c.underlay.value,
        ...(subnet6 ? { subnet6 } : {}),
        ...(c.underlay6 ? { underlay6: c.underlay6.value } : {}),
      });
  }
  return { bridges, members: members.length === candidates.length ? members : [], issues };
}

/** The fabric's supernets: IPv4's, and supernet6 where it has one. */
export const fabricSupernets = (f: Pick<FabricSpec, 'supernet' | 'supernet6'>): AnyCidr[] => [f.supernet, ...(f.supernet6 ? [f.supernet6] : [])];

/** The peer a member is to the others: its subnet, underlay address, and a container of it to probe. */
export function fabricPeer(member: FabricMember, network: DesiredNetwork | undefined): FabricPeer {
  const ns = network?.namespaces.find((n) => n.bridge === member.settings.bridge.value);
  return {
    host: member.host,
    subnet: member.subnet,
    underlay: member.underlay,
    ...(member.subnet6 ? { subnet6: member.subnet6 } : {}),
    ...(member.underlay6 ? { underlay6: member.underlay6 } : {}),
    ...(ns ? { probe: { ns: ns.name, address: ns.addresses[0]!, ...(ns.addresses[1] ? { address6: ns.addresses[1] } : {}) } } : {}),
  };
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
      const spec = {
        mode: s.mode.value,
        supernet: s.supernet.value,
        bridge: s.bridge.value,
        subnet: m.subnet,
        underlay: m.underlay,
        ...(s.ipv6 && m.subnet6 ? { supernet6: s.ipv6.supernet.value, subnet6: m.subnet6 } : {}),
        ...(m.underlay6 ? { underlay6: m.underlay6 } : {}),
      } as FabricSpec;
      Object.defineProperty(spec, 'peers', { get: () => peers.filter((p) => p.host !== m.host), enumerable: true });
      if (vxlan) spec.vxlan = vxlan;
      return [m.host, spec];
    }),
  );
}

/**
 * A routed fabric with supernet6: the member's IPv6 underlay address, its peers' next hop for its
 * IPv6 subnet: `cnet_underlay_address6`, else its underlay address when that is IPv6. (VXLAN
 * carries both families over its one underlay: none needed.)
 */
function underlay6Of(
  host: FlatHost,
  settings: FabricSettings | undefined,
  underlay: Located<string> | undefined,
  address: string | undefined,
  issues: InventoryIssue[],
): { underlay6?: Located<string> } {
  if (!settings?.ipv6 || settings.mode.value !== 'routed') return {};
  const explicit = locatedVar(host, 'cnet_underlay_address6');
  const bad = explicit && notUnicast(explicit.value);
  // else the address it is reached at, when that is IPv6 (and its IPv4 underlay set apart)
  const reached = address !== undefined && isIpv6(address) ? reachedAt(host, address).underlay : undefined;
  if (explicit && bad) issues.push({ loc: explicit.loc, message: `cnet_underlay_address6 ${explicit.value} of host ${showText(host.name)} ${bad}` });
  else if (explicit) return { underlay6: asIpPrints(explicit) };
  else if (underlay && isIpv6(underlay.value)) return { underlay6: underlay };
  else if (reached) return { underlay6: reached };
  else
    issues.push({
      loc: settings.ipv6.supernet.loc,
      message: `host ${showText(host.name)} has no IPv6 underlay address, which a routed fabric with supernet6 routes its IPv6 subnet via: set cnet_underlay_address6`,
    });
  return {};
}

/** Every member's IPv6 subnet of supernet6: the lowest free host_prefix6 block, members in inventory order (as fabricSubnets). */
export function fabricSubnets6(
  members: readonly { host: string }[],
  supernet: Setting<Cidr6>,
  hostPrefix: Setting<number>,
): { subnets: Map<string, Cidr6>; issues: InventoryIssue[] } {
  const sup = supernet.value;
  const size = 1n << BigInt(128 - hostPrefix.value);
  const blocks = 1n << BigInt(hostPrefix.value - sup.prefix);
  const subnets = new Map<string, Cidr6>();
  for (const [i, { host }] of members.entries()) {
    if (BigInt(i) >= blocks) break;
    subnets.set(host, { network: sup.network + BigInt(i) * size, prefix: hostPrefix.value });
  }
  const unplaced = members.filter((m) => !subnets.has(m.host)).map((m) => showText(m.host));
  const issues: InventoryIssue[] = unplaced.length
    ? [
        {
          loc: supernet.loc,
          message: `no room left in the fabric's supernet6 ${formatCidr6(sup)} for a /${hostPrefix.value} (host_prefix6) subnet of ${someHosts(unplaced)}: use a larger supernet6 or a longer host_prefix6`,
        },
      ]
    : [];
  return { subnets, issues };
}

/**
 * The underlay's families: a VXLAN fabric's members all in one (its device sends over one); a
 * routed fabric's IPv4 routes need IPv4 next hops. Also supernet6 must not overlap an underlay.
 */
function underlayFamilyIssues(s: FabricSettings, members: readonly { host: string; underlay?: Located<string> }[]): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const with6 = members.filter((m) => m.underlay && isIpv6(m.underlay.value));
  const with4 = members.filter((m) => m.underlay && !isIpv6(m.underlay.value));
  if (s.mode.value === 'vxlan' && with6.length && with4.length) {
    issues.push({
      loc: with6[0]!.underlay!.loc,
      message: `the VXLAN fabric's underlay addresses must all be IPv4 or all IPv6: ${someHosts(with6.map((m) => showText(m.host)))} IPv6, ${someHosts(with4.map((m) => showText(m.host)))} IPv4; set cnet_underlay_address`,
    });
  }
  if (s.mode.value === 'routed') {
    for (const m of with6)
      issues.push({
        loc: m.underlay!.loc,
        message: `host ${showText(m.host)}'s underlay address ${m.underlay!.value} is IPv6, but a routed fabric routes its IPv4 subnet via an IPv4 address: set cnet_underlay_address to its IPv4 address (and cnet_underlay_address6 to this one)`,
      });
  }
  const sup6 = s.ipv6?.supernet.value;
  for (const m of with6) {
    if (sup6 && overlaps6(sup6, { network: parseIpv6(m.underlay!.value), prefix: 128 }))
      issues.push({
        loc: m.underlay!.loc,
        message: `underlay address ${m.underlay!.value} of host ${showText(m.host)} is inside the fabric's supernet6 ${formatCidr6(sup6)}: the underlay must be another network`,
      });
  }
  return issues;
}
