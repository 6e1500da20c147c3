/**
 * The pure, inventory-free half of `--limit`: Ansible's host-pattern grammar (see "Patterns:
 * targeting hosts and groups"), split into terms, each with its operator, name matcher and
 * optional subscript. `limit.ts` evaluates the terms against an inventory.
 */
import { UsageError } from '../errors.js';

/** `a` (union), `&a` (intersection), `!a` (exclusion) */
export type Op = 'union' | 'intersect' | 'exclude';

/** `[i]` (negative counts from the end) or `[start:end]`, 0-based and inclusive; `end` open when absent */
export type Subscript = { kind: 'index'; index: number } | { kind: 'range'; start: number; end?: number };

export interface Term {
  op: Op;
  /** the pattern without operator and subscript: a name, a glob, or `~regex` */
  expr: string;
  subscript?: Subscript;
  /** the term as written, for messages */
  text: string;
  /** where it was written when not on the command line, e.g. `line 3 of failed.retry` */
  origin?: string;
}

/** How a pattern tests one host or group name. */
export interface NameMatcher {
  kind: 'exact' | 'glob' | 'regex';
  test(name: string): boolean;
}

/** `--limit: <message>`, with where the term came from when it was not the command line. */
export function limitError(message: string, origin?: string): UsageError {
  return new UsageError(`--limit: ${message}${origin ? ` (${origin})` : ''}`);
}

/**
 * Splits a `--limit` value at `,` and `:`. A `[...]` is never split (`web[0:2]`, `h[ab]`), and a
 * backslash keeps the character after it (`~a\:b`). Blanks around terms go; empty terms are dropped.
 */
export function splitLimit(limit: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inBracket = false;
  for (let i = 0; i < limit.length; i++) {
    const c = limit[i]!;
    if (c === '\\' && i + 1 < limit.length) {
      cur += c + limit[++i]!;
    } else if (inBracket) {
      cur += c;
      if (c === ']') inBracket = false;
    } else if (c === ',' || c === ':') {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
      if (c === '[') inBracket = true;
    }
  }
  if (inBracket) throw limitError(`unclosed "[" in "${limit.trim()}"`);
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(\d+):(\d*)|:(\d+))\]$/;

/** `web[0]`, `web[-1]`, `web[1:3]`, `web[1:]`, `web[:2]`; not on a `~regex` (its brackets are its own). */
export function parseSubscript(expr: string): { base: string; subscript?: Subscript } {
  if (expr.startsWith('~')) return { base: expr };
  const m = SUBSCRIPT.exec(expr);
  if (!m) return { base: expr };
  const [, base, index, start, end, onlyEnd] = m;
  if (index !== undefined) return { base: base!, subscript: { kind: 'index', index: Number(index) } };
  if (onlyEnd !== undefined) return { base: base!, subscript: { kind: 'range', start: 0, end: Number(onlyEnd) } };
  return { base: base!, subscript: { kind: 'range', start: Number(start), ...(end ? { end: Number(end) } : {}) } };
}

/** One term: operator prefix, then the pattern and its subscript. `@file` is not a term. */
export function parseTerm(text: string, origin?: string): Term {
  const t = text.trim();
  const op: Op = t.startsWith('&') ? 'intersect' : t.startsWith('!') ? 'exclude' : 'union';
  const rest = (op === 'union' ? t : t.slice(1)).trim();
  if (rest === '' || rest === '~') throw limitError(`"${t}" has no pattern`, origin);
  if (rest.startsWith('@')) {
    throw limitError(`"${t}": an @file is read only as a term of its own, without "&" or "!", and not from inside another @file`, origin);
  }
  const { base, subscript } = parseSubscript(rest);
  return { op, expr: base, text: t, ...(subscript ? { subscript } : {}), ...(origin ? { origin } : {}) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Python's fnmatch.translate: `*` any run, `?` one character, `[abc]` / `[a-c]` one of, `[!abc]`
 * none of; a `[` without its `]` is literal. The result matches a whole name.
 */
export function globToRegExp(glob: string): RegExp {
  let src = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i++]!;
    if (c === '*') {
      if (!src.endsWith('.*')) src += '.*';
    } else if (c === '?') {
      src += '.';
    } else if (c === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        src += '\\[';
        continue;
      }
      let body = glob.slice(i, j);
      i = j + 1;
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      // every character literal except `-` between two, which keeps its range meaning
      const cls = [...body].map((ch, k, all) => (ch === '-' && k > 0 && k < all.length - 1 ? '-' : escapeRegExp(ch))).join('');
      src += `[${negated ? '^' : ''}${cls}]`;
    } else {
      src += escapeRegExp(c);
    }
  }
  return new RegExp(`^(?:${src})$`, 's');
}

const GLOB_CHARS = /[*?[]/;

/**
 * `~regex`: a JavaScript RegExp, tried at the start of the name and not required to reach its end
 * (Python's `re.match`, as Ansible does). A glob when the pattern has `*`, `?` or `[`. Else exact.
 */
export function compileNameMatcher(expr: string, origin?: string): NameMatcher {
  if (expr.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(expr.slice(1), 'y');
    } catch (err) {
      throw limitError(`"${expr}" is not a valid regular expression: ${(err as Error).message}`, origin);
    }
    return {
      kind: 'regex',
      test: (name) => {
        re.lastIndex = 0;
        return re.test(name);
      },
    };
  }
  if (GLOB_CHARS.test(expr)) {
    let re: RegExp;
    try {
      re = globToRegExp(expr);
    } catch (err) {
      throw limitError(`"${expr}" is not a valid pattern: ${(err as Error).message}`, origin);
    }
    return { kind: 'glob', test: (name) => re.test(name) };
  }
  return { kind: 'exact', test: (name) => name === expr };
}

/** Ansible's order: every union first, then the intersections, then the exclusions; no union means `all`. */
export function orderTerms(terms: Term[]): Term[] {
  const unions = terms.filter((t) => t.op === 'union');
  return [
    ...(unions.length > 0 ? unions : [parseTerm('all')]),
    ...terms.filter((t) => t.op === 'intersect'),
    ...terms.filter((t) => t.op === 'exclude'),
  ];
}

/** Picks from `names` (in inventory order) by subscript; an index out of range or an empty range is an error. */
export function applySubscript(names: string[], sub: Subscript | undefined, term: Term): string[] {
  if (!sub) return names;
  const n = names.length;
  if (sub.kind === 'index') {
    const i = sub.index < 0 ? n + sub.index : sub.index;
    const name = names[i];
    if (name === undefined) throw limitError(`"${term.text}": index ${sub.index} is out of range, it matches ${n} host(s)`, term.origin);
    return [name];
  }
  const end = Math.min(sub.end ?? n - 1, n - 1);
  if (sub.start > end) throw limitError(`"${term.text}": the range selects no host, it matches ${n} host(s)`, term.origin);
  return names.slice(sub.start, end + 1);
}

/**
 * An `@file` (what `--retry-file` writes): one pattern per line, not split further, so a line can
 * hold a `:` or `,`; blank lines and lines starting with `#` are skipped.
 */
export function parseLimitFile(text: string): { pattern: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ pattern: raw.trim(), line: i + 1 }))
    .filter(({ pattern }) => pattern !== '' && !pattern.startsWith('#'));
}
