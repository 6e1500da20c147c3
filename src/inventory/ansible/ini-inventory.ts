/**
 * Ansible's INI inventory format, read as ansible-core 2.14's `ini` inventory plugin reads it
 * (lib/ansible/plugins/inventory/ini.py), into the YAML inventory's shape
 * `{group: {hosts: {name: vars|null}, vars: {...}, children: {child: null}}}` so that flatten()
 * reads it unchanged. Host patterns are expanded here (see parseIniInventory for why).
 *
 * The rules it borrows from Python are each in a file of their own, as Ansible uses them:
 * `str.splitlines` (python-lines.ts), `str.strip` (python-str.ts), `shlex.split(line,
 * comments=True)` for host lines (python-shlex.ts), and `_parse_value` for every value (ini-value.ts).
 */
import { InventoryError, type InventoryIssue, type SourceLocation } from '../../errors.js';
import { escapeUnshown, showText } from '../../shown.js';
import { formatPath, type InventorySource, type YamlPath } from '../source.js';
import { expandHostPattern } from './host-pattern.js';
import { IniValueProblem, parseIniValue } from './ini-value.js';
import { pythonSplitLines } from './python-lines.js';
import { ShlexError, shlexSplit, type ShlexWord } from '../../shell/python-shlex.js';
import { PY_SPACE, pythonStrip } from './python-str.js';

/** Host entries (a host in each group it is listed in) one file may expand to. */
export const MAX_INI_HOST_ENTRIES = 1_000_000;

const SECTION = new RegExp(`^\\[([^:\\]${PY_SPACE}]+)(?::([\\p{L}\\p{N}_]+))?\\][${PY_SPACE}]*(?:#.*)?$`, 'u');
const GROUP_NAME = new RegExp(`^([^:\\]${PY_SPACE}]+)[${PY_SPACE}]*(?:#.*)?$`, 'u');
const LEADING = new RegExp(`^[${PY_SPACE}]+`, 'u');
const PROTO = 'is not allowed: JavaScript objects cannot hold the name "__proto__"';

interface Loc {
  line: number;
  col: number;
}

interface Assigned {
  value: unknown;
  at: Loc;
}

interface IniGroup {
  at?: Loc;
  hosts: Map<string, Loc>;
  vars: Map<string, Assigned>;
  varsAt?: Loc;
  children: Map<string, Loc>;
  childrenAt?: Loc;
}

/**
 * Reads an INI inventory as Ansible 2.14's ini plugin does, or throws an InventoryError at the
 * first line Ansible refuses (every group left undefined at the end is listed).
 *
 * Host patterns are expanded here, not left as keys for the caller: Ansible keeps one variable
 * dict per host, set key by key in line order across every line that names the host (a host may
 * be named by two patterns, in two groups, in a section written twice), and a pattern's port
 * becomes ansible_port only when the host is first named. Only concrete names give the result;
 * each host's vars are written once, whole, at its first group in the data (they are host vars
 * either way). A caller must not expand these names again: most read back as themselves, but
 * where Ansible kept a `:port` in a name (its range was not one parse_address takes, so no port
 * was taken off: `"h[ 1:2]:22"` names `h1:22`), a second expansion would make it a port.
 *
 * `definedBefore` holds the groups of the inventory sources read before this one: Ansible checks
 * the group a [g:vars] section or a [p:children] line names against every group read so far, so
 * one an earlier `-i` source defines is defined here too (one a later source defines is not).
 *
 * Messages never quote a value, nor a word or line that is not key=value (it may be a password
 * cut off by a space): they point at it.
 */
export function parseIniInventory(file: string, text: string, definedBefore: ReadonlySet<string> = new Set()): InventorySource {
  // typed where it is declared, so that a call ends the flow for TypeScript
  const fail: (at: Loc, message: string, path?: YamlPath) => never = (at, message, path = []) => {
    throw new InventoryError([{ loc: { file, line: at.line, col: at.col, path: formatPath(path) }, message }]);
  };
  const groups = new Map<string, IniGroup>();
  const addGroup = (name: string): IniGroup => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { hosts: new Map(), vars: new Map(), children: new Map() }));
    return g;
  };
  addGroup('all');
  addGroup('ungrouped');
  const hostVars = new Map<string, Map<string, Assigned>>();
  /** groups named in :children before they are defined, and [g:vars] before [g] */
  const pending = new Map<string, { at: Loc; state: 'vars' | 'children'; parents: { name: string; at: Loc }[] }>();
  let entries = 0;

  let group = 'ungrouped';
  let state = 'hosts';
  /** a group name as messages show it */
  const shown = (name: string) => escapeUnshown(name);
  pythonSplitLines(text).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = pythonStrip(raw);
    const indent = LEADING.exec(raw)?.[0].length ?? 0;
    const at = (offset = 0): Loc => ({ line: lineNo, col: indent + offset + 1 });
    if (line === '' || line[0] === '#' || line[0] === ';') return;

    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      state = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) {
        fail(at(), `section ${showText(`[${group}:${state}]`)} has an unknown type ${showText(state)}: write [group], [group:vars] or [group:children]`);
      }
      if (group === '__proto__') fail(at(), `group name "__proto__" ${PROTO}`);
      if (!groups.has(group)) {
        // [g] or [g:children] defines a group; [g:vars] may only come before one
        if (state === 'vars' && !pending.has(group) && !definedBefore.has(group)) pending.set(group, { at: at(), state: 'vars', parents: [] });
        addGroup(group);
      }
      const g = groups.get(group)!;
      if (state === 'hosts') g.at ??= at();
      if (state === 'vars') g.varsAt ??= at();
      if (state === 'children') g.childrenAt ??= at();
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') for (const parent of waiting.parents) groups.get(parent.name)!.children.set(group, parent.at);
        pending.delete(group);
      }
      return;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(at(), `${showText(line)} is not a section header: write [group], [group:vars] or [group:children], with no spaces in the brackets`);
    }

    const g = groups.get(group)!;
    if (state === 'hosts') {
      g.at ??= at();
      let words: ShlexWord[];
      try {
        words = shlexSplit(line, { comments: true });
      } catch (err) {
        if (!(err instanceof ShlexError)) throw err;
        fail(at(err.at), err.message);
      }
      const first = words[0];
      if (!first) return; // a stripped line that is not a comment starts a word
      const expanded = expandHostPattern(first.text);
      if ('problem' in expanded) fail(at(first.at), `host pattern ${showText(first.text)}: ${expanded.problem}`);
      if (pythonStrip(first.text).endsWith(':')) {
        fail(at(first.at), `host pattern ${showText(first.text)} ends in ":" with no port after it: write host:port, or take the ":" off`);
      }
      if (expanded.hosts.some((h) => pythonStrip(h) === '---')) {
        fail(at(first.at), `host "---" is a YAML document start: this file is read as an INI inventory; a YAML inventory must be named .yml or .yaml`);
      }
      const vars = new Map<string, Assigned>();
      for (const [i, w] of words.slice(1).entries()) {
        const eq = w.text.indexOf('=');
        if (eq < 0) {
          const before = words[i]!.text;
          fail(
            at(w.at),
            before.endsWith('=') && i > 0
              ? `the word after ${showText(before)} is not key=value: a space ends a value, so quote a value that holds spaces (key="a b")`
              : 'this word is not key=value: after the host, a host line holds only variables written key=value (quote a value that holds spaces)',
          );
        }
        const key = w.text.slice(0, eq);
        if (key === '__proto__') fail(at(w.at), `variable name "__proto__" ${PROTO}`);
        let value: unknown;
        try {
          value = parseIniValue(w.text.slice(eq + 1));
        } catch (err) {
          if (!(err instanceof IniValueProblem)) throw err;
          fail(at(w.at), `the value of ${showText(key)} ${err.message}`);
        }
        vars.set(key, { value, at: at(w.at) });
      }
      entries += expanded.hosts.length;
      if (entries > MAX_INI_HOST_ENTRIES)
        fail(at(first.at), `this file lists more than ${MAX_INI_HOST_ENTRIES} hosts (counting a host once per group): check its host ranges`);
      for (const host of expanded.hosts) {
        if (host === '') fail(at(first.at), 'the host name is empty: write a name (or remove the empty quotes)');
        if (host === '__proto__') fail(at(first.at), `host name "__proto__" ${PROTO}`);
        let own = hostVars.get(host);
        if (!own) {
          hostVars.set(host, (own = new Map()));
          if (expanded.port) own.set('ansible_port', { value: expanded.port, at: at(first.at) });
        }
        if (!g.hosts.has(host)) g.hosts.set(host, at(first.at));
        for (const [k, v] of vars) own.set(k, v);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(at(), `this line has no "=": each line of a [${shown(group)}:vars] section sets one variable, key=value`);
      const key = pythonStrip(line.slice(0, eq));
      if (key === '__proto__') fail(at(), `variable name "__proto__" ${PROTO}`);
      try {
        g.vars.set(key, { value: parseIniValue(pythonStrip(line.slice(eq + 1))), at: at() });
      } catch (err) {
        if (!(err instanceof IniValueProblem)) throw err;
        fail(at(), `the value of ${showText(key)} ${err.message}`);
      }
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) fail(at(), `this line is not a group name: each line of a [${shown(group)}:children] section names one group (no spaces, ":" or "]")`);
      const child = m![1]!;
      if (child === '__proto__') fail(at(), `group name "__proto__" ${PROTO}`);
      if (groups.has(child) || definedBefore.has(child)) {
        if (!g.children.has(child)) g.children.set(child, at());
      } else {
        const waiting = pending.get(child);
        if (waiting) waiting.parents.push({ name: group, at: at() });
        else pending.set(child, { at: at(), state: 'children', parents: [{ name: group, at: at() }] });
      }
    }
  });

  if (pending.size > 0) {
    const issues: InventoryIssue[] = [...pending].map(([name, p]) => ({
      loc: { file, ...p.at, path: '' },
      message:
        p.state === 'vars'
          ? `section [${escapeUnshown(name)}:vars] sets variables of a group that is never defined: add a [${escapeUnshown(name)}] section (it may be empty) or a [${escapeUnshown(name)}:children] section, or give the inventory that defines it before this file`
          : `[${escapeUnshown(p.parents[0]!.name)}:children] names the group ${showText(name)}, which is never defined: add a [${escapeUnshown(name)}] section (it may be empty) or a [${escapeUnshown(name)}:children] section, or give the inventory that defines it before this file`,
    }));
    throw new InventoryError(issues.sort((a, b) => a.loc.line - b.loc.line));
  }
  return toSource(file, groups, hostVars);
}

/** The YAML shape, and a locate() from its paths back to the INI text. */
function toSource(file: string, groups: Map<string, IniGroup>, hostVars: Map<string, Map<string, Assigned>>): InventorySource {
  const data: Record<string, unknown> = {};
  const placed = new Set<string>();
  for (const [name, g] of groups) {
    const entry: Record<string, unknown> = {};
    if (g.hosts.size > 0) {
      const hosts: Record<string, unknown> = {};
      for (const h of g.hosts.keys()) {
        const own = hostVars.get(h)!;
        if (!placed.has(h) && own.size > 0) {
          hosts[h] = Object.fromEntries([...own].map(([k, v]) => [k, v.value]));
        } else hosts[h] = null;
        placed.add(h);
      }
      entry.hosts = hosts;
    }
    if (g.vars.size > 0) entry.vars = Object.fromEntries([...g.vars].map(([k, v]) => [k, v.value]));
    if (g.children.size > 0) entry.children = Object.fromEntries([...g.children.keys()].map((c) => [c, null]));
    // `all` and `ungrouped` are there whether written or not
    if (Object.keys(entry).length > 0 || g.at || g.varsAt || g.childrenAt) data[name] = Object.keys(entry).length > 0 ? entry : null;
  }
  const where = (path: YamlPath): Loc | undefined => {
    const [name, part, key, sub] = path.map(String);
    const g = name === undefined ? undefined : groups.get(name);
    if (!g) return undefined;
    const first = g.at ?? g.varsAt ?? g.childrenAt;
    if (part === 'hosts') {
      if (key === undefined) return g.at ?? first;
      const hostAt = g.hosts.get(key);
      if (sub === undefined || !hostAt) return hostAt ?? g.at;
      return hostVars.get(key)?.get(sub)?.at ?? hostAt;
    }
    if (part === 'vars') return (key === undefined ? undefined : g.vars.get(key)?.at) ?? g.varsAt ?? first;
    if (part === 'children') return (key === undefined ? undefined : g.children.get(key)) ?? g.childrenAt ?? first;
    return first;
  };
  const locate = (path: YamlPath): SourceLocation => {
    const at = where(path) ?? { line: 1, col: 1 };
    return { file, line: at.line, col: at.col, path: formatPath(path) };
  };
  return { file, data, locate };
}
