/**
 * The pure, inventory-free half of `--limit`: Ansible's host-pattern grammar as ansible-core 2.14
 * reads it (lib/ansible/inventory/manager.py: split_host_pattern, order_patterns,
 * _split_subscript, _apply_subscript, _match_list), split into terms, each with its operator,
 * name matcher and optional subscript. `limit.ts` evaluates the terms against an inventory.
 */
import { UsageError } from '../errors.js';
import { parseAddress } from './ansible/host-pattern.js';
import { pythonStrip } from './ansible/python-str.js';
import { FnmatchError, fnmatchRegExp } from './fnmatch.js';
import { showText } from '../shown.js';

/** `a` (union), `&a` (intersection), `!a` (exclusion) */
export type Op = 'union' | 'intersect' | 'exclude';

/**
 * `[i]` (negative counts from the end), or `[start:end]`, 0-based and inclusive, `end` open when
 * absent. As Ansible: `[start:0]` is `[start]`, a range past the end stops there.
 */
export type Subscript = { kind: 'index'; index: number } | { kind: 'range'; start: number; end?: number };

export interface Term {
  op: Op;
  /** the pattern without operator and subscript: a name, a glob, or `~regex` */
  expr: string;
  subscript?: Subscript;
  /** the pattern as Ansible caches it: without the operator, with the subscript */
  pattern: string;
  /** the term as written, for messages */
  text: string;
  /** written `[x-y]`, which Ansible reads as `[x:y]` and warns of */
  dashed?: true;
  /** where it was written when not on the command line, e.g. `line 3 of failed.retry` */
  origin?: string;
}

/** How a pattern tests one host or group name. */
export interface NameMatcher {
  kind: 'glob' | 'regex';
  test(name: string): boolean;
}

/** `--limit: <message>`, with where the term came from when it was not the command line. */
export function limitError(message: string, origin?: string): UsageError {
  return new UsageError(`--limit: ${message}${origin ? ` (${origin})` : ''}`);
}

/** A run of anything but blanks, `:`, `[` and `]`, or a whole `[...]`: split_host_pattern's last resort. */
const COLON_TERM = /(?:[^\s:[\]]|\[[^\]]*\])+/gu;

/**
 * Ansible's split_host_pattern: with a comma, the value is split at commas only (so
 * `fe80::1,web` and `web[0:2],db` work); without one, a value `parse_address` reads as a host
 * (`fe80::1`, `web:22`, `web[1:3]`) is one term, and anything else is split at `:` and blanks,
 * a `[...]` kept whole. Blanks around terms go; empty terms are dropped.
 */
export function splitLimit(limit: string): string[] {
  const parts = limit.includes(',') ? limit.split(',') : parseAddress(limit) ? [limit] : (limit.match(COLON_TERM) ?? []);
  return parts.map(pythonStrip).filter(Boolean);
}

// Python's `.` stops at a newline only
const SUBSCRIPT = /^([^\n]+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/u;

/**
 * `web[0]`, `web[-1]`, `web[1:3]`, `web[1:]`; `web[1-3]` too, which Ansible still reads but
 * warns of. Not on a `~regex` (its brackets are its own); `web[:2]` and `web[ab]` are globs.
 */
export function parseSubscript(expr: string): { base: string; subscript?: Subscript; dashed?: true } {
  if (expr.startsWith('~')) return { base: expr };
  const m = SUBSCRIPT.exec(expr);
  if (!m) return { base: expr };
  const [, base, index, start, sep, end] = m;
  if (index !== undefined) return { base: base!, subscript: { kind: 'index', index: Number(index) } };
  const subscript: Subscript = { kind: 'range', start: Number(start), ...(end ? { end: Number(end) } : {}) };
  return { base: base!, subscript, ...(sep === '-' ? { dashed: true as const } : {}) };
}

/** One term: an operator character, then the pattern (taken as it is, blanks included) and its subscript. */
export function parseTerm(text: string, origin?: string): Term {
  const op: Op = text.startsWith('&') ? 'intersect' : text.startsWith('!') ? 'exclude' : 'union';
  const pattern = op === 'union' ? text : text.slice(1);
  // Ansible fails with "string index out of range" on these
  if (pattern === '') throw limitError(`${showText(text)} has no pattern after its operator`, origin);
  if (pattern.startsWith('@')) {
    // Ansible would take "@file" as a host name that matches nothing, and `!@failed.retry` would exclude no host
    throw limitError(`${showText(text)}: an @file is read only as a term of its own, without "&" or "!", and not from inside another @file`, origin);
  }
  const { base, subscript, dashed } = parseSubscript(pattern);
  return { op, expr: base, pattern, text, ...(subscript ? { subscript } : {}), ...(dashed ? { dashed } : {}), ...(origin ? { origin } : {}) };
}

/**
 * Python's `re` syntax that JavaScript spells otherwise: `(?P<name>…)`, `(?P=name)`, `\A`, `\Z`,
 * and flags at the start (`(?i)`). Anything else is given to JavaScript as it is.
 */
export function pythonRegExp(source: string): RegExp {
  let flags = 'y';
  let src = source;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'x' || f === 'L') throw new SyntaxError(`the (?${f}) flag is not supported`);
      if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    }
    src = src.slice(lead[0].length);
  }
  src = src.replace(/\\\\|\\A|\\Z|\(\?P<|\(\?P=(\w+)\)/g, (m, name: string | undefined) =>
    m === '\\\\' ? m : m === '\\A' ? '^' : m === '\\Z' ? '$(?![\\s\\S])' : m === '(?P<' ? '(?<' : `\\k<${name}>`,
  );
  return new RegExp(src, flags);
}

/**
 * Ansible's _match_list: `~regex` is a Python regular expression tried at the start of the name
 * and not required to reach its end (`re.match`); anything else is an fnmatch pattern, which a
 * plain name is too (it matches itself). Case matters.
 */
export function compileNameMatcher(expr: string, origin?: string): NameMatcher {
  if (expr.startsWith('~')) {
    let re: RegExp;
    try {
      re = pythonRegExp(expr.slice(1));
    } catch (err) {
      throw limitError(`${showText(expr)} is not a valid regular expression: ${(err as Error).message}`, origin);
    }
    return {
      kind: 'regex',
      test: (name) => {
        re.lastIndex = 0;
        return re.test(name);
      },
    };
  }
  let re: RegExp;
  try {
    re = fnmatchRegExp(expr);
  } catch (err) {
    if (!(err instanceof FnmatchError)) throw err;
    throw limitError(`${showText(expr)} is not a valid pattern: ${err.message}`, origin);
  }
  return { kind: 'glob', test: (name) => re.test(name) };
}

/** Ansible's order_patterns: every union first, then the intersections, then the exclusions; no union means `all`. */
export function orderTerms(terms: Term[]): Term[] {
  const unions = terms.filter((t) => t.op === 'union');
  return [...(unions.length > 0 ? unions : [parseTerm('all')]), ...terms.filter((t) => t.op === 'intersect'), ...terms.filter((t) => t.op === 'exclude')];
}

/**
 * Ansible's _apply_subscript over `names` (in the order the pattern matched them, repeats
 * included): an index past either end is an error; a range takes what there is, maybe nothing.
 */
export function applySubscript<T>(names: T[], sub: Subscript | undefined, term: Term): T[] {
  if (!sub || names.length === 0) return names;
  const n = names.length;
  // [start:0] is [start]: Ansible tests the end for truth
  const index = sub.kind === 'index' ? sub.index : sub.end === 0 ? sub.start : undefined;
  if (index === undefined) {
    const end = sub.kind === 'range' && sub.end !== undefined ? sub.end : n - 1;
    return names.slice(sub.kind === 'range' ? sub.start : 0, end + 1);
  }
  const at = index < 0 ? n + index : index;
  if (at < 0 || at >= n) {
    throw limitError(`${showText(term.pattern)}: there is no host at index ${index}: the pattern matches ${n} (counting from 0)`, term.origin);
  }
  return [names[at]!];
}

/**
 * An `@file` (what `--retry-file` writes): one pattern per line, not split further, so a line can
 * hold a `:` or `,`; blank lines, and lines starting with `#`, are skipped.
 */
export function parseLimitFile(text: string): { pattern: string; line: number }[] {
  return text
    .split('\n')
    .map((raw, i) => ({ pattern: pythonStrip(raw), line: i + 1 }))
    .filter(({ pattern }) => pattern !== '' && !pattern.startsWith('#'));
}
