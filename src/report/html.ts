import { xmlSafe } from './xml-text.js';
import { objectPath } from '../result/finding.js';
import type { HostResult, HostStatus, ProbeResult, RunResult } from '../result/result.js';

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

/** Escaped for HTML text and quoted attributes; control characters dropped or replaced. */
export function escapeHtml(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const e = escapeHtml;

const STATUS_LABEL: Record<HostStatus, string> = { ok: 'ok', changed: 'changed', failed: 'failed', unreachable: 'unreachable' };

/** A probe's failure cause, short enough for a matrix cell: its first clause, at most 30 characters. */
export function shortCause(cause: string | undefined): string {
  const text = xmlSafe(cause ?? 'no reply')
    .replace(/\s+/g, ' ')
    .trim();
  const first = text.split(/: |; /)[0] ?? text;
  return first.length > 30 ? `${first.slice(0, 29).trimEnd()}…` : first;
}

export function formatLatency(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1) return `${ms.toFixed(3)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

const secondsText = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(2)} s`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

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

interface Column {
  key: string;
  label: string;
  sub: string;
  kind: 'namespace' | 'gateway' | 'upstream' | 'fabric';
}

const columnKey = (p: ProbeResult): string =>
  p.kind === 'gateway' ? `gateway:${p.to}` : p.kind === 'upstream' ? `upstream:${p.target}` : p.kind === 'fabric' ? `fabric:${p.to}` : `namespace:${p.to}`;

/** The probe matrix: rows = where a ping starts (namespaces, then the host), columns = targets
 * (namespaces, gateways, upstream), in the order the probes name them. */
export function probeMatrix(probes: ProbeResult[]): { rows: string[]; columns: Column[]; cell: (row: string, col: string) => ProbeResult | undefined } {
  const namespaces: string[] = [];
  const addNs = (n: string): void => {
    if (n !== 'host' && !namespaces.includes(n)) namespaces.push(n);
  };
  for (const p of probes) {
    addNs(p.from);
    if (p.kind === 'peer' || p.kind === 'host') addNs(p.to);
  }
  const cols = new Map<string, Column>();
  for (const p of probes) {
    const key = columnKey(p);
    if (cols.has(key)) continue;
    if (p.kind === 'gateway') cols.set(key, { key, label: p.to, sub: `gateway ${p.target}`, kind: 'gateway' });
    else if (p.kind === 'upstream') cols.set(key, { key, label: p.to, sub: p.target, kind: 'upstream' });
    else if (p.kind === 'fabric') cols.set(key, { key, label: p.to, sub: p.target, kind: 'fabric' });
    else cols.set(key, { key, label: p.to, sub: p.target, kind: 'namespace' });
  }
  const rank = { namespace: 0, gateway: 1, upstream: 2, fabric: 3 } as const;
  const nsIndex = (c: Column): number => (c.kind === 'namespace' ? namespaces.indexOf(c.label) : 0);
  const order = [...cols.values()].map((c, i) => ({ c, i }));
  order.sort((a, b) => rank[a.c.kind] - rank[b.c.kind] || nsIndex(a.c) - nsIndex(b.c) || a.i - b.i);
  const columns = order.map((x) => x.c);
  const rows = [...namespaces.filter((n) => probes.some((p) => p.from === n)), ...(probes.some((p) => p.from === 'host') ? ['host'] : [])];
  const cells = new Map<string, ProbeResult>();
  for (const p of probes) {
    const k = `${p.from}\u0000${columnKey(p)}`;
    const had = cells.get(k);
    // two probes in one cell (should not happen): the failed one shows
    if (!had || (had.ok && !p.ok)) cells.set(k, p);
  }
  return { rows, columns, cell: (row, col) => cells.get(`${row}\u0000${col}`) };
}

function matrixHtml(probes: ProbeResult[]): string {
  if (probes.length === 0) return '';
  const { rows, columns, cell } = probeMatrix(probes);
  const failed = probes.filter((p) => !p.ok).length;
  const out: string[] = [];
  out.push(`<h3>Probes <span class="count">${probes.length - failed} of ${probes.length} answered</span></h3>`);
  out.push('<div class="scroll"><table class="matrix">');
  out.push('<thead><tr><th class="corner" scope="col">from \\ to</th>');
  for (const c of columns) out.push(`<th scope="col" class="col-${c.kind}">${e(c.label)}<small>${e(c.sub)}</small></th>`);
  out.push('</tr></thead><tbody>');
  for (const r of rows) {
    out.push(`<tr><th scope="row">${r === 'host' ? 'host <small>root namespace</small>' : e(r)}</th>`);
    for (const c of columns) {
      const p = cell(r, c.key);
      if (!p) {
        out.push('<td class="none" title="not probed">·</td>');
      } else if (p.ok) {
        const lat = formatLatency(p.latencyMs);
        const title = `${p.kind}: ${p.from} → ${p.to} (${p.target}) answered${lat ? ` in ${lat}` : ''}`;
        out.push(`<td class="pass" title="${e(title)}"><span class="mark">✓</span> ${e(lat)}</td>`);
      } else {
        const cause = p.cause ?? 'no reply';
        const title = `${p.kind}: ${p.from} → ${p.to} (${p.target}) failed: ${cause}`;
        out.push(`<td class="fail" title="${e(title)}"><span class="mark">✗</span> ${e(shortCause(cause))}</td>`);
      }
    }
    out.push('</tr>');
  }
  out.push('</tbody></table></div>');
  const failures = probes.filter((p) => !p.ok);
  if (failures.length > 0) {
    out.push('<ul class="causes">');
    for (const p of failures) {
      out.push(`<li><span class="mark bad">✗</span> <b>${e(`${p.from} → ${p.to} (${p.target})`)}</b>: ${e(p.cause ?? 'no reply')}</li>`);
    }
    out.push('</ul>');
  }
  return out.join('\n');
}

function hostHtml(h: HostResult, id: string): string {
  const out: string[] = [];
  out.push(`<section class="host st-${h.status}" id="${id}">`);
  out.push(`<h2>${e(h.name)} <span class="badge ${h.status}">${STATUS_LABEL[h.status]}</span></h2>`);
  const facts = [
    plural(h.changes, 'change'),
    h.status === 'unreachable' ? 'not verified' : h.verified ? 'verified' : 'did not verify',
    secondsText(h.durationMs),
  ];
  out.push(`<p class="facts">${facts.map(e).join(' · ')}</p>`);
  if (h.error) out.push(`<div class="error"><b>error</b><pre>${e(h.error)}</pre></div>`);

  if (h.mismatches.length > 0) {
    out.push(`<h3>Mismatches <span class="count">${h.mismatches.length}</span></h3>`);
    out.push(
      '<div class="scroll"><table class="mismatches"><thead><tr><th scope="col">path</th><th scope="col">desired</th><th scope="col">actual</th></tr></thead><tbody>',
    );
    for (const m of h.mismatches) out.push(`<tr><td><code>${e(m.path)}</code></td><td>${e(m.desired)}</td><td class="actual">${e(m.actual)}</td></tr>`);
    out.push('</tbody></table></div>');
  }

  // details on the left, the probe matrix on the right (one column on a narrow window)
  out.push('<div class="cols">');
  out.push('<div class="details">');
  const warnings = h.warnings ?? [];
  if (warnings.length > 0) {
    out.push(`<h3>Warnings <span class="count">${warnings.length}</span></h3><ul class="warnings">`);
    for (const w of warnings) {
      out.push(`<li><span class="mark warn">⚠</span> ${e(w.message)}${w.fix ? `<div class="fix">fix: <code>${e(w.fix)}</code></div>` : ''}</li>`);
    }
    out.push('</ul>');
  }

  const checked = h.checked ?? [];
  if (checked.length > 0) {
    const bad = new Set(h.mismatches.map((m) => objectPath(m.object)).filter((o) => checked.includes(o)));
    out.push(`<h3>Checked objects <span class="count">${checked.length - bad.size} of ${checked.length} as desired</span></h3>`);
    out.push('<ul class="objects">');
    for (const c of checked) {
      out.push(bad.has(c) ? `<li class="fail"><span class="mark">✗</span> ${e(c)}</li>` : `<li class="pass"><span class="mark">✓</span> ${e(c)}</li>`);
    }
    out.push('</ul>');
  }

  out.push('</div>');
  const matrix = matrixHtml(h.probes ?? []);
  if (matrix) out.push(`<div class="probes">\n${matrix}\n</div>`);
  out.push('</div>');
  out.push('</section>');
  return out.filter((s) => s !== '').join('\n');
}

/** Backgrounds of the probe matrix's cells: its own shades, so a screenshot test can find them. */
export const MATRIX_COLOURS = { pass: '#c9f2d3', fail: '#ffd8d3', none: '#ffffff' } as const;

const CSS = `
:root { color-scheme: light; --ok: #1a7f37; --ok-bg: #dafbe1; --chg: #9a6700; --chg-bg: #fff8c5; --bad: #cf222e; --bad-bg: #ffebe9;
  --unr: #6e40c9; --unr-bg: #f0e8ff; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif; color: #1f2328; background: #fff; }
header { padding: 16px 24px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 4px; font-size: 18px; display: flex; align-items: center; gap: 8px; }
h3 { margin: 12px 0 6px; font-size: 14px; }
.count { font-weight: normal; color: var(--muted); }
.meta, .facts { margin: 0 0 8px; color: var(--muted); }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12.5px; }
.badges { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 6px; padding: 0; list-style: none; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; border: 1px solid transparent; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.badge.changed { color: var(--chg); background: var(--chg-bg); border-color: var(--chg); }
.badge.failed { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }
.badge.unreachable { color: var(--unr); background: var(--unr-bg); border-color: var(--unr); }
.badge.zero { color: var(--muted); background: #fff; border-color: var(--line); font-weight: normal; }
.badge.info { color: #0969da; background: #ddf4ff; border-color: #0969da; }
nav { color: var(--muted); }
nav a { color: #0969da; margin-right: 10px; }
main { padding: 16px 24px 24px; }
.hosts { display: flex; flex-direction: column; gap: 16px; }
.cols { display: grid; grid-template-columns: minmax(260px, 1fr) auto; gap: 0 28px; align-items: start; }
.cols > * { min-width: 0; }
@media (max-width: 1000px) { .cols { grid-template-columns: minmax(0, 1fr); } }
.host { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 6px; padding: 12px 16px; min-width: 0; }
.host.st-ok { border-left-color: var(--ok); }
.host.st-changed { border-left-color: var(--chg); }
.host.st-failed { border-left-color: var(--bad); }
.host.st-unreachable { border-left-color: var(--unr); }
.error { background: var(--bad-bg); border: 1px solid var(--bad); border-radius: 6px; padding: 6px 10px; margin-bottom: 4px; color: var(--bad); }
.error pre { margin: 2px 0 0; white-space: pre-wrap; word-break: break-word; color: #1f2328; }
ul.warnings, ul.causes { margin: 0; padding-left: 0; list-style: none; }
ul.warnings li { background: var(--chg-bg); border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin-bottom: 6px; }
.fix { margin-top: 4px; }
.fix code { display: inline-block; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; white-space: pre-wrap; word-break: break-all; }
ul.causes { max-width: 720px; }
ul.causes li { margin: 4px 0; word-break: break-word; }
.mark { font-weight: 700; }
.mark.bad { color: var(--bad); }
.mark.warn { color: var(--chg); }
ul.objects { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
ul.objects li { padding: 1px 8px; border-radius: 4px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
ul.objects li.pass { background: var(--ok-bg); color: var(--ok); }
ul.objects li.fail { background: var(--bad-bg); color: var(--bad); font-weight: 700; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
th small { display: block; font-weight: normal; color: var(--muted); font-size: 11px; }
table.mismatches td { word-break: break-word; }
table.mismatches td.actual { color: var(--bad); }
table.matrix th { font-size: 12.5px; padding: 3px 7px; }
table.matrix td { white-space: nowrap; font-size: 12px; text-align: center; padding: 3px 7px; }
table.matrix td.pass { background: ${MATRIX_COLOURS.pass}; color: var(--ok); }
table.matrix td.fail { background: ${MATRIX_COLOURS.fail}; color: var(--bad); font-weight: 600; white-space: normal; max-width: 130px; outline: 2px solid var(--bad); outline-offset: -2px; }
table.matrix td.none { color: #afb8c1; background: ${MATRIX_COLOURS.none}; }
table.matrix th.col-gateway { background: #eef6ff; }
table.matrix th.col-upstream { background: #fbefff; }
table.matrix th.corner { color: var(--muted); font-weight: normal; font-size: 12px; }
#topology { margin-top: 20px; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
#topology .picture { overflow: auto; }
#topology .picture svg { max-width: 100%; height: auto; }
footer { padding: 8px 24px 16px; color: var(--muted); font-size: 12px; }
`;

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
