import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError, type InventoryIssue } from '../errors.js';
import type { FlatHost } from './flatten.js';
import { isIpv4 } from '../address/ipv4.js';
import { isIpv6 } from '../address/ipv6.js';
import { locatedVar, lookup } from './host-var.js';
import { sudoPasswordProblem, type KnownVar } from './schema.js';
import type { Connection, HostKeyMode } from './types.js';

/** `~/x` → home; relative paths are taken from `base`. */
function filePath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

/**
 * A name a resolver could take (/etc/hosts, DNS with its search domains, the ssh config): labels
 * of letters, digits, '-' and '_', dot-separated. ssh resolves it when connecting, and says so
 * when it cannot.
 */
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** An address ssh connects to as it is: IPv4, or IPv6 (a link-local one with its `%scope`), written without brackets. */
const isAddress = (name: string) => isIpv4(name) || isIpv6(name.replace(/%[^%]+$/, ''));

/** What ansible.cfg and the ANSIBLE_* environment give, below every inventory variable. */
export interface ConnectionDefaults {
  remoteUser?: string;
  /** ANSIBLE_REMOTE_PORT, [defaults] remote_port */
  port?: number;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  /** [defaults] timeout / ANSIBLE_TIMEOUT: seconds */
  timeout?: number;
  become?: boolean;
  becomeUser?: string;
  /** ssh_common_args and ssh_extra_args, joined */
  sshArgs?: string;
}

export interface ConnectionOptions {
  /** the user's ssh config knows this name (a Host block giving it a HostName) */
  sshHostKnown?: (alias: string) => boolean;
  defaults?: ConnectionDefaults;
  /** what relative ansible_ssh_private_key_file paths are taken from: the working directory, as ssh -i */
  cwd?: string;
}

/** ansible_connection values that mean ssh (Ansible's `smart` picks ssh; paramiko is an ssh client too). */
const SSH_CONNECTIONS = new Set(['ssh', 'smart', 'paramiko', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh', 'paramiko_ssh']);
const LOCAL_CONNECTIONS = new Set(['local', 'ansible.builtin.local']);

/** The first of `keys` set for the host: Ansible's plugins take the LAST of their vars list that is set, so callers list the legacy names first. */
function first<K extends KnownVar>(host: FlatHost, ...keys: K[]) {
  for (const k of keys) {
    const v = lookup(host, k);
    if (v) return v;
  }
  return undefined;
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

/**
 * Ansible's connection variables → how to reach the host, each as Ansible 2.14's ssh connection
 * and sudo become plugins decide it: where both a legacy and a new name are set, the legacy one
 * (ansible_ssh_host, _port, _user, _pass, _private_key_file) wins; ansible.cfg and ANSIBLE_*
 * give what no variable sets.
 */
export function resolveConnection(host: FlatHost, opts: ConnectionOptions = {}): { connection?: Connection; issues: InventoryIssue[] } {
  const defaults = opts.defaults ?? {};
  const kind = locatedVar(host, 'ansible_connection');
  if (kind && !SSH_CONNECTIONS.has(kind.value) && !LOCAL_CONNECTIONS.has(kind.value)) {
    return {
      issues: [
        {
          loc: kind.loc,
          message: `ansible_connection ${JSON.stringify(kind.value)} is not supported for host "${host.name}": cnet-remote connects over ssh, or runs on this machine with "local"`,
        },
      ],
    };
  }
  const local = kind !== undefined && LOCAL_CONNECTIONS.has(kind.value);
  const address = first(host, 'ansible_ssh_host', 'ansible_host');
  const nameWorks = isAddress(host.name) || HOST_NAME.test(host.name) || (opts.sshHostKnown?.(host.name) ?? false);
  const addr = address?.value ?? (nameWorks || local ? host.name : undefined);
  if (!addr) {
    return {
      issues: [
        {
          loc: host.src.locate(host.path),
          message: `host "${host.name}" has no address: set ansible_host (its name is not one a resolver could take, nor a Host in the ssh config)`,
        },
      ],
    };
  }
  const port = first(host, 'ansible_ssh_port', 'ansible_port')?.value ?? defaults.port;
  const user = first(host, 'ansible_ssh_user', 'ansible_user')?.value ?? defaults.remoteUser;
  const key = first(host, 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  const keyFile = key ? filePath(key.value, opts.cwd ?? process.cwd()) : defaults.privateKeyFile;
  const mode = lookup(host, 'cnet_host_key_checking');
  const ansibleChecking = first(host, 'ansible_ssh_host_key_checking', 'ansible_host_key_checking')?.value ?? defaults.hostKeyChecking;
  const hostKeyChecking: HostKeyMode | undefined = mode?.value ?? (ansibleChecking === false ? 'off' : undefined);
  const known = lookup(host, 'cnet_known_hosts_file');
  const connectTimeout = lookup(host, 'ansible_ssh_timeout')?.value ?? defaults.timeout;
  const password = first(host, 'ansible_ssh_password', 'ansible_ssh_pass', 'ansible_password')?.value ?? (process.env.CNET_SSH_PASSWORD || undefined);
  const inventoryArgs = [lookup(host, 'ansible_ssh_common_args')?.value, lookup(host, 'ansible_ssh_extra_args')?.value].filter(Boolean).join(' ');
  const commonArgs = inventoryArgs || defaults.sshArgs;
  const become = lookup(host, 'ansible_become')?.value ?? defaults.become ?? false;
  // read (so checked: sudo only) when used, as Ansible reads it only then
  if (become) lookup(host, 'ansible_become_method');
  const becomeUser = first(host, 'ansible_sudo_user', 'ansible_become_user')?.value ?? defaults.becomeUser ?? 'root';
  // read only when used, as Ansible renders it only then (a template naming a variable kept elsewhere must not fail a host that does not become)
  const becomePassword = become
    ? (first(host, 'ansible_sudo_pass', 'ansible_become_pass', 'ansible_become_password')?.value ?? becomePasswordFromEnv())
    : undefined;
  return {
    connection: hiddenInJson({
      ...(local ? { kind: 'local' as const } : {}),
      address: addr,
      ...(port ? { port } : {}),
      ...(user ? { user } : {}),
      ...(keyFile ? { privateKeyFile: keyFile } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(hostKeyChecking ? { hostKeyChecking } : {}),
      ...(known ? { knownHostsFile: filePath(known.value, known.dir) } : {}),
      ...(connectTimeout ? { connectTimeout } : {}),
      ...(commonArgs ? { commonArgs } : {}),
      ...(become ? { become: hiddenInJson({ user: becomeUser, ...(becomePassword !== undefined ? { password: becomePassword } : {}) }) } : {}),
    }),
    issues: [],
  };
}
