import { compareHostNames } from '../result/host-order.js';
import type { HostResult, HostStatus } from '../result/result.js';
import { escapeHtml as e } from './html-text.js';

/** The order a fleet's page reads in: what needs a person first. */
export const STATUS_ORDER: readonly HostStatus[] = ['failed', 'unreachable', 'changed', 'ok'];

/** A mark per status, so a status never rests on colour alone. */
export const STATUS_MARK: Record<HostStatus, string> = { failed: '✗', unreachable: '⊘', changed: '~', ok: '✓' };

/** A host and the element id its section (or its name in a fold) carries. */
export interface PlacedHost {
  host: HostResult;
  id: string;
}

/** Element ids from host names: unique, and only characters safe in an id and a `#` link. */
export function hostIds(hosts: readonly HostResult[]): string[] {
  const seen = new Map<string, number>();
  return hosts.map((h) => {
    const base = `host-${h.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n + 1}`;
  });
}

/** The hosts with their ids, failed first, then unreachable, changed, ok; by name within a status. */
export function fleetOrder(hosts: readonly HostResult[]): PlacedHost[] {
  const ids = hostIds(hosts);
  const placed = hosts.map((host, i) => ({ host, id: ids[i] ?? `host-${i}` }));
  const rank = (h: HostResult): number => STATUS_ORDER.indexOf(h.status);
  return placed.sort((a, b) => rank(a.host) - rank(b.host) || compareHostNames(a.host.name, b.host.name));
}

/** A link to a host: its status as a mark and a word beside the name, so a list of them reads without colour. */
export function hostLink(name: string, id: string, status: HostStatus): string {
  return `<a class="hl st-${status}" href="#${id}"><span class="mark">${STATUS_MARK[status]}</span> ${e(name)} <small>${status}</small></a>`;
}
