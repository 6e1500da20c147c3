import { execFile, execFileSync } from 'node:child_process';

/**
 * Host-side scripts run for real, as root, in a private mount and network namespace whose /run is
 * an empty tmpfs (mode 755, as on a host; with /run/t for the tests' own files): nothing on this
 * machine's /run or network is read or written, and `ip` steps change only that namespace.
 */
export const sandboxProblem = ((): string | undefined => {
  try {
    execFileSync('unshare', ['--mount', '--net', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return (e.stderr?.toString().trim() || e.message).split('\n')[0];
  }
})();
if (sandboxProblem) console.warn(`host-script real runs skipped: cannot make a private mount namespace (needs root / CAP_SYS_ADMIN): ${sandboxProblem}`);

export interface SandboxRun {
  code: number;
  stdout: string;
  stderr: string;
  /** sections of stdout, each started by a line `==NAME` */
  sec: Record<string, string>;
}

/** Runs body in the sandbox (see above). */
export function inSandbox(body: string, timeoutMs = 15_000): Promise<SandboxRun> {
  const script = `mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/t || exit 99\n${body}`;
  return new Promise((resolve) => {
    execFile('unshare', ['--mount', '--net', '--propagation', 'private', 'sh', '-c', script], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const sec: Record<string, string> = {};
      let name: string | undefined;
      for (const line of stdout.split('\n')) {
        if (line.startsWith('==')) sec[(name = line.slice(2))] = '';
        else if (name !== undefined) sec[name] += `${line}\n`;
      }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, sec });
    });
  });
}

/** writes text to a file (a quoted here-document) */
export const put = (path: string, text: string) => `cat > ${path} <<'CNET_TEST_EOF'\n${text.trimEnd()}\nCNET_TEST_EOF\n`;
/** writes a script to /run and runs it, its output under ==NAME */
export const runAs = (name: string, script: string) => `${put(`/run/${name}.sh`, script)}echo '==${name}'\nsh /run/${name}.sh\n`;
/** prints a file under ==NAME, or (absent) */
export const show = (name: string, path: string) => `echo '==${name}'\nif [ -e ${path} ]; then cat ${path}; else echo '(absent)'; fi\n`;
/**
 * A `sleep` on PATH (`gated` before a command) that lasts until the test opens the gate: a
 * transaction's pause, or an armed revert's wait, ends when the test says so, never by the clock.
 */
export const GATE = `mkdir -p /run/gate\nreal_sleep=$(command -v sleep)\ncat > /run/gate/sleep <<CNET_GATE_EOF\n#!/bin/sh\nwhile [ ! -e /run/t/go ]; do $real_sleep 0.05; done\nCNET_GATE_EOF\nchmod +x /run/gate/sleep\n`;
export const gated = 'PATH=/run/gate:$PATH';
export const openGate = ': > /run/t/go\n';
/** waits (at most `tenths`/10 s) until a shell condition holds */
export const awaitTrue = (cond: string, tenths = 300) => `i=0; until ${cond} || [ $i -ge ${tenths} ]; do i=$((i+1)); sleep 0.1; done\n`;
export const lines = (text: string | undefined) => (text ?? '').trimEnd().split('\n');
