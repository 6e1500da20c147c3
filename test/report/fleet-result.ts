import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summarize, type HostResult, type RunResult } from '../../src/result/result.js';
import { randomUnit } from '../support/mulberry32.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The recorded two-host result the report tests read (node1 changed, node2 failed: a FORWARD drop and a changed MAC). */
export const recorded = (): RunResult => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/report/result.json'), 'utf8')) as RunResult;

/** How a fleet's broken hosts broke: three ways, five hosts (at any size past 40). */
export const BROKEN = {
  /** node2's recorded result: a dropping FORWARD rule and a changed MAC */
  forward: [7, 23],
  /** the transaction stopped at a step */
  apply: [12, 31],
  /** no SSH connection */
  unreachable: [40],
} as const;

/** Hosts that changed (node1's recorded result), by their number. */
export const CHANGED = [3, 5, 8, 13, 17, 21, 29, 34, 38, 39];

export const APPLY_ERROR = 'step 14 of 55 failed: ip link add veth1 type veth peer name ceth1 netns container1: RTNETLINK answers: File exists';
export const SSH_ERROR = 'ssh: connect to host port 22: Connection timed out (after 10 s)';

/**
 * A fleet vm1..vmN as `up` reports it, from the recorded hosts: the broken and changed ones
 * above, all others converged (node1's checked objects and probes, status ok, no change).
 * Latencies and durations vary per host (seeded), and the hosts come in a shuffled order, as
 * results arrive; the same n gives the same result.
 */
export function fleetResult(n: number): RunResult {
  const [node1, node2] = recorded().hosts as [HostResult, HostResult];
  const random = randomUnit(n);
  const jitter = (h: HostResult, name: string): HostResult => ({
    ...structuredClone(h),
    name,
    durationMs: Math.round(3000 + random() * 4000),
    probes: (h.probes ?? []).map((p) => (p.ok ? { ...p, latencyMs: 0.03 + random() * 0.2 } : { ...p })),
  });
  const has = (list: readonly number[], i: number): boolean => list.includes(i);
  const hosts: HostResult[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `vm${i}`;
    if (has(BROKEN.forward, i)) hosts.push(jitter(node2, name));
    else if (has(BROKEN.apply, i)) hosts.push({ ...jitter(node1, name), status: 'failed', changes: 13, verified: false, error: APPLY_ERROR, probes: [] });
    else if (has(BROKEN.unreachable, i))
      hosts.push({ name, status: 'unreachable', changes: 0, steps: [], verified: false, mismatches: [], error: SSH_ERROR, durationMs: 10_000 });
    else if (has(CHANGED, i)) hosts.push(jitter(node1, name));
    else hosts.push({ ...jitter(node1, name), status: 'ok', changes: 0, steps: [] });
  }
  // results arrive in no particular order
  for (let i = hosts.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [hosts[i], hosts[j]] = [hosts[j]!, hosts[i]!];
  }
  return { command: 'up', hosts, summary: summarize(hosts), durationMs: 61_000 };
}
