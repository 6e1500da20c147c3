import type { HostFacts } from '../facts/types.js';
import type { HostWarning } from '../result/result.js';
import type { HostOutcome } from './host-context.js';

/** a host that ends before any change: only the error (and what was learnt on the way) */
export const refused = (error: string, warnings: HostWarning[] = [], facts?: HostFacts): HostOutcome => ({
  changed: false,
  steps: [],
  changes: 0,
  verified: false,
  mismatches: [],
  error,
  ...(warnings.length ? { warnings } : {}),
  ...(facts ? { facts } : {}),
});

/** why a plan with conflicts is not applied */
export function conflictError(conflicts: string[]): string {
  return `refused, nothing applied: ${conflicts.join('; ')}`;
}
