import type { RunResult } from '../result/result.js';

/** Documented exit codes: 0 all good, 2 a host failed or did not verify, 4 a host unreachable
 * (takes precedence over 2, as a rerun is the fix), 1 usage or inventory error. */
export const EXIT = { ok: 0, usage: 1, failed: 2, unreachable: 4, interrupted: 130 } as const;

export function exitCodeOf(result: RunResult): number {
  if (result.summary.unreachable > 0) return EXIT.unreachable;
  if (result.summary.failed > 0) return EXIT.failed;
  return EXIT.ok;
}
