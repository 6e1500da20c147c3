/**
 * The python ansible-core runs on (its `ansible-inventory`'s #! line: Debian's python3, where
 * `import ansible` works; the python3 first on PATH may be another), for differential tests of
 * the Python rules Ansible relies on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const ANSIBLE_PYTHON = (() => {
  const where = execFileSync('sh', ['-c', 'command -v ansible-inventory'], { encoding: 'utf8' }).trim();
  const words = readFileSync(where, 'utf8')
    .split('\n', 1)[0]!
    .replace(/^#!\s*/, '')
    .trim()
    .split(/\s+/);
  // `#!/usr/bin/env python3`: the python env would run
  return words[0]!.endsWith('/env') ? words[1]! : words[0]!;
})();

/** Runs `script` with `input` as JSON on stdin (warnings ignored); returns what it prints, read as JSON. */
export function runPython<T>(script: string, input: unknown): T {
  const out = execFileSync(ANSIBLE_PYTHON, ['-W', 'ignore', '-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out) as T;
}
