import type { HostResult } from '../result/result.js';
import type { PlacedHost } from './host-status.js';

/** Hosts the page shows as one: a single host, or healthy hosts whose results are the same. */
export interface Fold {
  /** in page order; the first stands for the others */
  hosts: PlacedHost[];
}

/**
 * What two healthy hosts must share to be shown once: status, changes, verification, error,
 * mismatches, checked objects, warnings, exec output and every probe (its ends, target, answer
 * and cause) — all but latencies and durations, which differ from host to host.
 */
export function foldKey(h: HostResult): string {
  const probes = (h.probes ?? []).map((p) => [p.kind, p.from, p.to, p.target, p.ok, p.cause ?? null]);
  return JSON.stringify([h.status, h.changes, h.verified, h.error ?? null, h.mismatches, h.checked ?? null, h.warnings ?? null, h.exec ?? null, probes]);
}

const healthy = (h: HostResult): boolean => h.status === 'ok' || h.status === 'changed';

/**
 * The placed hosts (already in page order) as folds: healthy hosts with the same foldKey become
 * one fold, where its first host stands; a failed or unreachable host is always its own.
 */
export function foldHosts(placed: readonly PlacedHost[]): Fold[] {
  const folds: Fold[] = [];
  const byKey = new Map<string, Fold>();
  for (const p of placed) {
    if (!healthy(p.host)) {
      folds.push({ hosts: [p] });
      continue;
    }
    const key = foldKey(p.host);
    const fold = byKey.get(key);
    if (fold) fold.hosts.push(p);
    else {
      const created: Fold = { hosts: [p] };
      byKey.set(key, created);
      folds.push(created);
    }
  }
  return folds;
}
