/**
 * Ansible's INI inventory format, read as ansible-core 2.14's `ini` inventory plugin reads it
 * (lib/ansible/plugins/inventory/ini.py), into the YAML inventory's shape
 * `{group: {hosts: {name: vars|null}, vars: {...}, children: {child: null}}}` so that flatten()
 * reads it unchanged. Host patterns are expanded here (see parseIniInventory for why).
 *
 * The three rules it borrows from Python are here too, each as Ansible uses it: `str.splitlines`
 * (lines), `shlex.split(line, comments=True)` (host lines) and `ast.literal_eval` (every value).
 */
import { InventoryError, type InventoryIssue, type SourceLocation } from '../../errors.js';
import { escapeUnshown, showText } from '../names.js';
import { formatPath, type InventorySource, type YamlPath } from '../source.js';
import { expandHostPattern, pythonStrip } from './host-pattern.js';

/** Host entries (a host in each group it is listed in) one file may expand to. */
export const MAX_INI_HOST_ENTRIES = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Python's str.splitlines(): \r\n, and each of these alone, end a line.

const LINE_END = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;

function splitLines(text: string): string[] {
  const lines = text.split(LINE_END);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return text === '' ? [] : lines;
}

// ---------------------------------------------------------------------------------------------
// shlex.split(line, comments=True) (Python 3.11, posix, whitespace_split): each word and where it starts.

interface Word {
  text: string;
  at: number;
}

class LineProblem extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

function shlexSplit(line: string): Word[] {
  const SPACE = ' \t\r\n';
  const words: Word[] = [];
  // ' ': between words; 'a': in a word; a quote: inside it; '\\': after a backslash
  let state = ' ';
  let escaped = ' ';
  let word = '';
  let quoted = false;
  let start = 0;
  let quoteAt = 0;
  let slashAt = 0;
  const emit = () => {
    if (word || quoted) words.push({ text: word, at: start });
    word = '';
    quoted = false;
  };
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line[i]! : '';
    if (state === ' ') {
      if (c === '') break;
      if (SPACE.includes(c)) continue;
      if (c === '#') break; // the rest of the line is a comment
      start = i;
      if (c === '\\') [escaped, state, slashAt] = ['a', c, i];
      else if (c === '"' || c === "'") [state, quoteAt] = [c, i];
      else [word, state] = [c, 'a'];
    } else if (state === "'" || state === '"') {
      quoted = true;
      if (c === '') throw new LineProblem(quoteAt, 'the quote opened here is never closed: close it');
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') [escaped, state, slashAt] = [state, c, i];
      else word += c;
    } else if (state === '\\') {
      if (c === '') throw new LineProblem(slashAt, 'a backslash ends the line: remove it, or write \\\\ for a backslash');
      // in double quotes, a backslash escapes only a double quote or a backslash
      if (escaped === '"' && c !== '\\' && c !== '"') word += '\\';
      word += c;
      state = escaped;
    } else {
      if (c === '' || c === '#') {
        emit();
        break;
      }
      if (SPACE.includes(c)) {
        emit();
        state = ' ';
      } else if (c === '"' || c === "'") [state, quoteAt] = [c, i];
      else if (c === '\\') [escaped, state, slashAt] = ['a', c, i];
      else word += c;
    }
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// ast.literal_eval (Python 3.11), as the ini plugin's _parse_value uses it: a value that is not a
// Python literal stays the text it is. Literals JSON cannot hold (complex numbers, sets, Ellipsis,
// bytes inside a structure, tuples as keys) are refused: Ansible's own `--list` fails on them.

type Py =
  | { t: 'str'; v: string }
  | { t: 'bytes'; v: number[] }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'complex' }
  | { t: 'ellipsis' }
  | { t: 'tuple' | 'list' | 'set'; items: Py[] }
  | { t: 'dict'; entries: [Py, Py][] };

/** a node literal_eval does not accept, or text Python does not parse: the value stays text */
const NOT_LITERAL = Symbol('not a literal');

class ValueProblem extends Error {}

type Tok = { k: 'op'; v: string } | { k: 'num'; v: Py } | { k: 'str'; bytes: boolean; fstring: boolean; raw: number[] } | { k: 'name'; v: string };

const NUMBER = new RegExp(
  [
    '(?<imag>(?:[0-9](?:_?[0-9])*\\.(?:[0-9](?:_?[0-9])*)?|\\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?[jJ]|[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?[jJ])',
    '(?<float>(?:[0-9](?:_?[0-9])*\\.(?:[0-9](?:_?[0-9])*)?|\\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*[eE][-+]?[0-9](?:_?[0-9])*)',
    '(?<hex>0[xX](?:_?[0-9a-fA-F])+)',
    '(?<bin>0[bB](?:_?[01])+)',
    '(?<oct>0[oO](?:_?[0-7])+)',
    '(?<dec>0(?:_?0)*|[1-9](?:_?[0-9])*)',
  ].join('|'),
  'y',
);
const IDENT = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]*/uy;
const IDENT_CHAR = /[\p{L}\p{N}\p{Mn}\p{Mc}\p{Pc}_]/u;
const STRING_PREFIX = new Set(['', 'r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf']);
const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** One string literal's body, escapes resolved: code points (str) or byte values (bytes). */
function unescape(body: string, raw: boolean, bytes: boolean): number[] {
  const out: number[] = [];
  const cps = [...body].map((c) => c.codePointAt(0)!);
  if (bytes && cps.some((c) => c > 0x7f)) throw NOT_LITERAL; // bytes can only contain ASCII literal characters
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c !== 0x5c || raw) {
      out.push(c);
      continue;
    }
    if (++i >= cps.length) throw NOT_LITERAL;
    const e = String.fromCodePoint(cps[i]!);
    const hex = (n: number) => {
      const h = String.fromCodePoint(...cps.slice(i + 1, i + 1 + n));
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw NOT_LITERAL; // truncated escape
      i += n;
      return parseInt(h, 16);
    };
    if (e in SIMPLE_ESCAPES) out.push(SIMPLE_ESCAPES[e]!);
    else if (/[0-7]/.test(e)) {
      let n = e;
      while (n.length < 3 && /[0-7]/.test(String.fromCodePoint(cps[i + 1] ?? 0))) n += String.fromCodePoint(cps[++i]!);
      const v = parseInt(n, 8);
      out.push(bytes ? v & 0xff : v);
    } else if (e === 'x') out.push(hex(2));
    else if (e === 'u' && !bytes) out.push(hex(4));
    else if (e === 'U' && !bytes) {
      const v = hex(8);
      if (v > 0x10ffff) throw NOT_LITERAL;
      out.push(v);
    } else if (e === 'N' && !bytes) throw new ValueProblem('holds a \\N{...} escape, which cnet-remote does not read: write the character itself');
    else out.push(0x5c, e.codePointAt(0)!); // an unknown escape keeps its backslash
  }
  return out;
}

/** String.fromCodePoint for any number of code points (a spread of a long value overflows the stack) */
function fromCodePoints(cps: number[]): string {
  let out = '';
  for (let i = 0; i < cps.length; i += 4096) out += String.fromCodePoint(...cps.slice(i, i + 4096));
  return out;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const readString = (prefix: string) => {
    const q = src.startsWith(src[i]!.repeat(3), i) ? src[i]!.repeat(3) : src[i]!;
    let j = i + q.length;
    const from = j;
    while (j < src.length && !src.startsWith(q, j)) j += src[j] === '\\' ? 2 : 1;
    if (j >= src.length) throw NOT_LITERAL; // never closed
    const body = src.slice(from, j);
    i = j + q.length;
    const bytes = prefix.includes('b');
    // an f-string is not a constant: literal_eval refuses it when it reaches it
    const fstring = prefix.includes('f');
    const cps = fstring ? [] : unescape(body, prefix.includes('r'), bytes);
    toks.push({ k: 'str', bytes, fstring, raw: cps });
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '"' || c === "'") {
      readString('');
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) throw NOT_LITERAL;
      i += m[0].length;
      if (IDENT_CHAR.test(String.fromCodePoint(src.codePointAt(i) ?? 0x20))) throw NOT_LITERAL; // invalid decimal literal
      const g = m.groups!;
      const digits = m[0].replaceAll('_', '');
      if (g.imag) toks.push({ k: 'num', v: { t: 'complex' } });
      else if (g.float) toks.push({ k: 'num', v: { t: 'float', v: Number(digits) } });
      else if (g.dec) toks.push({ k: 'num', v: { t: 'int', v: BigInt(digits) } });
      else toks.push({ k: 'num', v: { t: 'int', v: BigInt(digits.toLowerCase()) } });
      continue;
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(src);
    if (id) {
      i += id[0].length;
      if ((src[i] === '"' || src[i] === "'") && STRING_PREFIX.has(id[0].toLowerCase())) readString(id[0].toLowerCase());
      else toks.push({ k: 'name', v: id[0] });
      continue;
    }
    if (src.startsWith('...', i)) {
      toks.push({ k: 'op', v: '...' });
      i += 3;
      continue;
    }
    if ('()[]{},:+-'.includes(c) && !('+-:'.includes(c) && (src[i + 1] === '=' || (c === '-' && src[i + 1] === '>')))) {
      toks.push({ k: 'op', v: c });
      i++;
      continue;
    }
    throw NOT_LITERAL;
  }
  return toks;
}

/**
 * A parsed node: a constant, a signed number, a display, or `bad`: a name or a sum literal_eval
 * refuses when it reaches it. It converts in Python's order, so `{[]: 1, 2: x}` fails on the
 * unhashable key before it reaches `x`, as Python does. Parentheses make no node (nor in Python's AST).
 */
type Node =
  | { k: 'const'; v: Py }
  | { k: 'signed'; v: Py }
  | { k: 'sum' }
  | { k: 'bad' }
  | { k: 'display'; t: 'tuple' | 'list' | 'set'; items: Node[] }
  | { k: 'dict'; entries: [Node, Node][] };

const isNum = (p: Py) => p.t === 'int' || p.t === 'float' || p.t === 'complex';

function parseLiteral(src: string): Py {
  if (src.includes('\0')) throw NOT_LITERAL; // source code cannot contain null bytes
  const toks = tokenize(src.replace(/^[ \t]+/, ''));
  let p = 0;
  let depth = 0;
  const peek = (v: string) => {
    const t = toks[p];
    return t !== undefined && t.k === 'op' && t.v === v;
  };
  const take = (v: string) => {
    if (!peek(v)) throw NOT_LITERAL;
    p++;
  };
  const open = (v: string) => {
    if (++depth > 200) throw NOT_LITERAL; // too many nested parentheses
    take(v);
  };
  /** items separated by commas up to `close`; whether a comma was written */
  const items = (close: string, item: () => void): boolean => {
    let comma = false;
    while (!peek(close)) {
      item();
      if (peek(close)) break;
      take(',');
      comma = true;
    }
    take(close);
    depth--;
    return comma;
  };
  const atom = (): Node => {
    const t = toks[p];
    if (!t) throw NOT_LITERAL;
    let node: Node;
    if (t.k === 'num') {
      p++;
      node = { k: 'const', v: t.v };
    } else if (t.k === 'str') {
      // adjacent literals are one: 'a' "b" is 'ab'; bytes and str do not mix
      const cps: number[] = [];
      const bytes = t.bytes;
      let fstring = false;
      while (toks[p]?.k === 'str') {
        const s = toks[p++] as Extract<Tok, { k: 'str' }>;
        if (s.bytes !== bytes) throw NOT_LITERAL;
        fstring ||= s.fstring;
        for (const c of s.raw) cps.push(c);
      }
      node = fstring ? { k: 'bad' } : { k: 'const', v: bytes ? { t: 'bytes', v: cps } : { t: 'str', v: fromCodePoints(cps) } };
    } else if (t.k === 'name') {
      p++;
      if (t.v === 'True' || t.v === 'False') node = { k: 'const', v: { t: 'bool', v: t.v === 'True' } };
      else if (t.v === 'None') node = { k: 'const', v: { t: 'none' } };
      else if (t.v === 'set' && peek('(') && toks[p + 1]?.k === 'op' && (toks[p + 1] as { v: string }).v === ')') {
        p += 2;
        node = { k: 'display', t: 'set', items: [] };
      } else node = { k: 'bad' };
    } else if (t.v === '...') {
      p++;
      node = { k: 'const', v: { t: 'ellipsis' } };
    } else if (t.v === '(') {
      open('(');
      if (peek(')')) {
        p++;
        depth--;
        node = { k: 'display', t: 'tuple', items: [] };
      } else {
        node = tupleOrExpr();
        take(')');
        depth--;
      }
    } else if (t.v === '[') {
      open('[');
      const list: Node[] = [];
      items(']', () => list.push(expr()));
      node = { k: 'display', t: 'list', items: list };
    } else if (t.v === '{') {
      open('{');
      if (peek('}')) {
        p++;
        depth--;
        node = { k: 'dict', entries: [] };
      } else {
        const first = expr();
        if (peek(':')) {
          p++;
          const entries: [Node, Node][] = [[first, expr()]];
          if (!peek('}')) take(',');
          items('}', () => {
            const k = expr();
            take(':');
            entries.push([k, expr()]);
          });
          node = { k: 'dict', entries };
        } else {
          const set: Node[] = [first];
          if (!peek('}')) take(',');
          items('}', () => set.push(expr()));
          node = { k: 'display', t: 'set', items: set };
        }
      }
    } else throw NOT_LITERAL;
    // a call, subscript or attribute after it is not a literal
    if (peek('(') || peek('[')) throw NOT_LITERAL;
    return node;
  };
  const factor = (): Node => {
    if (peek('+') || peek('-')) {
      const minus = peek('-');
      p++;
      const inner = factor();
      if (inner.k !== 'const' || !isNum(inner.v)) return { k: 'bad' };
      const v = inner.v;
      if (!minus || v.t === 'complex') return { k: 'signed', v };
      return { k: 'signed', v: v.t === 'int' ? { t: 'int', v: -v.v } : { t: 'float', v: -(v as { v: number }).v } };
    }
    return atom();
  };
  /** `a + bj` / `a - bj` is the only sum literal_eval takes: a (signed) real and an unsigned imaginary */
  const expr = (): Node => {
    let left = factor();
    while (peek('+') || peek('-')) {
      p++;
      const right = factor();
      const real = (left.k === 'const' || left.k === 'signed') && (left.v.t === 'int' || left.v.t === 'float');
      left = real && right.k === 'const' && right.v.t === 'complex' ? { k: 'sum' } : { k: 'bad' };
    }
    return left;
  };
  const tupleOrExpr = (): Node => {
    const first = expr();
    if (!peek(',')) return first;
    const list = [first];
    while (peek(',')) {
      p++;
      if (p >= toks.length || peek(')')) break;
      list.push(expr());
    }
    return { k: 'display', t: 'tuple', items: list };
  };
  const node = tupleOrExpr();
  if (p !== toks.length) throw NOT_LITERAL;
  /** a dict key or set member Python cannot hash: its TypeError, when the member is added */
  const hashable = (x: Py): Py => {
    if (x.t === 'list' || x.t === 'dict' || x.t === 'set') throw new ValueProblem(`holds a ${x.t} as a dict key or set member, which Python refuses (unhashable type: '${x.t}')`);
    if (x.t === 'tuple') x.items.forEach(hashable);
    return x;
  };
  const convert = (n: Node): Py => {
    if (n.k === 'const' || n.k === 'signed') return n.v;
    if (n.k === 'sum') return { t: 'complex' };
    if (n.k === 'bad') throw NOT_LITERAL;
    if (n.k === 'display') return { t: n.t, items: n.items.map((x) => (n.t === 'set' ? hashable(convert(x)) : convert(x))) };
    return {
      t: 'dict',
      entries: n.entries.map(([k, v]) => {
        const key = convert(k);
        const value = convert(v);
        return [hashable(key), value];
      }),
    };
  };
  return convert(node);
}

/**
 * Python's `bytes.decode('utf-8', 'surrogateescape')`, as to_text() reads bytes: each byte of an
 * invalid sequence (its maximal part, as Python and WHATWG find it) becomes U+DC00 + the byte.
 */
function surrogateEscape(bytes: number[]): string {
  const cps: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 1) {
      cps.push(bytes[i++]!);
      continue;
    }
    // the second byte's range is narrower after E0, ED, F0, F4 (no overlongs, surrogates, or past U+10FFFF)
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    let n = 1;
    while (len > 0 && n < len) {
      const c = bytes[i + n];
      if (c === undefined || c < (n === 1 ? lo : 0x80) || c > (n === 1 ? hi : 0xbf)) break;
      n++;
    }
    if (len > 0 && n === len) {
      let cp = b & (0xff >> (len + 1));
      for (let k = 1; k < len; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
      cps.push(cp);
      i += len;
    } else {
      for (let k = 0; k < n; k++) cps.push(0xdc00 + bytes[i + k]!);
      i += n;
    }
  }
  return fromCodePoints(cps);
}

/** Python's float repr, as JSON writes a float dict key. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.padEnd(exp + 1, '0');
  return `${sign}${whole.slice(0, exp + 1)}.${whole.slice(exp + 1) || '0'}`;
}

const KIND: Partial<Record<Py['t'], string>> = { complex: 'complex number', ellipsis: 'Ellipsis (...)', set: 'set', bytes: 'bytes value inside a structure' };

/** A dict key's identity as Python compares keys (1 == 1.0 == True), and its text as JSON writes it. */
function keyOf(k: Py): { id: string; text: string } {
  switch (k.t) {
    case 'str':
      return { id: `s${k.v}`, text: k.v };
    case 'none':
      return { id: 'n', text: 'null' };
    case 'bool':
      return { id: `i${k.v ? 1 : 0}`, text: String(k.v) };
    case 'int':
      return { id: `i${k.v}`, text: k.v.toString() };
    case 'float':
      return { id: Number.isInteger(k.v) ? `i${BigInt(k.v)}` : `f${k.v}`, text: floatRepr(k.v) };
    default:
      throw new ValueProblem(`is a Python dict with a ${k.t} as a key, which JSON cannot hold: quote the value to keep it as text`);
  }
}

function toData(p: Py, top: boolean): unknown {
  switch (p.t) {
    case 'str':
      return p.v;
    case 'int':
      return Number(p.v);
    case 'float':
    case 'bool':
      return p.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return p.items.map((x) => toData(x, false));
    case 'dict': {
      const out: Record<string, unknown> = {};
      const texts = new Map<string, string>();
      for (const [k, v] of p.entries) {
        const { id, text } = keyOf(k);
        const value = toData(v, false);
        if (!texts.has(id)) texts.set(id, text);
        const key = texts.get(id)!;
        if (key === '__proto__') throw new ValueProblem(`is a dict with the key "__proto__", which JavaScript objects cannot hold`);
        out[key] = value;
      }
      return out;
    }
    case 'bytes':
      if (top) return surrogateEscape(p.v); // to_text(): the bytes read as UTF-8
      throw new ValueProblem(`is a Python ${KIND.bytes}, which JSON cannot hold: quote the value to keep it as text`);
    default:
      throw new ValueProblem(`is a Python ${KIND[p.t]}, which JSON cannot hold: quote the value to keep it as text`);
  }
}

/**
 * The ini plugin's _parse_value: the value ast.literal_eval makes of `text` (numbers, True/False,
 * None, quoted strings, lists, dicts, tuples as lists), else `text` itself.
 */
export function parseIniValue(text: string): unknown {
  let py: Py;
  try {
    py = parseLiteral(text);
  } catch (err) {
    if (err === NOT_LITERAL) return text;
    throw err;
  }
  return toData(py, true);
}

// ---------------------------------------------------------------------------------------------
// The ini plugin itself.

const WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SECTION = new RegExp(`^\\[([^:\\]${WS}]+)(?::([\\p{L}\\p{N}_]+))?\\][${WS}]*(?:#.*)?$`, 'u');
const GROUP_NAME = new RegExp(`^([^:\\]${WS}]+)[${WS}]*(?:#.*)?$`, 'u');
const LEADING = new RegExp(`^[${WS}]+`, 'u');
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
 * Messages never quote a value, nor a word or line that is not key=value (it may be a password
 * cut off by a space): they point at it.
 */
export function parseIniInventory(file: string, text: string): InventorySource {
  const fail = (at: Loc, message: string, path: YamlPath = []): never => {
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
  splitLines(text).forEach((raw, index) => {
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
        if (state === 'vars' && !pending.has(group)) pending.set(group, { at: at(), state: 'vars', parents: [] });
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
      let words: Word[];
      try {
        words = shlexSplit(line);
      } catch (err) {
        if (!(err instanceof LineProblem)) throw err;
        return fail(at(err.at), err.message);
      }
      const first = words[0];
      if (!first) return; // a stripped line that is not a comment starts a word
      const expanded = expandHostPattern(first.text);
      if ('problem' in expanded) return fail(at(first.at), `host pattern ${showText(first.text)}: ${expanded.problem}`);
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
          if (!(err instanceof ValueProblem)) throw err;
          return fail(at(w.at), `the value of ${showText(key)} ${err.message}`);
        }
        vars.set(key, { value, at: at(w.at) });
      }
      entries += expanded.hosts.length;
      if (entries > MAX_INI_HOST_ENTRIES) fail(at(first.at), `this file lists more than ${MAX_INI_HOST_ENTRIES} hosts (counting a host once per group): check its host ranges`);
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
        if (!(err instanceof ValueProblem)) throw err;
        fail(at(), `the value of ${showText(key)} ${err.message}`);
      }
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) fail(at(), `this line is not a group name: each line of a [${shown(group)}:children] section names one group (no spaces, ":" or "]")`);
      const child = m![1]!;
      if (child === '__proto__') fail(at(), `group name "__proto__" ${PROTO}`);
      if (groups.has(child)) {
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
          ? `section [${escapeUnshown(name)}:vars] sets variables of a group that is never defined: add a [${escapeUnshown(name)}] section (it may be empty) or a [${escapeUnshown(name)}:children] section`
          : `[${escapeUnshown(p.parents[0]!.name)}:children] names the group ${showText(name)}, which is never defined: add a [${escapeUnshown(name)}] section (it may be empty) or a [${escapeUnshown(name)}:children] section`,
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
