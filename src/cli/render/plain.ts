import type { HostResult } from '../../result/result.js';
import { dispatch, type EventSink } from '../../run/events.js';
import { errorLines, formatHostDetail, formatSeconds, plural } from './recap.js';

/** The lines `plainRenderer` prints when a host is done. */
export function hostDoneLines(h: HostResult): string[] {
  const p = `[${h.name}]`;
  switch (h.status) {
    case 'ok':
      return [`${p} ok (${formatSeconds(h.durationMs)})`];
    case 'changed':
      return [`${p} changed (${plural(h.changes, 'change')}, ${formatSeconds(h.durationMs)})`];
    case 'failed':
    case 'unreachable': {
      const label = h.status === 'failed' ? 'FAILED' : 'UNREACHABLE';
      const detail = formatHostDetail(h);
      // formatHostDetail starts with the error's lines: the first goes on the status line itself
      const first = errorLines(h.error)[0];
      const head = first === undefined ? `${p} ${label}` : `${p} ${label}: ${first}`;
      const rest = first === undefined ? detail : detail.slice(1);
      return [head, ...rest.map((l) => `${p} ${l}`)];
    }
  }
}

/**
 * Host-prefixed lines for non-TTY output and CI logs, one per event, e.g. `[vm1] gather`; `quiet`:
 * only the hosts that failed or were unreachable. The recap is not printed here: the CLI prints
 * it after the run.
 */
export function plainRenderer(write: (line: string) => void, opts: { quiet?: boolean } = {}): EventSink {
  const loud = !opts.quiet;
  return dispatch({
    'run-start': (e) => loud && write(`${e.command}: ${plural(e.hosts.length, 'host')}, ${e.forks} at a time`),
    'host-phase': (e) => loud && write(`[${e.host}] ${e.phase}`),
    'host-done': (e) => {
      if (loud || e.result.status === 'failed' || e.result.status === 'unreachable') for (const line of hostDoneLines(e.result)) write(line);
    },
    'run-done': () => {},
  });
}
