/**
 * Python 3.11's tokenizer, as much of it as `ast.parse(text, mode='eval')` needs for a literal:
 * numbers, string literals with their prefixes and escapes, names, brackets and the operators a
 * literal holds; line ends, blank and comment lines, continuation backslashes and the indentation
 * Python refuses. Anything else is `NOT_LITERAL`: Python would not parse it, or parses it to
 * something literal_eval refuses either way (a call, an attribute, an operator of two values).
 */

/** A Python value as ast.literal_eval makes it. */
export type PyLiteral =
  | { t: 'str'; v: string }
  | { t: 'bytes'; v: number[] }
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'complex' }
  | { t: 'ellipsis' }
  | { t: 'tuple' | 'list' | 'set'; items: PyLiteral[] }
  | { t: 'dict'; entries: [PyLiteral, PyLiteral][] };

/** Thrown where Python raises ValueError or SyntaxError: the text is no literal. */
export const NOT_LITERAL = Symbol('not a literal');

/** A literal Python reads but raises TypeError on (unhashable), or one cnet-remote does not read: `message` says which. */
export class LiteralProblem extends Error {}

export type Token =
  | { k: 'op'; v: string }
  | { k: 'num'; v: PyLiteral }
  | { k: 'str'; bytes: boolean; fstring: boolean; cps: number[] }
  | { k: 'name'; v: string };

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
const NAME = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
/** what may not follow a number: Python's is_potential_identifier_char (a letter, digit, _ or anything not ASCII) */
const AFTER_NUMBER = /[A-Za-z0-9_]|[^\x00-\x7f]/;
const STRING_PREFIX = new Set(['', 'r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf']);
const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
/** Python's parser refuses more than 200 nested brackets ("too many nested parentheses"). */
const MAX_LEVEL = 200;

/** One string literal's body, escapes resolved: code points (str) or byte values (bytes). */
function unescapeLiteral(body: string, raw: boolean, bytes: boolean): number[] {
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
    if (e === '\n') continue; // a backslash at a line end joins the lines
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
    } else if (e === 'N' && !bytes) throw new LiteralProblem('a \\N{...} escape, which cnet-remote does not read: write the character itself');
    else out.push(0x5c, e.codePointAt(0)!); // an unknown escape keeps its backslash
  }
  return out;
}

/**
 * The tokens of `src` as `ast.parse(src, mode='eval')` reads it. `spend` is told the characters
 * read, so that a caller can bound the work.
 */
export function tokenize(text: string, spend?: (n: number) => void): Token[] {
  if (text.includes('\0')) throw NOT_LITERAL; // source code cannot contain null bytes
  if (/[\ud800-\udfff]/u.test(text)) throw NOT_LITERAL; // a lone surrogate: not encodable as UTF-8
  const src = text.replace(/\r\n?/g, '\n'); // Python reads \r\n and \r as \n, in strings too
  const toks: Token[] = [];
  let i = 0;
  let level = 0;
  /** at the start of a physical line that does not continue one: its indentation is checked */
  let lineStart = true;
  /** a line end at level 0 after the expression: only blank and comment lines may follow */
  let ended = false;
  const readString = (prefix: string) => {
    const q = src.startsWith(src[i]!.repeat(3), i) ? src[i]!.repeat(3) : src[i]!;
    let j = i + q.length;
    const from = j;
    while (j < src.length && !src.startsWith(q, j)) {
      if (src[j] === '\n' && q.length === 1) throw NOT_LITERAL; // unterminated string literal
      j += src[j] === '\\' ? 2 : 1;
    }
    if (j >= src.length) throw NOT_LITERAL; // never closed
    const body = src.slice(from, j);
    i = j + q.length;
    const bytes = prefix.includes('b');
    // an f-string is not a constant: literal_eval refuses it when it reaches it
    const fstring = prefix.includes('f');
    toks.push({ k: 'str', bytes, fstring, cps: fstring ? [] : unescapeLiteral(body, prefix.includes('r'), bytes) });
  };
  let counted = 0;
  while (i < src.length) {
    spend?.(i - counted);
    counted = i;
    if (lineStart && level === 0) {
      // indentation: a space or tab moves the column, a form feed sets it back to 0; a backslash
      // continues it on the next line, and the column of the first one not at 0 is the line's
      let col = 0;
      let contCol = 0;
      for (; i < src.length; i++) {
        if (src[i] === ' ' || src[i] === '\t') col++;
        else if (src[i] === '\f') col = 0;
        else if (src[i] === '\\') {
          if (src[i + 1] !== '\n' || i + 2 >= src.length) throw NOT_LITERAL;
          contCol ||= col;
          i++;
        } else break;
      }
      if (src[i] === '\n') {
        i++;
        continue; // a blank line
      }
      if (src[i] === '#') {
        while (i < src.length && src[i] !== '\n') i++;
        continue; // a comment line
      }
      // indented content, or a last line of blanks with no line end: "unexpected indent"
      if ((contCol || col) > 0) throw NOT_LITERAL;
      if (i >= src.length) break;
      if (ended) throw NOT_LITERAL; // a second line of content
      lineStart = false;
    }
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\f') i++;
    else if (c === '#') while (i < src.length && src[i] !== '\n') i++;
    else if (c === '\n') {
      i++;
      if (level === 0) [lineStart, ended] = [true, true];
    } else if (c === '\\') {
      // a continuation line; anything else after a backslash is a syntax error, as is the end
      if (src[i + 1] !== '\n' || i + 2 >= src.length) throw NOT_LITERAL;
      i += 2;
    } else if (c === '"' || c === "'") readString('');
    else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) throw NOT_LITERAL;
      i += m[0].length;
      if (AFTER_NUMBER.test(src[i] ?? ' ')) throw NOT_LITERAL; // invalid decimal literal
      const g = m.groups!;
      const digits = m[0].replaceAll('_', '');
      if (g.imag) toks.push({ k: 'num', v: { t: 'complex' } });
      else if (g.float) toks.push({ k: 'num', v: { t: 'float', v: Number(digits) } });
      else toks.push({ k: 'num', v: { t: 'int', v: BigInt(g.dec ? digits : digits.toLowerCase()) } });
    } else {
      NAME.lastIndex = i;
      const id = NAME.exec(src);
      if (id) {
        i += id[0].length;
        if ((src[i] === '"' || src[i] === "'") && STRING_PREFIX.has(id[0].toLowerCase())) readString(id[0].toLowerCase());
        else toks.push({ k: 'name', v: id[0] });
      } else if (src.startsWith('...', i)) {
        toks.push({ k: 'op', v: '...' });
        i += 3;
      } else if ('()[]{},:+-'.includes(c) && !('+-:'.includes(c) && (src[i + 1] === '=' || (c === '-' && src[i + 1] === '>')))) {
        if ('([{'.includes(c) && ++level > MAX_LEVEL) throw NOT_LITERAL; // too many nested parentheses
        if (')]}'.includes(c) && --level < 0) throw NOT_LITERAL; // unmatched
        toks.push({ k: 'op', v: c });
        i++;
      } else throw NOT_LITERAL;
    }
  }
  spend?.(i - counted);
  return toks;
}
