/**
 * Debian's python3, the one ansible-core 2.14 runs on (`import ansible` works there; the python3
 * first on PATH may be another), for differential tests of the Python rules Ansible relies on.
 */
import { execFileSync } from 'node:child_process';

/** Runs `script` with `input` as JSON on stdin (warnings ignored); returns what it prints, read as JSON. */
export function runPython<T>(script: string, input: unknown): T {
  const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out) as T;
}
