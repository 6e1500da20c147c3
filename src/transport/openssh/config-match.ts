/**
 * One Match line's criteria evaluated as OpenSSH 9.2's match_cfg_line() does, except that `exec`
 * is never run: a line with one is taken as not matching. `localnetwork` and `tagged` as 9.4.
 */
import { networkInterfaces } from 'node:os';
import type { SshMatchCriterion } from './config-types.js';
import { addressInNetworks, matchHostname, matchPatternList, parseCidrList } from './pattern.js';

/** What the criteria are compared with, as resolved so far. */
export interface MatchContext {
  /** the second reading (`final`, `canonical` hold) */
  finalPass: boolean;
  /** what `Match host` compares: in the final pass the final host, else HostName so far (`%h` expanded), else the alias */
  host: string;
  /** `originalhost`: the name as given */
  alias: string;
  /** the remote user so far, else the local one */
  user: string;
  localUser: string;
  /** the Tag so far (none: the empty string) */
  tag: string;
}

/** The addresses of the controller's network interfaces that are up (Match localnetwork). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

/**
 * Whether each criterion but `all` and `exec` holds. Unlike Host lines, Match host / originalhost
 * ignore case (match_hostname; checked against ssh -G).
 */
const CRITERIA: Record<string, (ctx: MatchContext, arg: string) => boolean> = {
  // 9.2 takes both as "this is the final pass"
  final: (ctx) => ctx.finalPass,
  canonical: (ctx) => ctx.finalPass,
  host: (ctx, arg) => matchHostname(ctx.host, arg) === 1,
  originalhost: (ctx, arg) => matchHostname(ctx.alias, arg) === 1,
  user: (ctx, arg) => matchPatternList(ctx.user, arg) === 1,
  localuser: (ctx, arg) => matchPatternList(ctx.localUser, arg) === 1,
  localnetwork: (_ctx, arg) => {
    const networks = parseCidrList(arg);
    return typeof networks !== 'string' && interfaceAddresses().some((a) => addressInNetworks(a, networks));
  },
  tagged: (ctx, arg) => matchPatternList(ctx.tag, arg) === 1,
};

/**
 * Whether the block applies; `execNotRun`: the command of a `Match exec` that ssh would have run
 * (the criteria before it held), for a note.
 */
export function matchBlock(criteria: SshMatchCriterion[], ctx: MatchContext): { matches: boolean; execNotRun?: string } {
  let result = true;
  let exec: string | undefined;
  let execWouldRun = false;
  for (const c of criteria) {
    const arg = c.arg ?? '';
    if (c.name === 'all') {
      if (result) result = !c.negated;
      break;
    }
    if (c.name === 'exec') {
      exec ??= arg;
      // ssh skips the command when an earlier criterion already failed
      if (result) execWouldRun = true;
      continue;
    }
    // a name parseMatchCriteria refuses never holds
    const holds = Object.hasOwn(CRITERIA, c.name) ? CRITERIA[c.name] : undefined;
    const r = holds?.(ctx, arg) ?? false;
    if (r === c.negated) result = false;
  }
  if (exec !== undefined) return { matches: false, ...(execWouldRun && result ? { execNotRun: exec } : {}) };
  return { matches: result };
}
