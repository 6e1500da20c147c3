import { BecomeError, TransportError } from '../errors.js';
import { BecomeHandshake } from './become.js';
import type { Shell } from './framed-session.js';
import type { Become } from './target.js';

/** A stream of output: a child's stdout, an SSH channel. */
interface Output {
  on(event: 'data', listener: (d: Buffer) => void): unknown;
}

export interface AttachShellOptions {
  become: Become | undefined;
  /** the host, for messages */
  host: string;
  /** to the shell's stdin */
  write: (text: string) => void;
  /** hands output to the run in progress (FramedSession.feed) */
  feed: (shell: Shell, d: Buffer, to: 'onStdout' | 'onStderr') => void;
  /** the shell under sudo takes scripts now */
  ready: (shell: Shell) => void;
  /** sudo did not start the shell */
  refuse: (err: Error) => void;
  /** the run in progress fails */
  abort: (err: Error) => void;
}

/**
 * The shell (`sh -s`, or that under sudo: become.ts) on a started command's stdout and stderr, the
 * same for an SSH channel and a local child: its output goes to the run in progress, through the
 * sudo handshake first when it runs under sudo. Without sudo the caller says when it is ready (the
 * channel opened, the child spawned). `ended(what)`, once the command has ended: a shell sudo never
 * started is refused; otherwise the run in progress fails with `what` and the last line it said.
 */
export function attachShell(
  stdout: Output,
  stderr: Output,
  o: AttachShellOptions,
): { shell: Shell; handshake: BecomeHandshake | undefined; ended: (what: string) => void } {
  const shell: Shell = { write: o.write };
  const hs = o.become ? new BecomeHandshake(o.become, o.host, o.write, (e) => (hs?.ready ? o.abort(e) : o.refuse(e))) : undefined;
  stdout.on('data', (d: Buffer) => o.feed(shell, !hs || hs.ready ? d : hs.onStdout(d, () => o.ready(shell)), 'onStdout'));
  stderr.on('data', (d: Buffer) => o.feed(shell, hs ? hs.onStderr(d) : d, 'onStderr'));
  const ended = (what: string): void => {
    shell.closed = true;
    if (hs && !hs.ready) {
      o.refuse(new BecomeError(`sudo did not start a shell${hs.early ? `: ${hs.early}` : ''}`, o.host));
      return;
    }
    const said = shell.current?.reader.partial().stderr.trim().split('\n').pop();
    o.abort(new TransportError(`${what} before the command ended${said ? ` (${said})` : ''}`, o.host));
  };
  return { shell, handshake: hs, ended };
}
