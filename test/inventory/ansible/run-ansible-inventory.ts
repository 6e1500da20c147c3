/**
 * The real `ansible-inventory` (Debian's ansible-core 2.14) for differential tests, always with a
 * private HOME and cwd and an empty ansible.cfg, so no user or system configuration leaks in.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A folder holding an empty ansible.cfg, to be HOME and cwd; `done()` removes it. */
export function ansibleHome(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-ansible-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment for `dir`; `enabled`: ANSIBLE_INVENTORY_ENABLED (the default: every plugin Ansible enables by default). */
export function ansibleEnv(dir: string, enabled?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: dir,
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ...(enabled ? { ANSIBLE_INVENTORY_ENABLED: enabled } : {}),
    ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
    ANSIBLE_NOCOLOR: '1',
  };
}

/** `ansible-inventory -i FILE… ARGS`: its stdout (the JSON text). */
export function ansibleInventory(files: string[], args: string[], dir: string, enabled?: string): string {
  return execFileSync('ansible-inventory', [...files.flatMap((f) => ['-i', f]), ...args], {
    cwd: dir,
    env: ansibleEnv(dir, enabled),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The same, run in the background: many at once (each takes most of a second to start Python). */
export function ansibleInventoryAsync(files: string[], args: string[], dir: string, enabled?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'ansible-inventory',
      [...files.flatMap((f) => ['-i', f]), ...args],
      { cwd: dir, env: ansibleEnv(dir, enabled), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? reject(new Error(`ansible-inventory ${args.join(' ')} ${files.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)),
    );
  });
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
