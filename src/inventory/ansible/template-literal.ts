import { Fail } from './template-error.js';
import type { Budget } from './template-limits.js';
import { PyTuple, type Py, type PyDict } from './template-values.js';

/**
 * Python's ast.literal_eval, as Ansible's ansible_eval_concat applies it to a rendered text that
 * starts with `{` or `[` or is `True`/`False` (with JSON's true/false/null read as Python's).
 * Returns undefined when Python would not read the text as a literal (the text stays a string);
 * refuses (Fail) a literal that reads but has no value here: a set, bytes, a complex number,
 * `...`, a mapping with a key that is not a string.
 */

/** Python's parser refuses more than 200 nested brackets ("too many nested parentheses"). */
const MAX_LEVEL = 200;

type Tok =
  | { t: 'op'; v: string }
  | { t: 'name'; v: string }
  | { t: 'num'; v: bigint | number | 'complex' }
  | { t: 'str'; v: string; kind: 'str' | 'bytes' | 'fstring' }
  | { t: 'eof' };

class NotLiteral extends Error {}
const notLiteral = (): never => {
  throw new NotLiteral();
};

const NUMBER =
  /(?:(?:\d(?:_?\d)*\.(?:\d(?:_?\d)*)?|\.\d(?:_?\d)*)(?:[eE][-+]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][-+]?\d(?:_?\d)*)[jJ]?|\d(?:_?\d)*[jJ]|0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?0)*|[1-9](?:_?\d)*/y;
const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const STRING_PREFIX = /(?:[rR][bBfF]?|[bBfF][rR]?|[uU])?(?='|")/y;
const OPS = ['...', '**', '//', '==', '!=', '<=', '>=', '->', ':=', '<<', '>>'];

function tokenize(s: string, budget: Budget, offset: number): Tok[] {
  const toks: Tok[] = [];
  let level = 0;
  let i = 0;
  while (i < s.length) {
    budget.spend(1, offset);
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (s[i + 1] === '\n' || s[i + 1] === '\r')) {
      i += s[i + 1] === '\r' && s[i + 2] === '\n' ? 3 : 2;
      if (i >= s.length) notLiteral(); // a line continued into nothing: unexpected EOF
      continue;
    }
    if (c === '\n' || c === '\r') {
      // a newline ends the expression unless brackets are open; only blank lines may follow
      if (level === 0 && /\S/.test(s.slice(i).replace(/#[^\n\r]*/g, ''))) notLiteral();
      i++;
      continue;
    }
    if (c === '#') {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
      continue;
    }
    STRING_PREFIX.lastIndex = i;
    const pre = STRING_PREFIX.exec(s);
    if (pre) {
      const [tok, end] = readString(s, i + pre[0].length, pre[0].toLowerCase(), offset);
      toks.push(tok);
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(s);
    if (num) {
      i = NUMBER.lastIndex;
      if (/[\p{ID_Continue}.]/u.test(s[i] ?? '')) notLiteral(); // 01, 1abc, 1.2.3: Python refuses
      const text = num[0].replace(/_/g, '');
      let v: bigint | number | 'complex';
      if (/[jJ]$/.test(text)) v = 'complex';
      else if (/^0[xXbBoO]/.test(text) || /^\d+$/.test(text)) v = BigInt(text.toLowerCase());
      else v = Number(text);
      toks.push({ t: 'num', v });
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(s);
    if (name) {
      toks.push({ t: 'name', v: name[0] });
      i = NAME.lastIndex;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i)) ?? c;
    if ('([{'.includes(op)) {
      level++;
      if (level > MAX_LEVEL) notLiteral();
    } else if (')]}'.includes(op)) level--;
    toks.push({ t: 'op', v: op });
    i += op.length;
  }
  toks.push({ t: 'eof' });
  return toks;
}

const SIMPLE: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One string literal from its opening quote; returns it and where it ends. */
function readString(s: string, i: number, prefix: string, offset: number): [Tok, number] {
  const raw = prefix.includes('r');
  const kind = prefix.includes('b') ? 'bytes' : prefix.includes('f') ? 'fstring' : 'str';
  const q = s.startsWith(s[i]!.repeat(3), i) ? s[i]!.repeat(3) : s[i]!;
  let j = i + q.length;
  let v = '';
  for (;;) {
    if (j >= s.length) notLiteral();
    if (s.startsWith(q, j)) break;
    const c = s[j]!;
    if ((c === '\n' || c === '\r') && q.length === 1) notLiteral();
    if (kind === 'bytes' && c.charCodeAt(0) > 0x7f) notLiteral();
    if (c !== '\\') {
      v += c;
      j++;
      continue;
    }
    const d = s[j + 1];
    if (d === undefined) notLiteral();
    if (raw) {
      v += c + d;
      j += 2;
      continue;
    }
    if (d === '\r' && s[j + 2] === '\n') {
      j += 3;
      continue;
    }
    if (SIMPLE[d!] !== undefined) {
      v += SIMPLE[d!];
      j += 2;
    } else if (d! >= '0' && d! <= '7') {
      const oct = /^[0-7]{1,3}/.exec(s.slice(j + 1, j + 4))![0];
      v += String.fromCodePoint(parseInt(oct, 8));
      j += 1 + oct.length;
    } else if (d === 'x' || (kind !== 'bytes' && (d === 'u' || d === 'U'))) {
      const len = d === 'x' ? 2 : d === 'u' ? 4 : 8;
      const hex = s.slice(j + 2, j + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) notLiteral();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) notLiteral();
      v += String.fromCodePoint(cp);
      j += 2 + len;
    } else if (d === 'N' && kind === 'str') {
      throw new Fail('the rendered text is a Python literal with a \\N{…} escape, which cnet-remote cannot read', offset);
    } else {
      v += c + d;
      j += 2;
    }
  }
  return [{ t: 'str', v, kind }, j + q.length];
}

/** A value, or a construct that reads in Python but has no value here (kept as its description). */
class Unrepresentable {
  constructor(readonly what: string) {}
}
type Val = Py | Unrepresentable;
type Kind = 'num' | 'signed' | 'other';

class LiteralParser {
  private i = 0;
  constructor(private toks: Tok[]) {}

  private get cur(): Tok {
    return this.toks[this.i]!;
  }

  private atEnd(): boolean {
    return this.cur.t === 'eof';
  }

  private isOp(v: string): boolean {
    return this.cur.t === 'op' && (this.cur as { v: string }).v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) notLiteral();
    this.i++;
  }

  /** The whole text: an expression, or several separated by commas (a tuple, as `[1], 2`). */
  parseAll(): Val {
    const { value } = this.expr();
    if (this.atEnd()) return value;
    const items = [value];
    while (this.isOp(',')) {
      this.i++;
      if (this.atEnd()) break;
      items.push(this.expr().value);
    }
    if (!this.atEnd()) notLiteral();
    return wrapSeq(items, (xs) => new PyTuple(xs));
  }

  /** An expression as literal_eval accepts it: an atom, a signed number, or number ± complex. */
  private expr(): { value: Val; kind: Kind } {
    let left = this.unary();
    while (this.isOp('+') || this.isOp('-')) {
      this.i++;
      const right = this.unary();
      // literal_eval takes only (signed) int/float ± complex
      if ((left.kind !== 'num' && left.kind !== 'signed') || right.kind !== 'num' || !(right.value instanceof Unrepresentable)) notLiteral();
      left = { value: new Unrepresentable('a complex number'), kind: 'other' };
    }
    return left;
  }

  private unary(): { value: Val; kind: Kind } {
    if (this.isOp('-') || this.isOp('+')) {
      const neg = this.isOp('-');
      this.i++;
      const arg = this.atom();
      if (arg.kind !== 'num') notLiteral();
      const v = arg.value;
      if (v instanceof Unrepresentable) return { value: v, kind: 'signed' };
      return { value: neg ? (typeof v === 'bigint' ? -v : -(v as number)) : v, kind: 'signed' };
    }
    return this.atom();
  }

  private atom(): { value: Val; kind: Kind } {
    const t = this.cur;
    this.i++;
    if (t.t === 'num') return { value: t.v === 'complex' ? new Unrepresentable('a complex number') : t.v, kind: 'num' };
    if (t.t === 'name') {
      const consts: Record<string, Py> = { True: true, False: false, None: null, true: true, false: false, null: null };
      if (t.v in consts) return { value: consts[t.v]!, kind: 'other' };
      if (t.v === 'set' && this.isOp('(')) {
        this.i++;
        this.expectOp(')');
        return { value: new Unrepresentable('a set'), kind: 'other' };
      }
      return notLiteral();
    }
    if (t.t === 'str') {
      let { v, kind } = t;
      while (this.cur.t === 'str') {
        const next = this.cur as Extract<Tok, { t: 'str' }>;
        if ((next.kind === 'bytes') !== (kind === 'bytes')) notLiteral();
        if (next.kind === 'fstring') kind = 'fstring';
        v += next.v;
        this.i++;
      }
      if (kind === 'fstring') notLiteral();
      return { value: kind === 'bytes' ? new Unrepresentable('bytes') : v, kind: 'other' };
    }
    if (t.t !== 'op') return notLiteral();
    if (t.v === '...') return { value: new Unrepresentable('Ellipsis (...)'), kind: 'other' };
    if (t.v === '[') return { value: wrapSeq(this.items(']'), (xs) => xs), kind: 'other' };
    if (t.v === '(') {
      if (this.isOp(')')) {
        this.i++;
        return { value: new PyTuple([]), kind: 'other' };
      }
      const first = this.expr();
      if (this.isOp(')')) {
        this.i++;
        return first;
      }
      this.expectOp(',');
      const rest = this.items(')');
      return { value: wrapSeq([first.value, ...rest], (items) => new PyTuple(items)), kind: 'other' };
    }
    if (t.v === '{') return { value: this.braces(), kind: 'other' };
    return notLiteral();
  }

  /** Comma-separated expressions up to `close` (a trailing comma allowed). */
  private items(close: string): Val[] {
    const items: Val[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr().value);
      if (!this.isOp(close)) this.expectOp(',');
    }
    this.i++;
    return items;
  }

  private braces(): Val {
    if (this.isOp('}')) {
      this.i++;
      return new Map();
    }
    const first = this.expr().value;
    if (!this.isOp(':')) {
      // a set: {a, b}
      while (!this.isOp('}')) {
        this.expectOp(',');
        if (this.isOp('}')) break;
        this.expr();
      }
      this.i++;
      return first instanceof Unrepresentable ? first : new Unrepresentable('a set');
    }
    const dict: PyDict = new Map();
    let bad: Unrepresentable | undefined;
    let key: Val = first;
    for (;;) {
      this.expectOp(':');
      const value = this.expr().value;
      if (value instanceof Unrepresentable) bad ??= value;
      if (typeof key === 'string') dict.set(key, value as Py);
      else bad ??= key instanceof Unrepresentable ? key : new Unrepresentable('a mapping whose key is not a string');
      if (this.isOp('}')) break;
      this.expectOp(',');
      if (this.isOp('}')) break;
      key = this.expr().value;
    }
    this.i++;
    return bad ?? dict;
  }
}

function wrapSeq(items: Val[], make: (items: Py[]) => Py): Val {
  const bad = items.find((x) => x instanceof Unrepresentable);
  return bad ?? make(items as Py[]);
}

/** The value Python's literal_eval reads from `text`, or undefined where it reads none. */
export function literalEval(text: string, budget: Budget, offset: number): Py | undefined {
  // Python's tokenizer: a last line of blanks only (after a newline that does not continue a
  // line) is an unexpected indent
  const tail = /(^|[^\\])(?:\r\n|\n|\r)([ \t\f]*)$/.exec(text);
  if (tail && /[^\f]$/.test(tail[2]!)) return undefined;
  let v: Val;
  try {
    v = new LiteralParser(tokenize(text, budget, offset)).parseAll();
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
  if (v instanceof Unrepresentable) {
    throw new Fail(`the rendered text reads as a Python literal holding ${v.what}, which cnet-remote cannot use`, offset);
  }
  return v;
}
