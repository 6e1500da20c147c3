import { createInterface } from 'node:readline';
import { UsageError } from '../errors.js';
import { Writable } from 'node:stream';
import { applyLimit } from '../inventory/limit.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { ConnectorForHost, isLocal } from '../transport/connector-for-host.js';
import { KeyStore } from '../transport/keys.js';
import { loadSshConfig, resolveSshConfig } from '../transport/ssh-config.js';
import { SshConnector } from '../transport/ssh.js';

export interface PrepareFlags {
  limit?: string;
  sshConfig?: string;
}

/** Asks for a key's passphrase on the terminal, without echo. */
function promptPassphrase(file: string): Promise<string | undefined> {
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  process.stderr.write(`Enter passphrase for ${file}: `);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}

/**
 * A run on no host did nothing, and must not look like success (a nightly job reads exit 0 as
 * "every host is fine"): as Ansible's "no hosts matched", it is an error.
 */
function noHosts(inventory: Inventory, limit: string | undefined): UsageError {
  const files = inventory.files.join(', ');
  const n = inventory.hosts.length;
  if (n === 0 || limit === undefined) {
    return new UsageError(`no hosts: ${files} ${inventory.files.length > 1 ? 'have' : 'has'} no host; list hosts under a group's "hosts:" (nothing was done)`);
  }
  return new UsageError(`no hosts: --limit ${JSON.stringify(limit)} selects none of the ${n} host${n > 1 ? 's' : ''} of ${files}; check the pattern (nothing was done)`);
}

/**
 * Everything before the first connection: the ssh config, the inventory (whose host names may be
 * ssh config aliases), the hosts --limit selects, and every private key they need, decrypted
 * (asking for passphrases now, not in the middle of a parallel run).
 */
export async function prepareRun(files: string[], flags: PrepareFlags): Promise<{ inventory: Inventory; hosts: ResolvedHost[]; connector: ConnectorForHost }> {
  const sshConfig = loadSshConfig(flags.sshConfig);
  const inventory = loadInventory(files, { sshHostKnown: (alias) => resolveSshConfig(sshConfig, alias).hostName !== undefined });
  const hosts = applyLimit(inventory, flags.limit);
  if (hosts.length === 0) throw noHosts(inventory, flags.limit);
  const interactive = Boolean(process.stdin.isTTY) && process.env.CI !== 'true';
  const keys = new KeyStore(interactive ? promptPassphrase : async () => undefined);
  const ssh = new SshConnector({ sshConfig, keys });
  // a local host (the controller itself) needs no key, no target
  const targets = hosts.filter((h) => !isLocal(h)).map((h) => ssh.target(h));
  await keys.load([...new Set(targets.flatMap((t) => [...t.identityFiles, ...t.jumps.flatMap((j) => j.identityFiles)]))]);
  return { inventory, hosts, connector: new ConnectorForHost(ssh) };
}
