/** The group tree as a graph: a cycle of children (refused), and each group's depth from `all` (flatten.ts). */

/**
 * A cycle of children, as the names along it (the first repeated at the end), if any. Depth-first
 * with a stack of its own, not recursion: a chain of thousands of groups must not overflow.
 */
export function findCycle(names: Iterable<string>, children: (name: string) => Iterable<string>): string[] | undefined {
  const done = new Set<string>();
  for (const root of names) {
    if (done.has(root)) continue;
    // the path from root, each with the children still to visit; `onPath` indexes it
    const path: { name: string; children: Iterator<string> }[] = [];
    const onPath = new Map<string, number>();
    const enter = (name: string) => {
      onPath.set(name, path.length);
      path.push({ name, children: children(name)[Symbol.iterator]() });
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
 * deepest parent. Groups `all` does not reach (none, once reconciled) are at depth 1.
 */
export function groupDepths(names: Iterable<string>, children: (name: string) => Iterable<string>): Map<string, number> {
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
  for (const name of names) if (!depth.has(name)) depth.set(name, 1);
  return depth;
}
