import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-code.js';
import { runMain as run } from './run-main.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-prepare-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a run on no host is an error, not a success (it exited 0 with "0 hosts")', () => {
  it('an inventory without hosts', async () => {
    const empty = file('empty.yaml', 'all:\n  vars:\n    ansible_user: root\n');
    for (const command of ['plan', 'up', 'verify', 'down']) {
      const r = await run(command, empty);
      expect(r.code, command).toBe(EXIT.usage);
      expect(r.stderr, command).toBe(`error: no hosts: ${empty} has no host; list hosts under a group's "hosts:" (nothing was done)`);
      expect(r.stdout, command).toBe('');
    }
  });

  it('several files, none with a host; and an empty file', async () => {
    const a = file('a.yaml', 'web: {}\n');
    const b = file('b.yaml', '');
    expect((await run('plan', a, b)).stderr).toBe(`error: no hosts: ${a}, ${b} have no host; list hosts under a group's "hosts:" (nothing was done)`);
  });

  it('a --limit that leaves no host', async () => {
    const inv = file('two.yaml', 'web:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\ndb:\n  hosts:\n    vm2: { ansible_host: 192.0.2.2 }\n');
    const r = await run('plan', inv, '--limit', 'web:&db');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(`error: no hosts: --limit "web:&db" selects none of the 2 hosts of ${inv}; check the pattern (nothing was done)`);
  });
});
