import { OutputLimitError, TransportError } from '../errors.js';
import { type FrameReader, frameScript } from '../remote/frame.js';
import { DEFAULT_MAX_OUTPUT, mib, type ExecResult, type RunOptions, type Transport } from './transport.js';

/** One `sh -s` (under sudo when asked) a session feeds framed scripts to, and the reader of the run in progress. */
export interface Shell {
  write(text: string): void;
  /** the run in progress: its reader, and what to do once its output is complete */
  current?: { reader: FrameReader; check(): void };
  /** the shell ended (or its connection dropped) */
  closed?: boolean;
}

/** How a session speaks of its shell in messages: "the connection", "the local shell". */
export interface SessionWords {
  /** a run asked for after the session ended */
  ended: string;
  /** the shell had ended when a run was to be sent */
  lost: string;
  /** what ending it after too much output did */
  closed: string;
}

/**
 * A session with one shell on a host, over whatever carries it (SSH: ssh.ts; this machine:
 * local.ts): runs go one after another through that one shell, each a framed script
 * (remote/frame.ts) whose output and exit code come back; a timeout, an abort, too much output or
 * a failure of the shell end the session (kill), and every later run fails at once.
 */
export abstract class FramedSession implements Transport {
  protected dead = false;
  private shell?: Promise<Shell>;
  /** runs go one after another through the one shell */
  private queue: Promise<unknown> = Promise.resolve();
  /** ends the run in progress with an error (the shell ended, a timeout, the deadline) */
  protected abortRun?: (err: Error) => void;

  constructor(
    protected name: string,
    private words: SessionWords,
  ) {}

  /** Ends the session at once (no goodbye to a shell or host that may not answer). */
  protected abstract kill(): void;
  /** Starts the shell: `sh -s`, or that under sudo once sudo has let us in. */
  protected abstract openShell(): Promise<Shell>;
  abstract close(): void;

  /** Hands a chunk of the shell's output to the run in progress. */
  protected static feed(shell: Shell, d: Buffer, to: 'onStdout' | 'onStderr'): void {
    if (!shell.current || d.length === 0) return;
    shell.current.reader[to](d);
    shell.current.check();
  }

  run(script: string, opts: RunOptions = {}): Promise<ExecResult> {
    const next = this.queue.then(() => this.runOne(script, opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runOne(script: string, opts: RunOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => fail(new TransportError(String(opts.signal?.reason ?? 'cancelled'), this.name));
      const finish = () => {
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.abortRun = undefined;
      };
      const fail = (err: Error) => {
        if (done) return;
        finish();
        this.kill();
        reject(err);
      };
      if (this.dead) return fail(new TransportError(this.words.ended, this.name));
      if (opts.timeoutMs) timer = setTimeout(() => fail(new TransportError(`command timed out after ${opts.timeoutMs} ms`, this.name)), opts.timeoutMs);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.abortRun = fail;
      const max = opts.maxOutput ?? DEFAULT_MAX_OUTPUT;
      const overflow = () =>
        fail(
          new OutputLimitError(
            `the host printed more than ${mib(max)} while one script ran (reading its state, or a transaction): not a sane ip/iptables output; ${this.words.closed}`,
            this.name,
          ),
        );
      const { text, reader } = frameScript(script, undefined, { bytes: max, ...(opts.truncate ? {} : { onOverflow: overflow }) });
      const check = () => {
        const r = reader.result();
        if (!r || done) return;
        finish();
        const { dropped, ...rest } = r;
        resolve({ ...rest, ...(dropped.stdout || dropped.stderr ? { dropped } : {}) });
      };
      (this.shell ??= this.openShell()).then(
        (shell) => {
          if (done) return;
          if (shell.closed) return fail(new TransportError(this.words.lost, this.name));
          shell.current = { reader, check };
          shell.write(text);
        },
        (err: Error) => fail(err),
      );
    });
  }
}
