import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { TransportError } from '../errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import { attachShell } from './attach-shell.js';
import { remoteCommand } from './become.js';
import { FramedSession, type Shell } from './framed-session.js';
import type { Become } from './target.js';
import type { ConnectOptions, Connector, Transport } from './transport.js';

/**
 * A session with the controller itself (`ansible_connection: local`): the same command line an
 * SSH session asks sshd to run (`sh -s`, or that under sudo: become.ts), run by the local shell as
 * sshd runs it with the user's, and fed the same framed scripts (remote/frame.ts), so what runs on
 * the host behaves as over SSH. The shell inherits the controller's environment, as Ansible's
 * local connection does (a user logged in over SSH keeps SSH_CONNECTION: the management-path
 * guard then protects that session's interface).
 *
 * The shell leads a process group of its own (a new session: no terminal, as over SSH without a
 * pty). A timeout, an abort, too much output or a failed sudo end the session as a dropped
 * connection does: the pipes are closed and the group is killed — only while its leader has not
 * been reaped, so the group id is still ours (Linux keeps a pid in use while it names a group).
 * What a script starts in a session of its own (a transaction, under `setsid`) goes on, as it
 * does when SSH drops. Under sudo as a non-root user, the shell sudo started is root's and cannot
 * be signalled by us: it ends at its next read of the closed stdin, as a remote one does.
 */
export class LocalTransport extends FramedSession {
  private child?: ChildProcessWithoutNullStreams;

  constructor(
    name: string,
    private become: Become | undefined,
    private shellPath = '/bin/sh',
  ) {
    super(name, {
      ended: 'the local shell was ended (closed, or after an earlier failure)',
      lost: 'the local shell had ended before the command was sent',
      closed: 'the local shell was ended',
    });
  }

  /** The leader of the shell's process group, once started (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the shell at once: its pipes closed, its process group killed while it is still ours. */
  protected kill(): void {
    this.dead = true;
    const c = this.child;
    if (!c) return;
    for (const s of [c.stdin, c.stdout, c.stderr]) s.destroy();
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        /* the group has ended */
      }
    }
  }

  protected openShell(): Promise<Shell> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.shellPath, ['-c', remoteCommand(this.become)], { detached: true, stdio: 'pipe' });
      this.child = child;
      let started = false;
      const { shell, handshake, ended } = attachShell(child.stdout, child.stderr, {
        become: this.become,
        host: this.name,
        write: (t) => child.stdin.write(t),
        feed: FramedSession.feed,
        ready: resolve,
        refuse: reject,
        abort: (e) => this.abortRun?.(e),
      });
      child.once('spawn', () => {
        started = true;
        if (!handshake) resolve(shell);
      });
      child.on('error', (err) => {
        const e = new TransportError(`cannot start the local shell ${this.shellPath}: ${err.message}`, this.name, { cause: err });
        if (started) this.abortRun?.(e);
        else reject(e);
      });
      // a shell that died leaves a write to its stdin failing: the close below says what happened
      child.stdin.on('error', () => undefined);
      child.on('close', () => {
        if (started) ended('the local shell ended');
        else shell.closed = true;
      });
    });
  }

  /**
   * Ends the shell politely: its stdin closed, it ends once the command in progress is done (none,
   * after a run); one that has not ended 2 s later is killed. Background jobs a script left keep
   * running, as they do on a host after SSH ends, and never keep the controller waiting.
   */
  close(): void {
    if (this.dead) return;
    this.dead = true;
    const c = this.child;
    if (!c) return;
    c.stdin.end();
    c.stdout.destroy();
    c.stderr.destroy();
    if (c.exitCode !== null || c.signalCode !== null) return;
    const force = setTimeout(() => this.kill(), 2000);
    force.unref();
    c.once('exit', () => clearTimeout(force));
  }
}

export interface LocalConnectorOptions {
  /** the shell that runs the command line, as sshd uses the user's login shell; default /bin/sh */
  shell?: string;
}

/** The controller itself behind the Transport interface: one local shell per host that asks for it. */
export class LocalConnector implements Connector {
  constructor(private opts: LocalConnectorOptions = {}) {}

  async connect(host: ResolvedHost, opts: ConnectOptions = {}): Promise<Transport> {
    if (opts.signal?.aborted) throw new TransportError(String(opts.signal.reason ?? 'cancelled'), host.name);
    return new LocalTransport(host.name, host.connection.become, this.opts.shell);
  }
}
