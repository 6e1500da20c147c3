/**
 * What cnet-remote will connect with, printed the way `ssh -G` prints a host's configuration
 * (lower-case `keyword value` lines, in ssh -G's order), so the two can be compared line by line.
 *
 * Every line comes from the Target cnet-remote connects with (target.ts), never filled in here
 * with OpenSSH's defaults: the Target holds them where cnet-remote uses them (ssh's default
 * IdentityFiles and known_hosts files, StrictHostKeyChecking ask, Ansible's ConnectTimeout). A
 * ProxyCommand prints as written, its tokens unexpanded, as ssh -G prints it (ssh expands them
 * only when it runs the command).
 */
import type { ResolvedHost } from '../../inventory/types.js';
import { loadSshConfig } from './config-read.js';
import { parseSshCommonArgs } from './ssh-args.js';
import { resolveSshConfig } from './config-resolve.js';
import type { JumpSpec } from './jump-spec.js';
import type { SshConfigFile } from './config-types.js';
import { resolveTarget, type Target } from '../target.js';

/** The keywords compared with ssh -G, in the order ssh -G prints them. */
export const SSH_G_FIELDS = [
  'user',
  'hostname',
  'port',
  'identitiesonly',
  'stricthostkeychecking',
  'hostkeyalias',
  'identityfile',
  'certificatefile',
  'userknownhostsfile',
  'connecttimeout',
  'proxycommand',
  'proxyjump',
] as const;
export type SshGField = (typeof SSH_G_FIELDS)[number];

/** ssh -G's names for StrictHostKeyChecking (readconf.c multistate_strict_hostkey: yes is "true"). */
const STRICT: Record<Target['hostKeyChecking'], string> = { strict: 'true', ask: 'ask', 'accept-new': 'accept-new', off: 'false' };

/** One hop as ssh -G prints the last one: `[user@]host[:port]`, the host bracketed when it has a ':' or is all digits and dots. */
function hopText(hop: JumpSpec): string {
  const bracket = hop.host.includes(':') || /^[0-9.]*$/.test(hop.host);
  return `${hop.user !== undefined ? `${hop.user}@` : ''}${bracket ? `[${hop.host}]` : hop.host}${hop.port !== undefined ? `:${hop.port}` : ''}`;
}

export interface SshGNames {
  /**
   * The ProxyJump hops as the config names them (before each is looked up under its own name),
   * the last of `target.jumps` (before them: the first bastion's own jumps, which ssh -G does not
   * print): ssh -G prints these names, the Target holds where they lead.
   * Absent (or more than the Target's hops): the hops print as `user@address:port`.
   */
  jumps?: readonly JumpSpec[];
}

/** The `ssh -G`-style lines for a Target. */
export function sshGView(target: Target, names: SshGNames = {}): string[] {
  const lines = [
    `user ${target.user}`,
    `hostname ${target.address}`,
    `port ${target.port}`,
    `identitiesonly ${target.identitiesOnly ? 'yes' : 'no'}`,
    `stricthostkeychecking ${STRICT[target.hostKeyChecking]}`,
    ...(target.hostKeyAlias !== undefined ? [`hostkeyalias ${target.hostKeyAlias}`] : []),
    ...target.identityFiles.map((f) => `identityfile ${f}`),
    ...target.certificateFiles.map((f) => `certificatefile ${f}`),
    `userknownhostsfile ${target.knownHostsFiles.length ? target.knownHostsFiles.join(' ') : 'none'}`,
  ];
  if (target.connectTimeoutMs !== undefined) lines.push(`connecttimeout ${Math.round(target.connectTimeoutMs / 1000)}`);
  if (target.proxyCommand) lines.push(`proxycommand ${target.proxyCommand.written}`);
  if (target.jumps.length) {
    const named = names.jumps?.length && names.jumps.length <= target.jumps.length ? names.jumps : undefined;
    const hops = named ?? target.jumps.map((j) => ({ user: j.user, host: j.address, port: j.port }));
    lines.push(`proxyjump ${hops.map(hopText).join(',')}`);
  }
  return lines;
}

/**
 * The Target for an inventory host (its connection over the ssh config, as a run makes it) and
 * its ssh -G-style lines. Throws what resolveTarget throws (an SshConfigError for a value ssh
 * refuses on a line that applies).
 */
export function sshTargetView(host: ResolvedHost, config: SshConfigFile | undefined): { target: Target; lines: string[] } {
  const target = resolveTarget(host, config);
  // the names the jumps were written with: the host's own settings, looked up as resolveTarget does
  const c = host.connection;
  let commandLine: string[] = [];
  try {
    commandLine = c.commonArgs ? parseSshCommonArgs(c.commonArgs).configLines : [];
  } catch {
    // the target is refused for it (target.refusal)
  }
  const s = resolveSshConfig(config ?? loadSshConfig('none'), c.address, {
    ...(c.user ? { user: c.user } : {}),
    ...(c.port ? { port: c.port } : {}),
    commandLine,
  });
  return { target, lines: sshGView(target, Array.isArray(s.proxyJump) ? { jumps: s.proxyJump } : {}) };
}
