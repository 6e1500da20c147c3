import { compareHostNames } from './host-order.js';
import type { Mismatch } from './finding.js';
import type { HostResult, ProbeResult } from './result.js';

/** What went wrong on a host, first: what it is, and what to do about it when that is known. */
export interface Problem {
  what: string;
  fix?: string;
}

/** A mismatch as one line: its path, what was desired and what was found. */
export function mismatchLine(m: Mismatch): string {
  const show = (v: string) => (v === '' ? '(empty)' : v);
  return `${m.path}: desired ${show(m.desired)}, actual ${show(m.actual)}`;
}

/** `up` repairs every mismatch it can plan: what a `verify` finding's fix is. */
export const REPAIR = '`cnet-remote up` repairs it';

/** What a verification found, counted (a host's error when that is all that went wrong): `2 mismatches, 1 of 16 probes failed`. */
export function findingsCount(mismatches: number, probes: readonly ProbeResult[]): string | undefined {
  const failed = probes.filter((p) => !p.ok).length;
  const parts = [
    ...(mismatches ? [`${mismatches} mismatch${mismatches > 1 ? 'es' : ''}`] : []),
    ...(failed ? [`${failed} of ${probes.length} probes failed`] : []),
  ];
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * A host's first problem, the one a screen or a page leads with: its error's first line (an
 * unreachable host's reason, a failed step) unless the error only counts what verification found,
 * else its first mismatch, else its first failed probe's cause (which carries its fix after the
 * last `: `); none for a host that went well.
 */
export function firstProblem(h: HostResult): Problem | undefined {
  if (h.status === 'ok' || h.status === 'changed') return undefined;
  const counted = h.error !== undefined && h.error === findingsCount(h.mismatches.length, h.probes ?? []);
  const error = counted ? undefined : h.error?.split(/\r?\n/).find((l) => l.trim() !== '');
  // an unreachable host's reason starts with where it went (`root@10.0.0.7:2222: `): the host is named beside it, and hosts alike group
  if (error !== undefined) return { what: h.status === 'unreachable' ? error.trim().replace(/^[^\s@:]+@[^\s:]+(?::\d+)?: (?=\S)/, '') : error.trim() };
  const m = h.mismatches[0];
  if (m) return { what: mismatchLine(m), fix: REPAIR };
  const p = (h.probes ?? []).find((x) => !x.ok);
  if (p) return { what: `probe ${p.from} -> ${p.to} (${p.target}) failed: ${p.cause ?? 'no reply'}` };
  return { what: h.status === 'unreachable' ? 'unreachable' : 'failed' };
}

/** Hosts that went wrong the same way: the problem, the hosts (in host order), and how they ended. */
export interface ProblemGroup {
  problem: Problem;
  hosts: string[];
  status: HostResult['status'];
}

/**
 * The hosts that failed or were unreachable, grouped by their first problem (same words, same
 * fix, same status): the largest group first, then by its first host; one line a group reads at
 * any fleet size.
 */
export function groupProblems(hosts: readonly HostResult[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const h of hosts) {
    const problem = firstProblem(h);
    if (!problem) continue;
    const key = JSON.stringify([h.status, problem.what, problem.fix ?? '']);
    const g = groups.get(key) ?? groups.set(key, { problem, hosts: [], status: h.status }).get(key)!;
    g.hosts.push(h.name);
  }
  for (const g of groups.values()) g.hosts.sort(compareHostNames);
  return [...groups.values()].sort((a, b) => b.hosts.length - a.hosts.length || compareHostNames(a.hosts[0]!, b.hosts[0]!));
}
