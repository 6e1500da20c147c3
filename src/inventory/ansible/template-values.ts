import { Fail } from './template-error.js';
import { LIMITS } from './template-limits.js';

/**
 * Values inside the template engine, with Python's types as Jinja2 sees them: int (bigint) and
 * float (number) apart, tuples apart from lists, mappings in insertion order. Raw inventory values
 * are turned into these when a template reaches them, and back (toJS) when a rendering is done.
 */

/** A Python tuple: `(1, 2)`, `{{ a, b }}`. */
export class PyTuple {
  constructor(readonly items: readonly Py[]) {}
}

/** A str that Ansible keeps a str when it is the whole template (the `string` filter's NativeJinjaText). */
export class NativeText {
  constructor(readonly text: string) {}
}

/**
 * Jinja2's Undefined: harmless until used; then its message is the error. Ansible's is strict
 * (printing or testing it fails); `lenient` is Jinja2's plain Undefined, which an `x if c`
 * without else gives: it prints as '', is false, empty, and equal only to another.
 */
export class Undef {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly lenient = false,
  ) {}
}

/** The `hostvars` magic variable. */
export class HostVars {}

/** `hostvars[host]`: that host's variables, each rendered in that host's context when read. */
export class HostVarsOf {
  constructor(readonly host: string) {}
}

/** A global function of Ansible's templates (`lookup`, `query`, `range`, …). */
export class Global {
  constructor(readonly name: string) {}
}

export type PyDict = Map<string, Py>;
export type Py = null | boolean | bigint | number | string | NativeText | Py[] | PyTuple | PyDict | Undef | HostVars | HostVarsOf | Global;

export function fail(problem: string, offset: number): never {
  throw new Fail(problem, offset);
}

export function failUndefined(u: Undef): never {
  throw new Fail(u.message, u.offset, 'undefined');
}

/** The text of a str (NativeText included), else undefined. */
export function strOf(v: Py): string | undefined {
  return typeof v === 'string' ? v : v instanceof NativeText ? v.text : undefined;
}

export const isDict = (v: Py): v is PyDict => v instanceof Map;
export const isSeq = (v: Py): v is Py[] | PyTuple => Array.isArray(v) || v instanceof PyTuple;
export const seqItems = (v: Py[] | PyTuple): readonly Py[] => (Array.isArray(v) ? v : v.items);

/** Python's type name, as its error messages show it. */
export function typeName(v: Py): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (strOf(v) !== undefined) return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof Map) return 'dict';
  if (v instanceof Undef) return 'AnsibleUndefined';
  if (v instanceof HostVars) return 'HostVars';
  if (v instanceof HostVarsOf) return 'HostVarsVars';
  return 'function';
}

/** Jinja2's object_type_repr: how an undefined attribute's owner is named. */
export function objectTypeRepr(v: Py): string {
  if (v === null) return 'None';
  if (v instanceof HostVars) return 'ansible.vars.hostvars.HostVars object';
  if (v instanceof HostVarsOf) return 'ansible.vars.hostvars.HostVarsVars object';
  return `${typeName(v)} object`;
}

/** A number as Python arithmetic sees it (bool is an int), or undefined. */
export function numOf(v: Py): bigint | number | undefined {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  return undefined;
}

/** A JS number from an inventory as Python would hold it: whole numbers are ints. */
export function fromJSNumber(n: number): bigint | number {
  return Number.isSafeInteger(n) ? BigInt(n) : n;
}

export function truthy(v: Py): boolean {
  if (v instanceof Undef) return v.lenient ? false : failUndefined(v);
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0; // NaN is true in Python, and here
  const s = strOf(v);
  if (s !== undefined) return s.length > 0;
  if (isSeq(v)) return seqItems(v).length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** Python's whitespace (str.isspace, and `\s` in str patterns). */
export const PY_SPACE =
  '\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const PY_SPACE_SET = new Set(PY_SPACE);
export const isPySpace = (c: string) => PY_SPACE_SET.has(c);

/** Python's str.strip / lstrip / rstrip: whitespace, or the characters in `chars`. */
export function pyStrip(s: string, chars?: string, side: 'both' | 'left' | 'right' = 'both'): string {
  const drop = chars === undefined ? isPySpace : (c: string) => chars.includes(c);
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (side !== 'right') while (a < b && drop(cps[a]!)) a++;
  if (side !== 'left') while (b > a && drop(cps[b - 1]!)) b--;
  return cps.slice(a, b).join('');
}

/** Python's repr of a float (shortest round-trip digits, exponent outside 1e-4 ≤ |x| < 1e16). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}.${frac || '0'}`;
}

const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr of a str. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x7f || c === ' ' || !UNPRINTABLE.test(c)) out += c;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** Builds a repr piece by piece, refusing one longer than any string a template may make. */
class Out {
  parts: string[] = [];
  length = 0;
  constructor(private offset: number) {}
  add(s: string): void {
    this.length += s.length;
    if (this.length > LIMITS.stringLength) fail(`the result is longer than ${LIMITS.stringLength} characters`, this.offset);
    this.parts.push(s);
  }
}

function reprInto(v: Py, out: Out, depth: number, offset: number): void {
  if (depth > LIMITS.valueDepth) fail(`a value nested more than ${LIMITS.valueDepth} deep cannot be shown as text`, offset);
  const s = strOf(v);
  if (s !== undefined) {
    out.add(strRepr(s));
    return;
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = seqItems(v);
    out.add(Array.isArray(v) ? '[' : '(');
    items.forEach((item, i) => {
      if (i > 0) out.add(', ');
      reprInto(item, out, depth + 1, offset);
    });
    out.add(Array.isArray(v) ? ']' : items.length === 1 ? ',)' : ')');
    return;
  }
  if (v instanceof Map) {
    out.add('{');
    let first = true;
    for (const [k, item] of v) {
      if (!first) out.add(', ');
      first = false;
      out.add(strRepr(k));
      out.add(': ');
      reprInto(item, out, depth + 1, offset);
    }
    out.add('}');
    return;
  }
  out.add(scalarStr(v, offset, true));
}

function scalarStr(v: Py, offset: number, repr = false): string {
  if (v instanceof Undef && v.lenient) return repr ? 'Undefined' : '';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return floatRepr(v);
  if (v instanceof Undef) failUndefined(v);
  if (v instanceof HostVars || v instanceof HostVarsOf) {
    return fail('hostvars cannot be shown as text: name one variable, as in hostvars[host].name', offset);
  }
  return fail(`${(v as Global).name} is a function: call it`, offset);
}

/** Python's str(v): what `~`, string filters and the rendered text use. */
export function pyStr(v: Py, offset: number): string {
  const s = strOf(v);
  if (s !== undefined) return s;
  if (isSeq(v) || v instanceof Map) return pyRepr(v, offset);
  return scalarStr(v, offset);
}

export function pyRepr(v: Py, offset: number): string {
  const out = new Out(offset);
  reprInto(v, out, 0, offset);
  return out.parts.join('');
}

/** Compares an int and a float exactly, as Python does: <0, 0, >0, or NaN when unordered. */
function compareIntFloat(a: bigint, f: number): number {
  if (Number.isNaN(f)) return NaN;
  if (!Number.isFinite(f)) return f > 0 ? -1 : 1;
  const fl = Math.floor(f);
  const bf = BigInt(fl);
  if (a < bf) return -1;
  if (a > bf) return 1;
  return f === fl ? 0 : -1;
}

/** Compares two numbers (bool as int): <0, 0, >0, NaN when unordered. */
export function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  if (typeof a === 'bigint') return compareIntFloat(a, b as number);
  return -compareIntFloat(b as bigint, a);
}

/** Compares strings by code point, as Python does (JS compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Python's ==. An undefined value fails, as Ansible's strict Undefined does. */
export function pyEq(a: Py, b: Py, offset: number, depth = 0): boolean {
  if (a instanceof Undef && !a.lenient) failUndefined(a);
  if (b instanceof Undef && !b.lenient) failUndefined(b);
  if (a instanceof Undef || b instanceof Undef) return a instanceof Undef && b instanceof Undef;
  if (depth > LIMITS.valueDepth) fail(`values nested more than ${LIMITS.valueDepth} deep cannot be compared`, offset);
  const na = numOf(a);
  const nb = numOf(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  const sa = strOf(a);
  const sb = strOf(b);
  if (sa !== undefined || sb !== undefined) return sa === sb;
  if (a === null || b === null) return a === b;
  if ((Array.isArray(a) && Array.isArray(b)) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const x = seqItems(a);
    const y = seqItems(b);
    return x.length === y.length && x.every((item, i) => pyEq(item, y[i]!, offset, depth + 1));
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !pyEq(v, b.get(k)!, offset, depth + 1)) return false;
    return true;
  }
  if (a instanceof HostVarsOf && b instanceof HostVarsOf) return a.host === b.host;
  return a === b;
}

/** Python's <, <=, >, >= (a TypeError for types that have no order between them). */
export function pyOrder(a: Py, b: Py, op: '<' | '<=' | '>' | '>=', offset: number, depth = 0): boolean {
  const c = pyCompare(a, b, op, offset, depth);
  if (Number.isNaN(c)) return false;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function pyCompare(a: Py, b: Py, op: string, offset: number, depth: number): number {
  if (a instanceof Undef) failUndefined(a);
  if (b instanceof Undef) failUndefined(b);
  if (depth > LIMITS.valueDepth) fail(`values nested more than ${LIMITS.valueDepth} deep cannot be compared`, offset);
  const na = numOf(a);
  const nb = numOf(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
  const sa = strOf(a);
  const sb = strOf(b);
  if (sa !== undefined && sb !== undefined) return compareStrings(sa, sb);
  if ((Array.isArray(a) && Array.isArray(b)) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const x = seqItems(a);
    const y = seqItems(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (!pyEq(x[i]!, y[i]!, offset, depth + 1)) return pyCompare(x[i]!, y[i]!, op, offset, depth + 1);
    }
    return x.length - y.length;
  }
  return fail(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`, offset);
}

/** A JS value for the caller: ints and floats become numbers, tuples arrays, mappings plain objects. */
export function toJS(v: Py, offset: number, depth = 0): unknown {
  if (depth > LIMITS.valueDepth) fail(`a value nested more than ${LIMITS.valueDepth} deep`, offset);
  if (typeof v === 'number' && !Number.isFinite(v)) return fail(`the result holds the float ${floatRepr(v)}, which cnet-remote cannot use`, offset);
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      return fail(`the integer result ${v} is too large for cnet-remote (at most ${Number.MAX_SAFE_INTEGER})`, offset);
    }
    return Number(v);
  }
  if (v instanceof NativeText) return v.text;
  if (isSeq(v)) return seqItems(v).map((item) => toJS(item, offset, depth + 1));
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, item] of v) Object.defineProperty(o, k, { value: toJS(item, offset, depth + 1), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return scalarStr(v, offset);
}
