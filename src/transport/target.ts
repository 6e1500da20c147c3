import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostKeyMode, ResolvedHost } from '../inventory/types.js';
import { loadSshConfig } from './openssh/config-read.js';
import { parseSshCommonArgs, type SshCommonArgs } from './openssh/ssh-args.js';
import { resolveSshConfig } from './openssh/config-resolve.js';
import type { SshConfigFile, SshConfigSettings } from './openssh/config-types.js';
import { jumpChain } from './openssh/jump-chain.js';
import { expandProxyCommand, type ProxyCommandTokens } from './openssh/proxy-command.js';
import { sshHostName } from './openssh/host-name.js';
import { isIpv6 } from '../address/ipv6.js';

/** One SSH connection to make: the target itself, or a bastion on the way. */
export interface Hop {
  /** `user@address:port`, for messages */
  label: string;
  address: string;
  port: number;
  user: string;
  /** key files to offer, in order (the inventory's first) */
  identityFiles: string[];
  /** only these keys: no agent */
  identitiesOnly: boolean;
  /** user certificates (CertificateFile), each offered with the key it certifies */
  certificateFiles: string[];
  /** never printed, never in a result */
  password?: string;
  hostKeyChecking: HostKeyMode;
  /** where known keys are looked up (UserKnownHostsFile); the first is where new keys are recorded */
  knownHostsFiles: string[];
  /** looked up after knownHostsFiles, never written (GlobalKnownHostsFile) */
  globalKnownHostsFiles: string[];
  /** the name known_hosts is searched and written under instead of the address (no `[…]:port`) */
  hostKeyAlias?: string;
  /** CheckHostIP: the address's known key is checked too (direct connections only) */
  checkHostIp: boolean;
  /** HostKeyAlgorithms as written (`+`, `-`, `^` or a list): host-key-policy.ts's hostKeyAlgorithmsFor */
  hostKeyAlgorithms?: string;
  /**
   * the ProxyCommand this hop is reached through instead of a TCP connection (openssh/proxy-command.ts):
   * `written` as the config or ssh arguments wrote it (what ssh -G prints), `line` what the shell
   * runs (`exec …`, tokens expanded); no `line` when it cannot be expanded (the host is then refused);
   * `fdpass`: ProxyUseFdpass, the command hands back a connected socket instead of relaying
   */
  proxyCommand?: { written: string; line?: string; fdpass?: boolean };
}

export interface Become {
  user: string;
  password?: string;
}

/** How to reach a host: its own hop, the bastions before it, and sudo. */
export interface Target extends Hop {
  jumps: Hop[];
  become?: Become;
  connectTimeoutMs?: number;
  /** what was not understood or not done (e.g. `Match exec`), for the user */
  notes: string[];
  /**
   * why the host must not be connected to: a ProxyCommand or jump that cannot be used. Connecting
   * directly instead would bypass the path asked for, so the host fails (unreachable) with this.
   */
  refusal?: string;
}

/** What a refusal tells the user to do. */
const PROXY_HELP =
  'cannot be used, and the host is not connected to directly instead: write the jump as ProxyJump (-J [user@]bastion[:port]) or as a ProxyCommand, or say "ProxyCommand none" for a direct connection';

/**
 * A ProxyCommand ready to run, or why it cannot be: `-` (ssh's own stdin/stdout as the
 * connection) has no meaning for a tool that connects to many hosts; an unknown `%` token is
 * fatal in ssh too.
 */
function proxyCommandFor(written: string, tokens: ProxyCommandTokens, fdpass = false): { proxyCommand: NonNullable<Hop['proxyCommand']>; refusal?: string } {
  if (written.trim() === '-') {
    return {
      proxyCommand: { written },
      refusal:
        'ProxyCommand "-" (ssh\'s own stdin and stdout as the connection) cannot be used by cnet-remote, which connects to many hosts at once; the host is not connected to directly instead',
    };
  }
  try {
    return { proxyCommand: { written, line: expandProxyCommand(written, tokens), ...(fdpass ? { fdpass } : {}) } };
  } catch (err) {
    return {
      proxyCommand: { written },
      refusal: `ProxyCommand: ${(err as Error).message} (ssh refuses it too); the host is not connected to directly instead`,
    };
  }
}

/** ssh's IdentityFile list when none is configured (OpenSSH 9.2 readconf.c): the ones that exist are offered */
const DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
/** ssh's UserKnownHostsFile and GlobalKnownHostsFile when none is configured */
const DEFAULT_KNOWN_HOSTS = ['known_hosts', 'known_hosts2'];
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
/** Ansible's ssh `timeout` default: it runs ssh with -o ConnectTimeout=10 */
export const ANSIBLE_CONNECT_TIMEOUT = 10;

function hostKeyMode(v: SshConfigSettings['strictHostKeyChecking']): HostKeyMode | undefined {
  switch (v) {
    case 'yes':
      return 'strict';
    case 'ask':
      return 'ask';
    case 'accept-new':
      return 'accept-new';
    case 'no':
    case 'off':
      return 'off';
    default:
      return undefined;
  }
}

const uniq = (xs: string[]) => [...new Set(xs)];
/** `~/x` as the shell would: paths from ansible_ssh_common_args are written as typed. */
const expandHome = (p: string) => (p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p);
/** `user@host`, `user@host:port`, an IPv6 address with a port in brackets (`user@[fd00::5]:2222`) */
const label = (user: string, address: string, port: number) =>
  `${user}@${port !== 22 && address.includes(':') ? `[${address}]` : address}${port === 22 ? '' : `:${port}`}`;

/**
 * An IPv6 address written in brackets (`[fd00::5]`, as in a URL) where ssh wants a host: ssh takes
 * it as a name it cannot resolve, and Ansible passes ansible_host to ssh as it is. The host is
 * refused with the address to write instead.
 */
function bracketedAddress(address: string): string | undefined {
  const inner = /^\[(.*)\]$/.exec(address)?.[1];
  if (inner === undefined || !isIpv6(inner.split('%')[0]!)) return undefined;
  return `the address "${address}" is an IPv6 address in brackets, which ssh cannot connect to (Ansible passes ansible_host to ssh as it is): write it without brackets, ${inner}`;
}

/**
 * The inventory's connection variables, then `ansible_ssh_common_args`, then the user's ssh config
 * for that name (as Ansible passes it to `ssh`), then OpenSSH's defaults. Bastions (ProxyJump) are
 * each resolved through the ssh config under their own name, and the first one's own ProxyJump is
 * followed, recursively, as `ssh -J` does (openssh/jump-chain.ts). A ProxyCommand (the host's, or the first
 * bastion's own) is run as ssh runs it (openssh/proxy-command.ts); `ProxyCommand none` is a direct connection.
 */
/** The lines Ansible's ssh command line gives before the config: its ssh args, then `-o ConnectTimeout` (ssh.py). */
function sshCommandLine(c: ResolvedHost['connection'], common: SshCommonArgs | undefined): string[] {
  return [...(common?.configLines ?? []), `ConnectTimeout ${c.connectTimeout ?? ANSIBLE_CONNECT_TIMEOUT}`];
}

/** Where host keys are looked up: the inventory's cnet_known_hosts_file alone, else the config's files, else ssh's defaults. */
function hostKeyFiles(c: ResolvedHost['connection'], s: SshConfigSettings): Pick<Hop, 'knownHostsFiles' | 'globalKnownHostsFiles'> {
  if (c.knownHostsFile) return { knownHostsFiles: [c.knownHostsFile], globalKnownHostsFiles: [] };
  return {
    knownHostsFiles: s.userKnownHostsFiles ? s.userKnownHostsFiles.map((f) => expandHome(f)) : DEFAULT_KNOWN_HOSTS.map((f) => join(homedir(), '.ssh', f)),
    globalKnownHostsFiles: s.globalKnownHostsFiles ?? DEFAULT_GLOBAL_KNOWN_HOSTS,
  };
}

export function resolveTarget(host: ResolvedHost, config: SshConfigFile | undefined): Target {
  const c = host.connection;
  const local = userInfo().username;
  const cfg = config ?? loadSshConfig('none');
  let common: SshCommonArgs | undefined;
  let refusal: string | undefined;
  try {
    common = c.commonArgs ? parseSshCommonArgs(c.commonArgs) : undefined;
  } catch (err) {
    // checked when the inventory is loaded; never connect without the arguments asked for
    refusal = `ansible_ssh_common_args: ${(err as Error).message}`;
  }
  if (common?.unusableProxy) refusal = `ansible_ssh_common_args: ${common.unusableProxy} ${PROXY_HELP}`;
  const notes = (common?.unsupported ?? []).map((a) => `ansible_ssh_common_args: ${a} is not supported and was ignored`);
  // as Ansible runs ssh: the inventory's values given outright, its ssh args and -o ConnectTimeout before the config
  const s = resolveSshConfig(cfg, c.address, {
    ...(c.user ? { user: c.user } : {}),
    ...(c.port ? { port: c.port } : {}),
    commandLine: sshCommandLine(c, common),
  });
  notes.push(...s.notes);
  // every ProxyCommand is run (ssh-config.ts still calls one it does not take as a jump unusable)
  // the name as ssh makes it (FD00:0::5 → fd00::5, VM1 → vm1): the one its host key is known under
  const address = sshHostName(s.hostName ?? c.address);
  const bracketed = bracketedAddress(address);
  if (bracketed) refusal ??= bracketed;
  const port = s.port ?? 22;
  const finalUser = s.user ?? local;
  const files = uniq([...(c.privateKeyFile ? [c.privateKeyFile] : []), ...s.identityFiles.map((f) => expandHome(f))]);
  const identityFiles = files.length ? files : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k));
  const hostKeyChecking = c.hostKeyChecking ?? hostKeyMode(s.strictHostKeyChecking) ?? 'ask';
  const hostKeys = hostKeyFiles(c, s);
  const identitiesOnly = s.identitiesOnly ?? false;
  let proxyCommand: Hop['proxyCommand'];
  if (s.proxyCommand !== undefined && !Array.isArray(s.proxyJump)) {
    const tokens = { host: address, hostArg: c.address, port, user: finalUser, ...(s.hostKeyAlias !== undefined ? { hostKeyAlias: s.hostKeyAlias } : {}) };
    const p = proxyCommandFor(s.proxyCommand, tokens, s.proxyUseFdpass);
    proxyCommand = p.proxyCommand;
    if (p.refusal) refusal ??= p.refusal;
  }
  const chain = jumpChain(cfg, c.address, s.proxyJump === 'none' || !s.proxyJump ? [] : s.proxyJump);
  if (chain.refusal) refusal ??= chain.refusal.message;
  const jumps = chain.hops.map(({ spec: j, settings: js, proxyCommand: jCommand }): Hop => {
    notes.push(...js.notes.map((n) => `bastion ${j.host}: ${n}`));
    const jAddress = sshHostName(js.hostName ?? j.host);
    const jPort = js.port ?? 22;
    const jUser = js.user ?? local;
    let jProxy: Hop['proxyCommand'];
    if (jCommand !== undefined) {
      const p = proxyCommandFor(
        jCommand,
        { host: jAddress, hostArg: j.host, port: jPort, user: jUser, ...(js.hostKeyAlias !== undefined ? { hostKeyAlias: js.hostKeyAlias } : {}) },
        js.proxyUseFdpass,
      );
      jProxy = p.proxyCommand;
      if (p.refusal) refusal ??= `bastion ${j.host}: ${p.refusal}`;
    }
    return {
      ...(jProxy ? { proxyCommand: jProxy } : {}),
      label: label(jUser, jAddress, jPort),
      address: jAddress,
      port: jPort,
      user: jUser,
      // a bastion without keys of its own in the ssh config is offered the target's
      identityFiles: js.identityFiles.length ? js.identityFiles.map((f) => expandHome(f)) : identityFiles,
      identitiesOnly: js.identitiesOnly ?? identitiesOnly,
      certificateFiles: js.certificateFiles.map((f) => expandHome(f)),
      // the inventory's choices hold for the whole way; else the bastion's own config, else the target's
      hostKeyChecking: c.hostKeyChecking ?? hostKeyMode(js.strictHostKeyChecking) ?? hostKeyChecking,
      ...hostKeyFiles(c, js),
      ...(js.hostKeyAlias !== undefined ? { hostKeyAlias: js.hostKeyAlias } : {}),
      ...(js.hostKeyAlgorithms !== undefined ? { hostKeyAlgorithms: js.hostKeyAlgorithms } : {}),
      checkHostIp: js.checkHostIp ?? false,
    };
  });
  const timeout = s.connectTimeout;
  return {
    label: label(finalUser, address, port),
    address,
    port,
    user: finalUser,
    identityFiles,
    identitiesOnly,
    certificateFiles: s.certificateFiles.map((f) => expandHome(f)),
    ...(c.password !== undefined ? { password: c.password } : {}),
    hostKeyChecking,
    ...hostKeys,
    ...(s.hostKeyAlias !== undefined ? { hostKeyAlias: s.hostKeyAlias } : {}),
    ...(s.hostKeyAlgorithms !== undefined ? { hostKeyAlgorithms: s.hostKeyAlgorithms } : {}),
    checkHostIp: s.checkHostIp ?? false,
    ...(proxyCommand ? { proxyCommand } : {}),
    jumps,
    ...(c.become ? { become: c.become } : {}),
    ...(timeout ? { connectTimeoutMs: timeout * 1000 } : {}),
    notes,
    ...(refusal ? { refusal } : {}),
  };
}
