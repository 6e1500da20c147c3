import type { OwnedObject } from '../ownership/record.js';

/** Named phases, run in this order (teardown: the `del-*` ones). */
export const PHASES = [
  'netns',
  'bridge',
  'veth',
  'link',
  'address',
  'route',
  'nat',
  'forward',
  'del-nat',
  'del-veth',
  'del-netns',
  'del-bridge',
  'del-forward',
  'del-record',
] as const;
export type StepPhase = (typeof PHASES)[number];

/** One command to run on a host, as argv, with why it is needed and what it makes ours. */
export interface Step {
  phase: StepPhase;
  argv: string[];
  reason: string;
  owns?: OwnedObject;
  /** what takes it back, if the run has to be rolled back (none: nothing to take back, or cannot be) */
  undo?: string[];
}

export function sortSteps(steps: Step[]): Step[] {
  const seen = new Set<string>();
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => PHASES.indexOf(a.s.phase) - PHASES.indexOf(b.s.phase) || a.i - b.i)
    .map(({ s }) => s)
    .filter((s) => {
      const key = s.argv.join('\0');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
