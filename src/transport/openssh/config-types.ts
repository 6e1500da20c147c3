/** The shapes of a read ssh config and of what it resolves to for one host (config-read.ts, config-resolve.ts). */
import type { JumpSpec } from './jump-spec.js';
import type { StrictHostKeyChecking } from './option-values.js';
import { CnetError } from '../../errors.js';

/** A config that cannot be read, or a value ssh would refuse; the message names file and line. */
export class SshConfigError extends CnetError {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(file !== undefined ? `${file}${line !== undefined ? ` line ${line}` : ''}: ${message}` : message);
  }
}

/** Where a line is: the file (or `<command line>`) and 1-based line number. */
export interface SshConfigPosition {
  file: string;
  line: number;
}

export interface SshMatchCriterion {
  /** lowercase: all, canonical, final, exec, host, originalhost, user, localuser, … */
  name: string;
  negated: boolean;
  /** the argument (absent for all / canonical / final) */
  arg?: string;
}

export type SshConfigEntry =
  | ({ kind: 'host'; patterns: string[] } & SshConfigPosition)
  | ({ kind: 'match'; criteria: SshMatchCriterion[] } & SshConfigPosition)
  | ({ kind: 'include'; patterns: string[]; sources: SshConfigSource[] } & SshConfigPosition)
  | ({
      kind: 'option';
      /** lowercase keyword */
      keyword: string;
      /** the arguments, quotes removed */
      args: string[];
      /** the value as written after the keyword (ProxyCommand and ProxyJump use it) */
      rest: string;
    } & SshConfigPosition);

/** One file's entries, in order. */
export interface SshConfigSource {
  path: string;
  entries: SshConfigEntry[];
}

export interface SshConfigFile {
  /** the file asked for: `-F FILE`, or ~/.ssh/config */
  path: string;
  /** false when the default ~/.ssh/config does not exist (the config is then empty) */
  found: boolean;
  /** the top-level files in the order ssh reads them (the user's, then the system's if asked) */
  sources: SshConfigSource[];
  /** every file read, Includes included, in reading order */
  files: string[];
  /** the home directory `~`, `%d` and relative Includes were taken from */
  homeDir: string;
}

export interface LoadSshConfigOptions {
  /** default: the local user's home directory from the password database, as ssh uses */
  homeDir?: string;
  /**
   * Also read the system-wide file after the user's, as `ssh HOST` does without `-F`:
   * `true` for /etc/ssh/ssh_config, or a path. Ignored when a file is given. Default false.
   */
  systemConfig?: boolean | string;
}

export interface SshConfigSettings {
  /** HostName with `%h` expanded, lowercased as ssh does; absent when the config sets none */
  hostName?: string;
  user?: string;
  port?: number;
  /**
   * every IdentityFile that applies, in order, `~`, `%` tokens and `${VAR}` expanded.
   * Empty: none configured (ssh then tries ~/.ssh/id_rsa, id_ecdsa, id_ed25519, … and the agent)
   */
  identityFiles: string[];
  identitiesOnly?: boolean;
  /** every CertificateFile that applies, in order, expanded as IdentityFile */
  certificateFiles: string[];
  /**
   * hops in visiting order (`%h %n %p %r` expanded as ssh does); 'none' when ProxyJump or
   * ProxyCommand is `none`. Each hop is its own `ssh HOP`: resolve it in the config too.
   */
  proxyJump?: JumpSpec[] | 'none';
  /** the ProxyCommand that applies, as written (run by proxy-command.ts, as OpenSSH runs it) */
  proxyCommand?: string;
  strictHostKeyChecking?: StrictHostKeyChecking;
  /** the files of the first UserKnownHostsFile that applies, expanded; `none` gives [] */
  userKnownHostsFiles?: string[];
  /** the files of the first GlobalKnownHostsFile that applies, expanded; `none` gives [] */
  globalKnownHostsFiles?: string[];
  /** the name host keys are looked up and recorded under instead of the host's (no port added) */
  hostKeyAlias?: string;
  checkHostIp?: boolean;
  /** HostKeyAlgorithms as written (checked: names OpenSSH knows); host-key-policy.ts assembles it */
  hostKeyAlgorithms?: string;
  /** ProxyUseFdpass: the ProxyCommand hands back a connected socket instead of relaying */
  proxyUseFdpass?: boolean;
  /** seconds */
  connectTimeout?: number;
  /** seconds; 0 disables */
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  passwordAuthentication?: boolean;
  /** a socket path (expanded), or `none`, or `SSH_AUTH_SOCK` (use that variable) */
  identityAgent?: string;
  /** things the caller should show as warnings (Match exec not run, ProxyCommand not supported, …) */
  notes: string[];
}

export interface ResolveSshConfigOptions {
  /** the remote user given outright (like `ssh -l USER` / `USER@HOST`): beats the config's User */
  user?: string;
  /** the port given outright (like `ssh -p PORT`): beats the config's Port */
  port?: number;
  /**
   * ssh_config lines applied before the files, the way ssh applies its command-line `-o`
   * options (first value wins, so they beat the files): e.g. `parseSshCommonArgs(…).configLines`.
   */
  commandLine?: string[];
  /** default: the current user's name (`%u`, `Match localuser`, default `%r`) */
  localUser?: string;
  /** default: the config's homeDir (`~`, `%d`) */
  homeDir?: string;
  /** default: os.hostname() (`%l`, `%L`) */
  localHostName?: string;
  /** default: process.env (`${VAR}`) */
  env?: NodeJS.ProcessEnv;
}
