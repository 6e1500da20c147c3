import type { InventorySource } from './source.js';

/**
 * The groups as Ansible's InventoryData holds them after reading inventories in the YAML shape
 * (`{group: {hosts, vars, children}}`): each group (in the order Ansible first names it), its own
 * hosts and child groups, in the order Ansible adds them. `ansible-inventory --list` prints exactly this structure; FlatInventory
 * keeps each group's members through its children, which cannot give it back.
 *
 * The rules (ansible/plugins/inventory/yaml.py, inventory/data.py, inventory/group.py, 2.14):
 * - `all` and `ungrouped` exist first, `ungrouped` the first child of `all`;
 * - a group's keys are read in the order written (a group's `children:` before its `hosts:` adds
 *   the children's hosts first); a child is added to its parent after the child is read;
 * - after every file, `reconcile_inventory`: each group without a parent (in the order groups
 *   were first named) becomes a child of `all`; a host listed under `ungrouped` and also in another
 *   group leaves `ungrouped`; a host in no group but `all` joins `ungrouped`, in the order hosts
 *   were first named.
 *
 * Host names are taken as written (a host pattern `web[1:3]` stays one name; expanding it is the
 * loader's: when flatten gives this structure itself, as FlatInventory's own field, it replaces
 * this walk, and these rules are what its differential tests hold it to). Shapes the loader refuses (a list for `hosts:`, a cycle) are skipped here: the
 * loader reports them, and nothing is listed from an inventory with issues.
 */
export type GroupTree = ReadonlyMap<string, { readonly hosts: readonly string[]; readonly children: readonly string[] }>;

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A section (`hosts`, `children`) as a mapping: Ansible reads a string there as one name. */
function section(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string') return { [v]: null };
  return isMapping(v) ? v : undefined;
}

export function groupTree(sources: readonly InventorySource[]): GroupTree {
  // Sets keep the order things are added in, and find and remove in constant time (100k hosts)
  const groups = new Map<string, { hosts: Set<string>; children: Set<string>; parents: Set<string> }>();
  /** each host's groups, in the order hosts are first named */
  const hostGroups = new Map<string, Set<string>>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { hosts: new Set(), children: new Set(), parents: new Set() }));
    return g;
  };
  const addHost = (groupName: string, host: string) => {
    group(groupName).hosts.add(host);
    let of = hostGroups.get(host);
    if (!of) hostGroups.set(host, (of = new Set()));
    of.add(groupName);
  };
  /** `name` and the groups above it */
  const ancestors = (name: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [name];
    for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
      for (const p of groups.get(n)?.parents ?? []) if (!seen.has(p)) todo.push((seen.add(p), p));
    }
    return seen;
  };
  const addChild = (parent: string, child: string) => {
    const p = group(parent);
    if (parent === child || p.children.has(child) || ancestors(parent).has(child)) return; // a cycle: the loader reports it
    p.children.add(child);
    group(child).parents.add(parent);
  };
  group('all');
  group('ungrouped');
  addChild('all', 'ungrouped');

  // a loop of its own, not recursion: chains of thousands of groups
  const read = (name: string, data: unknown) => {
    const stack: { name: string; keys: Iterator<[string, unknown]>; parent?: string }[] = [];
    const enter = (n: string, d: unknown, parent?: string) => {
      group(n);
      stack.push({ name: n, keys: (isMapping(d) ? Object.entries(d) : [])[Symbol.iterator](), ...(parent !== undefined ? { parent } : {}) });
    };
    // the children still to read of the section being read, for each group on the stack
    const pending: Iterator<[string, unknown]>[] = [];
    enter(name, data);
    pending.push([][Symbol.iterator]());
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = pending[pending.length - 1]!.next();
      if (!child.done) {
        const [c, cd] = child.value;
        if (cd === null || isMapping(cd)) {
          enter(c, cd, top.name);
          pending.push([][Symbol.iterator]());
        }
        continue;
      }
      const next = top.keys.next();
      if (next.done) {
        stack.pop();
        pending.pop();
        if (top.parent !== undefined) addChild(top.parent, top.name);
        continue;
      }
      const [key, value] = next.value;
      if (key === 'hosts') for (const h of Object.keys(section(value) ?? {})) addHost(top.name, h);
      else if (key === 'children') pending[pending.length - 1] = Object.entries(section(value) ?? {})[Symbol.iterator]();
    }
  };

  for (const src of sources) {
    if (!isMapping(src.data)) continue;
    for (const [name, data] of Object.entries(src.data)) if (data === null || isMapping(data)) read(name, data);
  }

  // reconcile_inventory
  for (const name of groups.keys()) if (name !== 'all' && groups.get(name)!.parents.size === 0) addChild('all', name);
  const ungrouped = groups.get('ungrouped')!;
  for (const [host, of] of hostGroups) {
    const others = [...of].some((g) => g !== 'all' && g !== 'ungrouped');
    if (of.has('ungrouped')) {
      if (others) ungrouped.hosts.delete(host);
    } else if (!others) {
      ungrouped.hosts.add(host);
    }
  }
  return new Map([...groups].map(([n, g]) => [n, { hosts: [...g.hosts], children: [...g.children] }]));
}
