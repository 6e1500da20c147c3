import type { RunResult } from '../result/result.js';

/** Documented exit codes: 0 all good, 2 a host failed or did not verify, 4 a host unreachable
 * (takes precedence over 2, as a rerun is the fix), 1 usage or inventory error, 130 interrupted. */
export const EXIT = { ok: 0, usage: 1, failed: 2, unreachable: 4, interrupted: 130 } as const;

/** What each exit code means, in the order --help and the README list them (a test keeps the README's table so). */
export const EXIT_MEANINGS: readonly { code: (typeof EXIT)[keyof typeof EXIT]; meaning: string }[] = [
  { code: EXIT.ok, meaning: 'all good' },
  { code: EXIT.failed, meaning: 'a host failed, did not verify, or a probe failed' },
  { code: EXIT.unreachable, meaning: 'a host was unreachable (wins over 2)' },
  { code: EXIT.usage, meaning: 'usage or inventory error' },
  { code: EXIT.interrupted, meaning: 'interrupted (Ctrl-C): no more hosts were started' },
];

/** The exit codes as `--help` ends: `Exit codes:` then one `  CODE  meaning` a line. */
export function exitCodesHelp(): string {
  return ['Exit codes:', ...EXIT_MEANINGS.map((e) => `  ${String(e.code).padEnd(4)}${e.meaning}`)].join('\n');
}

/** A run's exit code; a merge of shards lacking some is as a run with unreachable hosts (a rerun is the fix). */
export function exitCodeOf(result: Pick<RunResult, 'missing'> & { summary: { failed: number; unreachable: number } }): number {
  if (result.summary.unreachable > 0 || result.missing) return EXIT.unreachable;
  if (result.summary.failed > 0) return EXIT.failed;
  return EXIT.ok;
}
