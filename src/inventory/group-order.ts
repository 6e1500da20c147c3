/**
 * The order in which Ansible lists a group's hosts (ansible-core 2.14, `Group.get_hosts()`): what
 * `--limit web[0]` counts in, what `ansible web --list-hosts` prints. Not name order: a group's
 * own hosts in the order the inventory adds them, then its descendants' hosts, level by level
 * (`get_descendants(preserve_ordering=True)`), each host once, where it is first met.
 *
 * One thing Ansible leaves to chance: at the second level and below, it walks the groups of a
 * level as a Python `set`, whose order follows the string hash, randomized per process. Where two
 * or more groups of a level have children, `ansible GROUP --list-hosts` can print the grandchildren's
 * hosts in a different order from one run to the next. We walk such a level in the order its groups
 * were reached (the order Ansible uses when the set happens to keep it), so ours is one of Ansible's
 * orders, and always the same one.
 */

/** One group as the inventory gives it: its own hosts and its child groups, each in the order added. */
export interface GroupMembers {
  hosts: readonly string[];
  children: readonly string[];
}

const ALL = 'all';
const UNGROUPED = 'ungrouped';

function unique(items: Iterable<string>): string[] {
  return [...new Set(items)];
}

/**
 * Ansible's `InventoryData.reconcile_inventory()` on the own hosts and children: `ungrouped` is
 * the first child of `all`; a group without a parent becomes a child of `all` (in group order);
 * a host in no group but `all` is added to `ungrouped` (in the order `all` lists it), and a host
 * in another group is taken out of `ungrouped`. Idempotent: an inventory already reconciled
 * comes back unchanged.
 */
export function reconcileGroups(groups: ReadonlyMap<string, GroupMembers>): Map<string, { hosts: string[]; children: string[] }> {
  const out = new Map<string, { hosts: string[]; children: string[] }>();
  const add = (name: string) => {
    if (out.has(name)) return;
    const g = groups.get(name);
    out.set(name, { hosts: unique(g?.hosts ?? []), children: unique((g?.children ?? []).filter((c) => c !== name)) });
  };
  // Ansible creates `all` and `ungrouped` first; a child named but never defined is a group too
  add(ALL);
  add(UNGROUPED);
  for (const name of groups.keys()) add(name);
  for (const g of groups.values()) for (const c of g.children) add(c);

  const all = out.get(ALL)!;
  all.children = [UNGROUPED, ...all.children.filter((c) => c !== UNGROUPED)];
  const hasParent = new Set([...out.values()].flatMap((g) => g.children));
  for (const name of out.keys()) if (name !== ALL && !hasParent.has(name)) all.children.push(name);

  // the groups each host is directly in, other than all and ungrouped
  const inOther = new Set<string>();
  for (const [name, g] of out) if (name !== ALL && name !== UNGROUPED) for (const h of g.hosts) inOther.add(h);
  const ungrouped = out.get(UNGROUPED)!;
  ungrouped.hosts = unique([...ungrouped.hosts, ...all.hosts].filter((h) => !inOther.has(h)));
  return out;
}

/**
 * Ansible's `get_descendants(include_self=True, preserve_ordering=True)`: the group, its
 * children in order, then each further level; a level's groups are walked in the order they
 * were reached (see the file's comment), each group listed once.
 */
export function descendantsInOrder(name: string, childrenOf: (group: string) => readonly string[]): string[] {
  const ordered = unique([name, ...childrenOf(name)]);
  const seen = new Set<string>();
  // Python builds the first level as set(children), then adds the group itself
  let level = unique([...childrenOf(name), name]);
  while (level.length > 0) {
    for (const g of level) seen.add(g);
    const next: string[] = [];
    for (const g of level) {
      for (const c of childrenOf(g)) {
        next.push(c);
        if (!seen.has(c)) ordered.push(c);
      }
    }
    level = unique(next).filter((g) => !seen.has(g));
  }
  return unique(ordered);
}

/**
 * Each group's hosts, its own and its descendants', in the order `Group.get_hosts()` gives, for
 * every group (`all` and `ungrouped` included, first, then the groups in the order given).
 * Input: each group's own hosts and children in the order the inventory adds them; the
 * inventory is reconciled first as Ansible does (see reconcileGroups).
 */
export function groupHostsInOrder(groups: ReadonlyMap<string, GroupMembers>): Map<string, string[]> {
  const reconciled = reconcileGroups(groups);
  const childrenOf = (g: string) => reconciled.get(g)?.children ?? [];
  const result = new Map<string, string[]>();
  for (const name of reconciled.keys()) {
    result.set(name, unique(descendantsInOrder(name, childrenOf).flatMap((g) => reconciled.get(g)?.hosts ?? [])));
  }
  return result;
}
