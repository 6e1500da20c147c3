import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError, type InventoryIssue } from '../errors.js';
import type { FlatHost } from './flatten.js';
import { isIpv4 } from './ipv4.js';
import { lookup } from './host-var.js';
import { sudoPasswordProblem } from './schema.js';
import type { Connection, HostKeyMode } from './types.js';

/** `~/x` → home; relative paths are taken from the inventory file's folder. */
function filePath(p: string, inventoryDir: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(inventoryDir, p);
}

const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export interface ConnectionOptions {
  /** the user's ssh config knows this name (a Host block giving it a HostName) */
  sshHostKnown?: (alias: string) => boolean;
}

/**
 * The passwords stay on the connection for the transport to use, but JSON never shows them (a
 * report, a dump, a JSON output built from the inventory): a hidden toJSON puts "(hidden)" there.
 */
function hiddenInJson<T extends { password?: string }>(obj: T): T {
  const toJSON = () => (obj.password === undefined ? { ...obj } : { ...obj, password: '(hidden)' });
  return Object.defineProperty(obj, 'toJSON', { value: toJSON, enumerable: false });
}

/** CNET_BECOME_PASSWORD, refused as the inventory's become password is when it holds a control character. */
function becomePasswordFromEnv(): string | undefined {
  const password = process.env.CNET_BECOME_PASSWORD || undefined;
  const problem = password === undefined ? undefined : sudoPasswordProblem(password);
  if (problem) throw new UsageError(`the environment variable CNET_BECOME_PASSWORD ${problem}`);
  return password;
}

/** Ansible's connection variables (and the legacy ansible_ssh_* ones) → how to reach the host. */
export function resolveConnection(host: FlatHost, opts: ConnectionOptions = {}): { connection?: Connection; issues: InventoryIssue[] } {
  const address = lookup(host, 'ansible_host') ?? lookup(host, 'ansible_ssh_host');
  const nameWorks = isIpv4(host.name) || DNS_NAME.test(host.name) || host.name === 'localhost' || (opts.sshHostKnown?.(host.name) ?? false);
  const addr = address?.value ?? (nameWorks ? host.name : undefined);
  if (!addr) {
    return {
      issues: [{ loc: host.src.locate(host.path), message: `host "${host.name}" has no address: set ansible_host (its name is not an IP address, a DNS name, nor a Host with a HostName in the ssh config)` }],
    };
  }
  const port = lookup(host, 'ansible_port') ?? lookup(host, 'ansible_ssh_port');
  const user = lookup(host, 'ansible_user') ?? lookup(host, 'ansible_ssh_user');
  const key = lookup(host, 'ansible_ssh_private_key_file');
  const mode = lookup(host, 'cnet_host_key_checking');
  const ansibleChecking = lookup(host, 'ansible_host_key_checking');
  const hostKeyChecking: HostKeyMode | undefined = mode?.value ?? (ansibleChecking?.value === false ? 'off' : undefined);
  const known = lookup(host, 'cnet_known_hosts_file');
  const password = lookup(host, 'ansible_password')?.value ?? lookup(host, 'ansible_ssh_pass')?.value ?? (process.env.CNET_SSH_PASSWORD || undefined);
  const commonArgs = [lookup(host, 'ansible_ssh_common_args')?.value, lookup(host, 'ansible_ssh_extra_args')?.value].filter(Boolean).join(' ');
  const become = lookup(host, 'ansible_become')?.value === true;
  const becomePassword = lookup(host, 'ansible_become_password')?.value ?? lookup(host, 'ansible_become_pass')?.value ?? becomePasswordFromEnv();
  return {
    connection: hiddenInJson({
      address: addr,
      ...(port ? { port: port.value } : {}),
      ...(user ? { user: user.value } : {}),
      ...(key ? { privateKeyFile: filePath(key.value, key.dir) } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(hostKeyChecking ? { hostKeyChecking } : {}),
      ...(known ? { knownHostsFile: filePath(known.value, known.dir) } : {}),
      ...(commonArgs ? { commonArgs } : {}),
      ...(become ? { become: hiddenInJson({ user: lookup(host, 'ansible_become_user')?.value ?? 'root', ...(becomePassword !== undefined ? { password: becomePassword } : {}) }) } : {}),
    }),
    issues: [],
  };
}
