import { createHash } from 'node:crypto';
import type { InventoryIssue, SourceLocation } from '../errors.js';
import type { VarLayer } from './flatten.js';
import type { FabricBridge } from './resolve-fabric.js';
import { contains, formatCidr, formatIpv4, isHostAddress, isIpv4, overlaps, parseCidr, parseIpv4, type Cidr } from '../address/ipv4.js';
import { checkInterfaceName, checkNamespaceName, IFNAME_MAX } from './names.js';
import { showText } from '../shown.js';
import { cnetSchema } from './schema.js';
import type { BridgeSpec, DesiredNetwork, FirewallSetting, Located, NamespaceSpec } from './types.js';

/** A named object merged from several layers: each field remembers the layer that set it. */
interface MergedObject {
  loc: SourceLocation;
  fields: Map<string, Located<unknown>>;
}

type Kind = 'bridges' | 'namespaces';
type Merged = Record<Kind, Map<string, MergedObject>> & { firewall?: FirewallSetting };

/** Merges the `cnet` variable of every layer by object name; later (more specific) layers win per field (and for `firewall`). */
function mergeCnet(layers: VarLayer[]): Merged {
  const merged: Merged = { bridges: new Map(), namespaces: new Map() };
  for (const layer of layers) {
    if (!('cnet' in layer.vars)) continue;
    const parsed = cnetSchema.safeParse(layer.vars.cnet);
    if (!parsed.success) continue; // reported by flatten's checkVars
    if (parsed.data.firewall) merged.firewall = parsed.data.firewall;
    for (const kind of ['bridges', 'namespaces'] as const) {
      for (const [name, obj] of Object.entries(parsed.data[kind] ?? {})) {
        const path = [...layer.path, 'cnet', kind, name];
        const loc = layer.src.locate(path);
        const prev = merged[kind].get(name);
        const entry: MergedObject = { loc, fields: prev?.fields ?? new Map() };
        for (const [field, value] of Object.entries(obj ?? {})) {
          if (value !== undefined) entry.fields.set(field, { value, loc: layer.src.locate([...path, field]) });
        }
        merged[kind].set(name, entry);
      }
    }
  }
  return merged;
}

/** A default host-side veth name from the namespace name, at most 15 bytes. */
export function defaultHostIf(ns: string): string {
  const plain = `ve-${ns}`;
  if (Buffer.byteLength(plain) <= IFNAME_MAX) return plain;
  const hash = createHash('sha256').update(ns).digest('hex').slice(0, 5);
  return `ve-${ns.slice(0, IFNAME_MAX - 9)}-${hash}`;
}

function str(obj: MergedObject, field: string): Located<string> | undefined {
  return obj.fields.get(field) as Located<string> | undefined;
}

/** Resolved networks by the layers their `cnet` comes from, for hosts without a fabric: see resolveNetwork. */
export type NetworkCache = Map<string, { network: DesiredNetwork; issues: InventoryIssue[] }>;

/** A number per layer, for cache keys: layers are compared by identity. */
const layerIds = new WeakMap<VarLayer, number>();
let nextLayerId = 0;

function cnetKey(layers: VarLayer[]): string {
  return layers
    .filter((l) => 'cnet' in l.vars)
    .map((l) => {
      let id = layerIds.get(l);
      if (id === undefined) layerIds.set(l, (id = nextLayerId++));
      return id;
    })
    .join(',');
}

/**
 * Resolves a host's merged `cnet` into the desired network: defaults, address allocation, and
 * every cross-field check (names, overlaps, duplicates, references). Issues carry positions.
 * `fabric`: the host's fabric bridge (resolve-fabric.ts), among the bridges before namespaces are
 * resolved, so that namespaces join it by name and get addresses from the host's fabric subnet.
 * With `cache`, a host without a fabric whose `cnet` comes from the same layers as an earlier
 * one's (a group's, for every host of it) gets a copy of that network, not a new resolution.
 */
export function resolveNetwork(
  layers: VarLayer[],
  host: string,
  fabric?: FabricBridge,
  cache?: NetworkCache,
): { network: DesiredNetwork; issues: InventoryIssue[] } {
  const key = cache && !fabric ? cnetKey(layers) : undefined;
  let resolved = key === undefined ? undefined : cache!.get(key);
  if (!resolved) {
    resolved = resolveMerged(mergeCnet(layers), fabric);
    if (key !== undefined) cache!.set(key, resolved);
  }
  const { network, issues } = resolved;
  return {
    network: { ...network, bridges: network.bridges.map((b) => ({ ...b })), namespaces: network.namespaces.map((n) => ({ ...n })) },
    issues: issues.map((i) => ({ ...i, message: `${i.message} (host ${host})` })),
  };
}

function resolveMerged(merged: Merged, fabric: FabricBridge | undefined): { network: DesiredNetwork; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const fail = (loc: SourceLocation, message: string) => issues.push({ loc, message });
  const bridges: BridgeSpec[] = [];
  const subnets = new Map<string, { cidr: Cidr; loc: SourceLocation }>();
  const used = new Map<number, string>(); // address → owner, per host

  for (const [name, obj] of [...merged.bridges].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nameErr = checkInterfaceName(name);
    if (nameErr) fail(obj.loc, nameErr);
    if (fabric && (name === fabric.name || name === fabric.device)) {
      const what = name === fabric.name ? 'bridge (cnet.fabric.bridge)' : 'VXLAN device (cnet.fabric.device)';
      fail(obj.loc, `bridge ${showText(name)} has the name of the fabric's ${what}: give one of them another name`);
      continue;
    }
    const subnetField = str(obj, 'subnet');
    if (!subnetField) {
      fail(obj.loc, `bridge ${showText(name)} has no subnet: "subnet" is required`);
      continue;
    }
    const cidr = parseCidr(subnetField.value);
    if (typeof cidr === 'string') {
      fail(subnetField.loc, cidr);
      continue;
    }
    for (const [other, o] of subnets) {
      if (overlaps(cidr, o.cidr))
        fail(subnetField.loc, `subnet ${formatCidr(cidr)} of bridge ${showText(name)} overlaps ${formatCidr(o.cidr)} of bridge ${showText(other)}`);
    }
    if (fabric?.supernet && overlaps(cidr, fabric.supernet)) {
      fail(
        subnetField.loc,
        `subnet ${formatCidr(cidr)} of bridge ${showText(name)} overlaps the fabric's supernet ${formatCidr(fabric.supernet)}: traffic to those addresses would be ambiguous`,
      );
    }
    subnets.set(name, { cidr, loc: subnetField.loc });
    const addrField = str(obj, 'address');
    let address = cidr.network + 1;
    if (addrField) {
      if (!isIpv4(addrField.value)) {
        fail(addrField.loc, `expected an IPv4 address, got ${showText(addrField.value)}`);
        continue;
      }
      address = parseIpv4(addrField.value);
      if (!isHostAddress(cidr, address)) {
        fail(addrField.loc, `address ${addrField.value} is not a host address of subnet ${formatCidr(cidr)}`);
        continue;
      }
    }
    used.set(address, `bridge ${showText(name)}`);
    const nat = (obj.fields.get('nat')?.value as boolean | undefined) ?? true;
    bridges.push({ name, subnet: cidr, address: formatIpv4(address), nat });
  }

  if (fabric?.spec) {
    bridges.push(fabric.spec);
    bridges.sort((a, b) => (a.name < b.name ? -1 : 1));
    used.set(parseIpv4(fabric.spec.address), `bridge ${showText(fabric.spec.name)}`);
  }

  const namespaces: NamespaceSpec[] = [];
  const pending: { spec: NamespaceSpec; cidr: Cidr }[] = [];
  const ifnames = new Map<string, string>(bridges.map((b) => [b.name, `bridge ${showText(b.name)}`]));
  if (fabric?.device) ifnames.set(fabric.device, `the fabric's VXLAN device`);
  for (const [name, obj] of [...merged.namespaces].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nameErr = checkNamespaceName(name);
    if (nameErr) {
      fail(obj.loc, nameErr);
      continue;
    }
    const bridgeField = str(obj, 'bridge');
    if (!bridgeField) {
      fail(obj.loc, `namespace "${name}" has no bridge: "bridge" is required`);
      continue;
    }
    const bridge = bridges.find((b) => b.name === bridgeField.value);
    if (!bridge) {
      if (!merged.bridges.has(bridgeField.value) && bridgeField.value !== fabric?.name) {
        fail(bridgeField.loc, `namespace "${name}" is on bridge ${showText(bridgeField.value)}, which is not defined under cnet.bridges`);
      }
      continue;
    }
    const hostIfField = str(obj, 'host_if');
    const hostIf = hostIfField?.value ?? defaultHostIf(name);
    const nsIf = str(obj, 'ns_if')?.value ?? 'eth0';
    let ok = true;
    for (const [field, value] of [
      ['host_if', hostIf],
      ['ns_if', nsIf],
    ] as const) {
      const err = checkInterfaceName(value);
      if (err) {
        fail(str(obj, field)?.loc ?? obj.loc, err);
        ok = false;
      }
    }
    const clash = ifnames.get(hostIf);
    if (clash) {
      fail(hostIfField?.loc ?? obj.loc, `host_if ${showText(hostIf)} of namespace "${name}" is already used by ${clash}`);
      ok = false;
    }
    ifnames.set(hostIf, `namespace "${name}"`);
    const spec: NamespaceSpec = { name, bridge: bridge.name, address: '', hostIf, nsIf };
    const addrField = str(obj, 'address');
    if (addrField) {
      if (!isIpv4(addrField.value)) {
        fail(addrField.loc, `expected an IPv4 address, got ${showText(addrField.value)}`);
        continue;
      }
      const a = parseIpv4(addrField.value);
      if (!contains(bridge.subnet, a)) {
        fail(addrField.loc, `address ${addrField.value} is outside subnet ${formatCidr(bridge.subnet)} of bridge "${bridge.name}"`);
        continue;
      }
      if (!isHostAddress(bridge.subnet, a)) {
        fail(addrField.loc, `address ${addrField.value} is the network or broadcast address of subnet ${formatCidr(bridge.subnet)} of bridge "${bridge.name}"`);
        continue;
      }
      if (addrField.value === bridge.address) {
        fail(addrField.loc, `address ${addrField.value} is the gateway (the address of bridge "${bridge.name}")`);
        continue;
      }
      const owner = used.get(a);
      if (owner) {
        fail(addrField.loc, `address ${addrField.value} is already used by ${owner}`);
        continue;
      }
      used.set(a, `namespace "${name}"`);
      spec.address = addrField.value;
    }
    if (!ok) continue;
    namespaces.push(spec);
    if (!addrField) pending.push({ spec, cidr: bridge.subnet });
  }

  // "next free in the subnet", in name order, after explicit addresses are taken
  for (const { spec, cidr } of pending) {
    let a = cidr.network + 1;
    while (used.has(a) && isHostAddress(cidr, a)) a++;
    if (!isHostAddress(cidr, a)) {
      fail(merged.namespaces.get(spec.name)!.loc, `subnet ${formatCidr(cidr)} has no free address left for namespace "${spec.name}"`);
      continue;
    }
    used.set(a, `namespace "${spec.name}"`);
    spec.address = formatIpv4(a);
  }
  const firewall = merged.firewall && merged.firewall !== 'auto' ? { firewall: merged.firewall } : {};
  return { network: { bridges, namespaces: namespaces.filter((n) => n.address), ...firewall }, issues };
}
