import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { InventoryIssue } from '../errors.js';
import type { FlatHost } from './flatten.js';
import { isIpv4 } from './ipv4.js';
import { lookup } from './host-var.js';
import type { Connection, HostKeyMode } from './types.js';

/** `~/x` → home; relative paths are taken from the inventory file's folder. */
function filePath(p: string, inventoryFile: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(dirname(inventoryFile), p);
}

const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Ansible's connection variables (and the legacy ansible_ssh_* ones) → how to reach the host. */
export function resolveConnection(host: FlatHost): { connection?: Connection; issues: InventoryIssue[] } {
  const address = lookup(host, 'ansible_host') ?? lookup(host, 'ansible_ssh_host');
  const addr = address?.value ?? (isIpv4(host.name) || DNS_NAME.test(host.name) || host.name === 'localhost' ? host.name : undefined);
  if (!addr) {
    return {
      issues: [{ loc: host.src.locate(host.path), message: `host "${host.name}" has no address: set ansible_host (its name is not an IP address or a DNS name)` }],
    };
  }
  const port = lookup(host, 'ansible_port') ?? lookup(host, 'ansible_ssh_port');
  const user = lookup(host, 'ansible_user') ?? lookup(host, 'ansible_ssh_user');
  const key = lookup(host, 'ansible_ssh_private_key_file');
  const mode = lookup(host, 'cnet_host_key_checking');
  const ansibleChecking = lookup(host, 'ansible_host_key_checking');
  const hostKeyChecking: HostKeyMode = mode?.value ?? (ansibleChecking?.value === false ? 'off' : 'accept-new');
  const known = lookup(host, 'cnet_known_hosts_file');
  return {
    connection: {
      address: addr,
      port: port?.value ?? 22,
      user: user?.value ?? userInfo().username,
      ...(key ? { privateKeyFile: filePath(key.value, key.file) } : {}),
      hostKeyChecking,
      knownHostsFile: known ? filePath(known.value, known.file) : join(homedir(), '.ssh', 'known_hosts'),
    },
    issues: [],
  };
}
