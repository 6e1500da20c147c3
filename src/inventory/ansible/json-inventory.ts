import { InventoryError, type InventoryIssue } from '../../errors.js';
import { showText } from '../../shown.js';
import { formatPath, parseSource, type InventorySource, type YamlPath } from '../source.js';

/**
 * The JSON `ansible-inventory --list` prints, and dynamic inventory scripts print for `--list`,
 * read into the YAML shape the loader reads (`{group: {hosts: {name: vars|null}, vars, children}}`).
 * Ansible's rules for it (plugins/inventory/script.py, 2.14), in the order it applies them:
 *
 * - the top level is a mapping of group names, read in order; `_meta` is not a group;
 * - a group that is not a mapping is its list of hosts (`"web": ["w1", "w2"]`);
 * - a group mapping with none of `hosts`, `vars`, `children` is a host of that name, and the
 *   mapping is the group's variables (`"db1": {"x": 1}`: a group db1 holding a host db1);
 * - `hosts` is a list of host names; `vars` a mapping; `children` a list of group names;
 * - `_meta.hostvars` gives each host listed in a group its own variables; a host it names that no
 *   group lists is left out. Without `_meta`, a script is asked `--host NAME` per host: for a
 *   file there is nothing to ask, and its hosts have only their groups' variables.
 *
 * A host's variables go under its first group's `hosts:` entry, so they are host variables: they
 * beat any group's. That keeps `--list` output right, whose hostvars already hold every group
 * variable merged (it prints no group `vars` unless `--export`).
 *
 * `locate` points into the JSON (a host in a group's list, a host's variable under `_meta`): the
 * text is read with the YAML reader (JSON is YAML), which keeps positions and refuses repeated keys.
 */
export function parseJsonInventory(file: string, text: string): InventorySource {
  return listJsonSource(parseSource(file, text));
}

/** The same, from the JSON already read (by parseSource). */
export function listJsonSource(json: InventorySource): InventorySource {
  const file = json.file;
  const top = json.data;
  const fail = (path: YamlPath, message: string): never => {
    throw new InventoryError([{ loc: json.locate(path), message }]);
  };
  if (!isMapping(top)) return fail([], `a JSON inventory must be a mapping of group names (and _meta), not ${describe(top)}`);

  const meta = top._meta;
  if (meta !== undefined && !isMapping(meta)) fail(['_meta'], `_meta must be a mapping holding hostvars, not ${describe(meta)}`);
  const hostvars = isMapping(meta) ? meta.hostvars : undefined;
  if (hostvars !== undefined && !isMapping(hostvars))
    fail(['_meta', 'hostvars'], `_meta.hostvars must be a mapping of host names to their variables, not ${describe(hostvars)}`);

  const data: Record<string, { hosts?: Record<string, Record<string, unknown> | null>; vars?: Record<string, unknown>; children?: Record<string, null> }> = {};
  /** for locate: where in the JSON each part of the YAML shape was written */
  const where = new Map<string, { hosts?: Map<string, number>; children?: Map<string, number>; bare?: 'list' | 'vars' }>();
  const varsGiven = new Set<string>();
  const issues: InventoryIssue[] = [];
  /** A group's hosts or children: each name with where it was first written (its index); an issue for what is not a list or not a name. */
  const names = (group: string, list: unknown, path: YamlPath, part: 'hosts' | 'children'): Map<string, number> | undefined => {
    const what = part === 'hosts' ? 'host' : 'group';
    if (!Array.isArray(list)) {
      issues.push({
        loc: json.locate(path),
        message: `the ${part} of group ${showText(group)} must be a list of ${what} names, not ${describe(list)}`,
      });
      return undefined;
    }
    const first = new Map<string, number>();
    list.forEach((name, i) => {
      if (typeof name === 'string' && name !== '') {
        if (!first.has(name)) first.set(name, i);
      } else {
        const not = typeof name === 'string' ? 'an empty one' : describe(name);
        issues.push({ loc: json.locate([...path, i]), message: `a ${what} name must be a non-empty string, not ${not}` });
      }
    });
    return first;
  };
  for (const [group, raw] of Object.entries(top)) {
    if (group === '_meta') continue;
    let g: Record<string, unknown>;
    const at: { hosts?: Map<string, number>; children?: Map<string, number>; bare?: 'list' | 'vars' } = {};
    where.set(group, at);
    if (!isMapping(raw)) {
      g = { hosts: raw };
      at.bare = 'list';
    } else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) {
      g = { hosts: [group], vars: raw };
      at.bare = 'vars';
    } else {
      g = raw;
    }
    const out: (typeof data)[string] = {};
    data[group] = out;
    if ('hosts' in g) {
      const hosts = names(group, g.hosts, at.bare === 'list' ? [group] : [group, 'hosts'], 'hosts');
      if (hosts) {
        out.hosts = {};
        for (const h of hosts.keys()) out.hosts[h] = null;
        // a bare-vars group's host is the group's own name, written nowhere in a list
        at.hosts = at.bare === 'vars' ? new Map([...hosts.keys()].map((h) => [h, -1])) : hosts;
      }
    }
    if ('vars' in g) {
      if (!isMapping(g.vars))
        issues.push({ loc: json.locate([group, 'vars']), message: `the vars of group ${showText(group)} must be a mapping, not ${describe(g.vars)}` });
      else out.vars = g.vars;
    }
    if ('children' in g) {
      const children = names(group, g.children, [group, 'children'], 'children');
      if (children) {
        out.children = {};
        for (const c of children.keys()) out.children[c] = null;
        at.children = children;
      }
    }
  }
  // each listed host's own variables, under the first group listing it
  if (isMapping(hostvars)) {
    for (const g of Object.values(data)) {
      for (const h of Object.keys(g.hosts ?? {})) {
        if (varsGiven.has(h) || !Object.hasOwn(hostvars, h)) continue;
        varsGiven.add(h);
        const v = hostvars[h];
        if (isMapping(v)) g.hosts![h] = v;
        else if (v !== null)
          issues.push({ loc: json.locate(['_meta', 'hostvars', h]), message: `the variables of host ${showText(h)} must be a mapping, not ${describe(v)}` });
      }
    }
  }
  if (issues.length > 0) throw new InventoryError(issues);

  /** a path in the YAML shape → the path in the JSON it came from */
  const jsonPath = (path: YamlPath): YamlPath => {
    const [group, part, name, ...rest] = path;
    const at = where.get(String(group));
    if (!at || part === undefined) return path;
    const base = at.bare === 'list' ? [group!] : [group!, part];
    if (part === 'vars') return at.bare === 'vars' ? [group!, ...(name === undefined ? [] : [name]), ...rest] : path;
    if (name === undefined) return base;
    if (part === 'hosts') {
      if (rest.length > 0) return ['_meta', 'hostvars', name, ...rest];
      const i = at.hosts?.get(String(name));
      return i === undefined ? base : i < 0 ? [group!] : [...base, i];
    }
    if (part === 'children') {
      const i = at.children?.get(String(name));
      return i === undefined ? base : [...base, i];
    }
    return path;
  };
  return {
    file,
    data,
    locate: (path) => ({ ...json.locate(jsonPath(path)), path: formatPath(path) }),
  };
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

/**
 * Whether parsed JSON is in the `--list` (script) form rather than the YAML shape: it has `_meta`,
 * or a group given as a list, or a group whose `hosts` or `children` is a list. (A `.json` file
 * in the YAML shape, with `hosts` mappings, is what Ansible's own yaml plugin reads.)
 */
export function isListJson(data: unknown): boolean {
  if (!isMapping(data)) return false;
  if ('_meta' in data) return true;
  return Object.values(data).some((g) => Array.isArray(g) || (isMapping(g) && (Array.isArray(g.hosts) || Array.isArray(g.children))));
}
