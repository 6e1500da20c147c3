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
 * lab's known_hosts naming each by its address, a line per address: its IPv4 one, then (in a lab
 * with IPv6) its IPv6 one, as ssh names a host on port 22 (`fd63:6e65:7496::a`, no brackets).
 * Returns that file's path.
 */
export async function makeHostKeys(plan: LabPlan): Promise<string> {
  const hostKeys = await Promise.all(plan.vms.map((v) => keygen(join(plan.dir, 'hostkeys', v.key), v.name)));
  const knownHosts = join(plan.dir, 'known_hosts');
  const lines = plan.vms.flatMap((v, k) => {
    const key = hostKeys[k]!.split(' ').slice(0, 2).join(' ');
    return [v.address, ...(plan.ipv6 ? [v.address6] : [])].map((a) => `${a} ${key}\n`);
  });
  writeFileSync(knownHosts, lines.join(''), { mode: 0o600 });
  return knownHosts;
}
