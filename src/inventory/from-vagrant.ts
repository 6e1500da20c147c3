import { Document } from 'yaml';
import { CnetError } from '../errors.js';

/**
 * `vagrant ssh-config` output → an Ansible YAML inventory for cnet-remote.
 *
 * Vagrant prints one `Host NAME` block per running machine, blocks separated by a blank line:
 *
 *   Host node1
 *     HostName 127.0.0.1
 *     User vagrant
 *     Port 2222
 *     UserKnownHostsFile /dev/null
 *     StrictHostKeyChecking no
 *     PasswordAuthentication no
 *     IdentityFile /home/me/project/.vagrant/machines/node1/virtualbox/private_key
 *     IdentitiesOnly yes
 *     LogLevel FATAL
 *     PubkeyAcceptedKeyTypes +ssh-rsa
 *     HostKeyAlgorithms +ssh-rsa
 *
 * (IdentityFile is quoted when the path has a space, and repeated when several keys are set.)
 */

/** A bad `vagrant ssh-config` text, or a machine that cannot become an inventory host. */
export class VagrantConfigError extends CnetError {}

/** What cnet-remote needs of one `Host` block. Keywords it does not use are dropped. */
export interface VagrantMachine {
  /** the `Host` name: Vagrant's machine name */
  name: string;
  /** HostName (127.0.0.1 with VirtualBox's forwarded port) */
  hostName: string;
  user?: string;
  port?: number;
  /** every IdentityFile, in order (ssh tries them in this order) */
  identityFiles: string[];
  /** UserKnownHostsFile as written (`/dev/null` when Vagrant turns host key checking off) */
  userKnownHostsFile?: string;
  /** StrictHostKeyChecking as written (`no` when Vagrant turns host key checking off) */
  strictHostKeyChecking?: string;
  /** ProxyCommand (some providers reach the guest through one) */
  proxyCommand?: string;
  /** the line of the `Host` keyword, for messages */
  line: number;
}

/** `"a b"` → `a b`; ssh_config's quoting is double quotes around a whole argument. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/** Splits a line into keyword and argument: `Keyword value`, `Keyword=value`, `Keyword = value`. */
function keywordOf(line: string): { keyword: string; value: string } | undefined {
  const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line);
  if (!m) return undefined;
  return { keyword: m[1]!.toLowerCase(), value: m[2]!.trim() };
}

/** Parses `vagrant ssh-config` output. Throws VagrantConfigError on anything it cannot read. */
export function parseVagrantSshConfig(text: string): VagrantMachine[] {
  const machines: VagrantMachine[] = [];
  let current: (Partial<VagrantMachine> & { name: string; line: number; identityFiles: string[] }) | undefined;
  const fail = (line: number, message: string): never => {
    throw new VagrantConfigError(`vagrant ssh-config, line ${line}: ${message}`);
  };
  const finish = (): void => {
    if (!current) return;
    if (!current.hostName) fail(current.line, `Host ${current.name} has no HostName`);
    machines.push({ ...current, hostName: current.hostName! });
    current = undefined;
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // Vagrant's own messages (`==> node1: ...`) when stderr was merged into the pipe
    if (line.startsWith('==>')) return;
    const kv = keywordOf(line);
    if (!kv) return fail(n, `expected "Keyword value", got ${JSON.stringify(line)}`);
    const { keyword, value } = kv;
    if (keyword === 'host') {
      finish();
      const names = value.split(/\s+/).map(unquote);
      if (names.length !== 1 || names[0] === '')
        fail(n, `expected one machine name after Host, got ${JSON.stringify(value)} (a machine name with a space cannot be an inventory host name)`);
      const name = names[0]!;
      if (machines.some((m) => m.name === name)) fail(n, `Host ${name} appears twice`);
      current = { name, line: n, identityFiles: [] };
      return;
    }
    if (keyword === 'match') return fail(n, 'Match blocks are not part of what vagrant ssh-config prints');
    if (!current) return fail(n, `"${line}" comes before any "Host NAME" line: is this the output of vagrant ssh-config?`);
    if (value === '') return fail(n, `${kv.keyword} has no value`);
    // as in ssh, the first value of a keyword counts (IdentityFile adds up)
    switch (keyword) {
      case 'hostname':
        current.hostName ??= unquote(value);
        break;
      case 'user':
        current.user ??= unquote(value);
        break;
      case 'port': {
        const port = Number(unquote(value));
        if (!/^\d+$/.test(unquote(value)) || port < 1 || port > 65535) fail(n, `Port ${JSON.stringify(value)} is not a port number (1-65535)`);
        current.port ??= port;
        break;
      }
      case 'identityfile':
        current.identityFiles.push(unquote(value));
        break;
      case 'userknownhostsfile':
        // several files may be given: the first is the one ssh writes to
        current.userKnownHostsFile ??= /^"([^"]*)"|^(\S+)/
          .exec(value)!
          .slice(1)
          .find((x) => x !== undefined)!;
        break;
      case 'stricthostkeychecking':
        current.strictHostKeyChecking ??= unquote(value).toLowerCase();
        break;
      case 'proxycommand':
        current.proxyCommand ??= value;
        break;
      default:
        // PasswordAuthentication, IdentitiesOnly, LogLevel, PubkeyAcceptedKeyTypes,
        // HostKeyAlgorithms, ForwardAgent, ...: nothing cnet-remote's client needs
        break;
    }
  });
  finish();
  if (machines.length === 0) {
    throw new VagrantConfigError('vagrant ssh-config printed no "Host" block: is a machine running? (vagrant status)');
  }
  return machines;
}

/** The loader's host and group name rules (src/inventory/flatten.ts). */
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const DEFAULT_VAGRANT_GROUP = 'vagrant';
/** cnet-remote's own known_hosts for Vagrant VMs, in Vagrant's `.vagrant` folder of the project */
export const VAGRANT_KNOWN_HOSTS = 'cnet_known_hosts';

export interface VagrantInventoryOptions {
  /** the group the machines go in (default `vagrant`) */
  group?: string;
  /** known_hosts file for the VMs' keys (default: `.vagrant/cnet_known_hosts` of the project) */
  knownHostsFile?: string;
}

/**
 * Where the VMs' host keys go: `<project>/.vagrant/cnet_known_hosts`, the project being found
 * from the machine keys Vagrant generates (`<project>/.vagrant/machines/NAME/PROVIDER/private_key`);
 * else `~/.vagrant.d/cnet_known_hosts` (Vagrant's home, where its insecure key lives).
 */
export function vagrantKnownHostsFile(machines: VagrantMachine[]): string {
  for (const m of machines) {
    for (const key of m.identityFiles) {
      // the separator as Vagrant printed it (on Windows, `C:/...` or `C:\\...`)
      const match = /^(.*[\\/]\.vagrant)([\\/])machines[\\/]/.exec(key);
      if (match) return `${match[1]!}${match[2]!}${VAGRANT_KNOWN_HOSTS}`;
    }
  }
  return `~/.vagrant.d/${VAGRANT_KNOWN_HOSTS}`;
}

/**
 * An Ansible YAML inventory (text) for these machines: `all.children.GROUP.hosts.NAME` with
 * ansible_host, ansible_port, ansible_user and ansible_ssh_private_key_file as Vagrant printed
 * them. Host keys are always checked: Vagrant's `UserKnownHostsFile /dev/null` +
 * `StrictHostKeyChecking no` become `accept-new` in a known_hosts file of cnet-remote's own
 * (never `off`); a real UserKnownHostsFile is kept, and `StrictHostKeyChecking yes` is `strict`.
 */
export function vagrantInventory(machines: VagrantMachine[], opts: VagrantInventoryOptions = {}): string {
  const group = opts.group ?? DEFAULT_VAGRANT_GROUP;
  if (!GROUP_NAME.test(group) || group === 'all' || group === 'ungrouped') {
    throw new VagrantConfigError(
      `group name ${JSON.stringify(group)} is not valid: use letters, digits, '_' and '-', starting with a letter or '_' (and not "all" or "ungrouped")`,
    );
  }
  if (machines.length === 0) throw new VagrantConfigError('no Vagrant machines to write an inventory for');
  const bad = machines.filter((m) => !HOST_NAME.test(m.name));
  if (bad.length > 0) {
    throw new VagrantConfigError(
      `Vagrant machine name${bad.length > 1 ? 's' : ''} ${bad.map((m) => JSON.stringify(m.name)).join(', ')} cannot be ${bad.length > 1 ? 'inventory host names' : 'an inventory host name'}: ` +
        `use letters, digits, '_', '.', ':', '-', not starting with '.', '-' or ':' (rename it in the Vagrantfile's config.vm.define)`,
    );
  }
  for (const m of machines) {
    if (m.proxyCommand) {
      throw new VagrantConfigError(
        `Vagrant reaches ${m.name} through a ProxyCommand (${m.proxyCommand}), which cnet-remote cannot use: give its address by hand`,
      );
    }
  }

  const ownFile = opts.knownHostsFile ?? vagrantKnownHostsFile(machines);
  const hostKeys = machines.map((m) => {
    const own = m.userKnownHostsFile === undefined || m.userKnownHostsFile === '/dev/null' || m.userKnownHostsFile.toLowerCase() === 'none';
    const file = opts.knownHostsFile ?? (own ? ownFile : m.userKnownHostsFile!);
    const mode = m.strictHostKeyChecking === 'yes' && !own ? 'strict' : 'accept-new';
    return { file, mode };
  });
  const sameKeys = hostKeys.every((k) => k.file === hostKeys[0]!.file && k.mode === hostKeys[0]!.mode);
  const users = new Set(machines.map((m) => m.user));
  const become = [...users].some((u) => u !== 'root');

  const groupVars: Record<string, unknown> = {};
  if (become) groupVars.ansible_become = true;
  if (sameKeys) {
    groupVars.cnet_host_key_checking = hostKeys[0]!.mode;
    groupVars.cnet_known_hosts_file = hostKeys[0]!.file;
  }
  const hosts: Record<string, Record<string, unknown>> = {};
  machines.forEach((m, i) => {
    const vars: Record<string, unknown> = { ansible_host: m.hostName };
    if (m.port !== undefined) vars.ansible_port = m.port;
    if (m.user !== undefined) vars.ansible_user = m.user;
    if (m.identityFiles[0] !== undefined) vars.ansible_ssh_private_key_file = m.identityFiles[0];
    if (!sameKeys) {
      vars.cnet_host_key_checking = hostKeys[i]!.mode;
      vars.cnet_known_hosts_file = hostKeys[i]!.file;
    }
    hosts[m.name] = vars;
  });

  const doc = new Document({ all: { children: { [group]: { vars: groupVars, hosts } } } });
  const extraKeys = machines.filter((m) => m.identityFiles.length > 1);
  const ours = sameKeys && hostKeys[0]!.file === ownFile && hostKeys[0]!.mode === 'accept-new';
  const header = [
    ` written by \`cnet-remote inventory from-vagrant\` from \`vagrant ssh-config\` (${machines.length} machine${machines.length > 1 ? 's' : ''}).`,
    ' Hosts only: combine it with a network, e.g.',
    '   cnet-remote up THIS_FILE inventories/seed-part2.yaml',
    '',
    ...(ours
      ? [
          " Host keys are checked, although Vagrant's ssh-config turns that off (UserKnownHostsFile",
          " /dev/null, StrictHostKeyChecking no): each VM's key is recorded on first contact",
          ` (accept-new) in ${ownFile},`,
          opts.knownHostsFile === undefined
            ? " a file of cnet-remote's own next to Vagrant's machine folders, not in ~/.ssh/known_hosts,"
            : ' not in ~/.ssh/known_hosts,',
          " where VirtualBox's forwarded ports (127.0.0.1:2222, ...), reused by every Vagrant project,",
          ' would clash. After `vagrant destroy` the VMs get new keys: delete that file (or run the',
          ' `ssh-keygen -R` line cnet-remote prints).',
        ]
      : [
          ' Host keys are checked (never off): in the known_hosts file Vagrant names, strictly if it',
          ' says StrictHostKeyChecking yes, else accept-new; where it names none (/dev/null), in',
          ` ${ownFile}.`,
        ]),
    ...(become ? ['', " ansible_become: the user is not root (Vagrant's user is a sudoer without a password)."] : []),
    ...(extraKeys.length > 0
      ? ['', ' Vagrant gave several IdentityFiles; the first is used:', ...extraKeys.map((m) => `   ${m.name}: also ${m.identityFiles.slice(1).join(', ')}`)]
      : []),
  ];
  return `${header.map((l) => `#${l}`).join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}
