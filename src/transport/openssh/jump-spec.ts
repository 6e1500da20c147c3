/**
 * OpenSSH's ProxyJump / `-J` syntax (readconf.c `parse_jump`, misc.c `parse_user_host_port`
 * and `parse_ssh_uri`): comma-separated hops, each `[user@]host[:port]`, `[ipv6]` or
 * `[ipv6]:port`, or an `ssh://[user@]host[:port][/]` URI; the single word `none` disables jumping.
 */

/**
 * One jump host. Hops are listed in the order they are visited: the first one is connected to
 * directly, the last one opens the forwarded channel to the target.
 *
 * Like `ssh -J`, a hop does not inherit the target's settings: each hop is its own `ssh HOST`,
 * so look it up in the ssh config as well (`resolveSshConfig(config, hop.host)`); `user` and
 * `port` given here take precedence over what the config says for that host.
 */
export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** A port as OpenSSH's `a2port` takes it: 1–65535, or the service name `ssh`; undefined if invalid. */
export function parsePort(text: string): number | undefined {
  if (text === 'ssh') return 22;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Split `host[:port]` / `[ipv6]` / `[ipv6]:port` (misc.c `hpdelim`); undefined when malformed. */
/** `host`, `host:port` or `[v6]:port` after the user, as a hop (or what is wrong with it). */
function hopOf(rest: string, user: string | undefined): JumpSpec | string {
  const hp = splitHostPort(rest);
  if (!hp) return 'missing or malformed host';
  const hop: JumpSpec = { host: hp.host };
  if (user !== undefined) hop.user = user;
  if (hp.port !== undefined && hp.port !== '') {
    const port = parsePort(hp.port);
    if (port === undefined) return `bad port "${hp.port}"`;
    hop.port = port;
  }
  return hop;
}

function splitHostPort(text: string): { host: string; port?: string } | undefined {
  let host: string;
  let rest: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after === '') rest = undefined;
    else if (after.startsWith(':')) rest = after.slice(1);
    else return undefined;
  } else {
    const delim = text.search(/[:/]/);
    if (delim < 0) host = text;
    else {
      // OpenSSH's hpdelim refuses `host/port`
      if (text[delim] === '/') return undefined;
      host = text.slice(0, delim);
      rest = text.slice(delim + 1);
    }
  }
  if (host === '') return undefined;
  return rest === undefined ? { host } : { host, port: rest };
}

function decodeUriUser(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseHop(text: string): JumpSpec | string {
  if (/^ssh:\/\//i.test(text)) {
    // ssh://[user[;params]@]host[:port][/]
    let rest = text.slice('ssh://'.length);
    let user: string | undefined;
    const at = rest.indexOf('@');
    if (at >= 0) {
      const userPart = rest.slice(0, at).split(';')[0] ?? '';
      if (userPart === '') return 'empty user name';
      user = decodeUriUser(userPart);
      if (user === undefined) return 'bad %-escape in the user name';
      rest = rest.slice(at + 1);
    }
    let path = '';
    const slash = rest.startsWith('[') ? rest.indexOf('/', rest.indexOf(']')) : rest.indexOf('/');
    if (slash >= 0) {
      path = rest.slice(slash + 1);
      rest = rest.slice(0, slash);
    }
    if (path !== '') return 'an ssh:// URI cannot have a path';
    return hopOf(rest, user);
  }
  let rest = text;
  let user: string | undefined;
  // the user is everything before the LAST '@' (user names may contain '@')
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    if (user === '') return 'empty user name';
    rest = rest.slice(at + 1);
  }
  if (!rest.startsWith('[') && rest.indexOf(':') !== rest.lastIndexOf(':')) {
    return 'IPv6 addresses need brackets: [addr] or [addr]:port';
  }
  return hopOf(rest, user);
}

/**
 * Parse a ProxyJump value or a `-J` argument. Throws an Error naming the bad hop.
 * A `#` starts a comment (as in ssh_config); whitespace around the whole value is ignored,
 * whitespace inside it is an error, as it is for OpenSSH.
 */
export function parseJumpSpec(text: string): JumpSpec[] | 'none' {
  const hash = text.indexOf('#');
  const value = (hash >= 0 ? text.slice(0, hash) : text).trim();
  if (value.toLowerCase() === 'none') return 'none';
  if (value === '') throw new Error('empty ProxyJump');
  const hops: JumpSpec[] = [];
  for (const part of value.split(',')) {
    if (part === '' || /\s/.test(part)) {
      throw new Error(`invalid ProxyJump "${value}": ${part === '' ? 'empty hop' : `whitespace in "${part}"`}`);
    }
    const hop = parseHop(part);
    if (typeof hop === 'string') throw new Error(`invalid ProxyJump "${value}": ${hop} in "${part}"`);
    hops.push(hop);
  }
  return hops;
}

/** A hop the way `ssh -G` prints it: `user@host:port`, IPv6 in brackets. */
export function formatJumpSpec(hops: JumpSpec[] | 'none'): string {
  if (hops === 'none') return 'none';
  return hops
    .map((h) => {
      const host = h.host.includes(':') ? `[${h.host}]` : h.host;
      return `${h.user !== undefined ? `${h.user}@` : ''}${host}${h.port !== undefined ? `:${h.port}` : ''}`;
    })
    .join(',');
}
