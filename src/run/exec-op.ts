import { UsageError } from '../errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import { checkNamespaceName } from '../inventory/names.js';
import type { ExecOutput } from '../result/result.js';
import { quoteArgv, type Argv } from '../shell/quote.js';
import type { HostOperation, HostOutcome } from './host-ops.js';

/** `--ns '*'`: every namespace the inventory declares for the host. */
export const ALL_NAMESPACES = '*';

/** How much of its output `exec` keeps per host unless told otherwise (`--max-output`). */
export const DEFAULT_EXEC_MAX_OUTPUT = 4 * 1024 * 1024;

/** What `exec` runs on each host: the user's argv, on the host or in a namespace. */
export interface ExecSpec {
  argv: string[];
  /** a namespace name, ALL_NAMESPACES, or absent (the host itself) */
  ns?: string;
  /** bytes of output kept per host (stdout and stderr of all its runs); the rest is dropped and counted. Default DEFAULT_EXEC_MAX_OUTPUT */
  maxOutput?: number;
}

/** `--ns`: ALL_NAMESPACES, or a name by the inventory's own rule; else a UsageError. */
export function checkNsFlag(ns: string): string {
  if (ns === ALL_NAMESPACES) return ns;
  const problem = checkNamespaceName(ns);
  if (problem) throw new UsageError(`--ns: ${problem}`);
  return ns;
}

/** Where the command runs on this host: once on the host (undefined), or once per namespace. */
export function execTargets(spec: ExecSpec, host: ResolvedHost): (string | undefined)[] {
  if (spec.ns === undefined) return [undefined];
  if (spec.ns === ALL_NAMESPACES) return host.network.namespaces.map((n) => n.name).sort();
  return [spec.ns];
}

/** The argv run on the host: the user's, under `ip netns exec NS` when in a namespace. */
export function execArgv(argv: Argv, ns?: string): string[] {
  if (argv.length === 0) throw new UsageError('no command to run');
  return ns === undefined ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
}

/**
 * The script fed to the host's `sh -s`: the command as one quoted line, its stdin from /dev/null
 * (it would otherwise read the rest of the script); the shell's exit code is the command's.
 */
export function execScript(argv: Argv, ns?: string): string {
  return `${quoteArgv(execArgv(argv, ns))} </dev/null\n`;
}

/** One host's outcome: failed (with each non-zero exit named) unless every run exited 0. */
export function execOutcome(exec: ExecOutput[]): HostOutcome {
  const bad = exec.filter((e) => e.code !== 0).map((e) => `${e.ns ? `${e.ns}: ` : ''}exit ${e.code ?? 'without a code (killed by a signal?)'}`);
  return { changed: false, steps: [], changes: 0, verified: false, mismatches: [], exec, ...(bad.length ? { error: bad.join(', ') } : {}) };
}

/**
 * `exec` as a host operation: runs the command once per target, one after the other, on the
 * host's connection. A non-zero exit is the host's result (failed), not an exception. The host's
 * output is kept up to `maxOutput` bytes in all: a run gets what the runs before it left.
 */
export function execOperation(spec: ExecSpec): HostOperation {
  return async (ctx) => {
    const targets = execTargets(spec, ctx.host);
    if (targets.length === 0) {
      return { ...execOutcome([]), error: `--ns '${ALL_NAMESPACES}': the inventory declares no namespace for this host` };
    }
    ctx.phase('exec');
    const exec: ExecOutput[] = [];
    let left = spec.maxOutput ?? DEFAULT_EXEC_MAX_OUTPUT;
    for (const ns of targets) {
      const res = await ctx.transport.run(execScript(spec.argv, ns), { timeoutMs: ctx.execTimeoutMs, signal: ctx.signal, maxOutput: left, truncate: true });
      left = Math.max(0, left - Buffer.byteLength(res.stdout) - Buffer.byteLength(res.stderr));
      exec.push({
        ...(ns === undefined ? {} : { ns }),
        code: res.code,
        stdout: res.stdout,
        stderr: res.stderr,
        ...(res.dropped ? { dropped: res.dropped } : {}),
      });
    }
    return execOutcome(exec);
  };
}
