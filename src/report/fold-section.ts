import type { HostResult } from '../result/result.js';
import { hostHtml } from './host-section.js';
import type { Fold } from './host-folds.js';
import { STATUS_MARK } from './host-status.js';
import { escapeHtml as e, plural } from './html-text.js';

const failing = (h: HostResult): boolean => h.status === 'failed' || h.status === 'unreachable';

/** What a fold's hosts share, in a few words: checked objects and probes. */
function sharedFacts(h: HostResult): string {
  const probes = h.probes ?? [];
  const answered = probes.filter((p) => p.ok).length;
  return [
    plural(h.changes, 'change'),
    ...(h.checked?.length ? [`${plural(h.checked.length, 'checked object')} as desired`] : []),
    ...(probes.length ? [`${answered} of ${plural(probes.length, 'probe')} answered`] : []),
  ].join(' · ');
}

/**
 * A fold as the page shows it. One host: its section, the probe matrix open when it failed.
 * Several (healthy, same result): a closed <details> "480 hosts like vm1" listing every name (each
 * name carries its host's id, so a link to any of them lands here) and the first host's section.
 */
export function foldHtml(fold: Fold): string {
  const first = fold.hosts[0];
  if (!first) return '';
  const h = first.host;
  if (fold.hosts.length === 1) return hostHtml(h, first.id, failing(h));
  const names = fold.hosts.map((p) => `<li id="${p.id}">${e(p.host.name)}</li>`).join('');
  return [
    `<details class="fold st-${h.status}"><summary><span class="mark">${STATUS_MARK[h.status]}</span> <b>${plural(fold.hosts.length, 'host')} like ${e(h.name)}</b> <span class="badge ${h.status}">${h.status}</span> <span class="count">${e(sharedFacts(h))}</span></summary>`,
    `<ul class="names">${names}</ul>`,
    `<p class="facts">Each of these hosts had the same result as ${e(h.name)}, shown here (latencies and time are ${e(h.name)}'s):</p>`,
    hostHtml(h, undefined, false),
    '</details>',
  ].join('\n');
}
