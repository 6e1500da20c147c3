import { InventoryError, UsageError } from '../errors.js';
import type { FlatHost } from '../inventory/flatten.js';
import type { LoadOptions } from '../inventory/load-inventory.js';
import { showText } from '../shown.js';
import { resolveConnection } from '../inventory/resolve-connection.js';
import { sshTargetView } from '../transport/openssh/ssh-g-view.js';
import { loadSshConfig } from '../transport/openssh/config-read.js';
import { sshConfigReaches } from '../transport/openssh/config-resolve.js';

/**
 * `inventory host NAME --ssh`: the host's connection over the ssh config (`-F FILE`, else
 * ~/.ssh/config), as a run resolves it, in `ssh -G`'s form. Notes (Match exec not run, a
 * refused proxy) go to `note`; the lines are returned for stdout.
 */
export function inventoryHostSshLines(
  host: FlatHost,
  load: Omit<LoadOptions, 'sshHostKnown'>,
  sshConfigFile: string | undefined,
  note: (text: string) => void,
): string[] {
  const config = loadSshConfig(sshConfigFile);
  // as prepare-run: a name the ssh config gives a HostName is an address
  const { connection, issues } = resolveConnection(host, { ...load, sshHostKnown: (alias) => sshConfigReaches(config, alias) });
  issues.push(...(host.values?.issues ?? []));
  if (!connection || issues.length > 0) throw new InventoryError(issues);
  if (connection.kind === 'local')
    throw new UsageError(`host ${showText(host.name)} has ansible_connection local: it is not reached over ssh, so there is no ssh view of it`);
  const { target, lines } = sshTargetView({ name: host.name, groups: host.groups, connection, network: { bridges: [], namespaces: [] } }, config);
  for (const n of target.notes) note(`note: ${n}`);
  if (target.refusal) note(`cnet-remote will not connect to ${showText(host.name)}: ${target.refusal}`);
  return lines;
}
