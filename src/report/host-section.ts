import { objectPath } from '../result/finding.js';
import type { HostResult } from '../result/result.js';
import { escapeHtml as e, plural, secondsText } from './html-text.js';
import { matrixHtml } from './probe-matrix.js';

/**
 * One host's section: status, error, mismatches, warnings with their fixes, checked objects and
 * the probe matrix (open when `open`, else a closed <details>). `id` absent: the section stands
 * for a fold of hosts whose names carry the ids. Every host-supplied text goes through escapeHtml.
 */
export function hostHtml(h: HostResult, id: string | undefined, open: boolean): string {
  const out: string[] = [];
  out.push(`<section class="host st-${h.status}"${id === undefined ? '' : ` id="${id}"`}>`);
  out.push(`<h2>${e(h.name)} <span class="badge ${h.status}">${h.status}</span></h2>`);
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
  const matrix = matrixHtml(h.probes ?? [], open);
  if (matrix) out.push(`<div class="probes">\n${matrix}\n</div>`);
  out.push('</div>');
  out.push('</section>');
  return out.filter((s) => s !== '').join('\n');
}
