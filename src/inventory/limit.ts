import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import {
  applySubscript,
  compileNameMatcher,
  limitError,
  orderTerms,
  parseLimitFile,
  parseTerm,
  splitLimit,
  type Term,
} from './limit-pattern.js';
import type { Inventory, ResolvedHost } from './types.js';

/** Reads an `@file`; a parameter so that callers (and tests) can choose. */
export type ReadLimitFile = (path: string) => string;

const readUtf8: ReadLimitFile = (path) => readInputText(path, INPUT_KINDS.limit);

/** Groups every host is in: named exactly they work, but no glob or regex selects them. */
const BUILTIN_GROUPS = new Set(['all', 'ungrouped']);

/** The terms of a `--limit` value, in the order written, with each `@file` replaced by its lines. */
export function expandLimit(limit: string, readFile: ReadLimitFile = readUtf8): Term[] {
  const terms: Term[] = [];
  for (const part of splitLimit(limit)) {
    if (!part.startsWith('@')) {
      terms.push(parseTerm(part));
      continue;
    }
    const path = part.slice(1).trim();
    if (path === '') throw limitError(`"${part}" names no file`);
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      throw limitError(`cannot read "${path}": ${err instanceof InputFileError ? err.problem : (err as Error).message}`);
    }
    const lines = parseLimitFile(text);
    if (lines.length === 0) throw limitError(`"${path}" holds no host pattern`);
    for (const { pattern, line } of lines) terms.push(parseTerm(pattern, `line ${line} of ${path}`));
  }
  if (terms.length === 0) throw limitError('no host pattern given');
  return terms;
}

/**
 * The host names one term's pattern selects, in inventory order: every group whose name matches
 * contributes its hosts, and every host whose name matches contributes itself. A pattern that
 * matches no host and no group name is an error; an empty group is not.
 */
export function matchTerm(inv: Inventory, term: Term): string[] {
  const matcher = compileNameMatcher(term.expr, term.origin);
  const wanted = new Set<string>();
  let matchedName = false;
  for (const [group, members] of inv.groups) {
    if (matcher.kind !== 'exact' && BUILTIN_GROUPS.has(group)) continue;
    if (!matcher.test(group)) continue;
    matchedName = true;
    for (const h of members) wanted.add(h);
  }
  for (const h of inv.hosts) {
    if (matcher.test(h.name)) {
      matchedName = true;
      wanted.add(h.name);
    }
  }
  if (!matchedName) {
    throw limitError(
      matcher.kind === 'exact'
        ? `"${term.expr}" is neither a host nor a group of the inventory`
        : `"${term.expr}" matches no host or group of the inventory`,
      term.origin,
    );
  }
  const names = inv.hosts.map((h) => h.name).filter((n) => wanted.has(n));
  return applySubscript(names, term.subscript, term);
}

/** Unions, then intersections, then exclusions (Ansible's order, whatever the written order). */
export function evaluateTerms(inv: Inventory, terms: Term[]): Set<string> {
  let selected = new Set<string>();
  for (const term of orderTerms(terms)) {
    const matched = matchTerm(inv, term);
    if (term.op === 'union') for (const n of matched) selected.add(n);
    else {
      const that = new Set(matched);
      selected = new Set([...selected].filter((n) => (term.op === 'intersect' ? that.has(n) : !that.has(n))));
    }
  }
  return selected;
}

/**
 * `--limit PATTERN`: Ansible's host patterns (`a,b`, `a:b`, `&a`, `!a`, globs, `~regex`,
 * `group[0]`, `@file`). The hosts selected, in inventory order; undefined selects every host.
 */
export function applyLimit(inv: Inventory, limit: string | undefined, readFile: ReadLimitFile = readUtf8): ResolvedHost[] {
  if (limit === undefined) return inv.hosts;
  const selected = evaluateTerms(inv, expandLimit(limit, readFile));
  return inv.hosts.filter((h) => selected.has(h.name));
}
