import { formatIpv6, parseIpv6 } from '../address/ipv6.js';
import { InventoryError, type InventoryIssue } from '../errors.js';
import { flatten } from './flatten.js';
import { lookup } from './host-var.js';
import { resolveConnection, type ConnectionOptions } from './resolve-connection.js';
import { fabricSpecs, resolveFabric } from './resolve-fabric.js';
import { resolveNetwork, type NetworkCache } from './resolve-network.js';
import { readSources } from './read-inventory.js';
import type { InventorySource } from './source.js';
import type { Inventory, ResolvedHost } from './types.js';
import { attachValues, type ValueOptions } from './var-value.js';
import { varsDirsOf } from './vars-dirs.js';

export type LoadOptions = ConnectionOptions & ValueOptions;

/**
 * Parsed sources → resolved inventory, or an InventoryError listing every issue found.
 * `varsDirs`: folders whose group_vars/ and host_vars/ apply (see varsDirsOf).
 */
export function resolveInventory(sources: InventorySource[], varsDirs: readonly string[] = [], opts: LoadOptions = {}): Inventory {
  const { flat, issues, warnings } = flatten(sources, varsDirs, opts.secrets);
  const values = attachValues(flat, opts);
  const conns = new Map(flat.hosts.map((h) => [h.name, resolveConnection(h, opts)]));
  // the fabric first: its bridge is among each member's bridges when namespaces are resolved
  const fabric = resolveFabric(flat.hosts, (name) => conns.get(name)?.connection?.address);
  issues.push(...fabric.issues);
  const hosts: ResolvedHost[] = [];
  const networks: NetworkCache = new Map();
  for (const h of flat.hosts) {
    const conn = conns.get(h.name)!;
    const net = resolveNetwork(h.layers, h.name, fabric.bridges.get(h.name), networks);
    issues.push(...conn.issues, ...net.issues);
    const ipv4 = lookup(h, 'cnet_probe_target')?.value;
    const ipv6 = lookup(h, 'cnet_probe_target6')?.value;
    const probeTarget = { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6: formatIpv6(parseIpv6(ipv6)) } : {}) };
    if (conn.connection)
      hosts.push({ name: h.name, groups: h.groups, connection: conn.connection, network: net.network, ...(ipv4 || ipv6 ? { probeTarget } : {}) });
  }
  // peers last: each names a container of the other member (its first namespace on the fabric)
  const byName = new Map(hosts.map((h) => [h.name, h]));
  for (const [name, spec] of fabricSpecs(fabric.members, (n) => byName.get(n)?.network)) {
    const h = byName.get(name);
    if (h) h.network.fabric = spec;
  }
  const unique = dedupe([...issues, ...values.issues]);
  if (unique.length > 0) throw new InventoryError(unique);
  return { files: sources.map((s) => s.file), hosts, groups: flat.groups, warnings: dedupe(warnings) };
}

/** The same group-level mistake is found once per host: report it once, hosts named together. */
function dedupe(issues: InventoryIssue[]): InventoryIssue[] {
  const byKey = new Map<string, { issue: InventoryIssue; hosts: string[] }>();
  for (const issue of issues) {
    const m = /^(.*) \(host (.+)\)$/s.exec(issue.message);
    const base = m ? m[1]! : issue.message;
    const key = `${issue.loc.file}:${issue.loc.line}:${issue.loc.col}:${base}`;
    const entry = byKey.get(key) ?? { issue: { ...issue, message: base }, hosts: [] };
    if (m) entry.hosts.push(m[2]!);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .map(({ issue, hosts }) => ({
      ...issue,
      message: hosts.length > 0 ? `${issue.message} (host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')})` : issue.message,
    }))
    .sort((a, b) => (a.loc.file === b.loc.file ? a.loc.line - b.loc.line || a.loc.col - b.loc.col : a.loc.file < b.loc.file ? -1 : 1));
}

/**
 * Reads and resolves inventory files (several merge in order, as Ansible's repeated -i), with the
 * group_vars/ and host_vars/ folders beside each.
 */
export function loadInventory(files: string[], opts: LoadOptions = {}): Inventory {
  const { sources, formats } = readSources(files, opts.secrets);
  return { ...resolveInventory(sources, varsDirsOf(files), opts), formats };
}
