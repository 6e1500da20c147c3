import { objectPath, type Mismatch } from '../result/finding.js';
import type { HostResult, ProbeResult, RunResult } from '../result/result.js';

/**
 * JUnit XML of a run, as CI test reporters (Jenkins, GitLab, GitHub actions) read it, valid against
 * the Apache Ant JUnit schema (windyroad's JUnit.xsd, test/fixtures/report/junit.xsd), the strictest
 * of the common ones (Jenkins xUnit's junit-10.xsd accepts it too). One `<testsuite>` per host; one `<testcase>` per checked object, per probe,
 * `connect` for an unreachable host, `apply` for a failed host's error (unless it only counts the
 * mismatches and failed probes that fail their own cases) or when nothing else fails.
 *
 * That schema allows no attributes on `<testsuites>`: the run's name (`cnet-remote <command>`) is
 * each suite's `package` and a comment before the root, its totals are in that comment.
 * Only the result's names, statuses, errors, mismatches, probes and warnings are written: never
 * the steps (shell text) nor anything of the connection settings.
 */
export interface JUnitOptions {
  /** when the run started; default now. Written in UTC without zone, as the schema wants. */
  timestamp?: Date | string;
}

import { escapeAttr, escapeText, xmlSafe } from './xml-text.js';

export { escapeAttr, escapeText, xmlSafe };

/** Milliseconds as seconds in xs:decimal (never exponent notation); `digits` 6 for ping times. */
export function seconds(ms: number | undefined, digits = 3): string {
  const v = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
  return (v / 1000).toFixed(digits);
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC: the schema's ISO8601_DATETIME_PATTERN (no zone, no fraction). */
export function junitTimestamp(when: Date | string = new Date()): string {
  const d = typeof when === 'string' ? new Date(when) : when;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(when)}`);
  return d.toISOString().slice(0, 19);
}

/** A token attribute (name, classname, hostname): one line, never empty. */
function token(text: string, fallback: string): string {
  const t = xmlSafe(text).replace(/\s+/g, ' ').trim();
  return t.length > 0 ? t : fallback;
}

export function mismatchLine(m: Mismatch): string {
  return `${m.path}: desired ${m.desired}, actual ${m.actual}`;
}

export function probeName(p: ProbeResult): string {
  return `probe ${p.kind} ${p.from} -> ${p.to} (${p.target})`;
}

const COUNT = String.raw`(?:\d+ mismatch(?:es)?|\d+ of \d+ probes failed)`;
/** The error verification sets: only counts of what the test cases show. */
const VERIFY_SUMMARY = new RegExp(`^${COUNT}(?:, ${COUNT})*$`);

export interface Outcome {
  tag: 'failure' | 'error';
  type: string;
  message: string;
  body: string;
}

export interface TestCase {
  name: string;
  timeMs?: number;
  /** decimals of `time`: 6 for probes, whose round trips are well under a millisecond */
  digits?: number;
  outcome?: Outcome;
}

/** A host's test cases, in order: connect, checked objects, unattributed mismatches, apply, probes. */
export function hostTestCases(h: HostResult): TestCase[] {
  const cases: TestCase[] = [];
  if (h.status === 'unreachable') {
    const message = h.error ?? 'host unreachable';
    cases.push({ name: 'connect', timeMs: h.durationMs, outcome: { tag: 'error', type: 'unreachable', message, body: message } });
  }

  const probeCases = (h.probes ?? []).map((p): TestCase => {
    if (p.ok) return { name: probeName(p), timeMs: p.latencyMs, digits: 6 };
    const message = p.cause ?? 'no reply';
    const body = `ping from ${p.from} to ${p.to} (${p.target}): no reply${p.cause ? `\nlikely cause: ${p.cause}` : ''}`;
    return { name: probeName(p), timeMs: p.latencyMs, digits: 6, outcome: { tag: 'failure', type: 'probe', message, body } };
  });

  const checked = h.checked ?? [];
  const byObject = new Map<string, Mismatch[]>(checked.map((c) => [c, []]));
  const unattributed: Mismatch[] = [];
  for (const m of h.mismatches) {
    const of = byObject.get(objectPath(m.object));
    if (of === undefined) unattributed.push(m);
    else of.push(m);
  }
  const mismatchCase = (name: string, ms: Mismatch[]): TestCase => {
    if (ms.length === 0) return { name };
    const lines = ms.map(mismatchLine);
    const message = ms.length === 1 ? (lines[0] ?? '') : `${ms.length} mismatches: ${lines.join('; ')}`;
    return { name, outcome: { tag: 'failure', type: 'mismatch', message, body: lines.join('\n') } };
  };
  for (const [name, ms] of byObject) cases.push(mismatchCase(name, ms));
  // mismatches under no checked object (or a result without `checked`) must not vanish
  if (unattributed.length > 0) cases.push(mismatchCase('verify', unattributed));

  // A failed host never looks green, and its error is never only in system-err when it says more
  // than the failing cases do: it is a failing `apply` unless it merely counts the mismatches and
  // failed probes shown above ("1 mismatch, 2 of 16 probes failed", as verification words it).
  const failing = [...cases, ...probeCases].some((c) => c.outcome);
  const explained = failing && h.error !== undefined && VERIFY_SUMMARY.test(h.error);
  if (h.status === 'failed' && ((h.error !== undefined && !explained) || !failing)) {
    const message = h.error ?? `failed${h.verified ? '' : ' (did not verify)'}`;
    cases.push({ name: 'apply', timeMs: h.durationMs, outcome: { tag: 'failure', type: 'apply', message, body: message } });
  }

  return [...cases, ...probeCases];
}

function warningsText(h: HostResult): string {
  return (h.warnings ?? []).map((w) => `warning: ${w.message}${w.fix ? `\n  fix: ${w.fix}` : ''}`).join('\n');
}

export function toJUnit(result: RunResult, opts: JUnitOptions = {}): string {
  const timestamp = junitTimestamp(opts.timestamp);
  const runName = token(`cnet-remote ${result.command}`, 'cnet-remote');
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;

  result.hosts.forEach((h, id) => {
    const host = token(h.name, 'unnamed');
    const cases = hostTestCases(h);
    const f = cases.filter((c) => c.outcome?.tag === 'failure').length;
    const e = cases.filter((c) => c.outcome?.tag === 'error').length;
    tests += cases.length;
    failures += f;
    errors += e;
    const a = escapeAttr;
    const lines: string[] = [];
    lines.push(
      `  <testsuite name="${a(host)}" package="${a(runName)}" id="${id}" hostname="${a(host)}" timestamp="${timestamp}"` +
        ` tests="${cases.length}" failures="${f}" errors="${e}" skipped="0" time="${seconds(h.durationMs)}">`,
    );
    const props: [string, string][] = [
      ['command', result.command],
      ['status', h.status],
      ['changes', String(h.changes)],
      ['verified', String(h.verified)],
      ['warnings', String(h.warnings?.length ?? 0)],
    ];
    lines.push('    <properties>');
    for (const [name, value] of props) lines.push(`      <property name="${a(name)}" value="${a(value)}"/>`);
    lines.push('    </properties>');
    for (const c of cases) {
      const open = `    <testcase classname="${a(host)}" name="${a(token(c.name, 'unnamed'))}" time="${seconds(c.timeMs, c.digits)}"`;
      if (!c.outcome) {
        lines.push(`${open}/>`);
      } else {
        const o = c.outcome;
        lines.push(`${open}>`);
        lines.push(`      <${o.tag} message="${a(o.message)}" type="${a(o.type)}">${escapeText(o.body)}</${o.tag}>`);
        lines.push('    </testcase>');
      }
    }
    lines.push(`    <system-out>${escapeText(warningsText(h))}</system-out>`);
    lines.push(`    <system-err>${escapeText(h.error ?? '')}</system-err>`);
    lines.push('  </testsuite>');
    suites.push(lines.join('\n'));
  });

  const s = result.summary;
  // a comment may hold no `--` and may not end with `-`
  const comment =
    `${runName}: ${result.hosts.length} hosts (${s.ok} ok, ${s.changed} changed, ${s.failed} failed, ${s.unreachable} unreachable); ${tests} tests, ${failures} failures, ${errors} errors; ${seconds(result.durationMs)} s`
      .replace(/-(?=-)/g, '- ')
      .replace(/-$/, '- ');
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<!-- ${escapeText(comment)} -->`, '<testsuites>', ...suites, '</testsuites>', ''].join('\n');
}
