import type { OwnedObject } from '../ownership/record.js';

/** Named phases, run in this order (teardown: the `del-*` ones). */
export const PHASES = [
  'netns',
  'bridge',
  'vxlan',
  'veth',
  'link',
  'address',
  'route',
  'fdb',
  'nat',
  'forward',
  'del-route',
  'del-nat',
  'del-nft-table',
  'del-veth',
  'del-netns',
  'del-bridge',
  'del-forward',
] as const;
export type StepPhase = (typeof PHASES)[number];

/** One command to run on a host, as argv, with why it is needed and what it makes ours (or removes of ours). */
export interface Step {
  phase: StepPhase;
  argv: string[];
  reason: string;
  owns?: OwnedObject;
  disowns?: OwnedObject;
  /** what takes it back, if the run has to be rolled back (none: nothing to take back, or cannot be) */
  undo?: string[];
}

/** The namespace a step runs in (`ip -n NS …`), if not the host's own. */
export function netnsOf(step: Step): string | undefined {
  return step.argv[0] === 'ip' && step.argv[1] === '-n' ? step.argv[2] : undefined;
}

/**
 * Phase order on the host first (netns → bridge → veth → link → address), then each namespace's
 * own steps together (link → address → route), then NAT and forwarding; teardown in reverse.
 * Each namespace's steps in a row let the transaction run them as one `ip -n NS -batch`.
 */
export function sortSteps(steps: Step[]): Step[] {
  const seen = new Set<string>();
  const nsOrder: string[] = [];
  for (const s of steps) {
    const ns = netnsOf(s);
    if (ns !== undefined && !nsOrder.includes(ns)) nsOrder.push(ns);
  }
  const NS_BUCKET = PHASES.indexOf('route');
  const key = (s: Step): [number, number, number] => {
    const ns = netnsOf(s);
    const phase = PHASES.indexOf(s.phase);
    return ns === undefined || phase > NS_BUCKET ? [phase, -1, 0] : [NS_BUCKET, nsOrder.indexOf(ns), phase];
  };
  return steps
    .map((s, i) => ({ s, i, k: key(s) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map(({ s }) => s)
    .filter((s) => {
      const key = s.argv.join('\0');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
