import { program } from './program.js';

/** A probe as the host runs it: a ping from a namespace (none: the host itself) to a target. */
export interface ProbeCall {
  netns?: string;
  target: string;
}

/** Seconds a probe pings for (a packet every half second) before it counts as failed. */
export const PROBE_WAIT = 3;

/**
 * All probes of a host in one round trip, in parallel (programs/probe.ts; its output's reader:
 * verify/probe-output.ts); no probes, no program.
 */
export function probeScript(probes: readonly ProbeCall[]): string {
  if (probes.length === 0) return '';
  return program('probe', {
    values: { COUNT: probes.length, WAIT: PROBE_WAIT },
    tables: { probes: { kind: 'calls', calls: probes.map((p, i) => ({ argv: ['probe', String(i), p.netns ?? '', p.target] })) } },
  });
}
