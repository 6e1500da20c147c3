import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostKeyMode, ResolvedHost } from '../inventory/types.js';
import { loadSshConfig, parseSshCommonArgs, resolveSshConfig, type SshCommonArgs, type SshConfigFile, type SshConfigSettings } from './ssh-config.js';
import { jumpChain } from './jump-chain.js';
import { expandProxyCommand, type ProxyCommandTokens } from './proxy-command.js';

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
  /** never printed, never in a result */
  password?: string;
  hostKeyChecking: HostKeyMode;
  /** where known keys are looked up; the first is where `accept-new` records */
  knownHostsFiles: string[];
  /**
   * the ProxyCommand this hop is reached through instead of a TCP connection (proxy-command.ts):
   * `written` as the config or ssh arguments wrote it (what ssh -G prints), `line` what the shell
   * runs (`exec …`, tokens expanded); no `line` when it cannot be expanded (the host is then refused)
   */
  proxyCommand?: { written: string; line?: string };
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
function proxyCommandFor(written: string, tokens: ProxyCommandTokens): { proxyCommand: NonNullable<Hop['proxyCommand']>; refusal?: string } {
  if (written.trim() === '-') {
    return { proxyCommand: { written }, refusal: 'ProxyCommand "-" (ssh\'s own stdin and stdout as the connection) cannot be used by cnet-remote, which connects to many hosts at once; the host is not connected to directly instead' };
  }
  try {
    return { proxyCommand: { written, line: expandProxyCommand(written, tokens) } };
  } catch (err) {
    return { proxyCommand: { written }, refusal: `ProxyCommand: ${(err as Error).message} (ssh refuses it too); the host is not connected to directly instead` };
  }
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function defaultKeys(): string[] {
  return DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
}

function hostKeyMode(v: SshConfigSettings['strictHostKeyChecking']): HostKeyMode | undefined {
  switch (v) {
    case 'yes':
    case 'ask': // no prompts here: an unknown key is refused, as `yes` does
      return 'strict';
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
const label = (user: string, address: string, port: number) => `${user}@${address}${port === 22 ? '' : `:${port}`}`;

/**
 * The inventory's connection variables, then `ansible_ssh_common_args`, then the user's ssh config
 * for that name (as Ansible passes it to `ssh`), then OpenSSH's defaults. Bastions (ProxyJump) are
 * each resolved through the ssh config under their own name, and the first one's own ProxyJump is
 * followed, recursively, as `ssh -J` does (jump-chain.ts). A ProxyCommand (the host's, or the first
 * bastion's own) is run as ssh runs it (proxy-command.ts); `ProxyCommand none` is a direct connection.
 */
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
  // as Ansible runs ssh: the inventory's values given outright, its common args as `-o` lines before the config
  const s = resolveSshConfig(cfg, c.address, { ...(c.user ? { user: c.user } : {}), ...(c.port ? { port: c.port } : {}), commandLine: common?.configLines ?? [] });
  notes.push(...s.notes);
  // every ProxyCommand is run (ssh-config.ts still calls one it does not take as a jump unusable)
  const address = s.hostName ?? c.address;
  const port = s.port ?? 22;
  const finalUser = s.user ?? local;
  const files = uniq([...(c.privateKeyFile ? [c.privateKeyFile] : []), ...s.identityFiles.map((f) => expandHome(f))]);
  const identityFiles = files.length ? files : defaultKeys();
  const hostKeyChecking = c.hostKeyChecking ?? hostKeyMode(s.strictHostKeyChecking) ?? 'accept-new';
  const knownHostsFiles = c.knownHostsFile ? [c.knownHostsFile] : s.userKnownHostsFiles?.length ? s.userKnownHostsFiles.map((f) => expandHome(f)) : [join(homedir(), '.ssh', 'known_hosts')];
  const identitiesOnly = s.identitiesOnly ?? false;
  let proxyCommand: Hop['proxyCommand'];
  if (s.proxyCommand !== undefined && !Array.isArray(s.proxyJump)) {
    const p = proxyCommandFor(s.proxyCommand, { host: address, hostArg: c.address, port, user: finalUser });
    proxyCommand = p.proxyCommand;
    if (p.refusal) refusal ??= p.refusal;
  }
  const chain = jumpChain(cfg, c.address, s.proxyJump === 'none' || !s.proxyJump ? [] : s.proxyJump);
  if (chain.refusal) refusal ??= chain.refusal.message;
  const jumps = chain.hops.map(({ spec: j, settings: js, proxyCommand: jCommand }): Hop => {
    notes.push(...js.notes.map((n) => `bastion ${j.host}: ${n}`));
    const jAddress = js.hostName ?? j.host;
    const jPort = js.port ?? 22;
    const jUser = js.user ?? local;
    let jProxy: Hop['proxyCommand'];
    if (jCommand !== undefined) {
      const p = proxyCommandFor(jCommand, { host: jAddress, hostArg: j.host, port: jPort, user: jUser });
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
      // the inventory's choices hold for the whole way; else the bastion's own config, else the target's
      hostKeyChecking: c.hostKeyChecking ?? hostKeyMode(js.strictHostKeyChecking) ?? hostKeyChecking,
      knownHostsFiles: c.knownHostsFile ? [c.knownHostsFile] : js.userKnownHostsFiles?.length ? js.userKnownHostsFiles.map((f) => expandHome(f)) : knownHostsFiles,
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
    ...(c.password !== undefined ? { password: c.password } : {}),
    hostKeyChecking,
    knownHostsFiles,
    ...(proxyCommand ? { proxyCommand } : {}),
    jumps,
    ...(c.become ? { become: c.become } : {}),
    ...(timeout ? { connectTimeoutMs: timeout * 1000 } : {}),
    notes,
    ...(refusal ? { refusal } : {}),
  };
}
