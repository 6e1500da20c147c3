import type { ProblemGroup } from '../result/problems.js';
import { escapeHtml as e, plural } from './html-text.js';
import { hostLink } from './host-status.js';

/** Host links shown in a problem's line before the rest fold away. */
const LINKS_SHOWN = 12;

/**
 * The failures grouped by their first problem (groupProblems): "37 hosts: what → fix", each with
 * its hosts linked (past a dozen the rest in a <details>). Empty when nothing failed.
 */
export function problemsHtml(groups: readonly ProblemGroup[], idOf: (name: string) => string): string {
  if (groups.length === 0) return '';
  const hosts = groups.reduce((n, g) => n + g.hosts.length, 0);
  const out: string[] = [];
  out.push(
    `<section id="problems"><h2>Problems <span class="count">${plural(hosts, 'host')} in ${plural(groups.length, 'group')}</span></h2><ol class="problems">`,
  );
  for (const g of groups) {
    const links = g.hosts.map((name) => hostLink(name, idOf(name), g.status));
    const fix = g.problem.fix ? ` → <span class="fix-text">${e(g.problem.fix)}</span>` : '';
    const more =
      links.length > LINKS_SHOWN
        ? `<details class="more"><summary>and ${links.length - LINKS_SHOWN} more</summary>${links.slice(LINKS_SHOWN).join('')}</details>`
        : '';
    out.push(
      `<li class="problem st-${g.status}"><p><b>${plural(g.hosts.length, 'host')}</b> ${g.status}: <span class="what">${e(g.problem.what)}</span>${fix}</p>` +
        `<div class="links">${links.slice(0, LINKS_SHOWN).join('')}${more}</div></li>`,
    );
  }
  out.push('</ol></section>');
  return out.join('\n');
}
