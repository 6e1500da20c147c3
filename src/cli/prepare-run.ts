import { formatIssue, UsageError } from '../errors.js';
import type { AnsibleSettings } from '../inventory/ansible/ansible-cfg.js';
import { askHidden, canAsk } from './ask-hidden.js';
import { inventoryInputs, type InventoryFlags } from './inventory-inputs.js';
import { inventoryFingerprint } from '../inventory/fingerprint.js';
import { selectHosts } from '../inventory/limit.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { ConnectorForHost, isLocal } from '../transport/connector-for-host.js';
import { KeyStore } from '../transport/keys.js';
import { loadSshConfig } from '../transport/openssh/config-read.js';
import { sshConfigReaches } from '../transport/openssh/config-resolve.js';
import { nameRuns } from '../result/host-order.js';
import type { RunScope } from '../result/result.js';
import { hostsOfShard, parseShard } from '../result/shard.js';
import { SshConnector } from '../transport/ssh.js';

export interface PrepareFlags {
  limit?: string;
  /** --shard K/N: this run's slice of the hosts --limit selects */
  shard?: string;
  /**
   * The command compares each host with the inventory's network (up, plan, verify), which must
   * then define one (down, exec and graph need none).
   */
  needsNetwork?: boolean;
  sshConfig?: string;
  /** --timeout, already checked (hostSettings) */
  timeout?: string;
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
  return new UsageError(
    `no hosts: --limit ${JSON.stringify(limit)} selects none of the ${n} host${n > 1 ? 's' : ''} of ${files}; check the pattern (nothing was done)`,
  );
}

/**
 * Hosts with no network to build or check: `up`, `plan` and `verify` would read every host and
 * report nothing to do (an inventory passed without its topology file, a misspelt `cnet`): an
 * error, as a run on no host is. One host without a network among others is a host the topology
 * left (`up` removes what cnet-remote made there).
 */
function noNetwork(inventory: Inventory, hosts: ResolvedHost[]): UsageError | undefined {
  const empty = (h: ResolvedHost) => h.network.bridges.length === 0 && h.network.namespaces.length === 0 && !h.network.fabric;
  if (!hosts.every(empty)) return undefined;
  const names =
    hosts.length > 5
      ? `${hosts
          .slice(0, 4)
          .map((h) => h.name)
          .join(', ')} and ${hosts.length - 4} more hosts`
      : hosts.map((h) => h.name).join(', ');
  const files = inventory.files.join(', ');
  return new UsageError(
    `no network: ${files} ${inventory.files.length > 1 ? 'define' : 'defines'} no cnet network (no bridge, namespace or fabric) for ${names}: ` +
      'add it as all.vars.cnet, or pass a topology file after the inventory (e.g. inventories/seed-part2.yaml); ' +
      `to remove what cnet-remote made on ${hosts.length > 1 ? 'them' : 'it'}, run down (nothing was done)`,
  );
}

/** What a shard says before it starts: which hosts of how many, or that it has none. */
function shardNote(scope: RunScope, hosts: ResolvedHost[]): string {
  const { shard, inventory } = scope;
  const of = `shard ${shard!.index}/${shard!.count}`;
  if (hosts.length === 0) return `${of}: no hosts (${inventory!.hosts} hosts in ${shard!.count} shards): nothing to do`;
  return `${of}: ${hosts.length} of the ${inventory!.hosts} hosts (${nameRuns(hosts.map((h) => h.name))})`;
}

/**
 * Everything before the first connection: the ssh config, the inventory (whose host names may be
 * ssh config aliases), the hosts --limit selects and --shard slices, and every private key they
 * need, decrypted (asking for passphrases now, not in the middle of a parallel run). Everything
 * across hosts (fabric peers, routes, probe targets) was computed from the whole inventory, so a
 * shard's hosts are planned as in a run on all.
 */
export async function prepareRun(
  positional: string[],
  flags: PrepareFlags & InventoryFlags,
  note: (text: string) => void,
): Promise<{ inventory: Inventory; hosts: ResolvedHost[]; scope: RunScope; connector: ConnectorForHost; settings: AnsibleSettings }> {
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const sshConfig = loadSshConfig(flags.sshConfig);
  const { files, load, settings } = await inventoryInputs(positional, flags, note);
  // as Ansible's --timeout: it beats ansible.cfg's timeout, and a host's ansible_ssh_timeout beats it
  if (flags.timeout !== undefined) load.defaults = { ...load.defaults, timeout: Number(flags.timeout) };
  const inventory = loadInventory(files, { ...load, sshHostKnown: (alias) => sshConfigReaches(sshConfig, alias) });
  for (const w of inventory.warnings ?? []) note(`warning: ${formatIssue(w)}`);
  // another program ran: always said; the format of the others with -v
  for (const f of inventory.formats ?? []) {
    if (f.format === 'dynamic') note(`read ${f.file} as a dynamic inventory, through ansible-inventory --list`);
    else if (flags.verbose) note(`read ${f.file} as ${f.format}`);
  }
  const { hosts: selected, warnings: limitWarnings } = selectHosts(inventory, flags.limit);
  for (const w of limitWarnings) note(`warning: ${w.message}`);
  if (selected.length === 0) throw noHosts(inventory, flags.limit);
  const none = flags.needsNetwork ? noNetwork(inventory, selected) : undefined;
  if (none) throw none;
  const scope: RunScope = { inventory: { fingerprint: inventoryFingerprint(selected), hosts: selected.length }, ...(shard ? { shard } : {}) };
  const hosts = shard ? hostsOfShard(selected, shard) : selected;
  if (shard) note(shardNote(scope, hosts));
  const keys = new KeyStore(canAsk() ? (file) => askHidden(`Enter passphrase for ${file}: `) : async () => undefined);
  const ssh = new SshConnector({ sshConfig, keys });
  // a local host (the controller itself) needs no key, no target
  const targets = hosts.filter((h) => !isLocal(h)).map((h) => ssh.target(h));
  await keys.load([...new Set(targets.flatMap((t) => [...t.identityFiles, ...t.jumps.flatMap((j) => j.identityFiles)]))]);
  return { inventory, hosts, scope, connector: new ConnectorForHost(ssh), settings };
}
