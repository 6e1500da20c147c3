import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostKeyMode, ResolvedHost } from '../inventory/types.js';
import { parseSshCommonArgs, resolveSshConfig, type JumpSpec, type SshConfigFile, type SshConfigSettings } from './ssh-config.js';

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
  /** never printed: see redact() */
  password?: string;
  hostKeyChecking: HostKeyMode;
  /** where known keys are looked up; the first is where `accept-new` records */
  knownHostsFiles: string[];
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
const label = (user: string, address: string, port: number) => `${user}@${address}${port === 22 ? '' : `:${port}`}`;

/**
 * The inventory's connection variables, then `ansible_ssh_common_args`, then the user's ssh config
 * for that name (as Ansible passes it to `ssh`), then OpenSSH's defaults. Bastions (ProxyJump) are
 * each resolved through the ssh config under their own name.
 */
export function resolveTarget(host: ResolvedHost, config: SshConfigFile | undefined): Target {
  const c = host.connection;
  const local = userInfo().username;
  const common = c.commonArgs ? parseSshCommonArgs(c.commonArgs) : undefined;
  const notes = (common?.unsupported ?? []).map((a) => `ansible_ssh_common_args: ${a} is not supported and was ignored`);
  const opt = (k: string) => common?.options[k.toLowerCase()] ?? common?.options[k];
  const user = c.user ?? opt('User');
  const s = config ? resolveSshConfig(config, c.address, user ? { user } : {}) : ({ identityFiles: [], notes: [] } as SshConfigSettings);
  notes.push(...s.notes);
  const address = s.hostName ?? c.address;
  const port = c.port ?? (opt('Port') ? Number(opt('Port')) : undefined) ?? s.port ?? 22;
  const finalUser = user ?? s.user ?? local;
  const explicit = [c.privateKeyFile, ...(common?.identityFiles ?? [])].filter((x): x is string => Boolean(x));
  const files = uniq([...explicit, ...s.identityFiles]);
  const identityFiles = files.length ? files : defaultKeys();
  const hostKeyChecking = c.hostKeyChecking ?? hostKeyMode(opt('StrictHostKeyChecking') as SshConfigSettings['strictHostKeyChecking']) ?? hostKeyMode(s.strictHostKeyChecking) ?? 'accept-new';
  const knownFromArgs = opt('UserKnownHostsFile');
  const knownHostsFiles = c.knownHostsFile ? [c.knownHostsFile] : knownFromArgs ? knownFromArgs.split(/\s+/).filter((a: string) => a) : s.userKnownHostsFiles?.length ? s.userKnownHostsFiles : [join(homedir(), '.ssh', 'known_hosts')];
  const identitiesOnly = s.identitiesOnly ?? false;
  const jumpSpecs: JumpSpec[] | 'none' | undefined = common?.proxyJump ?? s.proxyJump;
  const jumps = (jumpSpecs === 'none' || !jumpSpecs ? [] : jumpSpecs).map((j): Hop => {
    const js = config ? resolveSshConfig(config, j.host, j.user ? { user: j.user } : {}) : ({ identityFiles: [], notes: [] } as SshConfigSettings);
    const jAddress = js.hostName ?? j.host;
    const jPort = j.port ?? js.port ?? 22;
    const jUser = j.user ?? js.user ?? local;
    return {
      label: label(jUser, jAddress, jPort),
      address: jAddress,
      port: jPort,
      user: jUser,
      // a bastion without keys of its own in the ssh config is offered the target's
      identityFiles: js.identityFiles.length ? js.identityFiles : identityFiles,
      identitiesOnly: js.identitiesOnly ?? identitiesOnly,
      hostKeyChecking,
      knownHostsFiles,
    };
  });
  const timeout = opt('ConnectTimeout') ?? (s.connectTimeout !== undefined ? String(s.connectTimeout) : undefined);
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
    jumps,
    ...(c.become ? { become: c.become } : {}),
    ...(timeout ? { connectTimeoutMs: Number(timeout) * 1000 } : {}),
    notes,
  };
}
