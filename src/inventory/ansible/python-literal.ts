/**
 * Python 3.11's `ast.literal_eval`, the one reading of a Python literal that both of Ansible's
 * uses share: the INI plugin's `_parse_value` (every value of an INI inventory) and
 * `ansible_eval_concat` (a rendered template that looks like a list, dict or bool). It gives the
 * value as Python holds it (PyLiteral); each caller makes of it what it needs.
 *
 * Python's order is kept: the text is parsed whole first (a syntax error wins), then converted
 * node by node, so `{[]: 1, 2: x}` raises TypeError on the unhashable key before it reaches `x`.
 * Not read as Python does: a text nested so deep that Python runs out of stack (RecursionError:
 * about 2990 signs `----…1` in literal_eval; a few hundred levels through Ansible's Json2Python,
 * which ansible_eval_concat does not catch) is no literal here, where Python fails.
 */
import { LiteralProblem, NOT_LITERAL, tokenize, type PyLiteral, type Token } from './python-literal-tokens.js';

export { LiteralProblem, type PyLiteral } from './python-literal-tokens.js';

export interface LiteralOptions {
  /** Ansible's Json2Python (templates): the names true, false and null read as True, False and None */
  jsonNames?: boolean;
  /** told the characters read, to bound the work */
  spend?: (n: number) => void;
}

/**
 * A parsed node: a constant, a signed number, a display, or `bad`: a name or a sum literal_eval
 * refuses when it reaches it. Parentheses make no node (nor in Python's AST).
 */
type Node =
  | { k: 'const'; v: PyLiteral }
  | { k: 'signed'; v: PyLiteral }
  | { k: 'sum' }
  | { k: 'bad' }
  | { k: 'display'; t: 'tuple' | 'list' | 'set'; items: Node[] }
  | { k: 'dict'; entries: [Node, Node][] };

const isNum = (p: PyLiteral) => p.t === 'int' || p.t === 'float' || p.t === 'complex';
const JSON_NAMES: Record<string, PyLiteral> = { true: { t: 'bool', v: true }, false: { t: 'bool', v: false }, null: { t: 'none' } };

function parse(toks: Token[], opts: LiteralOptions): Node {
  let p = 0;
  const peek = (v: string) => {
    const t = toks[p];
    return t !== undefined && t.k === 'op' && t.v === v;
  };
  const take = (v: string) => {
    if (!peek(v)) throw NOT_LITERAL;
    p++;
  };
  /** items separated by commas up to `close` */
  const items = (close: string, item: () => void): void => {
    while (!peek(close)) {
      item();
      if (peek(close)) break;
      take(',');
    }
    take(close);
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
        const s = toks[p++] as Extract<Token, { k: 'str' }>;
        if (s.bytes !== bytes) throw NOT_LITERAL;
        fstring ||= s.fstring;
        for (const c of s.cps) cps.push(c);
      }
      node = fstring ? { k: 'bad' } : { k: 'const', v: bytes ? { t: 'bytes', v: cps } : { t: 'str', v: fromCodePoints(cps) } };
    } else if (t.k === 'name') {
      p++;
      // a name is compared as Python keeps it, NFKC-normalized; keywords as written
      const id = t.v.normalize('NFKC');
      if (t.v === 'True' || t.v === 'False') node = { k: 'const', v: { t: 'bool', v: t.v === 'True' } };
      else if (t.v === 'None') node = { k: 'const', v: { t: 'none' } };
      else if (opts.jsonNames && Object.hasOwn(JSON_NAMES, id)) node = { k: 'const', v: JSON_NAMES[id]! };
      else if (id === 'set' && peek('(') && toks[p + 1]?.k === 'op' && (toks[p + 1] as { v: string }).v === ')') {
        p += 2;
        node = { k: 'display', t: 'set', items: [] };
      } else node = { k: 'bad' };
    } else if (t.v === '...') {
      p++;
      node = { k: 'const', v: { t: 'ellipsis' } };
    } else if (t.v === '(') {
      p++;
      if (peek(')')) {
        p++;
        node = { k: 'display', t: 'tuple', items: [] };
      } else {
        node = tupleOrExpr();
        take(')');
      }
    } else if (t.v === '[') {
      p++;
      const list: Node[] = [];
      items(']', () => list.push(expr()));
      node = { k: 'display', t: 'list', items: list };
    } else if (t.v === '{') {
      p++;
      if (peek('}')) {
        p++;
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
    // a call or subscript after it is not a literal
    if (peek('(') || peek('[')) throw NOT_LITERAL;
    return node;
  };
  /** signs, then an atom: -x is a literal only for a number written right there */
  const factor = (): Node => {
    const signs: boolean[] = [];
    for (; peek('+') || peek('-'); p++) signs.push(peek('-'));
    let node = atom();
    for (let s = signs.length - 1; s >= 0; s--) {
      if (node.k !== 'const' || !isNum(node.v)) return { k: 'bad' };
      const v = node.v;
      if (!signs[s] || v.t === 'complex') node = { k: 'signed', v };
      else node = { k: 'signed', v: v.t === 'int' ? { t: 'int', v: -v.v } : { t: 'float', v: -(v as { v: number }).v } };
    }
    return node;
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
  return node;
}

/** a dict key or set member Python cannot hash: its TypeError, when the member is added */
function hashable(x: PyLiteral): PyLiteral {
  if (x.t === 'list' || x.t === 'dict' || x.t === 'set')
    throw new LiteralProblem(`a ${x.t} as a dict key or set member, which Python refuses (unhashable type: '${x.t}')`);
  if (x.t === 'tuple') x.items.forEach(hashable);
  return x;
}

/** literal_eval's _convert, node by node in Python's order */
function convert(n: Node): PyLiteral {
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
}

/** String.fromCodePoint for any number of code points (a spread of a long value overflows the stack) */
function fromCodePoints(cps: number[]): string {
  let out = '';
  for (let i = 0; i < cps.length; i += 4096) out += String.fromCodePoint(...cps.slice(i, i + 4096));
  return out;
}

/**
 * `ast.literal_eval(ast.parse(src, mode='eval'))`: the value, or undefined where Python raises
 * ValueError or SyntaxError. Throws LiteralProblem where it raises TypeError (an unhashable key or
 * set member), and for a `\N{…}` escape, which is not read here.
 */
export function literalEvalParsed(src: string, opts: LiteralOptions = {}): PyLiteral | undefined {
  try {
    return convert(parse(tokenize(src, opts.spend), opts));
  } catch (err) {
    if (err === NOT_LITERAL) return undefined;
    throw err;
  }
}

/** `ast.literal_eval(text)` on a str: the same, after the spaces and tabs it strips first (Python 3.10+). */
export function literalEval(text: string, opts: LiteralOptions = {}): PyLiteral | undefined {
  return literalEvalParsed(text.replace(/^[ \t]+/, ''), opts);
}
