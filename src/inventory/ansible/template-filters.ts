import { Fail } from './template-error.js';
import { type Budget, LIMITS } from './template-limits.js';
import { regexSub } from './template-regex.js';
import {
  fail,
  failUndefined,
  HostVars,
  HostVarsOf,
  isSeq,
  NativeText,
  numOf,
  pyStr,
  pyStrip,
  type Py,
  seqItems,
  strOf,
  truthy,
  typeName,
  Undef,
} from './template-values.js';

/**
 * The filters and tests cnet-remote renders, each as Jinja2 3.1 or Ansible 2.14 computes it
 * (jinja2/filters.py, jinja2/tests.py, ansible/plugins/filter/core.py). Names Jinja2 or Ansible
 * know but we do not render are refused when reached; names neither knows are refused when the
 * template is read, as Jinja2 refuses them when it compiles.
 */

const JINJA_FILTERS =
  'abs attr batch capitalize center count d default dictsort e escape filesizeformat first float forceescape format groupby indent int items join last length list lower map max min pprint random reject rejectattr replace reverse round safe select selectattr slice sort string striptags sum title tojson trim truncate unique upper urlencode urlize wordcount wordwrap xmlattr';
const ANSIBLE_FILTERS =
  'b64decode b64encode basename bool checksum combinations combine comment dict2items difference dirname expanduser expandvars extract fileglob flatten from_json from_yaml from_yaml_all hash human_readable human_to_bytes intersect items2dict log mandatory md5 password_hash path_join permutations pow product quote random realpath regex_escape regex_findall regex_replace regex_search rekey_on_member relpath root sha1 shuffle split splitext strftime subelements symmetric_difference ternary to_datetime to_json to_nice_json to_nice_yaml to_uuid to_yaml type_debug union unique unvault urldecode urlsplit vault win_basename win_dirname win_splitdrive zip zip_longest';
const JINJA_TESTS =
  'boolean callable defined divisibleby eq equalto escaped even false filter float ge greaterthan gt in integer iterable le lessthan lower lt mapping ne none number odd sameas sequence string test true undefined upper';
const ANSIBLE_TESTS =
  'abs all any change changed contains directory exists failed failure falsy file finished is_abs is_dir is_file is_link is_mount is_same_file isnan issubset issuperset link link_exists match mount nan reachable regex same_file search skip skipped started subset succeeded success successful superset truthy unreachable uri url urn vault_encrypted version version_compare';

/** Jinja2's names, and Ansible's, which also answer to ansible.builtin.<name> (Jinja2's do not, in 2.14). */
function names(jinja: string, ansible: string): Set<string> {
  const a = ansible.split(' ');
  return new Set([...jinja.split(' '), ...a, ...a.map((n) => `ansible.builtin.${n}`)]);
}
const KNOWN_FILTERS = names(JINJA_FILTERS, ANSIBLE_FILTERS);
const KNOWN_TESTS = names(JINJA_TESTS, ANSIBLE_TESTS);

export const isKnownFilter = (name: string) => KNOWN_FILTERS.has(name);
export const isKnownTest = (name: string) => KNOWN_TESTS.has(name);

export interface FilterCall {
  value: Py;
  args: Py[];
  kwargs: [string, Py][];
  pos: number;
  budget: Budget;
}

/** Python's binding of arguments to parameters (name → default); a TypeError as a Fail. */
function bind(fn: string, params: [string, Py][], call: FilterCall): Py[] {
  if (call.args.length > params.length) fail(`${fn}() takes at most ${params.length} arguments (${call.args.length} given)`, call.pos);
  const out = params.map(([, d], i) => (i < call.args.length ? call.args[i]! : d));
  for (const [k, v] of call.kwargs) {
    const i = params.findIndex(([p]) => p === k);
    if (i < 0) fail(`${fn}() got an unexpected keyword argument '${k}'`, call.pos);
    if (i < call.args.length) fail(`${fn}() got multiple values for argument '${k}'`, call.pos);
    out[i] = v;
  }
  return out;
}

/** Python's str() of a value a string filter works on (an undefined one fails). */
const text = (v: Py, pos: number) => pyStr(v, pos);

/** What iterating a value gives in Python: items, characters, keys. */
function iterate(v: Py, pos: number): readonly Py[] {
  if (v instanceof Undef) return v.lenient ? [] : failUndefined(v);
  const s = strOf(v);
  if (s !== undefined) return Array.from(s);
  if (isSeq(v)) return seqItems(v);
  if (v instanceof Map) return [...v.keys()];
  if (v instanceof HostVars || v instanceof HostVarsOf) fail('hostvars cannot be iterated by cnet-remote: name one host and one variable', pos);
  return fail(`'${typeName(v)}' object is not iterable`, pos);
}

/** Python's int(text, base), or undefined for a ValueError. */
function parseBigInt(text: string, base: number): bigint | undefined {
  let s = pyStrip(text);
  let sign = 1n;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  const prefixes: Record<string, number> = { '0x': 16, '0o': 8, '0b': 2 };
  const pre = prefixes[s.slice(0, 2).toLowerCase()];
  if (base === 0) {
    base = pre ?? 10;
    if (pre === undefined && /^0+_?[1-9]/.test(s.replace(/_/g, ''))) return undefined; // 012 in base 0
  }
  if (pre !== undefined && pre === base) s = s.slice(2).replace(/^_/, '');
  if (base < 2 || base > 36 || s === '' || !/^[0-9a-z](?:_?[0-9a-z])*$/i.test(s)) return undefined;
  let n = 0n;
  for (const c of s.replace(/_/g, '').toLowerCase()) {
    const d = c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 87;
    if (d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
  }
  return sign * n;
}

/** Python's float(text), or undefined for a ValueError. */
function parsePythonFloat(text: string): number | undefined {
  const s = pyStrip(text);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/.test(s)) return undefined;
  return Number(s.replace(/_/g, ''));
}

/** Python's int(float): NaN is a ValueError (undefined), infinity an OverflowError. */
function floatToInt(f: number, pos: number): bigint | undefined {
  if (Number.isNaN(f)) return undefined;
  if (!Number.isFinite(f)) fail('cannot convert float infinity to integer', pos);
  return BigInt(Math.trunc(f));
}

function doInt(c: FilterCall): Py {
  const [dflt, baseArg] = bind(
    'do_int',
    [
      ['default', 0n],
      ['base', 10n],
    ],
    c,
  );
  const v = c.value;
  if (v instanceof Undef) failUndefined(v);
  const s = strOf(v);
  if (s !== undefined) {
    const base = typeof baseArg === 'bigint' || typeof baseArg === 'boolean' ? Number(numOf(baseArg)) : undefined;
    const n = base === undefined ? undefined : parseBigInt(s, base);
    if (n !== undefined) return n;
    const f = parsePythonFloat(s);
    return (f === undefined ? undefined : floatToInt(f, c.pos)) ?? dflt!;
  }
  const n = numOf(v);
  if (typeof n === 'bigint') return n;
  if (typeof n === 'number') return floatToInt(n, c.pos) ?? dflt!;
  return dflt!;
}

/** Ansible's bool filter (to_bool). */
function doBool(c: FilterCall): Py {
  bind('to_bool', [], c);
  const v = c.value;
  if (v instanceof Undef) return v.lenient ? false : failUndefined(v);
  if (v === null || typeof v === 'boolean') return v;
  const s = strOf(v);
  if (s !== undefined) return ['yes', 'on', '1', 'true'].includes(s.toLowerCase());
  const n = numOf(v);
  return n !== undefined && (n === 1n || n === 1);
}

/** Python's str.replace(old, new, count), by code point. */
function pyReplace(s: string, old: string, repl: string, count: number, pos: number): string {
  if (count === 0) return s;
  if (old === '') {
    const cps = Array.from(s);
    const n = count < 0 ? cps.length + 1 : Math.min(count, cps.length + 1);
    if (s.length + n * repl.length > LIMITS.stringLength) fail(`the result is longer than ${LIMITS.stringLength} characters`, pos);
    let out = '';
    for (let i = 0; i < cps.length; i++) out += (i < n ? repl : '') + cps[i];
    return out + (n > cps.length ? repl : '');
  }
  const pieces = s.split(old);
  const n = count < 0 ? pieces.length - 1 : Math.min(count, pieces.length - 1);
  if (s.length + n * (repl.length - old.length) > LIMITS.stringLength) fail(`the result is longer than ${LIMITS.stringLength} characters`, pos);
  return pieces.slice(0, n + 1).join(repl) + (n < pieces.length - 1 ? old + pieces.slice(n + 1).join(old) : '');
}

function doReplace(c: FilterCall): Py {
  const [old, repl, count] = bind(
    'do_replace',
    [
      ['old', null],
      ['new', null],
      ['count', null],
    ],
    c,
  );
  const s = text(c.value, c.pos);
  let n = -1;
  if (count !== null) {
    const k = numOf(count!);
    if (typeof k !== 'bigint') fail(`'${typeName(count!)}' object cannot be interpreted as an integer`, c.pos);
    n = k < 0n ? -1 : Number(k > 1n << 40n ? 1n << 40n : k);
  }
  return pyReplace(s, text(old!, c.pos), text(repl!, c.pos), n, c.pos);
}

function doJoin(c: FilterCall): Py {
  const [d, attribute] = bind(
    'do_join',
    [
      ['d', ''],
      ['attribute', null],
    ],
    c,
  );
  if (attribute !== null) fail("join's attribute argument is not supported by cnet-remote", c.pos);
  const items = iterate(c.value, c.pos);
  const sep = text(d!, c.pos);
  let length = 0;
  const parts = items.map((item) => {
    const s = text(item, c.pos);
    length += s.length + sep.length;
    if (length > LIMITS.stringLength) fail(`the result is longer than ${LIMITS.stringLength} characters`, c.pos);
    return s;
  });
  return parts.join(sep);
}

function doEnd(which: 'first' | 'last', c: FilterCall): Py {
  bind(`do_${which}`, [], c);
  const items = iterate(c.value, c.pos);
  if (items.length === 0) return new Undef(`No ${which} item, sequence was empty.`, c.pos);
  return which === 'first' ? items[0]! : items[items.length - 1]!;
}

function doLength(c: FilterCall): Py {
  bind('do_length', [], c);
  const v = c.value;
  if (v instanceof Undef) return v.lenient ? 0n : failUndefined(v);
  const s = strOf(v);
  if (s !== undefined) return BigInt(Array.from(s).length);
  if (isSeq(v)) return BigInt(seqItems(v).length);
  if (v instanceof Map) return BigInt(v.size);
  if (v instanceof HostVars || v instanceof HostVarsOf) return fail('the length of hostvars is not supported by cnet-remote', c.pos);
  return fail(`object of type '${typeName(v)}' has no len()`, c.pos);
}

function doTrim(c: FilterCall): Py {
  const [chars] = bind('do_trim', [['chars', null]], c);
  const s = text(c.value, c.pos);
  if (chars === null) return pyStrip(s);
  const set = strOf(chars!);
  if (set === undefined) fail(`strip arg must be None or str`, c.pos);
  return pyStrip(s, set);
}

function doRegexReplace(c: FilterCall): Py {
  const [pattern, replacement, ignorecase, multiline] = bind(
    'regex_replace',
    [
      ['pattern', ''],
      ['replacement', ''],
      ['ignorecase', false],
      ['multiline', false],
    ],
    c,
  );
  const s = text(c.value, c.pos);
  const p = strOf(pattern!);
  const r = strOf(replacement!);
  if (p === undefined) fail(`regex_replace: the pattern must be a string, not '${typeName(pattern!)}'`, c.pos);
  if (r === undefined) fail(`regex_replace: the replacement must be a string, not '${typeName(replacement!)}'`, c.pos);
  const flags = { ignorecase: truthy(ignorecase!), multiline: truthy(multiline!) };
  return regexSub(p, r, s, flags, c.budget, c.pos, LIMITS.stringLength);
}

const FILTERS: Record<string, (c: FilterCall) => Py> = {
  default: (c) => {
    const [dflt, boolean] = bind(
      'do_default',
      [
        ['default_value', ''],
        ['boolean', false],
      ],
      c,
    );
    return c.value instanceof Undef || (truthy(boolean!) && !truthy(c.value)) ? dflt! : c.value;
  },
  int: doInt,
  string: (c) => {
    bind('do_string', [], c);
    return new NativeText(text(c.value, c.pos));
  },
  lower: (c) => {
    bind('do_lower', [], c);
    return text(c.value, c.pos).toLowerCase();
  },
  upper: (c) => {
    bind('do_upper', [], c);
    return text(c.value, c.pos).toUpperCase();
  },
  trim: doTrim,
  bool: doBool,
  replace: doReplace,
  join: doJoin,
  first: (c) => doEnd('first', c),
  last: (c) => doEnd('last', c),
  length: doLength,
  regex_replace: doRegexReplace,
};
FILTERS.d = FILTERS.default!;
FILTERS.count = FILTERS.length!;
FILTERS['ansible.builtin.bool'] = FILTERS.bool!;
FILTERS['ansible.builtin.regex_replace'] = FILTERS.regex_replace!;

export const SUPPORTED_FILTERS = 'default (d), int, string, lower, upper, trim, bool, replace, join, first, last, length (count), regex_replace';

export function applyFilter(name: string, c: FilterCall): Py {
  const f = FILTERS[name];
  if (!f) {
    throw new Fail(
      `the filter '${name}' is not supported by cnet-remote's templates (it renders ${SUPPORTED_FILTERS}): compute the value into the inventory instead`,
      c.pos,
    );
  }
  return f(c);
}

export function applyTest(name: string, c: FilterCall): boolean {
  const tests: Record<string, (v: Py) => boolean> = {
    defined: (v) => !(v instanceof Undef),
    undefined: (v) => v instanceof Undef,
    none: (v) => v === null,
  };
  const t = tests[name];
  if (!t) throw new Fail(`the test '${name}' is not supported by cnet-remote's templates (it renders is defined, is undefined, is none)`, c.pos);
  bind(`test_${name}`, [], c);
  return t(c.value);
}
