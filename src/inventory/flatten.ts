import type { InventoryIssue, SourceLocation } from '../errors.js';
import { parseVar } from './host-var.js';
import { showText } from './names.js';
import { FABRIC_KEYS, inventorySchema, knownVarSchemas, type KnownVar, type RawGroup } from './schema.js';
import type { InventorySource, YamlPath } from './source.js';
import { readVars, type VarsFolders, type VarsKind } from './vars-dirs.js';
import { didYouMean, toInventoryIssues } from './zod-issues.js';

/** One `vars:` mapping (or a host's own vars) and where it sits. */
export interface VarLayer {
  vars: Record<string, unknown>;
  src: InventorySource;
  path: YamlPath;
}

interface GroupNode {
  name: string;
  layers: VarLayer[];
  children: Set<string>;
  hosts: Set<string>;
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
}

export interface FlatInventory {
  hosts: FlatHost[];
  groups: Map<string, Set<string>>;
}

const GROUP_KEYS = ['hosts', 'vars', 'children'];
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const KNOWN_VARS = Object.keys(knownVarSchemas);

/** Unknown `cnet_*` variables are typos; the known ones are type-checked where they are written. */
function checkVars(layer: VarLayer, issues: InventoryIssue[]): void {
  for (const key of Object.keys(layer.vars)) {
    // own keys only: a variable named `toString` or `constructor` is not a known one (it crashed)
    if (!Object.hasOwn(knownVarSchemas, key)) {
      if (key.startsWith('cnet')) {
        issues.push({ loc: layer.src.locate([...layer.path, key]), message: `unknown variable ${showText(key)}${didYouMean(key, KNOWN_VARS)}` });
      }
      continue;
    }
    const parsed = parseVar(layer.vars, key as KnownVar);
    if (!parsed.success) {
      issues.push(...toInventoryIssues(parsed.error, layer.src, [...layer.path, key], (p) => cnetKeys(p)));
    }
  }
}

function cnetKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return ['bridges', 'namespaces', 'fabric'];
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
export function flatten(sources: InventorySource[], varsDirs: readonly string[] = []): { flat: FlatInventory; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
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
    if (!g) groups.set(name, (g = { name, layers: [], children: new Set(), hosts: new Set() }));
    return g;
  };
  group('all');
  group('ungrouped'); // always there in Ansible, so group_vars/ungrouped applies when never written

  const walk = (src: InventorySource, name: string, raw: RawGroup | null, path: YamlPath): void => {
    if (!GROUP_NAME.test(name)) {
      issues.push({ loc: src.locate(path), message: `group name ${showText(name)} is not valid: use letters, digits, '_' and '-'` });
      return;
    }
    const g = group(name);
    if (!raw) return;
    if (raw.vars) {
      const layer = { vars: raw.vars, src, path: [...path, 'vars'] };
      checkVars(layer, issues);
      g.layers.push(layer);
    }
    for (const [host, hv] of Object.entries(raw.hosts ?? {})) {
      const hpath = [...path, 'hosts', host];
      if (!HOST_NAME.test(host)) {
        issues.push({ loc: src.locate(hpath), message: `host name ${showText(host)} is not valid` });
        continue;
      }
      g.hosts.add(host);
      if (!hostFirst.has(host)) hostFirst.set(host, { src, path: hpath });
      if (hv) {
        const layer = { vars: hv, src, path: hpath };
        checkVars(layer, issues);
        const own = hostLayers.get(host);
        if (own) own.push(layer);
        else hostLayers.set(host, [layer]);
      }
    }
    for (const [child, cv] of Object.entries(raw.children ?? {})) {
      if (child === 'all') {
        issues.push({ loc: src.locate([...path, 'children', child]), message: 'group "all" cannot be a child' });
        continue;
      }
      g.children.add(child);
      edge(name, child, () => src.locate([...path, 'children', child]));
      walk(src, child, cv, [...path, 'children', child]);
    }
  };

  for (const src of sources) {
    const top = inventorySchema.safeParse(src.data ?? {});
    if (!top.success) {
      issues.push(...toInventoryIssues(top.error, src, [], () => GROUP_KEYS));
      continue;
    }
    for (const [name, raw] of Object.entries(top.data)) {
      if (name !== 'all') {
        group('all').children.add(name);
        edge('all', name, () => src.locate([name]));
      }
      walk(src, name, raw, [name]);
    }
  }

  const cycle = findCycle(groups);
  if (cycle) {
    const loc = edges.get(`${cycle[cycle.length - 2]}\u0000${cycle[cycle.length - 1]}`) ?? sources[0]!.locate([]);
    issues.push({ loc, message: `groups form a cycle: ${cycle.join(' → ')}` });
    return { flat: { hosts: [], groups: new Map() }, issues };
  }

  const depth = groupDepths(groups);
  const parentsOf = new Map<string, Set<string>>();
  for (const g of groups.values()) for (const c of g.children) parentsOf.set(c, (parentsOf.get(c) ?? new Set()).add(g.name));

  const members = new Map<string, Set<string>>();
  for (const g of groups.values()) {
    if (g.hosts.size === 0) continue;
    for (const a of reachable(g.name, (n) => parentsOf.get(n) ?? [])) {
      const m = members.get(a) ?? new Set();
      for (const h of g.hosts) m.add(h);
      members.set(a, m);
    }
  }
  const named = new Map([...hostFirst.keys()].map((h, i) => [h, i]));
  const allHosts = [...hostFirst.keys()].sort();
  members.set('all', new Set(allHosts));
  const grouped = new Set<string>();
  // a host listed under `ungrouped:` itself is still ungrouped (and gets that group's vars)
  for (const g of groups.values()) if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
  members.set('ungrouped', new Set(allHosts.filter((h) => !grouped.has(h))));
  for (const g of groups.keys()) if (!members.has(g)) members.set(g, new Set());
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
      const read = readVars(dir, kind, name, folders);
      issues.push(...read.issues);
      for (const layer of read.layers) checkVars(layer, issues);
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
      const ordered = [...hostGroups].sort((a, b) => depth.get(a)! - depth.get(b)! || (a === b ? 0 : a < b ? -1 : 1));
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
  return { flat: { hosts, groups: members }, issues };
}

/** `from` and every name reachable from it through `next`, each once (a loop, not recursion: chains of thousands of groups). */
function reachable(from: string, next: (name: string) => Iterable<string>): Set<string> {
  const seen = new Set([from]);
  const todo = [from];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    for (const n of next(name)) if (!seen.has(n)) todo.push((seen.add(n), n));
  }
  return seen;
}

/**
 * A cycle of children, as the names along it (the first repeated at the end), if any. Depth-first
 * with a stack of its own, not recursion: a chain of thousands of groups must not overflow.
 */
function findCycle(groups: Map<string, GroupNode>): string[] | undefined {
  const done = new Set<string>();
  for (const root of groups.keys()) {
    if (done.has(root)) continue;
    // the path from root, each with the children still to visit; `onPath` indexes it
    const path: { name: string; children: Iterator<string> }[] = [];
    const onPath = new Map<string, number>();
    const enter = (name: string) => {
      onPath.set(name, path.length);
      path.push({ name, children: (groups.get(name)?.children ?? new Set<string>()).values() });
    };
    enter(root);
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const next = top.children.next();
      if (next.done) {
        path.pop();
        onPath.delete(top.name);
        done.add(top.name);
        continue;
      }
      const child = next.value;
      const at = onPath.get(child);
      if (at !== undefined) return [...path.slice(at).map((p) => p.name), child];
      if (!done.has(child)) enter(child);
    }
  }
  return undefined;
}

/**
 * Longest distance from `all`: Ansible applies shallower groups' vars first. The groups form no
 * cycle (checked before): in topological order from `all`, each child is one deeper than its
 * deepest parent. Groups `all` does not reach (only `ungrouped`) are at depth 1.
 */
function groupDepths(groups: Map<string, GroupNode>): Map<string, number> {
  const children = (name: string) => groups.get(name)?.children ?? [];
  // reverse post-order of a depth-first walk: every parent before its children
  const order: string[] = [];
  const seen = new Set(['all']);
  const stack: { name: string; children: Iterator<string> }[] = [{ name: 'all', children: children('all')[Symbol.iterator]() }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = top.children.next();
    if (next.done) {
      order.push(top.name);
      stack.pop();
    } else if (!seen.has(next.value)) {
      seen.add(next.value);
      stack.push({ name: next.value, children: children(next.value)[Symbol.iterator]() });
    }
  }
  const depth = new Map<string, number>([['all', 0]]);
  for (const name of order.reverse()) {
    const d = depth.get(name)!;
    for (const c of children(name)) if ((depth.get(c) ?? -1) < d + 1) depth.set(c, d + 1);
  }
  for (const name of groups.keys()) if (!depth.has(name)) depth.set(name, 1);
  return depth;
}
