/**
 * `--limit PATTERN` as ansible-core 2.14 evaluates it (InventoryManager.subset, then
 * _evaluate_patterns / _match_one_pattern / _enumerate_matches): the hosts selected, and a
 * warning for each pattern that matches nothing, which is then ignored. Where we refuse what
 * Ansible takes, it is input Ansible would turn into "every host" or crash on: an empty limit or
 * @file, `!@file` / `&@file`, a lone operator.
 */
import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import { applySubscript, compileNameMatcher, limitError, orderTerms, parseLimitFile, parseTerm, splitLimit, type Term } from './limit-pattern.js';
import { showText } from '../shown.js';

/** Reads an `@file`; a parameter so that callers (and tests) can choose. */
export type ReadLimitFile = (path: string) => string;

const readUtf8: ReadLimitFile = (path) => readInputText(path, INPUT_KINDS.limit);

/**
 * What a limit is evaluated against. `groups`: every group (`all` and `ungrouped` included), in
 * the order Ansible adds them, each with its hosts in Group.get_hosts() order (group-order.ts);
 * `hosts`: every host, in the order Ansible adds them. The orders matter to subscripts only.
 */
export interface LimitInventory<H extends { name: string }> {
  hosts: readonly H[];
  groups: ReadonlyMap<string, Iterable<string>>;
}

/** A pattern that matched no host or group (Ansible: "Could not match supplied host pattern, ignoring"), or an old form. */
export interface LimitWarning {
  kind: 'no-match' | 'dashed-range';
  /** the pattern as Ansible names it: without operator and subscript */
  pattern: string;
  message: string;
}

export interface LimitResult<H> {
  /** the hosts selected, in the inventory's order; none is for the caller to refuse */
  hosts: H[];
  warnings: LimitWarning[];
}

/** Ansible's C.LOCALHOST: such a name, when nothing else matches, is Ansible's implicit localhost, never an inventory host. */
const LOCALHOST = new Set(['127.0.0.1', 'localhost', '::1']);
const IMPLICIT_LOCALHOST = Symbol('implicit localhost');

/** The terms of a `--limit` value, in the order written, with each `@file` replaced by its lines. */
export function expandLimit(limit: string, readFile: ReadLimitFile = readUtf8): Term[] {
  const terms: Term[] = [];
  for (const part of splitLimit(limit)) {
    if (!part.startsWith('@')) {
      terms.push(parseTerm(part));
      continue;
    }
    const path = part.slice(1);
    if (path.trim() === '') throw limitError(`${showText(part)} names no file`);
    let text: string;
    try {
      text = readFile(path);
    } catch (err) {
      throw limitError(`cannot read ${showText(path)}: ${err instanceof InputFileError ? err.problem : (err as Error).message}`);
    }
    const lines = parseLimitFile(text);
    // Ansible takes an empty file as no limit at all: every host
    if (lines.length === 0) throw limitError(`${showText(path)} holds no host pattern`);
    for (const { pattern, line } of lines) terms.push(parseTerm(pattern, `line ${line} of ${path}`));
  }
  // Ansible takes an empty limit as no limit at all: every host
  if (terms.length === 0) throw limitError('no host pattern given');
  return terms;
}

/** One evaluation: Ansible's per-pattern cache (a pattern is matched, and warned of, once). */
class Evaluation<H extends { name: string }> {
  readonly warnings: LimitWarning[] = [];
  private readonly cache = new Map<string, (string | typeof IMPLICIT_LOCALHOST)[]>();
  private readonly hostNames: Set<string>;

  constructor(private readonly inv: LimitInventory<H>) {
    this.hostNames = new Set(inv.hosts.map((h) => h.name));
  }

  private warn(kind: LimitWarning['kind'], pattern: string, message: string, origin: string | undefined): void {
    // Ansible shows a warning once, however many patterns give it (`nope[0],nope[1]`)
    if (this.warnings.some((w) => w.kind === kind && w.pattern === pattern)) return;
    this.warnings.push({ kind, pattern, message: `--limit: ${message}${origin ? ` (${origin})` : ''}` });
  }

  /**
   * _match_one_pattern: the hosts of every group whose name matches, then (when no group
   * matched, or the pattern is a regex or has `.`, `?`, `*` or `[`) every host whose name
   * matches, in that order and with repeats, which a subscript counts in.
   */
  match(term: Term): string[] {
    let found = this.cache.get(term.pattern);
    if (!found) {
      if (term.dashed)
        this.warn(
          'dashed-range',
          term.expr,
          `${showText(term.pattern)}: write the range with ":" (Ansible reads [x-y] as [x:y] but has deprecated it)`,
          term.origin,
        );
      const matcher = compileNameMatcher(term.expr, term.origin);
      const results: (string | typeof IMPLICIT_LOCALHOST)[] = [];
      let groupMatched = false;
      for (const [group, members] of this.inv.groups) {
        if (!matcher.test(group)) continue;
        groupMatched = true;
        results.push(...members);
      }
      if (!groupMatched || term.expr.startsWith('~') || /[.?*[]/.test(term.expr)) {
        for (const h of this.inv.hosts) if (matcher.test(h.name)) results.push(h.name);
      }
      if (results.length === 0 && LOCALHOST.has(term.expr)) results.push(IMPLICIT_LOCALHOST);
      if (results.length === 0 && !groupMatched && term.expr !== 'all') {
        this.warn('no-match', term.expr, `${showText(term.expr)} matches no host or group: ignored`, term.origin);
      }
      found = applySubscript(results, term.subscript, term);
      this.cache.set(term.pattern, found);
    }
    return found.filter((h): h is string => h !== IMPLICIT_LOCALHOST);
  }

  /** _evaluate_patterns: unions, then intersections, then exclusions; a term that names a host is that host. */
  evaluate(terms: Term[]): Set<string> {
    let selected = new Set<string>();
    for (const term of orderTerms(terms)) {
      if (this.hostNames.has(term.text)) {
        selected.add(term.text);
        continue;
      }
      const matched = this.match(term);
      if (term.op === 'union') for (const n of matched) selected.add(n);
      else {
        const that = new Set(matched);
        selected = new Set([...selected].filter((n) => (term.op === 'intersect' ? that.has(n) : !that.has(n))));
      }
    }
    return selected;
  }
}

/** The names the terms select, and the warnings on the way. */
export function evaluateTerms<H extends { name: string }>(inv: LimitInventory<H>, terms: Term[]): { selected: Set<string>; warnings: LimitWarning[] } {
  const run = new Evaluation(inv);
  const selected = run.evaluate(terms);
  return { selected, warnings: run.warnings };
}

/**
 * `--limit PATTERN`: Ansible's host patterns (`a,b`, `a:b`, `&a`, `!a`, globs, `~regex`,
 * `group[0]`, `group[1:3]`, `@file`). The hosts selected, in inventory order, and the warnings
 * to show; undefined selects every host. Selecting none is not an error here: the caller says so.
 */
export function selectHosts<H extends { name: string }>(inv: LimitInventory<H>, limit: string | undefined, readFile: ReadLimitFile = readUtf8): LimitResult<H> {
  if (limit === undefined) return { hosts: [...inv.hosts], warnings: [] };
  const { selected, warnings } = evaluateTerms(inv, expandLimit(limit, readFile));
  return { hosts: inv.hosts.filter((h) => selected.has(h.name)), warnings };
}

/** selectHosts without its warnings. */
export function applyLimit<H extends { name: string }>(inv: LimitInventory<H>, limit: string | undefined, readFile: ReadLimitFile = readUtf8): H[] {
  return selectHosts(inv, limit, readFile).hosts;
}
