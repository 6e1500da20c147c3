import { UsageError } from '../../errors.js';
import { showText } from '../../shown.js';
import { dirName, hasEscapedBytes, pyStrip, resolvePath, unquote, type PathContext } from './ansible-cfg-python.js';

/**
 * config/manager.py ensure_type for the types our settings have. Where Ansible refuses a value
 * (an integer that is not one) we refuse it too; where it quietly takes a wrong one (any word it
 * does not know as a boolean is false) we refuse it, and say what Ansible would have done.
 */
export type CfgType = 'string' | 'boolean' | 'integer' | 'path' | 'pathlist' | 'list';

export interface CfgTypes {
  string: string;
  boolean: boolean;
  integer: number;
  path: string;
  pathlist: string[];
  list: string[];
}

/** A raw value and where it comes from: an environment variable, or a line of the config file. */
export interface RawValue {
  text: string;
  /** "ANSIBLE_TIMEOUT" or "/p/ansible.cfg:3 [defaults] timeout" */
  origin: string;
  /** the config file, when the value is written in it: relative paths are relative to its folder */
  file?: string;
}

/** module_utils/parsing/convert_bool.py */
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export function parseBoolean(raw: RawValue): boolean {
  const word = pyStrip(raw.text).toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  throw new UsageError(
    `${raw.origin}: ${showText(raw.text)} is not a boolean: use yes/no, true/false, on/off or 1/0 (y/n and t/f too, any case); ` +
      'Ansible 2.14 would quietly take it as false',
  );
}

/** Python's int() on a str, for ASCII digits: blanks around, a sign, `_` between digits. */
export function parseInteger(raw: RawValue): number {
  const t = pyStrip(raw.text);
  if (/^[+-]?[0-9]+(?:_[0-9]+)*$/.test(t)) {
    const n = Number(t.replaceAll('_', ''));
    if (Number.isSafeInteger(n)) return Object.is(n, -0) ? 0 : n;
  }
  throw new UsageError(
    `${raw.origin}: ${showText(raw.text)} is not a whole number: write digits, e.g. 30 (Ansible refuses it too: "Invalid type for configuration option")`,
  );
}

/** config/manager.py ensure_type: `raw` as Ansible reads a setting of `type`. */
export function convert<T extends CfgType>(type: T, raw: RawValue, ctx: PathContext): CfgTypes[T] {
  // a path in the config file is relative to the file's folder; one from the environment, to the current folder
  if (hasEscapedBytes(raw.text)) {
    throw new UsageError(`${raw.origin}: the value has bytes that are not UTF-8: save the file as UTF-8 (Ansible would pass the bytes on as they are)`);
  }
  const base = raw.file === undefined ? undefined : dirName(raw.file);
  const out: CfgTypes[CfgType] = (() => {
    switch (type) {
      case 'boolean':
        return parseBoolean(raw);
      case 'integer':
        return parseInteger(raw);
      case 'path':
        return resolvePath(raw.text, ctx, base);
      case 'pathlist':
        return raw.text.split(',').map((p) => resolvePath(pyStrip(p), ctx, base));
      case 'list':
        return raw.text.split(',').map((x) => unquote(pyStrip(x)));
      default:
        return unquote(raw.text);
    }
  })();
  return out as CfgTypes[T];
}
