/**
 * OpenSSH's pattern rules (match.c), the one implementation cnet-remote uses for every place
 * ssh matches names: `Host` lines, `Match host / originalhost / user / localuser` and known_hosts
 * host fields.
 *
 * - `matchPattern`: `*` matches any run of bytes (none included), `?` exactly one byte; nothing
 *   else is special (no `[…]`, no escapes); case-sensitive. Like match_pattern(), it works on the
 *   UTF-8 bytes, so `?` is one byte of a multi-byte character.
 * - `matchPatternEntries`: patterns already split (a `Host` line's words; known_hosts fields
 *   split at commas), each `!`-negated or not: -1 when a negated one matches (whatever else
 *   matches), 1 when a positive one does, 0 otherwise.
 * - `matchPatternList`: match_pattern_list(): a comma-separated list of such patterns.
 * - `matchHostname`: match_hostname(): the name and the patterns lowercased (ASCII only, as
 *   OpenSSH's tolower() is), as `Match host` and known_hosts compare.
 */

/** OpenSSH's lowercase(): A–Z only (tolower() on each byte; other bytes stay). */
export function lowercaseAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

const STAR = 0x2a;
const QUESTION = 0x3f;

/** match.c match_pattern() on byte strings, from offsets `si` and `pi`. */
function matchBytes(s: Uint8Array, si: number, p: Uint8Array, pi: number): boolean {
  for (;;) {
    if (pi === p.length) return si === s.length;
    if (p[pi] === STAR) {
      while (p[pi] === STAR) pi++;
      if (pi === p.length) return true;
      const next = p[pi] as number;
      if (next !== QUESTION) {
        // the byte after the stars is literal: try each place it occurs
        for (; si < s.length; si++) if (s[si] === next && matchBytes(s, si + 1, p, pi + 1)) return true;
        return false;
      }
      for (; si < s.length; si++) if (matchBytes(s, si, p, pi)) return true;
      return false;
    }
    if (si === s.length) return false;
    if (p[pi] !== QUESTION && p[pi] !== s[si]) return false;
    si++;
    pi++;
  }
}

const utf8 = new TextEncoder();

/** One pattern (no commas, no negation) against the whole text; case-sensitive like OpenSSH. */
export function matchPattern(text: string, pattern: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return text === pattern;
  return matchBytes(utf8.encode(text), 0, utf8.encode(pattern), 0);
}

/**
 * Patterns already split, each possibly `!`-negated: -1 when a negated pattern matches, 1 when
 * some positive one does and no negated one, 0 otherwise. `lowercasePatterns` lowercases the
 * patterns (ASCII), not the text.
 */
export function matchPatternEntries(text: string, entries: readonly string[], lowercasePatterns = false): 1 | 0 | -1 {
  let positive = false;
  for (const entry of entries) {
    const negated = entry.startsWith('!');
    let pattern = negated ? entry.slice(1) : entry;
    if (lowercasePatterns) pattern = lowercaseAscii(pattern);
    if (matchPattern(text, pattern)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** match.c's sub-pattern buffer: a longer entry makes the whole list not match. */
const MAX_SUBPATTERN = 1023;

/**
 * A comma-separated pattern list with `!negation` (OpenSSH `match_pattern_list`): 1 when some
 * positive entry matches and no negated one does, -1 when a negated entry matches, 0 otherwise.
 * A trailing comma adds no entry; an entry of 1023 bytes or more gives 0, as in OpenSSH.
 */
export function matchPatternList(text: string, list: string, lowercasePatterns = false): 1 | 0 | -1 {
  if (list === '') return 0;
  const entries = list.split(',');
  if (list.endsWith(',')) entries.pop();
  // match_pattern_list stops at the first negated match, or at a long entry, in list order
  let result: 1 | 0 | -1 = 0;
  for (const entry of entries) {
    if (utf8.encode(entry.startsWith('!') ? entry.slice(1) : entry).length >= MAX_SUBPATTERN) return 0;
    const r = matchPatternEntries(text, [entry], lowercasePatterns);
    if (r === -1) return -1;
    if (r === 1) result = 1;
  }
  return result;
}

/** match.c match_hostname(): the host and the patterns compared lowercased (`Match host`, known_hosts). */
export function matchHostname(host: string, list: string): 1 | 0 | -1 {
  return matchPatternList(lowercaseAscii(host), list, true);
}

/** An IP address as a family and a big integer, or undefined when `text` is not one (OpenSSH addr_pton). */
function parseAddress(text: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = (s: string): bigint | undefined => {
    const parts = s.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
  };
  if (!text.includes(':')) {
    const value = v4(text);
    return value === undefined ? undefined : { bits: 32, value };
  }
  let tail: bigint | undefined;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = v4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const g = s.split(':');
    return g.every((x) => /^[0-9a-fA-F]{1,4}$/.test(x)) ? g : undefined;
  };
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(missing).fill('0'), ...rest];
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
  return { bits: 128, value };
}

/** An IPv4 (32 bits) or IPv6 (128 bits) network: its address and prefix length. */
export interface IpNetwork {
  bits: 32 | 128;
  value: bigint;
  length: number;
}

/** `addr[/len]` as OpenSSH addr_pton_cidr reads it: the host part must be zero. */
function parseNetwork(entry: string): IpNetwork | string {
  const slash = entry.indexOf('/');
  const addr = parseAddress(slash < 0 ? entry : entry.slice(0, slash));
  if (!addr) return `Invalid network entry "${entry}"`;
  const lenText = slash < 0 ? undefined : entry.slice(slash + 1);
  if (lenText !== undefined && !/^\d+$/.test(lenText)) return `Invalid network entry "${entry}"`;
  const length = lenText === undefined ? addr.bits : Number(lenText);
  const hostMask = length > addr.bits ? 0n : (1n << BigInt(addr.bits - length)) - 1n;
  if (length > addr.bits || (addr.value & hostMask) !== 0n) return `Inconsistent mask length for network "${entry}"`;
  return { ...addr, length };
}

/**
 * A comma-separated list of networks (`192.168.1.0/24,fe80::/10`, OpenSSH addr_match_cidr_list):
 * the networks, or the problem with the first bad entry (empty, a character other than hex
 * digits `.:/`, not an address, host bits set).
 */
export function parseCidrList(list: string): IpNetwork[] | string {
  const out: IpNetwork[] = [];
  for (const entry of list.split(',')) {
    if (entry === '') return `empty entry in list "${list}"`;
    if (!/^[0-9a-fA-F.:/]+$/.test(entry)) return `list entry "${entry}" contains invalid characters`;
    const net = parseNetwork(entry);
    if (typeof net === 'string') return net;
    out.push(net);
  }
  return out;
}

/** Whether the address is inside one of the networks (addresses of the other family never are). */
export function addressInNetworks(address: string, networks: IpNetwork[]): boolean {
  const addr = parseAddress(address);
  if (!addr) return false;
  return networks.some((n) => {
    if (n.bits !== addr.bits) return false;
    const shift = BigInt(n.bits - n.length);
    return addr.value >> shift === n.value >> shift;
  });
}
