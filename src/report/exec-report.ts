import { scopeOf, type HostResult, type HostStatus, type RunResult, type RunScope } from '../result/result.js';

/** One run of `exec`'s command: a host (and namespace), or a host where it could not run. */
export interface ExecRow {
  host: string;
  /** the namespace it ran in; null: on the host */
  ns: string | null;
  status: Exclude<HostStatus, 'changed'>;
  /** null when it did not run (unreachable, sudo refused, interrupted) or exited by a signal */
  code: number | null;
  stdout: string;
  stderr: string;
  /** bytes of stdout and stderr dropped past --max-output: present only when output was cut */
  dropped?: { stdout: number; stderr: number };
  error?: string;
}

export interface ExecSummary {
  hosts: number;
  /** hosts where every run exited 0 */
  ok: number;
  /** hosts where a run exited non-zero, or where it could not run */
  failed: number;
  unreachable: number;
}

/** What `exec --json` prints. */
export interface ExecReport extends RunScope {
  command: 'exec';
  argv: string[];
  results: ExecRow[];
  summary: ExecSummary;
  durationMs: number;
}

/** `host` or `host/ns`: how output lines and the summary name a run. */
export function execLabel(row: Pick<ExecRow, 'host' | 'ns'>): string {
  return row.ns === null ? row.host : `${row.host}/${row.ns}`;
}

/** The rows of a host: one per run; a host where the command never ran gets one, with its error. */
export function hostExecRows(h: HostResult, ns?: string): ExecRow[] {
  if (h.exec?.length) {
    return h.exec.map((e) => ({
      host: h.name,
      ns: e.ns ?? null,
      status: e.code === 0 ? 'ok' : 'failed',
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
      ...(e.dropped ? { dropped: e.dropped } : {}),
    }));
  }
  const status = h.status === 'unreachable' ? 'unreachable' : h.status === 'failed' ? 'failed' : 'ok';
  return [{ host: h.name, ns: ns ?? null, status, code: null, stdout: '', stderr: '', ...(h.error !== undefined ? { error: h.error } : {}) }];
}

export function execRows(result: RunResult, ns?: string): ExecRow[] {
  return result.hosts.flatMap((h) => hostExecRows(h, ns));
}

/** `ns`: the one namespace `--ns` named, if it named one (for the rows of hosts where nothing ran). */
export function execReport(result: RunResult, argv: string[], ns?: string): ExecReport {
  const s = result.summary;
  return {
    command: 'exec',
    argv,
    results: execRows(result, ns),
    summary: { hosts: result.hosts.length, ok: s.ok + s.changed, failed: s.failed, unreachable: s.unreachable },
    durationMs: result.durationMs,
    ...scopeOf(result),
  };
}
