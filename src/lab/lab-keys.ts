import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from './local-exec.js';
import type { LabPlan } from './lab-plan.js';

/** A new ed25519 key pair at `file` (no passphrase); returns the public key line. */
export async function keygen(file: string, comment: string): Promise<string> {
  await exec(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/**
 * Each VM's host key (`<lab folder>/hostkeys/<key>`, the folder made 0700 by the caller) and the
 * lab's known_hosts naming each by its address; returns that file's path.
 */
export async function makeHostKeys(plan: LabPlan): Promise<string> {
  const hostKeys = await Promise.all(plan.vms.map((v) => keygen(join(plan.dir, 'hostkeys', v.key), v.name)));
  const knownHosts = join(plan.dir, 'known_hosts');
  writeFileSync(knownHosts, plan.vms.map((v, k) => `${v.address} ${hostKeys[k]!.split(' ').slice(0, 2).join(' ')}\n`).join(''), { mode: 0o600 });
  return knownHosts;
}
