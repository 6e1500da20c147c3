/**
 * The groups one inventory source defines, from its data in the YAML shape
 * (`{group: {hosts, vars, children: {child: …}}}`, which every reader gives): each group named at
 * the top or under any `children:`, as Ansible's YAML plugin adds them. A group whose entry is no
 * mapping is skipped (Ansible skips it), and `children` written as one name is that one child.
 * A later INI source takes these as defined (parseIniInventory's `definedBefore`).
 */
export function groupNames(data: unknown): Set<string> {
  const names = new Set<string>();
  const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  // in the order written; each entry is walked once, so data that holds itself (a YAML alias) ends
  const todo: [string, unknown][] = isMapping(data) ? Object.entries(data) : [];
  const walked = new Set<unknown>();
  for (let i = 0; i < todo.length; i++) {
    const [name, entry] = todo[i]!;
    if (entry !== null && entry !== undefined && !isMapping(entry)) continue;
    names.add(name);
    if (!entry || walked.has(entry)) continue;
    walked.add(entry);
    const children = typeof entry.children === 'string' ? { [entry.children]: null } : entry.children;
    if (isMapping(children)) todo.push(...Object.entries(children));
  }
  return names;
}
