import { UsageError } from '../../errors.js';
import { escapeUnshown, showText } from '../../shown.js';
import { pyIsSpace, pyRstrip, pyStrip, PY_WS } from './ansible-cfg-python.js';

/**
 * An ansible.cfg read as Ansible 2.14 reads it: Python 3's configparser.ConfigParser with
 * `inline_comment_prefixes=(';',)` and every other setting at its default (config/manager.py
 * _parse_config_file), values taken with `raw=True`:
 * - `key = value` and `key: value`, the first `=` or `:` ending the key; keys are lower-cased,
 *   section names are not (and not trimmed: `[ defaults ]` is another section);
 * - a line whose first non-blank character is `#` or `;` is a comment; `;` after a blank starts a
 *   comment on any line; `#` does not (`a = b # c` is "b # c");
 * - a line indented deeper than its key's line continues the value (joined with newlines; blank
 *   lines inside are kept, trailing ones dropped); a comment line inside is skipped;
 * - `[DEFAULT]` lends its keys to every section there is (not to a section the file lacks);
 * - no `%` interpolation (`%%h` stays `%%h`);
 * - a key twice in a section, a section twice, a key before any section, or a line that is none
 *   of the above makes the whole file unreadable (Ansible stops with "Error reading config file").
 */

export interface IniValue {
  value: string;
  /** the line of the key */
  line: number;
  /** the section it is written in (`DEFAULT` for a value lent by [DEFAULT]) */
  section: string;
  key: string;
}

export interface IniFile {
  file: string;
  sections: Map<string, Map<string, IniValue>>;
  defaults: Map<string, IniValue>;
}

export const DEFAULT_SECTION = 'DEFAULT';

/** configparser's OPTCRE on a stripped line: the key up to the first `=` or `:`, the value after. */
const OPTION = new RegExp(`^([^\\n]*?)[${PY_WS}]*([=:])[${PY_WS}]*([^\\n]*)$`);
const NONSPACE = new RegExp(`[^${PY_WS}]`);

function fail(file: string, line: number, problem: string): UsageError {
  return new UsageError(`${file}:${line}: ${problem} (Ansible stops at this file too: "Error reading config file")`);
}

/** Where a comment starts on the line, if it has one (configparser's loop over inline prefixes, then full-line prefixes). */
function commentStart(line: string): number | undefined {
  let start: number | undefined;
  for (let i = line.indexOf(';'); i >= 0; i = line.indexOf(';', i + 1)) {
    if (i === 0 || pyIsSpace(line[i - 1])) {
      start = i;
      break;
    }
  }
  const stripped = pyStrip(line);
  if (stripped.startsWith('#') || stripped.startsWith(';')) start = 0;
  return start;
}

/** The text of an ansible.cfg, as configparser reads it; a UsageError naming file:line where Ansible would refuse it. */
export function parseAnsibleIni(text: string, file: string): IniFile {
  const sections = new Map<string, Map<string, IniValue>>();
  const defaults = new Map<string, IniValue>();
  const parts = new Map<IniValue, string[]>();
  const added = new Set<string>();
  const bad: number[] = [];
  let cursect: Map<string, IniValue> | undefined;
  let sectname: string | undefined;
  let current: IniValue | undefined;
  let indentLevel = 0;

  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineno = index + 1;
    const cs = commentStart(raw);
    const value = pyStrip(cs === undefined ? raw : raw.slice(0, cs));
    if (value === '') {
      // empty_lines_in_values: a blank line (not a comment) may sit inside a value
      if (cs === undefined && cursect !== undefined && current !== undefined) parts.get(current)!.push('');
      return;
    }
    const indent = raw.search(NONSPACE);
    if (cursect !== undefined && current !== undefined && indent > indentLevel) {
      parts.get(current)!.push(value);
      return;
    }
    indentLevel = indent;
    const close = value.startsWith('[') ? value.lastIndexOf(']') : -1;
    if (close >= 2) {
      const name = value.slice(1, close);
      if (name === DEFAULT_SECTION) {
        cursect = defaults;
      } else {
        if (sections.has(name)) throw fail(file, lineno, `section [${escapeUnshown(name)}] is written twice: merge the two`);
        cursect = new Map();
        sections.set(name, cursect);
      }
      sectname = name;
      current = undefined;
      return;
    }
    if (cursect === undefined) {
      throw fail(file, lineno, `${showText(value)} comes before any [section]: put settings under [defaults] (or the section they belong to)`);
    }
    const m = OPTION.exec(value);
    if (m === null) {
      bad.push(lineno);
      return;
    }
    if (m[1] === '') bad.push(lineno);
    const key = pyRstrip(m[1]!).toLowerCase();
    const id = `${sectname}\u0000${key}`;
    if (added.has(id)) throw fail(file, lineno, `${escapeUnshown(key)} is written twice in [${escapeUnshown(sectname!)}]: keep one`);
    added.add(id);
    current = { value: '', line: lineno, section: sectname!, key };
    parts.set(current, [pyStrip(m[3]!)]);
    cursect.set(key, current);
  });
  if (bad.length > 0) {
    const first = bad[0]!;
    const more = bad.length > 1 ? ` (and line${bad.length > 2 ? 's' : ''} ${bad.slice(1).join(', ')})` : '';
    throw fail(file, first, `this line is not "key = value", a [section], a comment or an indented continuation${more}: fix or comment it out`);
  }
  for (const [v, p] of parts) v.value = pyRstrip(p.join('\n'));
  return { file, sections, defaults };
}

/** configparser get(section, key, raw=True): the section's own key, else [DEFAULT]'s, only when the section exists. */
export function iniGet(ini: IniFile, section: string, key: string): IniValue | undefined {
  if (section === DEFAULT_SECTION) return ini.defaults.get(key);
  const s = ini.sections.get(section);
  if (s === undefined) return undefined;
  return s.get(key) ?? ini.defaults.get(key);
}
