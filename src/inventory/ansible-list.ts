import type { FlatHost, FlatInventory } from './flatten.js';

/** One group as `ansible-inventory --list` prints it: its own hosts and its child groups, each left out when empty. */
export interface AnsibleListGroup {
  hosts?: string[];
  children?: string[];
}

/** The JSON of `ansible-inventory --list`: every group by name, and each host's variables under `_meta`. */
export type AnsibleListJson = { _meta: { hostvars: Record<string, Record<string, unknown>> } } & Record<string, AnsibleListGroup>;

/**
 * A host's variables after precedence, as Ansible's default `hash_behaviour=replace` merges them:
 * its layers, lowest first, each replacing a top-level variable whole. Raw values: templates are
 * not rendered (neither does `ansible-inventory`).
 */
export function hostVars(host: FlatHost): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const layer of host.layers) for (const [k, v] of Object.entries(layer.vars)) vars[k] = v;
  return vars;
}

/**
 * `ansible-inventory --list` (ansible-core 2.14, cli/inventory.py json_inventory): from `all`
 * down through child groups, each group with `hosts` (its own hosts; never for `all`) and
 * `children`, an empty list left out and a group left with neither left out (its parent still
 * names it among its children); `_meta.hostvars` holds each host with at least one variable.
 * Key order is not part of the value: dumpAnsibleJson prints keys sorted, as Ansible does.
 *
 * The groups' own hosts and children, in Ansible's order, are `flat.tree`; the hosts' variables
 * are their layers merged.
 */
export function ansibleList(flat: FlatInventory): AnsibleListJson {
  const tree = flat.tree;
  const result: Record<string, AnsibleListGroup> = {};
  const seen = new Set<string>();
  // depth-first from `all` with a stack of its own: chains of thousands of groups
  const todo = ['all'];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const g = tree.get(name) ?? { hosts: [], children: [] };
    const entry: AnsibleListGroup = {};
    if (name !== 'all' && g.hosts.length > 0) entry.hosts = [...g.hosts];
    if (g.children.length > 0) entry.children = [...g.children];
    if (entry.hosts || entry.children) result[name] = entry;
    todo.push(...[...g.children].reverse());
  }
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const h of flat.hosts) {
    const vars = hostVars(h);
    if (Object.keys(vars).length > 0) hostvars[h.name] = vars;
  }
  return { ...result, _meta: { hostvars } } as AnsibleListJson;
}

/** `ansible-inventory --host NAME`: the host's variables after precedence; undefined when there is no such host. */
export function ansibleHost(flat: FlatInventory, name: string): Record<string, unknown> | undefined {
  const host = flat.hosts.find((h) => h.name === name);
  return host && hostVars(host);
}

/** Variables holding a password: cnet-remote never prints their values. */
export const SECRET_VARS: readonly string[] = ['ansible_password', 'ansible_ssh_pass', 'ansible_become_password', 'ansible_become_pass'];

/** `vars` with each password variable's value shown as "(hidden)". */
export function hideSecrets(vars: Record<string, unknown>): Record<string, unknown> {
  const shown = { ...vars };
  for (const k of SECRET_VARS) if (Object.hasOwn(shown, k)) shown[k] = '(hidden)';
  return shown;
}
