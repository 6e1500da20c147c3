import type { Mismatch } from '../../result/finding.js';
import { compareHostNames } from '../../result/host-order.js';
import { mismatchLine } from '../../result/problems.js';
import type { HostResult, HostStatus, ProbeResult, RunResult } from '../../result/result.js';
import { plainText, showLine, type Colour, type Span, type Text } from '../../shown.js';

const STATUS_COLOUR: Record<HostStatus, Colour> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  unreachable: 'red',
};

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Past this many hosts, the recap lists only the hosts that failed or were unreachable (`-v`: all). */
export const RECAP_ALL_LIMIT = 20;

/**
 * Ansible's PLAY RECAP: a header, one aligned line per host (sorted by name), a summary line; in
 * colour (spans Output paints after neutralizing their text) when `color`, else plain text. With
 * `all` false the healthy hosts (ok, changed) are a count, not lines.
 */
export function formatRecap(result: RunResult, color: boolean, all = true): Text {
  return joinTexts([recapHosts(result, color, all), summaryLine(result, color)], color);
}

/** The recap's header and host lines (`all` false: the failed and unreachable ones, and a count of the others). */
export function recapHosts(result: RunResult, color: boolean, all = true): Text {
  const sorted = [...result.hosts].sort((a, b) => compareHostNames(a.name, b.name));
  const hosts = all ? sorted : sorted.filter((h) => h.status === 'failed' || h.status === 'unreachable');
  const width = Math.max(0, ...hosts.map((h) => h.name.length));
  const spans: Span[] = [];
  const put = (text: string, colour?: Colour): void => void spans.push(colour && color ? { text, colour } : { text });
  const field = (label: string, n: number, colour: Colour): void => put(`${label}=${n}`, n > 0 ? colour : undefined);

  put('RECAP ********');
  for (const h of hosts) {
    const ok = h.status === 'ok' || h.status === 'changed' ? 1 : 0;
    const unreachable = h.status === 'unreachable' ? 1 : 0;
    const failed = h.status === 'failed' ? 1 : 0;
    // colour the name only, so the padding (and the alignment) is the same with and without colour
    put('\n');
    put(h.name, STATUS_COLOUR[h.status]);
    put(`${' '.repeat(width - h.name.length)} : `);
    field('ok', ok, 'green');
    put(' ');
    field('changed', h.changes, 'yellow');
    put(' ');
    field('unreachable', unreachable, 'red');
    put(' ');
    field('failed', failed, 'red');
  }
  const others = sorted.length - hosts.length;
  if (others > 0) put(`\n… ${plural(others, 'more host')} ok or changed (-v lists them)`);
  return color ? spans : plainText(spans);
}

/** The run in one line: hosts by status (numbers that add up to the hosts) and the time it took. */
export function summaryLine(result: RunResult, color: boolean): Text {
  const spans: Span[] = [];
  const put = (text: string, colour?: Colour): void => void spans.push(colour && color ? { text, colour } : { text });
  const s = result.summary;
  const count = (n: number, label: string, colour: Colour): void => put(`${n} ${label}`, n > 0 ? colour : undefined);
  put(`${plural(result.hosts.length, 'host')}: `);
  count(s.ok, 'ok', 'green');
  put(', ');
  count(s.changed, 'changed', 'yellow');
  put(', ');
  count(s.failed, 'failed', 'red');
  put(', ');
  count(s.unreachable, 'unreachable', 'red');
  put(` in ${formatSeconds(result.durationMs)}`);
  return color ? spans : plainText(spans);
}

/** Texts one under the other. */
export function joinTexts(texts: readonly Text[], color: boolean): Text {
  const parts = texts.filter((t) => (typeof t === 'string' ? t !== '' : t.length > 0));
  if (!color) return parts.map((t) => (typeof t === 'string' ? t : plainText(t))).join('\n');
  return parts.flatMap((t, i) => [...(i > 0 ? [{ text: '\n' }] : []), ...(typeof t === 'string' ? [{ text: t }] : t)]);
}

/** A mismatch as one line (mismatchLine), its host's text neutralized: a newline in it would start a line of its own. */
export function formatMismatch(m: Mismatch): string {
  return showLine(mismatchLine(m));
}

/** An error's lines, without the blank ones (command stderr often ends in a newline). */
export function errorLines(error: string | undefined): string[] {
  if (error === undefined) return [];
  return error
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '');
}

/**
 * The lines worth showing under a host that did not go well (failed or unreachable), indented by
 * two spaces: its error (one line per line of the message), then each mismatch. Hosts that are ok
 * or changed get nothing: their steps are shown only in verbose mode, see `formatSteps`.
 */
export function formatHostDetail(h: HostResult): string[] {
  if (h.status === 'ok' || h.status === 'changed') return [];
  return [...errorLines(h.error), ...h.mismatches.map(formatMismatch), ...(h.probes ?? []).filter((p) => !p.ok).map(formatProbe)].map((l) => `  ${l}`);
}

export function formatProbe(p: ProbeResult): string {
  const what = `probe ${p.kind} ${p.from} -> ${p.to} (${p.target})`;
  return p.ok ? `${what}: ok${p.latencyMs !== undefined ? ` ${p.latencyMs} ms` : ''}` : `${what}: FAILED: ${showLine(p.cause ?? 'no reply')}`;
}

/** Warnings of a host, each with its fix, indented. */
export function formatWarnings(h: HostResult): string[] {
  return (h.warnings ?? []).flatMap((w) => [`  warning: ${showLine(w.message)}`, ...(w.fix ? [`    fix: ${showLine(w.fix)}`] : [])]);
}

/** Verbose mode: the commands applied on the host (or, for `plan`, that would be). */
export function formatSteps(h: HostResult): string[] {
  // a multi-line step (a here-document, say) keeps its continuation lines under the `+`
  return h.steps.flatMap((step) => step.split(/\r?\n/).map((l, i) => (i === 0 ? `  + ${l}` : `    ${l}`)));
}
