/**
 * The user's OpenSSH client configuration applied the way `ssh HOST` does (OpenSSH 9.2
 * readconf.c / ssh.c), so that cnet-remote's ssh2 connections go where `ssh HOST` goes. Reading
 * it is config-read.ts.
 *
 * `resolveSshConfig()` evaluates it for one alias: `Host` patterns (`*`, `?`, `!negation`),
 * `Match` as OpenSSH 9.2 match_cfg_line() reads it (all, canonical, final, exec, host,
 * originalhost, user, localuser; `!`; `criterion=value`), first obtained value wins,
 * IdentityFile accumulates, `%` tokens, `${VAR}` and `~` expansion where ssh does them. When
 * a `Match final` is read or CanonicalizeHostname is on, the config is read a second time as
 * ssh.c does (the final pass: Host and `Match host` see the final host name; `Match final`
 * and `Match canonical` hold).
 *
 * Deliberate differences from ssh:
 * - `Match exec` is never run: such a Match block is taken as not matching (negated or not),
 *   and a note says so when ssh would have run the command.
 * - `CanonicalizeHostname` does not look names up (CanonicalDomains): the final pass runs with
 *   the name as written, as ssh does when no lookup succeeds; a note says so.
 * - `Match localnetwork` (OpenSSH 9.4+; 9.2 refuses it) compares the controller's interface
 *   addresses (os.networkInterfaces); `Match tagged` (9.4+) matches the `Tag` set so far as 9.4
 *   does. `Match version` (newer) is refused, as 9.2 does.
 * - The system file /etc/ssh/ssh_config is read only when asked (config-read.ts `systemConfig`).
 * - Invalid values are only reported for lines that apply to the alias; ssh rejects the whole
 *   file. File permissions are not checked.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { errorMessage } from '../../errors.js';
import { parseLine } from './config-read.js';
import { matchBlock } from './config-match.js';
import { badHostKeyAlgorithms } from './host-key-policy.js';
import {
  SshConfigError,
  type ResolveSshConfigOptions,
  type SshConfigEntry,
  type SshConfigFile,
  type SshConfigPosition,
  type SshConfigSettings,
  type SshConfigSource,
} from './config-types.js';
import { parseJumpSpec, type JumpSpec } from './jump-spec.js';
import { localUserInfo } from './local-user.js';
import { parseCount, parsePort, parseSshTime, parseStrictHostKeyChecking, parseYesNo } from './option-values.js';
import { lowercaseAscii, matchPatternEntries } from './pattern.js';
import { expandEnvVars, expandPercentTokens, expandTilde } from './tokens.js';

type Option = Extract<SshConfigEntry, { kind: 'option' }>;

type Proxy = { kind: 'jump'; hops: JumpSpec[] | 'none'; at: SshConfigPosition } | { kind: 'command'; command: string; at: SshConfigPosition };

/** Keywords whose single value is checked when a line applies; the parsed value is kept. */
const SINGLE_VALUED: Record<string, (arg: string) => unknown> = {
  hostname: (a) => a,
  user: (a) => a,
  port: parsePort,
  identitiesonly: parseYesNo,
  passwordauthentication: parseYesNo,
  stricthostkeychecking: parseStrictHostKeyChecking,
  connecttimeout: parseSshTime,
  serveraliveinterval: parseSshTime,
  serveralivecountmax: parseCount,
  identityagent: (a) => a,
  hostkeyalias: (a) => a,
  checkhostip: parseYesNo,
  proxyusefdpass: parseYesNo,
  tag: (a) => a,
  hostkeyalgorithms: (a) => (badHostKeyAlgorithms(a) === undefined ? a : undefined),
};

function where(at: SshConfigPosition): string {
  return `${at.file} line ${at.line}`;
}

class Resolution {
  readonly values = new Map<string, { value: unknown; at: SshConfigPosition }>();
  readonly identityFiles: { path: string; at: SshConfigPosition }[] = [];
  readonly certificateFiles: { path: string; at: SshConfigPosition }[] = [];
  knownHosts?: { files: string[]; at: SshConfigPosition };
  globalKnownHosts?: { files: string[]; at: SshConfigPosition };
  proxy?: Proxy;
  readonly notes: string[] = [];
  /** the second reading (ssh's SSHCONF_FINAL), with `host` the final host name */
  finalPass = false;
  /** the name Host lines and (in the final pass) Match host compare: the alias, then the final host */
  host: string;

  constructor(
    readonly alias: string,
    readonly localUser: string,
  ) {
    this.host = alias;
  }

  value<T>(keyword: string): T | undefined {
    return this.values.get(keyword)?.value as T | undefined;
  }

  /** The host `Match host` compares: in the final pass the final host; else HostName so far with `%h` expanded, else the alias. */
  matchHost(): string {
    if (this.finalPass) return this.host;
    const hostName = this.value<string>('hostname');
    if (hostName === undefined) return this.alias;
    try {
      return expandPercentTokens(hostName, { h: this.alias });
    } catch {
      return hostName;
    }
  }

  /** A `Host` line: its words are patterns (no comma lists), compared with the host as it is (case-sensitive). */
  hostMatches(patterns: string[]): boolean {
    return matchPatternEntries(this.host, patterns) === 1;
  }

  /** A Match line, as config-match.ts evaluates it against what is resolved so far. */
  matchMatches(entry: Extract<SshConfigEntry, { kind: 'match' }>): boolean {
    const { matches, execNotRun } = matchBlock(entry.criteria, {
      finalPass: this.finalPass,
      host: this.matchHost(),
      alias: this.alias,
      user: this.value<string>('user') ?? this.localUser,
      localUser: this.localUser,
      tag: this.value<string>('tag') ?? '',
    });
    if (execNotRun !== undefined) {
      this.notes.push(
        `${where(entry)}: "Match exec ${execNotRun}" was not run (cnet-remote never runs commands from the ssh config); the block is taken as not matching`,
      );
    }
    return matches;
  }

  fail(at: SshConfigPosition, message: string): never {
    throw new SshConfigError(message, at.file, at.line);
  }

  apply(entry: Option): void {
    const at: SshConfigPosition = { file: entry.file, line: entry.line };
    const { keyword, args } = entry;
    switch (keyword) {
      case 'identityfile':
        if (args.length !== 1) this.fail(at, 'IdentityFile takes one file (quote paths with spaces)');
        // ssh skips a file already listed as written (add_identity_file), so the final pass adds none twice
        if (!this.identityFiles.some((f) => f.path === args[0])) this.identityFiles.push({ path: args[0] as string, at });
        return;
      case 'certificatefile':
        if (args.length !== 1) this.fail(at, 'CertificateFile takes one file (quote paths with spaces)');
        if (!this.certificateFiles.some((f) => f.path === args[0])) this.certificateFiles.push({ path: args[0] as string, at });
        return;
      case 'userknownhostsfile':
        this.knownHosts ??= { files: args, at };
        return;
      case 'globalknownhostsfile':
        this.globalKnownHosts ??= { files: args, at };
        return;
      case 'proxyjump': {
        let hops: JumpSpec[] | 'none';
        try {
          hops = parseJumpSpec(entry.rest);
        } catch (e) {
          this.fail(at, errorMessage(e));
        }
        this.proxy ??= { kind: 'jump', hops, at };
        return;
      }
      case 'proxycommand':
        this.proxy ??= { kind: 'command', command: entry.rest, at };
        return;
    }
    // before the final pass ssh sets HostName to the final host: HostName lines do nothing in it
    if (keyword === 'hostname' && this.finalPass) return;
    const parse = Object.hasOwn(SINGLE_VALUED, keyword) ? SINGLE_VALUED[keyword] : undefined;
    if (parse) {
      if (args.length !== 1) this.fail(at, `${keyword}: garbage at end of line`);
      const value = parse(args[0] as string);
      if (value === undefined) this.fail(at, `bad ${keyword} value "${args[0]}"`);
      if (!this.values.has(keyword)) this.values.set(keyword, { value, at });
      return;
    }
    if (!this.values.has(keyword)) this.values.set(keyword, { value: args, at });
  }

  /** One file's entries; `active` as ssh's activep (a file starts in the state of its Include). */
  run(entries: SshConfigEntry[]): void {
    let active = true;
    for (const entry of entries) {
      switch (entry.kind) {
        case 'host':
          active = this.hostMatches(entry.patterns);
          break;
        case 'match':
          active = this.matchMatches(entry);
          break;
        case 'include':
          // in a block that does not apply nothing of the included files can apply; in one that
          // does, each file starts active and the block's state comes back after it
          if (active) for (const source of entry.sources) this.run(source.entries);
          break;
        case 'option':
          if (active) this.apply(entry);
          break;
      }
    }
  }
}

/**
 * Whether a `Match final` is in the file or what it includes: ssh then reads the configuration
 * a second time. ssh evaluates every Match line, also in files included where a block does not
 * apply, so where it stands does not matter.
 */
/** Settings that are their keyword's parsed value (SINGLE_VALUED) as it is, each with its keyword; set only when given. */
const AS_PARSED: [keyof SshConfigSettings, string][] = [
  ['identitiesOnly', 'identitiesonly'],
  ['strictHostKeyChecking', 'stricthostkeychecking'],
  ['hostKeyAlias', 'hostkeyalias'],
  ['checkHostIp', 'checkhostip'],
  ['hostKeyAlgorithms', 'hostkeyalgorithms'],
  ['proxyUseFdpass', 'proxyusefdpass'],
  ['connectTimeout', 'connecttimeout'],
  ['serverAliveInterval', 'serveraliveinterval'],
  ['serverAliveCountMax', 'serveralivecountmax'],
  ['passwordAuthentication', 'passwordauthentication'],
];

function take<K extends keyof SshConfigSettings>(settings: SshConfigSettings, setting: K, value: SshConfigSettings[K] | undefined): void {
  if (value !== undefined) settings[setting] = value;
}

function hasMatchFinal(source: SshConfigSource): boolean {
  return source.entries.some(
    (e) => (e.kind === 'match' && e.criteria.some((c) => c.name === 'final')) || (e.kind === 'include' && e.sources.some(hasMatchFinal)),
  );
}

/**
 * The settings `ssh ALIAS` would use. Throws SshConfigError for a value ssh would refuse on a
 * line that applies to the alias (a bad Port, an invalid ProxyJump, an unknown `%` token, …).
 */
export function resolveSshConfig(config: SshConfigFile, alias: string, opts: ResolveSshConfigOptions = {}): SshConfigSettings {
  const me = localUserInfo();
  const localUser = opts.localUser ?? me.username;
  const home = opts.homeDir ?? config.homeDir;
  const env = opts.env ?? process.env;
  const localHost = opts.localHostName ?? hostname();
  const r: Resolution = new Resolution(alias, localUser);

  const outright: SshConfigPosition = { file: '<command line>', line: 0 };
  if (opts.user !== undefined) r.values.set('user', { value: opts.user, at: outright });
  if (opts.port !== undefined) r.values.set('port', { value: opts.port, at: outright });
  (opts.commandLine ?? []).forEach((text, i) => {
    const entry = parseLine(text, '<command line>', i + 1, undefined);
    if (!entry) return;
    if (entry.kind !== 'option') throw new SshConfigError(`${entry.kind} is not allowed on the command line`, '<command line>', i + 1);
    r.apply(entry);
  });
  for (const source of config.sources) r.run(source.entries);
  const canonicalize = r.value<string[]>('canonicalizehostname')?.[0]?.toLowerCase();
  const canonicalizing = canonicalize !== undefined && canonicalize !== 'no' && canonicalize !== 'false';
  if (config.sources.some(hasMatchFinal) || canonicalizing) {
    // ssh.c: the configuration is read again, Host and Match host now comparing the final host
    // (HostName with %h expanded, lowercased unless an address), `Match final` / `canonical` true
    const hostNameSoFar = r.value<string>('hostname');
    let finalHost = alias;
    if (hostNameSoFar !== undefined) {
      try {
        finalHost = expandPercentTokens(hostNameSoFar, { h: alias });
      } catch {
        finalHost = hostNameSoFar;
      }
    }
    if (isIP(finalHost) === 0) finalHost = lowercaseAscii(finalHost);
    if (canonicalizing) {
      r.notes.push(
        `${where(r.values.get('canonicalizehostname')!.at)}: CanonicalizeHostname ${canonicalize}: cnet-remote does not look the name up in CanonicalDomains (ssh does, and may then connect elsewhere); the final pass uses "${finalHost}"`,
      );
    }
    r.finalPass = true;
    r.host = finalHost;
    for (const source of config.sources) r.run(source.entries);
  }

  const notes = [...new Set(r.notes)];
  const user = r.value<string>('user');
  const port = r.value<number>('port');
  const hostNameRaw = r.values.get('hostname');
  let hostName: string | undefined;
  if (hostNameRaw) {
    try {
      hostName = lowercaseAscii(expandPercentTokens(hostNameRaw.value as string, { h: alias }));
    } catch (e) {
      r.fail(hostNameRaw.at, `HostName: ${errorMessage(e)}`);
    }
  }
  const h = hostName ?? lowercaseAscii(alias);
  const p = String(port ?? 22);
  const ruser = user ?? localUser;
  const lastHop = r.proxy?.kind === 'jump' && r.proxy.hops !== 'none' ? r.proxy.hops[r.proxy.hops.length - 1] : undefined;
  const tokens: Record<string, string> = {
    h,
    n: alias,
    p,
    r: ruser,
    u: localUser,
    d: home,
    l: localHost,
    L: localHost.split('.')[0] ?? localHost,
    i: String(me.uid),
    k: r.value<string>('hostkeyalias') ?? alias,
    C: createHash('sha1').update(`${localHost}${h}${p}${ruser}`).digest('hex'),
    j: lastHop?.host ?? '',
  };
  const proxyTokens = { h, n: alias, p, r: ruser };

  /** `~`, then `%` tokens and `${VAR}`, as ssh expands IdentityFile and friends. Undefined: env var unset. */
  const expandPath = (path: string, at: SshConfigPosition, keyword: string): string | undefined => {
    let out: string;
    try {
      out = expandPercentTokens(expandTilde(path, home), tokens);
    } catch (e) {
      r.fail(at, `${keyword}: ${errorMessage(e)}`);
    }
    try {
      return expandEnvVars(out, env);
    } catch (e) {
      notes.push(`${where(at)}: ${keyword} ignored: ${errorMessage(e)}`);
      return undefined;
    }
  };
  const expandHops = (hops: JumpSpec[], at: SshConfigPosition): JumpSpec[] =>
    hops.map((hop) => {
      try {
        const out: JumpSpec = { host: expandPercentTokens(hop.host, proxyTokens) };
        if (hop.user !== undefined) out.user = expandPercentTokens(hop.user, proxyTokens);
        if (hop.port !== undefined) out.port = hop.port;
        return out;
      } catch (e) {
        return r.fail(at, `ProxyJump: ${errorMessage(e)}`);
      }
    });

  const settings: SshConfigSettings = { identityFiles: [], certificateFiles: [], notes };
  if (hostName !== undefined) settings.hostName = hostName;
  if (user !== undefined) settings.user = user;
  if (port !== undefined) settings.port = port;
  for (const { path, at } of r.identityFiles) {
    const expanded = expandPath(path, at, 'IdentityFile');
    if (expanded !== undefined) settings.identityFiles.push(expanded);
  }
  for (const { path, at } of r.certificateFiles) {
    const expanded = expandPath(path, at, 'CertificateFile');
    if (expanded !== undefined) settings.certificateFiles.push(expanded);
  }
  if (r.proxy?.kind === 'jump') {
    settings.proxyJump = r.proxy.hops === 'none' ? 'none' : expandHops(r.proxy.hops, r.proxy.at);
  } else if (r.proxy?.kind === 'command') {
    // run as written when connecting (proxy-command.ts); `none`: direct
    if (r.proxy.command.toLowerCase() === 'none') settings.proxyJump = 'none';
    else settings.proxyCommand = r.proxy.command;
  }

  const knownHostsFiles = ({ files, at }: { files: string[]; at: SshConfigPosition }, keyword: string): string[] =>
    files.length === 1 && files[0]?.toLowerCase() === 'none'
      ? []
      : files.flatMap((f) => {
          const e = expandPath(f, at, keyword);
          return e === undefined ? [] : [e];
        });
  if (r.knownHosts) settings.userKnownHostsFiles = knownHostsFiles(r.knownHosts, 'UserKnownHostsFile');
  if (r.globalKnownHosts) settings.globalKnownHostsFiles = knownHostsFiles(r.globalKnownHosts, 'GlobalKnownHostsFile');
  for (const [setting, keyword] of AS_PARSED) take(settings, setting, r.value(keyword));
  const agent = r.values.get('identityagent');
  if (agent) {
    const raw = agent.value as string;
    if (raw === 'none' || raw === 'SSH_AUTH_SOCK') settings.identityAgent = raw;
    else if (raw.startsWith('$')) {
      const value = env[raw.slice(1)];
      if (value === undefined) notes.push(`${where(agent.at)}: IdentityAgent ignored: environment variable ${raw} is not set`);
      else settings.identityAgent = value;
    } else {
      const expanded = expandPath(raw, agent.at, 'IdentityAgent');
      if (expanded !== undefined) settings.identityAgent = expanded;
    }
  }
  return settings;
}

/**
 * Whether the ssh config takes `alias` somewhere without a resolver seeing the name: it gives a
 * HostName, or a ProxyCommand or ProxyJump that reaches the host.
 */
export function sshConfigReaches(config: SshConfigFile, alias: string): boolean {
  const s = resolveSshConfig(config, alias);
  return s.hostName !== undefined || s.proxyCommand !== undefined || Array.isArray(s.proxyJump);
}
