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
 *
 * ProxyUseFdpass (sshconnect.c `ssh_proxy_fdpass_connect`): the command gets a socket as its stdin
 * and stdout, hands a connected file descriptor back over it (SCM_RIGHTS) and exits; ssh then
 * talks over that descriptor. Node cannot receive a descriptor, so a small Python relay
 * (FDPASS_RELAY, python3 ≥ 3.9 on PATH) does what ssh does and then relays between it and its
 * own stdin/stdout, which are the connection as for any ProxyCommand.
 */
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { escapeUnshown } from '../../shown.js';
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

/**
 * argv: the shell, the command line. Runs it with a socket as stdin and stdout, takes the one
 * descriptor it passes back, waits for it to exit (as ssh does), then copies the descriptor to
 * stdout and stdin to the descriptor until either ends.
 */
export const FDPASS_RELAY = `
import os, socket, subprocess, sys, threading
ours, theirs = socket.socketpair()
proxy = subprocess.Popen([sys.argv[1], "-c", sys.argv[2]], stdin=theirs, stdout=theirs)
theirs.close()
try:
    fds = socket.recv_fds(ours, 1, 1)[1]
except OSError:
    fds = []
ours.close()
proxy.wait()
if not fds:
    sys.stderr.write("ProxyUseFdpass: the ProxyCommand passed no connection back\\n")
    sys.exit(255)
conn = fds[0]
def outward():
    while True:
        data = os.read(0, 65536)
        if not data:
            try:
                socket.socket(fileno=os.dup(conn)).shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        while data:
            data = data[os.write(conn, data):]
threading.Thread(target=outward, daemon=True).start()
while True:
    data = os.read(conn, 65536)
    if not data:
        break
    while data:
        data = data[os.write(1, data):]
`;

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

/** Starts an expanded ProxyCommand (see expandProxyCommand) under the user's shell; `fdpass`: through FDPASS_RELAY. */
export function startProxyCommand(commandLine: string, env: NodeJS.ProcessEnv = process.env, fdpass = false): ProxyProcess {
  const [file, args] = fdpass ? ['python3', ['-c', FDPASS_RELAY, proxyShell(env), commandLine]] : [proxyShell(env), ['-c', commandLine]];
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
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
      resolve(`could not be started: ${err.message}${fdpass ? ' (ProxyUseFdpass needs python3 3.9 or later on PATH)' : ''}`);
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
