import { groupProblems } from '../result/problems.js';
import { type RunResult, summarize } from '../result/result.js';
import { foldHtml } from './fold-section.js';
import { controlsHtml, overviewHtml, summaryLine } from './fleet-overview.js';
import { foldHosts } from './host-folds.js';
import { fleetOrder, STATUS_MARK, STATUS_ORDER } from './host-status.js';
import { SCRIPT, SCRIPT_HASH } from './html-script.js';
import { problemsHtml } from './problem-list.js';
import { CSS } from './html-style.js';
import { escapeHtml as e, plural, secondsText } from './html-text.js';

export { escapeHtml, formatLatency, shortCause } from './html-text.js';
export { MATRIX_COLOURS } from './html-style.js';
export { probeMatrix } from './probe-matrix.js';

/**
 * The run as ONE self-contained HTML page, for a person to open after a nightly run, read at any
 * fleet size (issue 16): inline CSS and one fixed inline script, nothing loaded from anywhere (a
 * Content-Security-Policy says so to the browser too, and lets only that script run).
 * A header with the command, time, a summary line by status, a filter and search box (the script
 * shows them) and an overview cell per host; then the problems grouped (groupProblems), then the
 * hosts failed first, unreachable, changed, ok, by name within a status: each failing host in its
 * own section (probe matrix open), healthy hosts with the same result folded into one closed
 * group; then the topology picture. Without JavaScript everything is shown.
 * The same result and `generatedAt` give the same bytes.
 */
export interface HtmlOptions {
  /** page title; default `cnet-remote <command>` */
  title?: string;
  /** the topology picture, an SVG document made by our own code: inlined as it is */
  svg?: string;
  /** shown as the report's time; default now (pass it for a reproducible page) */
  generatedAt?: string;
}

export function toHtml(result: RunResult, opts: HtmlOptions = {}): string {
  const title = opts.title ?? `cnet-remote ${result.command}`;
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const hosts = result.hosts;
  const s = summarize(hosts);
  const placed = fleetOrder(hosts);
  const probes = hosts.flatMap((h) => h.probes ?? []);
  const probesFailed = probes.filter((p) => !p.ok).length;
  const mismatches = hosts.reduce((n, h) => n + h.mismatches.length, 0);
  const warnings = hosts.reduce((n, h) => n + (h.warnings?.length ?? 0), 0);

  const badge = (n: number, label: string, cls: string): string => `<li class="badge ${n > 0 ? cls : 'zero'}">${n} ${e(label)}</li>`;
  const badges = [
    ...(probes.length > 0
      ? [`<li class="badge ${probesFailed > 0 ? 'failed' : 'ok'}">${probes.length - probesFailed}/${probes.length} probes answered</li>`]
      : []),
    badge(mismatches, mismatches === 1 ? 'mismatch' : 'mismatches', 'failed'),
    badge(warnings, warnings === 1 ? 'warning' : 'warnings', 'changed'),
  ];
  // a failed host's links go to its own section: names may repeat, so each name's ids in page order
  const idsOf = new Map<string, string[]>();
  for (const p of placed) idsOf.set(p.host.name, [...(idsOf.get(p.host.name) ?? []), p.id]);
  const idOf = (name: string): string => (idsOf.get(name)?.length ? idsOf.get(name)!.shift()! : 'problems');
  const problems = problemsHtml(groupProblems(placed.map((p) => p.host)), idOf);
  const jumps = [
    ...(problems ? ['<a href="#problems">problems</a>'] : []),
    ...STATUS_ORDER.filter((st) => s[st] > 0).map((st) => `<a href="#status-${st}" class="st-${st}">${st}</a>`),
    ...(opts.svg ? ['<a href="#topology">topology</a>'] : []),
  ];

  const html: string[] = [];
  html.push('<!DOCTYPE html>');
  html.push('<html lang="en">');
  html.push('<head>');
  html.push('<meta charset="utf-8">');
  html.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${SCRIPT_HASH}'">`);
  html.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  html.push(`<title>${e(title)}</title>`);
  html.push(`<style>${CSS}</style>`);
  html.push('</head>');
  html.push('<body>');
  html.push('<header>');
  html.push(`<h1>${e(title)}</h1>`);
  html.push(
    `<p class="meta">command <code>${e(result.command)}</code> · ${e(plural(hosts.length, 'host'))} · took ${e(secondsText(result.durationMs))} · generated <time>${e(generatedAt)}</time></p>`,
  );
  html.push(summaryLine(hosts.length, s));
  html.push(`<ul class="badges" aria-label="probes, mismatches, warnings">${badges.join('')}</ul>`);
  if (hosts.length > 0) {
    html.push(controlsHtml(s, hosts.length));
    html.push(overviewHtml(placed));
    html.push(`<nav class="jumps">go to: ${jumps.join(' ')}</nav>`);
  }
  html.push('</header>');
  html.push('<main>');
  if (hosts.length === 0) html.push('<p class="facts">No host in this run.</p>');
  if (problems) html.push(problems);
  for (const st of STATUS_ORDER) {
    const folds = foldHosts(placed.filter((p) => p.host.status === st));
    if (folds.length === 0) continue;
    html.push(
      `<h2 class="status-head st-${st}" id="status-${st}"><span class="mark">${STATUS_MARK[st]}</span> ${st[0]!.toUpperCase()}${st.slice(1)} <span class="count">${plural(s[st], 'host')}</span></h2>`,
    );
    html.push(`<div class="hosts">\n${folds.map(foldHtml).join('\n')}\n</div>`);
  }
  if (opts.svg) {
    html.push('<section id="topology">');
    html.push('<h2>Topology</h2>');
    html.push(`<div class="picture">\n${opts.svg}\n</div>`);
    html.push('</section>');
  }
  html.push('</main>');
  html.push(`<footer>cnet-remote · ${e(result.command)} · ${e(generatedAt)}</footer>`);
  html.push(`<script>${SCRIPT}</script>`);
  html.push('</body>');
  html.push('</html>');
  return `${html.join('\n')}\n`;
}
