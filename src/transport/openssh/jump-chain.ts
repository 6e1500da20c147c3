/**
 * Every bastion on the way to a host, in visiting order, as OpenSSH reaches them.
 *
 * `ProxyJump a,b,c` makes ssh run `ssh -J a,b -W %h:%p c`, which runs `ssh -J a -W … b`, which runs
 * `ssh -W … a`: only the first hop `a` is a plain `ssh a`, so only its own ProxyJump in the ssh config
 * applies, and it applies recursively (its own ProxyCommand, run to reach it, ends the chain); a later hop's own ProxyJump
 * or ProxyCommand is overridden by the `-J` it is given (readconf.c: the first value wins).
 * OpenSSH follows a loop until it runs out of processes; here a loop, or a chain nested deeper than
 * MAX_NESTING, is a refusal naming the chain.
 */
import { formatJumpSpec, type JumpSpec } from './jump-spec.js';
import { resolveSshConfig } from './config-resolve.js';
import type { SshConfigFile, SshConfigSettings } from './config-types.js';

/** How many bastions may each bring a ProxyJump of their own before the chain is refused. */
export const MAX_NESTING = 8;

export interface ChainHop {
  /** the hop as written in the ProxyJump that named it */
  spec: JumpSpec;
  /** the ssh config for it, under its own name, with the spec's user and port given outright */
  settings: SshConfigSettings;
  /** the ProxyCommand this hop is reached through (its own, as written): only ever the first hop */
  proxyCommand?: string;
}

export interface JumpChain {
  hops: ChainHop[];
  /** why the host must not be connected to */
  refusal?: { message: string };
}

const resolveHop = (config: SshConfigFile, spec: JumpSpec): ChainHop => ({
  spec,
  settings: resolveSshConfig(config, spec.host, { ...(spec.user ? { user: spec.user } : {}), ...(spec.port ? { port: spec.port } : {}) }),
});

/**
 * The hops to open for `jumps` (the ProxyJump that applies to `name`), the first bastion's own
 * jumps before it, recursively. `name` is the host the jumps lead to (the first link of a loop).
 */
export function jumpChain(config: SshConfigFile, name: string, jumps: readonly JumpSpec[]): JumpChain {
  // the first hops met so far, each written as its ProxyJump wrote it: the same one again is a loop
  // (the host itself is not one of them: it may be reached with other settings, e.g. -J)
  const path: JumpSpec[] = [];
  const key = (j: JumpSpec) => formatJumpSpec([{ ...j, host: j.host.toLowerCase() }]);
  const way = () => [name, ...path.map((j) => formatJumpSpec([j]))].join(' → ');
  let tail: ChainHop[] = [];
  let next = jumps;
  while (next.length) {
    const [first, ...rest] = next as [JumpSpec, ...JumpSpec[]];
    const seen = path.some((p) => key(p) === key(first));
    path.push(first);
    if (seen) {
      return {
        hops: tail,
        refusal: {
          message: `bastion ${first.host}: the ssh config's ProxyJump lines make a loop (${way()}), which ssh would follow forever: give one of these hosts "ProxyJump none" or a ProxyJump that leaves the loop`,
        },
      };
    }
    if (path.length > MAX_NESTING + 1) {
      return {
        hops: tail,
        refusal: { message: `bastion ${first.host}: jump hosts nested more than ${MAX_NESTING} deep (${way()}); shorten the chain in the ssh config` },
      };
    }
    const hop = resolveHop(config, first);
    tail = [hop, ...rest.map((j) => resolveHop(config, j)), ...tail];
    const own = hop.settings;
    if (!Array.isArray(own.proxyJump)) {
      // its own ProxyCommand: the first hop is reached through it, as `ssh HOP` would be
      if (own.proxyCommand !== undefined && own.proxyJump !== 'none') hop.proxyCommand = own.proxyCommand;
      break;
    }
    next = own.proxyJump;
  }
  return { hops: tail };
}
