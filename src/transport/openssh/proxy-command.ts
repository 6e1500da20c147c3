/**
 * A ProxyCommand run as OpenSSH 9.2 runs it (sshconnect.c `ssh_proxy_connect`): `$SHELL -c "exec
 * COMMAND"` (`/bin/sh` when SHELL is unset or empty), the command's `%` tokens expanded first
 * (`expand_proxy_command`: %h %k %n %p %r and %%), its stdin and stdout the connection. It is the
 * user's own config, trusted as ssh trusts it: any command runs (`ssh -W %h:%p -i key bastion`,
 * `nc %h %p`, `aws ssm start-session …`).
 *
 * Unlike ssh, its stderr is not the terminal's (many hosts connect at once): it is kept (the last
 * STDERR_KEEP bytes) and shown when the connection fails. The command runs in a process group of
 * its own, which is hung up (SIGHUP, as ssh_kill_proxy_command does) when the connection ends or
 * fails: only that group, and only while its leader has not been reaped.
 */
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { escapeUnshown } from '../../inventory/names.js';
import { expandPercentTokens } from './tokens.js';

/** What the tokens of a ProxyCommand stand for. */
export interface ProxyCommandTokens {
  /** %h: the host name to connect to (after HostName) */
  host: string;
  /** %n: the host as given on the command line (before HostName) */
  hostArg: string;
  /** %p */
  port: number;
  /** %r: the remote user */
  user: string;
  /** %k: HostKeyAlias, else the host as given */
  hostKeyAlias?: string;
}

/** The command line ssh hands to the shell: `exec COMMAND` with its tokens expanded. Throws on an unknown token, as ssh does. */
export function expandProxyCommand(command: string, t: ProxyCommandTokens): string {
  return expandPercentTokens(`exec ${command}`, { h: t.host, k: t.hostKeyAlias ?? t.hostArg, n: t.hostArg, p: String(t.port), r: t.user });
}

/** The shell ssh runs a ProxyCommand with: $SHELL, else /bin/sh. */
export function proxyShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHELL ? env.SHELL : '/bin/sh';
}

const STDERR_KEEP = 4096;

export interface ProxyProcess {
  /** the command's stdin/stdout, as one stream: give it to ssh2 as `sock` */
  sock: Duplex;
  pid: number | undefined;
  /** settles once the command has exited: `exited with status 1: <its last stderr line>` */
  exited: Promise<string>;
  /** whether the command has exited */
  done(): boolean;
  /** hangs up the command's process group, if it is still running */
  kill(): void;
}

/** The last non-empty line of what the command wrote to stderr, as it may be shown. */
function lastLine(text: string): string | undefined {
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  return line === undefined ? undefined : escapeUnshown(line);
}

/** Starts an expanded ProxyCommand (see expandProxyCommand) under the user's shell. */
export function startProxyCommand(commandLine: string, env: NodeJS.ProcessEnv = process.env): ProxyProcess {
  const child = spawn(proxyShell(env), ['-c', commandLine], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
  let stderr = '';
  let finished = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_KEEP);
  });
  const exited = new Promise<string>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      finished = true;
      resolve(`could not be started: ${err.message}`);
    });
    child.once('close', (code, signal) => {
      finished = true;
      if (spawnError) return;
      const said = lastLine(stderr);
      const how = signal ? `was ended by ${signal}` : `exited with status ${code}`;
      resolve(`${how}${said ? `: ${said}` : ''}`);
    });
  });
  const kill = () => {
    if (finished || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGHUP');
    } catch {
      // already gone
    }
  };
  // a write after the command has gone is not an error of the connection: its end is
  child.stdin.on('error', () => undefined);
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('close', kill);
  sock.on('error', () => undefined);
  return { sock, pid: child.pid, exited, done: () => finished, kill };
}
