import PQueue from 'p-queue';
import { CnetError, errorMessage, TransportError } from '../errors.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import { summarize, type HostResult, type HostWarning, type RunResult } from '../report/result.js';
import type { Connector } from '../transport/transport.js';
import type { EventSink } from './events.js';
import { operations, type Command, type OperationOptions } from './host-ops.js';

export interface RunOptions {
  forks: number;
  connector: Connector;
  sink: EventSink;
  connectTimeoutMs?: number;
  execTimeoutMs?: number;
  options?: Partial<OperationOptions>;
  /** receives each host's state as last read (for pictures), apart from the result */
  onFacts?: (host: string, facts: HostFacts) => void;
}

/** Default parallelism: well above Ansible's 5; SSH work here is mostly waiting. */
export const DEFAULT_FORKS = 50;

/**
 * Runs one command on every host, hosts in parallel (p-queue bounds them). A failing or
 * unreachable host becomes a result; it never stops the others.
 */
export async function runHosts(command: Command, hosts: ResolvedHost[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  opts.sink({ kind: 'run-start', command, hosts: hosts.map((h) => h.name), forks: opts.forks });
  const queue = new PQueue({ concurrency: opts.forks });
  const results = await Promise.all(hosts.map((host) => queue.add(() => runOne(command, host, opts))));
  const sorted = (results as HostResult[]).sort((a, b) => (a.name < b.name ? -1 : 1));
  const result: RunResult = { command, hosts: sorted, summary: summarize(sorted), durationMs: Date.now() - started };
  opts.sink({ kind: 'run-done', result });
  return result;
}

async function runOne(command: Command, host: ResolvedHost, opts: RunOptions): Promise<HostResult> {
  const started = Date.now();
  const warnings: HostWarning[] = [];
  const base = { name: host.name, changes: 0, steps: [], verified: false, mismatches: [] };
  let result: HostResult;
  opts.sink({ kind: 'host-phase', host: host.name, phase: 'connect' });
  try {
    const transport = await opts.connector.connect(host, { timeoutMs: opts.connectTimeoutMs, warn: (message) => warnings.push({ message }) });
    try {
      const outcome = await operations[command]({
        host,
        transport,
        phase: (phase) => opts.sink({ kind: 'host-phase', host: host.name, phase }),
        execTimeoutMs: opts.execTimeoutMs ?? 120_000,
        options: { probe: false, rebuild: false, ...opts.options },
      });
      const { changed, facts, ...rest } = outcome;
      if (facts) opts.onFacts?.(host.name, facts);
      result = { ...base, ...rest, warnings: [...warnings, ...(rest.warnings ?? [])], status: outcome.error ? 'failed' : changed ? 'changed' : 'ok', durationMs: 0 };
    } finally {
      transport.close();
    }
  } catch (err) {
    if (!(err instanceof CnetError)) throw err;
    result = { ...base, warnings, status: err instanceof TransportError ? 'unreachable' : 'failed', error: errorMessage(err), durationMs: 0 };
  }
  result.durationMs = Date.now() - started;
  if (!result.warnings?.length) delete result.warnings;
  opts.sink({ kind: 'host-done', result });
  return result;
}
