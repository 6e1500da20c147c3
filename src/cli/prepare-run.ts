import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { applyLimit } from '../inventory/limit.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
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
 * Everything before the first connection: the ssh config, the inventory (whose host names may be
 * ssh config aliases), the hosts --limit selects, and every private key they need, decrypted
 * (asking for passphrases now, not in the middle of a parallel run).
 */
export async function prepareRun(files: string[], flags: PrepareFlags): Promise<{ inventory: Inventory; hosts: ResolvedHost[]; connector: SshConnector }> {
  const sshConfig = loadSshConfig(flags.sshConfig);
  const inventory = loadInventory(files, { sshHostKnown: (alias) => resolveSshConfig(sshConfig, alias).hostName !== undefined });
  const hosts = applyLimit(inventory, flags.limit);
  const interactive = Boolean(process.stdin.isTTY) && process.env.CI !== 'true';
  const keys = new KeyStore(interactive ? promptPassphrase : async () => undefined);
  const connector = new SshConnector({ sshConfig, keys });
  const targets = hosts.map((h) => connector.target(h));
  await keys.load([...new Set(targets.flatMap((t) => [...t.identityFiles, ...t.jumps.flatMap((j) => j.identityFiles)]))]);
  return { inventory, hosts, connector };
}
