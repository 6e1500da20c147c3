import type { HostResult, RunResult } from '../result/result.js';
import { hostHtml } from './host-section.js';
import { CSS } from './html-style.js';
import { escapeHtml as e, plural, secondsText } from './html-text.js';

export { escapeHtml, formatLatency, shortCause } from './html-text.js';
export { MATRIX_COLOURS } from './html-style.js';
export { probeMatrix } from './probe-matrix.js';

/**
 * The run as ONE self-contained HTML page, for a person to open after a nightly run: inline CSS,
 * no script, nothing loaded from anywhere (a Content-Security-Policy says so to the browser too).
 * A header with the command, time and summary badges; per host its status, error, warnings with
 * the commands that fix them, mismatches and the probe matrix; then the topology picture.
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

/** Element ids from host names: unique, and only characters safe in an id and a `#` link. */
function hostIds(hosts: HostResult[]): string[] {
  const seen = new Map<string, number>();
  return hosts.map((h) => {
    const base = `host-${h.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n + 1}`;
  });
}

export function toHtml(result: RunResult, opts: HtmlOptions = {}): string {
  const title = opts.title ?? `cnet-remote ${result.command}`;
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const s = result.summary;
  const ids = hostIds(result.hosts);
  const probes = result.hosts.flatMap((h) => h.probes ?? []);
  const probesFailed = probes.filter((p) => !p.ok).length;
  const mismatches = result.hosts.reduce((n, h) => n + h.mismatches.length, 0);
  const warnings = result.hosts.reduce((n, h) => n + (h.warnings?.length ?? 0), 0);

  const badge = (n: number, label: string, cls: string): string => `<li class="badge ${n > 0 ? cls : 'zero'}">${n} ${e(label)}</li>`;
  const badges = [
    badge(s.ok, 'ok', 'ok'),
    badge(s.changed, 'changed', 'changed'),
    badge(s.failed, 'failed', 'failed'),
    badge(s.unreachable, 'unreachable', 'unreachable'),
    ...(probes.length > 0
      ? [`<li class="badge ${probesFailed > 0 ? 'failed' : 'ok'}">${probes.length - probesFailed}/${probes.length} probes answered</li>`]
      : []),
    badge(mismatches, mismatches === 1 ? 'mismatch' : 'mismatches', 'failed'),
    badge(warnings, warnings === 1 ? 'warning' : 'warnings', 'changed'),
  ];

  const html: string[] = [];
  html.push('<!DOCTYPE html>');
  html.push('<html lang="en">');
  html.push('<head>');
  html.push('<meta charset="utf-8">');
  html.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  html.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  html.push(`<title>${e(title)}</title>`);
  html.push(`<style>${CSS}</style>`);
  html.push('</head>');
  html.push('<body>');
  html.push('<header>');
  html.push(`<h1>${e(title)}</h1>`);
  html.push(
    `<p class="meta">command <code>${e(result.command)}</code> · ${e(plural(result.hosts.length, 'host'))} · took ${e(secondsText(result.durationMs))} · generated <time>${e(generatedAt)}</time></p>`,
  );
  html.push(`<ul class="badges" aria-label="summary">${badges.join('')}</ul>`);
  if (result.hosts.length > 0) {
    html.push(
      `<nav>hosts: ${result.hosts.map((h, i) => `<a href="#${ids[i]}">${e(h.name)}</a>`).join('')}${opts.svg ? '<a href="#topology">topology</a>' : ''}</nav>`,
    );
  }
  html.push('</header>');
  html.push('<main>');
  if (result.hosts.length === 0) html.push('<p class="facts">No host in this run.</p>');
  else html.push(`<div class="hosts">\n${result.hosts.map((h, i) => hostHtml(h, ids[i] ?? `host-${i}`)).join('\n')}\n</div>`);
  if (opts.svg) {
    html.push('<section id="topology">');
    html.push('<h2>Topology</h2>');
    html.push(`<div class="picture">\n${opts.svg}\n</div>`);
    html.push('</section>');
  }
  html.push('</main>');
  html.push(`<footer>cnet-remote · ${e(result.command)} · ${e(generatedAt)}</footer>`);
  html.push('</body>');
  html.push('</html>');
  return `${html.join('\n')}\n`;
}
