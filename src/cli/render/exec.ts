import { execLabel, hostExecRows, type ExecReport, type ExecRow } from '../../report/exec-report.js';
import type { HostResult } from '../../result/result.js';
import { dispatch, type EventSink } from '../../run/events.js';
import { mib } from '../../transport/transport.js';
import { errorLines, formatSeconds, plural } from './recap.js';

/** A command's output as lines, without the empty one after its last newline. */
export function outputLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface ExecLines {
  /** `label | line` for each line the command printed on stdout */
  stdout: string[];
  /** `label ! line` for each line on stderr, then that its output was cut, how the run ended when it was not exit 0 */
  stderr: string[];
}

/** `output cut: 96 MiB of stdout and 2 KiB of stderr dropped (--max-output)` */
export function cutLine(dropped: { stdout: number; stderr: number }): string {
  const parts = (['stdout', 'stderr'] as const).filter((k) => dropped[k] > 0).map((k) => `${mib(dropped[k])} of ${k}`);
  return `output cut: ${parts.join(' and ')} dropped (over --max-output)`;
}

/**
 * One run's lines, its label padded to `width` so the columns line up across hosts. Each line of
 * the command's output gets its own label, so a line it prints can never pass for another host's.
 */
export function rowLines(row: ExecRow, width = 0): ExecLines {
  const label = execLabel(row).padEnd(width);
  const end =
    row.status === 'ok'
      ? []
      : row.code !== null
        ? [`${label} : exit ${row.code}`]
        : [
            `${label} : ${row.status === 'unreachable' ? 'UNREACHABLE' : 'FAILED'}${errorLines(row.error)[0] ? `: ${errorLines(row.error)[0]}` : ''}`,
            ...errorLines(row.error)
              .slice(1)
              .map((l) => `${label} :   ${l}`),
          ];
  return {
    stdout: outputLines(row.stdout).map((l) => `${label} | ${l}`),
    stderr: [...outputLines(row.stderr).map((l) => `${label} ! ${l}`), ...(row.dropped ? [`${label} : ${cutLine(row.dropped)}`] : []), ...end],
  };
}

/** A host's lines, as soon as it is done: each run's stdout lines, then its stderr lines. */
export function hostLines(h: HostResult, ns: string | undefined, width = 0): ExecLines[] {
  return hostExecRows(h, ns).map((r) => rowLines(r, width));
}

/**
 * Prints each host's output when it is done (hosts in the order they finish, a host's runs
 * together): stdout lines to `out`, stderr lines and failures to `err`.
 */
export function execRenderer(out: (line: string) => void, err: (line: string) => void, ns: string | undefined, width: number): EventSink {
  return dispatch({
    'run-start': () => {},
    'host-phase': () => {},
    'host-done': (e) => {
      for (const lines of hostLines(e.result, ns, width)) {
        lines.stdout.forEach(out);
        lines.stderr.forEach(err);
      }
    },
    'run-done': () => {},
  });
}

/** `3 hosts: 1 ok (exit 0), 1 failed (exit≠0: vm2=1), 1 unreachable (vm3) in 0.52 s` */
export function formatExecSummary(report: ExecReport): string {
  const s = report.summary;
  const failed = report.results.filter((r) => r.status === 'failed');
  const exits = failed.filter((r) => r.code !== null).map((r) => `${execLabel(r)}=${r.code}`);
  // failed without an exit code: did not run (sudo refused, Ctrl-C), or killed by a signal
  const noCode = failed.filter((r) => r.code === null).map(execLabel);
  const why = [...(exits.length ? [`exit≠0: ${exits.join(', ')}`] : []), ...(noCode.length ? [`no exit code: ${noCode.join(', ')}`] : [])];
  const unreachable = [...new Set(report.results.filter((r) => r.status === 'unreachable').map((r) => r.host))];
  const cut = report.results.filter((r) => r.dropped).map(execLabel);
  return (
    `${plural(s.hosts, 'host')}: ${s.ok} ok (exit 0), ${s.failed} failed${why.length ? ` (${why.join('; ')})` : ''}, ` +
    `${s.unreachable} unreachable${unreachable.length ? ` (${unreachable.join(', ')})` : ''} in ${formatSeconds(report.durationMs)}` +
    (cut.length ? `; output cut (over --max-output): ${cut.join(', ')}` : '')
  );
}

/** The width of the widest label among the runs to come, for aligned columns. */
export function labelWidth(labels: string[]): number {
  return Math.max(0, ...labels.map((l) => l.length));
}
