import type { InventoryIssue, SourceLocation } from '../errors.js';
import type { VarLayer } from './flatten.js';
import { formatCidr, parseCidr, type Cidr } from '../address/ipv4.js';
import { formatCidr as formatAnyCidr } from '../address/family.js';
import { formatCidr6, isUniqueLocal, parseCidr6, type Cidr as Cidr6 } from '../address/ipv6.js';
import { checkInterfaceName } from './names.js';
import { showText } from '../shown.js';
import { cnetSchema } from './schema.js';
import type { Located } from './types.js';

/** What VXLAN adds to each packet: outer Ethernet 14 + IPv4 20 (IPv6 40) + UDP 8 + VXLAN 8 bytes, by the underlay's family. */
export const VXLAN_OVERHEAD = { ipv4: 50, ipv6: 70 } as const;

export const FABRIC_DEFAULTS = {
  host_prefix: 24,
  host_prefix6: 64,
  bridge: 'cnet0',
  nat: true,
  vni: 42,
  port: 4789,
  device: 'vxcnet0',
  underlay_mtu: 1500,
} as const;

/** Keys that mean something only to a VXLAN fabric. */
const VXLAN_ONLY = ['vni', 'port', 'device', 'underlay_dev', 'mtu'] as const;

/** A host's `cnet.fabric` merged over its layers: each field remembers the layer that set it. */
export interface MergedFabric {
  /** where the most specific layer writes `cnet.fabric`, for issues about the fabric as a whole */
  loc: SourceLocation;
  fields: Map<string, Located<unknown>>;
}

/** A setting, where it is written (the fabric's own place for a default), and whether it is written. */
export type Setting<T> = Located<T> & { explicit: boolean };

/** One member's fabric, with defaults filled and every field checked. */
export interface FabricSettings {
  loc: SourceLocation;
  mode: Setting<'routed' | 'vxlan'>;
  supernet: Setting<Cidr>;
  hostPrefix: Setting<number>;
  /** the fabric's IPv6 part, when it has one */
  ipv6?: { supernet: Setting<Cidr6>; hostPrefix: Setting<number>; nat: Setting<boolean> };
  bridge: Setting<string>;
  nat: Setting<boolean>;
  underlayMtu: Setting<number>;
  vxlan?: { device: Setting<string>; vni: Setting<number>; port: Setting<number>; mtu: Setting<number>; dev?: Setting<string> };
}

/** A layer's `cnet.fabric` with its fields located, computed once per layer (group layers are shared by many hosts). */
const layerCache = new WeakMap<VarLayer, MergedFabric | null>();

function fabricOfLayer(layer: VarLayer): MergedFabric | null {
  let out = layerCache.get(layer);
  if (out !== undefined) return out;
  out = null;
  if ('cnet' in layer.vars) {
    const parsed = cnetSchema.safeParse(layer.vars.cnet);
    // a layer that does not parse is reported by flatten's checkVars
    if (parsed.success && parsed.data.fabric !== undefined) {
      const path = [...layer.path, 'cnet', 'fabric'];
      const fields = new Map<string, Located<unknown>>();
      for (const [field, value] of Object.entries(parsed.data.fabric ?? {})) {
        if (value !== undefined) fields.set(field, { value, loc: layer.src.locate([...path, field]) });
      }
      out = { loc: layer.src.locate(path), fields };
    }
  }
  layerCache.set(layer, out);
  return out;
}

/** Merges `cnet.fabric` of every layer, field by field, later (more specific) layers winning; undefined when no layer has one. */
export function mergeFabric(layers: VarLayer[]): MergedFabric | undefined {
  let merged: MergedFabric | undefined;
  for (const layer of layers) {
    const own = fabricOfLayer(layer);
    if (!own) continue;
    merged = { loc: own.loc, fields: new Map([...(merged?.fields ?? []), ...own.fields]) };
  }
  return merged;
}

/** The fabric bridge's name as far as it can be known, also when other settings are wrong. */
export function fabricBridgeName(merged: MergedFabric): string {
  const v = merged.fields.get('bridge')?.value;
  return typeof v === 'string' ? v : FABRIC_DEFAULTS.bridge;
}

const at = (loc: SourceLocation) => `${loc.file}:${loc.line}:${loc.col}`;
const origin = (s: Setting<unknown>) => (s.explicit ? `set at ${at(s.loc)}` : 'the default');

/**
 * A member's fabric settings: defaults, names, ranges that depend on each other (host_prefix and
 * the supernet, the MTU and VXLAN's overhead), and keys that do not belong to its mode.
 * Settings also with issues, unless they cannot be used (no mode, no supernet, or no host subnet
 * fits in it), so that the checks that follow still run and report what else is wrong.
 */
export function fabricSettings(
  merged: MergedFabric,
  host: string,
  underlayFamily: 'ipv4' | 'ipv6' = 'ipv4',
): { settings?: FabricSettings; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const fail = (loc: SourceLocation, message: string) => issues.push({ loc, message: `${message} (host ${host})` });
  function field<T>(name: string): Setting<T> | undefined;
  function field<T>(name: string, fallback: T): Setting<T>;
  function field<T>(name: string, fallback?: T): Setting<T> | undefined {
    const f = merged.fields.get(name);
    if (f) return { value: f.value as T, loc: f.loc, explicit: true };
    return fallback === undefined ? undefined : { value: fallback, loc: merged.loc, explicit: false };
  }
  const named = (s: Setting<string>) => {
    const err = checkInterfaceName(s.value);
    if (err) fail(s.loc, err);
  };

  const mode = field<'routed' | 'vxlan'>('mode');
  if (!mode) fail(merged.loc, 'the fabric has no mode: "mode" is required (routed or vxlan)');

  const supernetText = field<string>('supernet');
  let supernet: Setting<Cidr> | undefined;
  if (!supernetText) fail(merged.loc, 'the fabric has no supernet: "supernet" is required (the subnet split into one per host)');
  else {
    const cidr = parseCidr(supernetText.value);
    if (typeof cidr === 'string') fail(supernetText.loc, cidr);
    else supernet = { ...supernetText, value: cidr };
  }

  const hostPrefix = field<number>('host_prefix', FABRIC_DEFAULTS.host_prefix);
  const fits = !supernet || hostPrefix.value > supernet.value.prefix;
  if (supernet && !fits) {
    fail(
      hostPrefix.explicit ? hostPrefix.loc : supernet.loc,
      `host_prefix /${hostPrefix.value}${hostPrefix.explicit ? '' : ' (the default)'} must be longer than the supernet's /${supernet.value.prefix}: each host gets a /${hostPrefix.value} of ${formatCidr(supernet.value)}`,
    );
  }

  let ipv6: FabricSettings['ipv6'];
  const supernet6Text = field<string>('supernet6');
  for (const key of ['host_prefix6', 'nat6']) {
    const f = merged.fields.get(key);
    if (f && !supernet6Text) fail(f.loc, `"${key}" is set but the fabric has no supernet6: set supernet6 too, or remove ${key}`);
  }
  if (supernet6Text) {
    const cidr = parseCidr6(supernet6Text.value);
    const hostPrefix6 = field<number>('host_prefix6', FABRIC_DEFAULTS.host_prefix6);
    if (typeof cidr === 'string') fail(supernet6Text.loc, cidr);
    else if (hostPrefix6.value <= cidr.prefix) {
      fail(
        hostPrefix6.explicit ? hostPrefix6.loc : supernet6Text.loc,
        `host_prefix6 /${hostPrefix6.value}${hostPrefix6.explicit ? '' : ' (the default)'} must be longer than supernet6's /${cidr.prefix}: each host gets a /${hostPrefix6.value} of ${formatCidr6(cidr)}`,
      );
    } else ipv6 = { supernet: { ...supernet6Text, value: cidr }, hostPrefix: hostPrefix6, nat: field<boolean>('nat6', isUniqueLocal(cidr)) };
  }

  const bridge = field<string>('bridge', FABRIC_DEFAULTS.bridge);
  named(bridge);
  const nat = field<boolean>('nat', FABRIC_DEFAULTS.nat);
  const underlayMtu = field<number>('underlay_mtu', FABRIC_DEFAULTS.underlay_mtu);

  let vxlan: FabricSettings['vxlan'];
  if (mode?.value === 'routed') {
    for (const key of VXLAN_ONLY) {
      const f = merged.fields.get(key);
      if (f) fail(f.loc, `"${key}" is only for mode vxlan: this fabric's mode is routed (set at ${at(mode.loc)})`);
    }
  } else if (mode?.value === 'vxlan') {
    const device = field<string>('device', FABRIC_DEFAULTS.device);
    named(device);
    if (device.value === bridge.value) {
      fail(
        device.explicit ? device.loc : bridge.loc,
        `the fabric's VXLAN device and its bridge are both named ${showText(device.value)}: give them different names`,
      );
    }
    const dev = field<string>('underlay_dev');
    if (dev) {
      named(dev);
      if (dev.value === bridge.value || dev.value === device.value) {
        fail(
          dev.loc,
          `underlay_dev ${showText(dev.value)} is the fabric's own ${dev.value === bridge.value ? 'bridge' : 'VXLAN device'}: name the interface that reaches the other hosts`,
        );
      }
    }
    const overhead = VXLAN_OVERHEAD[underlayFamily];
    const most = underlayMtu.value - overhead;
    const mtu = field<number>('mtu', most);
    if (mtu.explicit && mtu.value > most) {
      fail(
        mtu.loc,
        `mtu ${mtu.value} does not fit: VXLAN adds ${overhead} bytes to every packet (over ${underlayFamily === 'ipv4' ? 'IPv4' : 'IPv6'}), so an underlay MTU of ${underlayMtu.value} (${origin(underlayMtu)}) leaves at most ${most}`,
      );
    } else if (!mtu.explicit && most < 68) {
      fail(
        underlayMtu.loc,
        `underlay_mtu ${underlayMtu.value} leaves no room for VXLAN: it adds ${overhead} bytes to every packet, and the fabric's MTU must be at least 68`,
      );
    }
    vxlan = { device, vni: field<number>('vni', FABRIC_DEFAULTS.vni), port: field<number>('port', FABRIC_DEFAULTS.port), mtu, ...(dev ? { dev } : {}) };
  }

  if (!mode || !supernet || !fits) return { issues };
  return {
    settings: { loc: merged.loc, mode, supernet, hostPrefix, ...(ipv6 ? { ipv6 } : {}), bridge, nat, underlayMtu, ...(vxlan ? { vxlan } : {}) },
    issues,
  };
}

/** The settings every member must share (underlay_dev is per host: NICs are named differently). */
const SHARED: readonly { name: string; get: (s: FabricSettings) => Setting<unknown> | undefined }[] = [
  { name: 'mode', get: (s) => s.mode },
  { name: 'supernet', get: (s) => s.supernet },
  { name: 'host_prefix', get: (s) => s.hostPrefix },
  { name: 'supernet6', get: (s) => s.ipv6?.supernet },
  { name: 'host_prefix6', get: (s) => s.ipv6?.hostPrefix },
  { name: 'nat6', get: (s) => s.ipv6?.nat },
  { name: 'bridge', get: (s) => s.bridge },
  { name: 'nat', get: (s) => s.nat },
  { name: 'underlay_mtu', get: (s) => s.underlayMtu },
  { name: 'vni', get: (s) => s.vxlan?.vni },
  { name: 'port', get: (s) => s.vxlan?.port },
  { name: 'device', get: (s) => s.vxlan?.device },
  { name: 'mtu', get: (s) => s.vxlan?.mtu },
];

const show = (v: unknown) => (typeof v === 'object' && v !== null ? formatAnyCidr(v as Cidr) : String(v));

/** `a, b, c and 4 more` */
export function someHosts(hosts: readonly string[], most = 3): string {
  return hosts.length <= most ? hosts.join(', ') : `${hosts.slice(0, most).join(', ')} and ${hosts.length - most} more`;
}

/**
 * Fabric-wide settings that members (in inventory order) do not agree on: one issue per setting,
 * naming the first member's value and the first other value, with some hosts of each.
 */
export function disagreements(members: readonly { host: string; settings: FabricSettings }[]): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  for (const { name, get } of SHARED) {
    const values = members.flatMap((m) => {
      const s = get(m.settings);
      if (s) return [{ host: m.host, s, text: show(s.value) }];
      // the fabric's IPv6 part on some members only: "none" on the others
      return name === 'supernet6' ? [{ host: m.host, s: { value: undefined, loc: m.settings.loc, explicit: false }, text: 'none' }] : [];
    });
    const first = values[0];
    const other = values.find((v) => v.text !== first?.text);
    if (!first || !other) continue;
    const hostsOf = (text: string) => someHosts(values.filter((v) => v.text === text).map((v) => v.host));
    const loc = other.s.explicit || !first.s.explicit ? other.s.loc : first.s.loc;
    issues.push({
      loc,
      message:
        `the fabric's ${name} must be the same on every member: ${first.text} on ${hostsOf(first.text)} (${origin(first.s)}), ` +
        `but ${other.text} on ${hostsOf(other.text)} (${origin(other.s)})`,
    });
  }
  return issues;
}
