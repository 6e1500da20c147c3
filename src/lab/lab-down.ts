import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabError } from '../errors.js';
import { hasRootLink, labNamespaces } from './lab-namespaces.js';
import { LAB_NAME } from './lab-plan.js';
import { exec } from './local-exec.js';
import { withLock } from './lock.js';
import { releaseNets } from './net-reservation.js';

export const lockFile = (root: string) => join(root, '.lock');

/**
 * Removes every namespace, process and interface the lab named `name` made, its folder and its
 * network reservation, also after a crash; nothing of any other lab. Holds the lab lock.
 */
export async function labDown(name: string, dir: string): Promise<number> {
  if (!LAB_NAME.test(name)) throw new LabError(`lab name "${name}" must be 1-8 lowercase letters or digits, starting with a letter`);
  const root = dirname(dir);
  if (!existsSync(root)) return removeLab(name, dir);
  return withLock(lockFile(root), () => removeLab(name, dir));
}

/** labDown for a caller that holds the lab lock already. */
export async function removeLab(name: string, dir: string): Promise<number> {
  // the name becomes a path to remove and a prefix of namespaces to delete: never anything else
  if (!LAB_NAME.test(name)) throw new LabError(`lab name "${name}" must be 1-8 lowercase letters or digits, starting with a letter`);
  const mine = await labNamespaces(name);
  const pids = new Set<number>();
  for (const ns of mine) {
    for (const p of (await exec(['ip', 'netns', 'pids', ns]).catch(() => '')).split('\n').filter(Boolean)) pids.add(Number(p));
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  // -force: go on past a namespace that is gone already; what is left is checked below
  if (mine.length > 0) await exec(['ip', '-force', '-batch', '-'], `${mine.map((n) => `netns del ${n}`).join('\n')}\n`).catch(() => undefined);
  const left = await labNamespaces(name);
  if (left.length > 0) throw new LabError(`lab "${name}": could not remove namespaces ${left.join(' ')}`);
  // the root link goes by itself once the kernel has cleaned up the switch's namespace: it may go meanwhile
  if (await hasRootLink(name))
    await exec(['ip', 'link', 'del', 'dev', `${name}-c`]).catch(async (e: unknown) => {
      if (await hasRootLink(name)) throw e;
    });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  releaseNets(dirname(dir), name);
  return mine.length;
}
