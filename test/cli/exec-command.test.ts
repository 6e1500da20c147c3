import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxOutputBytes, splitCommand } from '../../src/cli/exec-command.js';
import { EXIT } from '../../src/cli/exit-code.js';
import { withEnv } from '../support/env.js';
import { captureMain } from './run-main.js';

describe('splitCommand', () => {
  const raw = (...a: string[]) => ['node', 'cnet-remote', 'exec', ...a];

  it('inventories before the first `--`, the command after it', () => {
    expect(splitCommand(['a.yaml', 'b.yaml', 'sh', '-c', 'echo $x'], raw('a.yaml', 'b.yaml', '--', 'sh', '-c', 'echo $x'))).toEqual({
      inventories: ['a.yaml', 'b.yaml'],
      command: ['sh', '-c', 'echo $x'],
    });
  });

  it('options may come before or between inventories; a `--` inside the command is the command’s', () => {
    expect(splitCommand(['a.yaml', 'grep', '--', '-x'], raw('--ns', 'pb', 'a.yaml', '--limit', 'vm1', '--', 'grep', '--', '-x'))).toEqual({
      inventories: ['a.yaml'],
      command: ['grep', '--', '-x'],
    });
  });

  it('an option whose value is `--` is not the separator', () => {
    expect(splitCommand(['a.yaml', 'x'], raw('--limit', '--', 'a.yaml', '--', 'x'))).toEqual({ inventories: ['a.yaml'], command: ['x'] });
  });

  it('no `--`: undefined; `--` and nothing after: an empty command', () => {
    expect(splitCommand(['a.yaml'], raw('a.yaml'))).toBeUndefined();
    expect(splitCommand(['a.yaml'], raw('a.yaml', '--'))).toEqual({ inventories: ['a.yaml'], command: [] });
  });
});

describe('--max-output', () => {
  it('MiB, a fraction of one too; refuses what is not a positive size', () => {
    expect(maxOutputBytes('4')).toBe(4 * 1024 * 1024);
    expect(maxOutputBytes('0.5')).toBe(512 * 1024);
    for (const bad of ['0', '-1', 'x', '', '1e3', '0.0000001']) expect(() => maxOutputBytes(bad), bad).toThrow(/--max-output must be a size in MiB/);
  });
});

/** `cnet-remote exec ARGS`, main() in-process, its output captured. */
const run = (...args: string[]) => captureMain(['exec', ...args]);

describe('exec usage errors: refused before the inventory is read or a host is touched', () => {
  it('no `--`, or nothing after it', async () => {
    for (const args of [
      ['missing.yaml', 'hostname'],
      ['missing.yaml', '--'],
    ]) {
      const r = await run(...args);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toMatch(/give the command after `--`/);
    }
  });

  it('no inventory before `--`, from -i, or from the ansible config: refused; -i and ANSIBLE_INVENTORY are read', async () => {
    // a config of our own, so no user's ansible.cfg or ANSIBLE_INVENTORY names an inventory
    const dir = mkdtempSync(join(tmpdir(), 'cnet-exec-'));
    try {
      writeFileSync(join(dir, 'ansible.cfg'), '');
      await withEnv({ ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_INVENTORY: undefined }, async () => {
        const r = await run('--', 'hostname');
        expect(r.code).toBe(EXIT.usage);
        expect(r.stderr).toMatch(/no inventory: name one \(cnet-remote up inventory\.yaml, or -i FILE\), or set inventory in ansible\.cfg \[defaults\]/);
        // an inventory given another way is the one read (the error names it)
        const fromFlag = await run('-i', join(dir, 'from-flag.yaml'), '--', 'hostname');
        expect(fromFlag.code).toBe(EXIT.usage);
        expect(fromFlag.stderr).toContain('from-flag.yaml');
        const fromEnv = await withEnv({ ANSIBLE_INVENTORY: join(dir, 'from-env.yaml') }, () => run('--', 'hostname'));
        expect(fromEnv.code).toBe(EXIT.usage);
        expect(fromEnv.stderr).toContain('from-env.yaml');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad --ns, by the inventory’s own namespace-name rule', async () => {
    const r = await run('missing.yaml', '--ns', '$(id)', '--', 'hostname');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--ns: namespace name "\$\(id\)" is not allowed/);
  });

  it('bad numbers, as for the other commands', async () => {
    const r = await run('missing.yaml', '--forks', '0', '--', 'hostname');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--forks must be a positive integer/);
  });

  it('options of the command after `--` are not ours', async () => {
    // `--ns` and `-l` after `--` belong to the command: the inventory error shows they were not parsed as ours
    const r = await run('missing.yaml', '--', 'grep', '-l', '--ns', 'x');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/missing\.yaml/);
    expect(r.stderr).not.toMatch(/--ns:|--limit/);
  });
});
