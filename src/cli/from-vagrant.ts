import { Document } from 'yaml';
import { CnetError } from '../errors.js';
import { parseLine } from '../transport/openssh/config-read.js';
import { resolveSshConfig } from '../transport/openssh/config-resolve.js';
import { SshConfigError, type SshConfigEntry, type SshConfigFile, type SshConfigSettings } from '../transport/openssh/config-types.js';
import { localUserInfo } from '../transport/openssh/local-user.js';

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

const SOURCE = 'vagrant ssh-config';

/** `vagrant ssh-config, line N: message`, from an SshConfigError's message without its own place. */
function configError(e: SshConfigError, ports: Map<number, string>): VagrantConfigError {
  const line = e.line ?? 0;
  const port = ports.get(line);
  const message = port !== undefined ? `Port ${JSON.stringify(port)} is not a port number (1-65535)` : e.message.replace(`${SOURCE} line ${line}: `, '');
  return new VagrantConfigError(`${SOURCE}, line ${line}: ${message}`);
}

/**
 * Parses `vagrant ssh-config` output with the ssh config reader (config-read.ts, config-resolve.ts),
 * so lines, quoting, comments and keywords are read as `ssh` reads them; each machine's settings
 * are what `ssh NAME` would use with this text as its config. Throws VagrantConfigError on
 * anything it cannot read, and on what Vagrant never prints (Match, Include, lines before Host).
 */
export function parseVagrantSshConfig(text: string): VagrantMachine[] {
  const fail = (line: number, message: string): never => {
    throw new VagrantConfigError(`${SOURCE}, line ${line}: ${message}`);
  };
  const entries: SshConfigEntry[] = [];
  const hosts: { name: string; line: number }[] = [];
  /** the Port lines, for a message that says what a port is */
  const ports = new Map<number, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    // Vagrant's own messages (`==> node1: ...`) when stderr was merged into the pipe
    if (raw.trim().startsWith('==>')) continue;
    let entry: SshConfigEntry | undefined;
    try {
      // no Include context: an Include line is refused (Vagrant prints none; nothing is read from disk)
      entry = parseLine(raw, SOURCE, n, undefined);
    } catch (e) {
      if (e instanceof SshConfigError) throw configError(e, ports);
      throw e;
    }
    if (!entry) continue;
    if (entry.kind === 'match') fail(n, 'Match blocks are not part of what vagrant ssh-config prints');
    if (entry.kind === 'host') {
      if (entry.patterns.length !== 1 || entry.patterns[0] === '')
        fail(
          n,
          `expected one machine name after Host, got ${JSON.stringify(entry.patterns.join(' '))} (a machine name with a space cannot be an inventory host name)`,
        );
      const name = entry.patterns[0]!;
      if (hosts.some((h) => h.name === name)) fail(n, `Host ${name} appears twice`);
      hosts.push({ name, line: n });
    } else if (hosts.length === 0) {
      fail(n, `"${raw.trim()}" comes before any "Host NAME" line: is this the output of vagrant ssh-config?`);
    }
    if (entry.kind === 'option' && entry.keyword === 'port') ports.set(n, entry.args.join(' '));
    entries.push(entry);
  }
  if (hosts.length === 0) {
    throw new VagrantConfigError('vagrant ssh-config printed no "Host" block: is a machine running? (vagrant status)');
  }
  const homeDir = localUserInfo().homedir;
  const config: SshConfigFile = { path: SOURCE, found: true, sources: [{ path: SOURCE, entries }], files: [SOURCE], homeDir };
  return hosts.map(({ name, line }) => {
    let s: SshConfigSettings;
    try {
      s = resolveSshConfig(config, name);
    } catch (e) {
      if (e instanceof SshConfigError) throw configError(e, ports);
      throw e;
    }
    if (!s.hostName) return fail(line, `Host ${name} has no HostName`);
    const m: VagrantMachine = { name, hostName: s.hostName, identityFiles: s.identityFiles, line };
    if (s.user !== undefined) m.user = s.user;
    if (s.port !== undefined) m.port = s.port;
    // several known_hosts files may be given: the first is the one ssh writes to (`none`: no file)
    if (s.userKnownHostsFiles !== undefined) m.userKnownHostsFile = s.userKnownHostsFiles[0] ?? 'none';
    if (s.strictHostKeyChecking !== undefined) m.strictHostKeyChecking = s.strictHostKeyChecking;
    if (s.proxyCommand !== undefined) m.proxyCommand = s.proxyCommand;
    return m;
  });
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
