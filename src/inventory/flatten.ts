import type { InventoryIssue, SourceLocation } from '../errors.js';
import { parseVar } from './host-var.js';
import { showText } from '../shown.js';
import { controlCharacter } from './schema.js';
import { expandHostPattern } from './ansible/host-pattern.js';
import { groupHostsInOrder, reconcileGroups } from './group-order.js';
import type { VaultSecret } from './ansible/vault.js';
import { holdsDeferred, isDeferred, type ValueReader } from './var-value.js';
import { FABRIC_KEYS, knownVarSchemas, type KnownVar } from './schema.js';
import type { InventorySource, YamlPath } from './source.js';
import { readVars, type VarsFolders, type VarsKind } from './vars-dirs.js';
import { didYouMean, toInventoryIssues } from './zod-issues.js';
import { connectionVarTypo } from './variable-typos.js';
import { findCycle, groupDepths } from './group-graph.js';

/** One `vars:` mapping (or a host's own vars) and where it sits. */
export interface VarLayer {
  vars: Record<string, unknown>;
  src: InventorySource;
  path: YamlPath;
}

interface GroupNode {
  name: string;
  layers: VarLayer[];
  /** in the order added, as Ansible keeps them */
  children: Set<string>;
  hosts: Set<string>;
  /** ansible_group_priority: among groups of one depth, a higher one's vars apply later */
  priority: number;
}

/** A group as the inventory writes it: its own hosts and children in the order added, and its vars. */
export interface FlatGroup {
  hosts: string[];
  children: string[];
  layers: VarLayer[];
}

/** A host with its variable layers in Ansible's precedence order, lowest first. */
export interface FlatHost {
  name: string;
  groups: string[];
  layers: VarLayer[];
  /** where the host is first named, for errors about the host itself */
  src: InventorySource;
  path: YamlPath;
  /**
   * Its place in the order the inventory first names hosts (files in order; in each group, its
   * hosts, then its children, as written). `hosts` are sorted by name; this is the order that
   * stays put when a host is added (the fabric allocates subnets in it).
   */
  order: number;
  /** reads its template and vault values (set by the loader; see var-value.ts) */
  values?: ValueReader;
}

export interface FlatInventory {
  hosts: FlatHost[];
  /** group → every host in it, through its children */
  groups: Map<string, Set<string>>;
  /** group → what the inventory says of it (`all`'s children: the groups no other group holds, as Ansible) */
  tree: Map<string, FlatGroup>;
}

const SECTIONS = ['hosts', 'vars', 'children'];

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function describe(data: unknown): string {
  if (Array.isArray(data)) return 'a list';
  if (data === null || data === undefined) return 'empty';
  return typeof data === 'object' ? 'a tagged value' : `a ${typeof data}`;
}

/**
 * Ansible takes any host name (whether ssh can reach it is decided later: resolve-connection.ts);
 * we refuse only what a report, a retry file or a terminal cannot hold on one line.
 */
function hostNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a host name is empty';
  const c = controlCharacter(name);
  return c && `host name ${showText(name)} holds ${c}: remove it`;
}

/** Ansible takes any group name (it warns of characters not valid in a variable name); we refuse only what cannot be shown on one line. */
function groupNameProblem(name: string): string | undefined {
  if (name === '') return 'a group name is empty';
  if (controlCharacter(name)) return `group name ${showText(name)} holds ${controlCharacter(name)}: remove it`;
  return undefined;
}
const KNOWN_VARS = Object.keys(knownVarSchemas);

/** Unknown `cnet_*` variables are typos; the known ones are type-checked where they are written; a misspelt connection variable is warned of. */
function checkVars(layer: VarLayer, issues: InventoryIssue[], warnings: InventoryIssue[]): void {
  for (const key of Object.keys(layer.vars)) {
    // own keys only: a variable named `toString` or `constructor` is not a known one (it crashed)
    if (!Object.hasOwn(knownVarSchemas, key)) {
      if (key.startsWith('cnet')) {
        issues.push({ loc: layer.src.locate([...layer.path, key]), message: `unknown variable ${showText(key)}${didYouMean(key, KNOWN_VARS)}` });
      }
      const typo = connectionVarTypo(key);
      if (typo) warnings.push({ loc: layer.src.locate([...layer.path, key]), message: typo });
      continue;
    }
    const value = layer.vars[key];
    if (key === 'cnet' && holdsDeferred(value)) {
      issues.push({
        loc: layer.src.locate([...layer.path, key]),
        message: 'cnet holds a template or a vault value, which it cannot: write its values out (templates and vault values work in the other variables)',
      });
      continue;
    }
    // rendered or decrypted for each host, and checked, when used (host-var.ts); so are Ansible's
    // connection variables: Ansible reads a placeholder port and fails only the host that uses it
    if (isDeferred(value) || key.startsWith('ansible_')) continue;
    const parsed = parseVar(layer.vars, key as KnownVar);
    if (!parsed.success) {
      issues.push(...toInventoryIssues(parsed.error, layer.src, [...layer.path, key], (p) => cnetKeys(p)));
    }
  }
}

function cnetKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return ['bridges', 'namespaces', 'fabric', 'firewall'];
  if (path[0] === 'fabric') return FABRIC_KEYS;
  if (path[0] === 'bridges') return ['subnet', 'address', 'nat'];
  if (path[0] === 'namespaces') return ['bridge', 'address', 'host_if', 'ns_if'];
  return [];
}

/**
 * Reads Ansible's YAML inventory structure from one or more files (merged in order, as with
 * several `-i`), and orders each host's variable layers as Ansible does (its default
 * VARIABLE_PRECEDENCE, then host vars), lowest first:
 *
 * 1. the inventory files' group vars: `all`, then the host's other groups by depth, then name
 * 2. `group_vars/all` of each folder in `varsDirs`, in order
 * 3. `group_vars/<group>` of each folder in `varsDirs`, in order; in each, groups ordered as in 1
 * 4. the inventory files' host vars
 * 5. `host_vars/<host>` of each folder in `varsDirs`
 *
 * So within each kind all < parent group < child group < host, and a vars folder's file beats the
 * inventory file at the same level; `group_vars/all` beats any group's vars in an inventory file.
 */
export function flatten(
  sources: InventorySource[],
  varsDirs: readonly string[] = [],
  secrets: readonly VaultSecret[] = [],
): { flat: FlatInventory; issues: InventoryIssue[]; warnings: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const warnings: InventoryIssue[] = [];
  const groups = new Map<string, GroupNode>();
  const hostLayers = new Map<string, VarLayer[]>();
  const hostFirst = new Map<string, { src: InventorySource; path: YamlPath }>();
  /** where each parent → child edge is first written, to point at the edge closing a cycle */
  const edges = new Map<string, SourceLocation>();
  const edge = (parent: string, child: string, loc: () => SourceLocation): void => {
    const key = `${parent}\u0000${child}`;
    if (!edges.has(key)) edges.set(key, loc());
  };
  const group = (name: string): GroupNode => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, layers: [], children: new Set(), hosts: new Set(), priority: 1 }));
    return g;
  };
  /** a group's vars, less ansible_group_priority: Ansible keeps that as the group's priority, not a variable */
  const withoutPriority = (vars: Record<string, unknown>, g: GroupNode): Record<string, unknown> => {
    if (!Object.hasOwn(vars, 'ansible_group_priority')) return vars;
    const { ansible_group_priority: priority, ...rest } = vars;
    const n = Number.parseInt(String(priority), 10);
    if (Number.isInteger(n)) g.priority = n;
    return rest;
  };
  group('all');
  group('ungrouped'); // always there in Ansible, so group_vars/ungrouped applies when never written

  const walk = (src: InventorySource, name: string, raw: unknown, path: YamlPath): string | undefined => {
    if (raw !== null && raw !== undefined && !isMapping(raw)) {
      warnings.push({
        loc: src.locate(path),
        message: `group ${showText(name)} is skipped: it is ${describe(raw)}, not a mapping of hosts/vars/children (as Ansible skips it)`,
      });
      return undefined;
    }
    const problem = groupNameProblem(name);
    if (problem) {
      issues.push({ loc: src.locate(path), message: problem });
      return undefined;
    }
    const g = group(name);
    if (!raw) return name;
    // Ansible's YAML plugin: a section written as a string is a mapping of that one key
    const section = (key: string): unknown => {
      const v = raw[key];
      return typeof v === 'string' && SECTIONS.includes(key) ? { [v]: null } : v;
    };
    for (const key of SECTIONS) {
      const v = section(key);
      if (key in raw && v !== null && v !== undefined && !isMapping(v)) {
        issues.push({ loc: src.locate([...path, key]), message: `"${key}" of group ${showText(name)} must be a mapping, not ${describe(v)}` });
      }
    }
    // in the order written, as Ansible: a host's vars written later win over earlier ones
    for (const key of Object.keys(raw)) {
      const value = section(key);
      if (value === null || value === undefined) continue;
      if (!isMapping(value)) {
        if (!SECTIONS.includes(key))
          warnings.push({
            loc: src.locate([...path, key]),
            message: `key ${showText(key)} of group ${showText(name)} is skipped: it is ${describe(value)}, not a mapping (as Ansible skips it)`,
          });
        continue;
      }
      if (key === 'vars') {
        const layer = { vars: withoutPriority(value, g), src, path: [...path, 'vars'] };
        checkVars(layer, issues, warnings);
        g.layers.push(layer);
      } else if (key === 'hosts') {
        for (const [pattern, hv] of Object.entries(value)) addHosts(src, g, pattern, hv, [...path, 'hosts', pattern]);
      } else if (key === 'children') {
        for (const [child, cv] of Object.entries(value)) {
          if (child === 'all') {
            issues.push({ loc: src.locate([...path, 'children', child]), message: 'group "all" cannot be a child' });
            continue;
          }
          const added = walk(src, child, cv, [...path, 'children', child]);
          if (added === undefined) continue;
          g.children.add(child);
          edge(name, child, () => src.locate([...path, 'children', child]));
        }
      } else {
        warnings.push({
          loc: src.locate([...path, key]),
          message: `key ${showText(key)} of group ${showText(name)} is skipped: only "hosts", "vars" and "children" are read (as Ansible)${didYouMean(key, SECTIONS)}`,
        });
      }
    }
    return name;
  };

  /** One `hosts:` entry: a host pattern (`web[01:20]`, `db:2222`) and its vars, for each host it names. */
  const addHosts = (src: InventorySource, g: GroupNode, pattern: string, hv: unknown, hpath: YamlPath): void => {
    const expanded = src.hostsAreNames ? { hosts: [pattern] } : expandHostPattern(pattern);
    if ('problem' in expanded) {
      issues.push({ loc: src.locate(hpath), message: `host ${showText(pattern)}: ${expanded.problem}` });
      return;
    }
    if (hv !== null && hv !== undefined && !isMapping(hv)) {
      issues.push({ loc: src.locate(hpath), message: `the variables of host ${showText(pattern)} must be a mapping, not ${describe(hv)}` });
      return;
    }
    const layers: VarLayer[] = [];
    if (hv) {
      const layer = { vars: hv, src, path: hpath };
      checkVars(layer, issues, warnings);
      layers.push(layer);
    }
    for (const host of expanded.hosts) {
      const problem = hostNameProblem(host);
      if (problem) {
        issues.push({ loc: src.locate(hpath), message: problem });
        continue;
      }
      g.hosts.add(host);
      const own = hostLayers.get(host) ?? [];
      if (!hostFirst.has(host)) {
        hostFirst.set(host, { src, path: hpath });
        // a port in the pattern is the host's ansible_port, set when the host is first named (as Ansible's Host())
        if (expanded.port !== undefined) own.push({ vars: { ansible_port: expanded.port }, src, path: hpath });
      }
      own.push(...layers);
      hostLayers.set(host, own);
    }
  };

  for (const src of sources) {
    const data = src.data ?? {};
    if (!isMapping(data)) {
      issues.push({ loc: src.locate([]), message: `an inventory must be a mapping of group names to groups, not ${describe(data)}` });
      continue;
    }
    // a group no other group holds becomes a child of `all` after reading (reconcileGroups below)
    for (const [name, raw] of Object.entries(data)) walk(src, name, raw, [name]);
  }

  const cycle = findCycle(groups.keys(), (name) => groups.get(name)?.children ?? []);
  if (cycle) {
    const loc = edges.get(`${cycle[cycle.length - 2]}\u0000${cycle[cycle.length - 1]}`) ?? sources[0]!.locate([]);
    issues.push({ loc, message: `groups form a cycle: ${cycle.join(' → ')}` });
    return { flat: { hosts: [], groups: new Map(), tree: new Map() }, issues, warnings };
  }

  // as Ansible's reconcile_inventory leaves them (`all` holds the groups no other group holds,
  // `ungrouped` the hosts in no other group), and each group's members in the order its
  // Group.get_hosts() gives (`--limit web[0]` counts in it)
  const tree = reconcileGroups(new Map([...groups.values()].map((g) => [g.name, { hosts: [...g.hosts], children: [...g.children] }])));
  // after reconciling: a group no other group holds is a child of `all`, at depth 1
  const depth = groupDepths(tree.keys(), (name) => tree.get(name)?.children ?? []);
  const members = new Map([...groupHostsInOrder(tree)].map(([g, hosts]) => [g, new Set(hosts)]));
  const named = new Map([...hostFirst.keys()].map((h, i) => [h, i]));
  const allHosts = [...hostFirst.keys()].sort();
  const groupsOf = new Map<string, string[]>();
  for (const [g, m] of members) {
    for (const h of m) {
      const list = groupsOf.get(h);
      if (list) list.push(g);
      else groupsOf.set(h, [g]);
    }
  }

  // vars folders: each file read and checked once, only for groups and hosts that exist
  const fromDirs = new Map<string, VarLayer[]>();
  const folders: VarsFolders = new Map();
  const dirLayers = (dir: string, kind: VarsKind, name: string): VarLayer[] => {
    const key = `${dir}\u0000${kind}\u0000${name}`;
    let layers = fromDirs.get(key);
    if (!layers) {
      const read = readVars(dir, kind, name, folders, secrets);
      issues.push(...read.issues);
      for (const layer of read.layers) checkVars(layer, issues, warnings);
      fromDirs.set(key, (layers = read.layers));
    }
    return layers;
  };
  for (const dir of varsDirs) for (const g of [...groups.keys()].sort()) dirLayers(dir, 'group_vars', g);

  // the groups' part of a host's layers, made once for every host in the same groups
  const byGroups = new Map<string, { groups: string[]; layers: VarLayer[] }>();
  const groupPart = (hostGroups: string[]) => {
    const key = hostGroups.join('\u0000');
    let part = byGroups.get(key);
    if (!part) {
      // `all` first (depth 0), then by depth and name
      // as Ansible's sort_groups: depth, then ansible_group_priority, then name
      const ordered = [...hostGroups].sort(
        (a, b) => depth.get(a)! - depth.get(b)! || groups.get(a)!.priority - groups.get(b)!.priority || (a === b ? 0 : a < b ? -1 : 1),
      );
      const layers = [
        ...ordered.flatMap((g) => groups.get(g)!.layers),
        ...varsDirs.flatMap((dir) => dirLayers(dir, 'group_vars', 'all')),
        // folder by folder, each with all the host's groups (as Ansible merges per inventory source)
        ...varsDirs.flatMap((dir) => ordered.filter((g) => g !== 'all').flatMap((g) => dirLayers(dir, 'group_vars', g))),
      ];
      byGroups.set(key, (part = { groups: hostGroups.filter((g) => g !== 'all').sort(), layers }));
    }
    return part;
  };
  const hosts: FlatHost[] = allHosts.map((name) => {
    const part = groupPart(groupsOf.get(name) ?? []);
    const layers = [...part.layers, ...(hostLayers.get(name) ?? []), ...varsDirs.flatMap((dir) => dirLayers(dir, 'host_vars', name))];
    const first = hostFirst.get(name)!;
    return { name, groups: [...part.groups], layers, src: first.src, path: first.path, order: named.get(name)! };
  });
  return {
    flat: { hosts, groups: members, tree: new Map([...tree].map(([name, g]) => [name, { ...g, layers: groups.get(name)!.layers }])) },
    issues,
    warnings,
  };
}
