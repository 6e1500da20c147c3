import type { HostStatus, RunSummary } from '../result/result.js';
import { escapeHtml as e, plural } from './html-text.js';
import { type PlacedHost, STATUS_MARK, STATUS_ORDER } from './host-status.js';

/** The summary line: the host count, then each status with its mark and number (the page's legend too). */
export function summaryLine(total: number, s: RunSummary): string {
  const parts = STATUS_ORDER.map((st) => `<span class="sum ${s[st] > 0 ? st : 'zero'}"><span class="mark">${STATUS_MARK[st]}</span> ${s[st]} ${st}</span>`);
  return `<p class="summary"><b>${plural(total, 'host')}</b>: ${parts.join(' · ')}</p>`;
}

/**
 * The fleet at a glance: one small cell per host in page order (failures first), coloured by
 * status and marked with the status's sign; each links to the host and says name and status in its title.
 */
export function overviewHtml(placed: readonly PlacedHost[]): string {
  const cells = placed.map(
    ({ host, id }) => `<a class="cell st-${host.status}" href="#${id}" title="${e(host.name)} · ${host.status}">${STATUS_MARK[host.status]}</a>`,
  );
  return `<nav id="overview" aria-label="every host, failures first">${cells.join('')}</nav>`;
}

/**
 * The filter (a box per status) and the search box. Hidden in the page as written: the inline
 * script shows them, so without JavaScript nothing is there that does nothing.
 */
export function controlsHtml(s: RunSummary, total: number): string {
  const box = (st: HostStatus): string =>
    `<label class="chip ${st}"><input type="checkbox" name="st" value="${st}" checked> <span class="mark">${STATUS_MARK[st]}</span> ${st} <b>${s[st]}</b></label>`;
  return [
    '<form id="controls" class="controls" hidden role="search" aria-label="filter the hosts">',
    `<fieldset><legend>show</legend>${STATUS_ORDER.map(box).join('')}</fieldset>`,
    '<input type="search" id="q" placeholder="search host names and text" aria-label="search host names and text" autocomplete="off">',
    `<output id="shown" for="q">${plural(total, 'host')}</output>`,
    '</form>',
  ].join('');
}
