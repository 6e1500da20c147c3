/**
 * Python 3.11's `fnmatch.translate`, which Ansible's host patterns use (`web*`, `db?`,
 * `node[1-3]`, `[!a]*`): the same decisions about brackets, ranges and empty ranges, written as a
 * JavaScript RegExp matching a whole name. `*` is any run, `?` one character, `[abc]` / `[a-c]`
 * one of, `[!abc]` none of; a `[` without its `]` is literal; there is no escape character. A range
 * written backwards (`[z-a]`) is dropped, as Python drops it, so it never matches rather than
 * being an error.
 */

/** The pattern cannot be translated (Python raises, and Ansible reports an invalid pattern). */
export class FnmatchError extends Error {}

const SYNTAX = /[\\^$.*+?()[\]{}|/]/;
const CLASS_SYNTAX = /[\\^$.*+?()[\]{}|/-]/;

/** One character, literal in a `u` RegExp outside a class. */
const lit = (c: string) => (SYNTAX.test(c) ? `\\${c}` : c);
/** One character, literal inside a class. */
const classLit = (c: string) => (CLASS_SYNTAX.test(c) ? `\\${c}` : c);

const STAR = Symbol('*');

/**
 * A Python character-class body as translate writes it (`\\`, `\-`, `\&` … escape the next
 * character; `a-b` is a range) as a JavaScript class body. Python's `sre_parse` reading.
 */
function classBody(py: string[]): string {
  let out = '';
  let i = 0;
  const next = (): string => {
    const c = py[i++]!;
    return c === '\\' ? py[i++]! : c;
  };
  while (i < py.length) {
    const lo = next();
    if (py[i] === '-' && i + 1 < py.length) {
      i++;
      const hi = next();
      if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw new FnmatchError(`bad character range ${lo}-${hi}`);
      out += `${classLit(lo)}-${classLit(hi)}`;
    } else {
      out += classLit(lo);
    }
  }
  return out;
}

/** `[...]` from `pat[i]` (just after the `[`) to `pat[j]` (its `]`): the regex piece. */
function bracket(pat: string[], start: number, j: number): string {
  let i = start;
  let stuff: string[];
  const esc = (s: string[]) => s.flatMap((c) => (c === '\\' ? ['\\', '\\'] : c === '-' ? ['\\', '-'] : [c]));
  const slice = pat.slice(i, j);
  if (!slice.includes('-')) {
    stuff = slice.flatMap((c) => (c === '\\' ? ['\\', '\\'] : [c]));
  } else {
    const chunks: string[][] = [];
    let k = pat[i] === '!' ? i + 2 : i + 1;
    for (;;) {
      k = pat.indexOf('-', k);
      if (k < 0 || k >= j) break;
      chunks.push(pat.slice(i, k));
      i = k + 1;
      k = k + 3;
    }
    const chunk = pat.slice(i, j);
    if (chunk.length > 0) chunks.push(chunk);
    else chunks[chunks.length - 1]!.push('-');
    // remove empty ranges (`z-a`): invalid in a regex
    for (let m = chunks.length - 1; m > 0; m--) {
      const before = chunks[m - 1]!;
      const after = chunks[m]!;
      if (before.length === 0 || after.length === 0) throw new FnmatchError('string index out of range');
      if (before[before.length - 1]!.codePointAt(0)! > after[0]!.codePointAt(0)!) {
        chunks[m - 1] = [...before.slice(0, -1), ...after.slice(1)];
        chunks.splice(m, 1);
      }
    }
    stuff = chunks.flatMap((c, n) => (n === 0 ? esc(c) : ['-', ...esc(c)]));
  }
  // escape set operations (&&, ~~, ||)
  stuff = stuff.flatMap((c) => (c === '&' || c === '~' || c === '|' ? ['\\', c] : [c]));
  if (stuff.length === 0) return '(?!)';
  if (stuff.length === 1 && stuff[0] === '!') return '.';
  if (stuff[0] === '!') return `[^${classBody(stuff.slice(1))}]`;
  if (stuff[0] === '^' || stuff[0] === '[') stuff = ['\\', ...stuff];
  return `[${classBody(stuff)}]`;
}

/** The RegExp source (for the `su` flags) matching what Python's fnmatch.translate(pattern) matches. */
export function fnmatchSource(pattern: string): string {
  const pat = Array.from(pattern);
  const n = pat.length;
  const res: (string | typeof STAR)[] = [];
  let i = 0;
  while (i < n) {
    const c = pat[i++]!;
    if (c === '*') {
      if (res[res.length - 1] !== STAR) res.push(STAR);
    } else if (c === '?') {
      res.push('.');
    } else if (c === '[') {
      let j = i;
      if (j < n && pat[j] === '!') j++;
      if (j < n && pat[j] === ']') j++;
      while (j < n && pat[j] !== ']') j++;
      if (j >= n) {
        res.push('\\[');
      } else {
        res.push(bracket(pat, i, j));
        i = j + 1;
      }
    } else {
      res.push(lit(c));
    }
  }
  // Python writes `(?>.*?fixed)` between stars: an atomic group that matches the same names as `.*`
  return `^(?:${res.map((p) => (p === STAR ? '.*' : p)).join('')})$`;
}

/** A RegExp for a whole name, or FnmatchError where Python's translate or re.compile fails. */
export function fnmatchRegExp(pattern: string): RegExp {
  const source = fnmatchSource(pattern);
  try {
    return new RegExp(source, 'su');
  } catch (err) {
    throw new FnmatchError((err as Error).message);
  }
}
