import { createHash } from 'node:crypto';
import type { InventoryIssue, SourceLocation } from '../errors.js';
import type { VarLayer } from './flatten.js';
import type { FabricBridge } from './resolve-fabric.js';
import { type AddressFamily, type Cidr, FAMILIES, familyOf, formatCidr, overlaps } from '../address/family.js';
import { checkInterfaceName, checkNamespaceName, IFNAME_MAX } from './names.js';
import { showText } from '../shown.js';
import { cnetSchema } from './schema.js';
import type { BridgeNet, BridgeSpec, DesiredNetwork, FirewallSetting, Located, NamespaceSpec } from './types.js';

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
    network: {
      ...network,
      bridges: network.bridges.map((b) => ({ ...b, nets: b.nets.map((net) => ({ ...net })) })),
      namespaces: network.namespaces.map((n) => ({ ...n, addresses: [...n.addresses] })),
    },
    issues: issues.map((i) => ({ ...i, message: `${i.message} (host ${host})` })),
  };
}

/** The inventory's fields for each family's addressing of a bridge and a namespace. */
const FIELDS: Record<AddressFamily['name'], { subnet: string; address: string; nat: string }> = {
  ipv4: { subnet: 'subnet', address: 'address', nat: 'nat' },
  ipv6: { subnet: 'subnet6', address: 'address6', nat: 'nat6' },
};

const familyWord = (f: AddressFamily) => (f.name === 'ipv4' ? 'IPv4' : 'IPv6');

/** Why an address cannot be a namespace's in the net, if it cannot: outside, reserved, the gateway. */
function namespaceAddressProblem(f: AddressFamily, net: BridgeNet, bridge: string, address: string): string | undefined {
  const subnet = `subnet ${f.formatCidr(net.subnet)} of bridge "${bridge}"`;
  const problem = f.hostAddressProblem(net.subnet, address);
  if (problem === 'outside') return `address ${address} is outside ${subnet}`;
  if (problem) return `address ${address} is ${problem} of ${subnet}`;
  if (f.canonical(address) === net.address) return `address ${address} is the gateway (the address of bridge "${bridge}")`;
  return undefined;
}

function resolveMerged(merged: Merged, fabric: FabricBridge | undefined): { network: DesiredNetwork; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const fail = (loc: SourceLocation, message: string) => issues.push({ loc, message });
  const bridges: BridgeSpec[] = [];
  const subnets = new Map<string, { cidr: Cidr; loc: SourceLocation }[]>();
  const used = new Map<string, string>(); // address (as ip prints it) → owner, per host

  /** A bridge's net of family f, if its fields give one (else its issues). */
  const netOf = (name: string, obj: MergedObject, f: AddressFamily): BridgeNet | undefined => {
    const field = FIELDS[f.name];
    const subnetField = str(obj, field.subnet);
    if (!subnetField) return undefined;
    const cidr = f.parseCidr(subnetField.value);
    if (typeof cidr === 'string') {
      fail(subnetField.loc, cidr);
      return undefined;
    }
    for (const [other, list] of subnets) {
      for (const o of list) {
        if (overlaps(cidr, o.cidr))
          fail(subnetField.loc, `subnet ${formatCidr(cidr)} of bridge ${showText(name)} overlaps ${formatCidr(o.cidr)} of bridge ${showText(other)}`);
      }
    }
    for (const [supernet, what] of [
      [fabric?.supernet, 'supernet'],
      [fabric?.supernet6, 'supernet6'],
    ] as const) {
      if (supernet && overlaps(cidr, supernet)) {
        fail(
          subnetField.loc,
          `subnet ${formatCidr(cidr)} of bridge ${showText(name)} overlaps the fabric's ${what} ${formatCidr(supernet)}: traffic to those addresses would be ambiguous`,
        );
      }
    }
    subnets.set(name, [...(subnets.get(name) ?? []), { cidr, loc: subnetField.loc }]);
    const addrField = str(obj, field.address);
    let address = f.addressAt(cidr, 1);
    if (addrField) {
      if (!f.isAddress(addrField.value)) {
        fail(addrField.loc, `expected an ${familyWord(f)} address, got ${showText(addrField.value)}`);
        return undefined;
      }
      address = f.canonical(addrField.value);
      if (f.hostAddressProblem(cidr, address)) {
        fail(addrField.loc, `address ${addrField.value} is not a host address of subnet ${formatCidr(cidr)}`);
        return undefined;
      }
    }
    if (address === undefined) return undefined; // a parsed subnet has a first host address
    used.set(address, `bridge ${showText(name)}`);
    const nat = (obj.fields.get(field.nat)?.value as boolean | undefined) ?? f.defaultNat(cidr);
    return { subnet: cidr, address, nat };
  };

  for (const [name, obj] of [...merged.bridges].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const nameErr = checkInterfaceName(name);
    if (nameErr) fail(obj.loc, nameErr);
    if (fabric && (name === fabric.name || name === fabric.device)) {
      const what = name === fabric.name ? 'bridge (cnet.fabric.bridge)' : 'VXLAN device (cnet.fabric.device)';
      fail(obj.loc, `bridge ${showText(name)} has the name of the fabric's ${what}: give one of them another name`);
      continue;
    }
    if (!FAMILIES.some((f) => str(obj, FIELDS[f.name].subnet))) {
      fail(obj.loc, `bridge ${showText(name)} has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required`);
      continue;
    }
    for (const f of FAMILIES) {
      const field = FIELDS[f.name];
      for (const other of [field.address, field.nat]) {
        const set = obj.fields.get(other);
        if (set && !str(obj, field.subnet))
          fail(set.loc, `bridge ${showText(name)} has ${other} but no ${field.subnet}: set ${field.subnet} too, or remove ${other}`);
      }
    }
    const nets = FAMILIES.map((f) => ({ f, given: str(obj, FIELDS[f.name].subnet) !== undefined, net: netOf(name, obj, f) }));
    if (nets.some((n) => n.given && !n.net)) continue;
    bridges.push({ name, nets: nets.flatMap((n) => (n.net ? [n.net] : [])) });
  }

  if (fabric?.spec) {
    bridges.push(fabric.spec);
    bridges.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const net of fabric.spec.nets) used.set(net.address, `bridge ${showText(fabric.spec.name)}`);
  }

  const namespaces: NamespaceSpec[] = [];
  const pending: { spec: NamespaceSpec; index: number; net: BridgeNet }[] = [];
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
    const spec: NamespaceSpec = { name, bridge: bridge.name, addresses: bridge.nets.map(() => ''), hostIf, nsIf };
    for (const f of FAMILIES) {
      const field = FIELDS[f.name];
      const addrField = str(obj, field.address);
      const index = bridge.nets.findIndex((net) => familyOf(net.subnet) === f);
      const net = bridge.nets[index];
      if (!net) {
        if (addrField) {
          fail(addrField.loc, `namespace "${name}" has ${field.address}, but its bridge "${bridge.name}" has no ${field.subnet}`);
          ok = false;
        }
        continue;
      }
      if (!addrField) {
        pending.push({ spec, index, net });
        continue;
      }
      if (!f.isAddress(addrField.value)) {
        fail(addrField.loc, `expected an ${familyWord(f)} address, got ${showText(addrField.value)}`);
        ok = false;
        continue;
      }
      const address = f.canonical(addrField.value);
      const problem = namespaceAddressProblem(f, net, bridge.name, address);
      const owner = used.get(address);
      if (problem || owner) {
        fail(addrField.loc, problem ?? `address ${addrField.value} is already used by ${owner}`);
        ok = false;
        continue;
      }
      used.set(address, `namespace "${name}"`);
      spec.addresses[index] = address;
    }
    if (ok) namespaces.push(spec);
  }

  // "next free in the subnet", in name order, after explicit addresses are taken; one cursor per net (linear in the namespaces)
  const cursors = new Map<BridgeNet, number>();
  for (const { spec, index, net } of pending) {
    if (!namespaces.includes(spec)) continue;
    const f = familyOf(net.subnet);
    let n = cursors.get(net) ?? 1;
    let address = f.addressAt(net.subnet, n);
    while (address !== undefined && used.has(address)) address = f.addressAt(net.subnet, ++n);
    cursors.set(net, n + 1);
    if (address === undefined) {
      fail(merged.namespaces.get(spec.name)!.loc, `subnet ${formatCidr(net.subnet)} has no free address left for namespace "${spec.name}"`);
      continue;
    }
    used.set(address, `namespace "${spec.name}"`);
    spec.addresses[index] = address;
  }
  const firewall = merged.firewall && merged.firewall !== 'auto' ? { firewall: merged.firewall } : {};
  return { network: { bridges, namespaces: namespaces.filter((n) => n.addresses.every((a) => a)), ...firewall }, issues };
}
