/**
 * The host name ssh connects to and knows the host key by, from the one it was given (after the
 * config's HostName), as ssh.c makes it: a name that is no address lower-cased; one that is an
 * address (`is_addr`) canonicalised by `resolve_canonicalize` → `resolve_addr`, whatever
 * CanonicalizeHostname says: getaddrinfo(AI_NUMERICHOST) then getnameinfo(NI_NUMERICHOST). That
 * text is the name known_hosts is searched and written under (`fd00::5`, `[fd00::5]:2222`), the
 * `hostname` ssh -G prints and `%h`. Checked against OpenSSH 9.2's ssh -G
 * (test/transport/openssh/host-name.test.ts):
 *   VM1 → vm1;
 *   FD00:0::5 → fd00::5, 0:0::1 → ::1, ::FFFF:a00:1 → ::ffff:10.0.0.1 (inet_ntop's form);
 *   FD00::5 stays FD00::5 (ssh replaces an address only when the two differ beyond case);
 *   10.1 → 10.0.0.1, 010.0.0.1 → 8.0.0.1, 0x0a.0.0.1 → 10.0.0.1 (glibc's inet_aton forms);
 *   [fd00::5] is no address (a name ssh cannot resolve).
 * An address with a scope (fe80::1%eth0) is left as written: what ssh makes of it depends on the
 * machine's interfaces (canonicalised when the interface exists, a numeric scope written as the
 * interface's name: fe80::1%1 → fe80::1%lo; lower-cased as a name when it does not exist).
 */
import { formatIpv4 } from '../../address/ipv4.js';
import { formatIpv6, isIpv6, parseIpv6 } from '../../address/ipv6.js';
import { lowercaseAscii } from './pattern.js';

/** One part of an inet_aton address: decimal, 0-octal or 0x-hex; undefined when it is none. */
function atonPart(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return Number.parseInt(text, 8);
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  return undefined;
}

/** An IPv4 address as glibc's inet_aton reads it (`a`, `a.b`, `a.b.c`, `a.b.c.d`, each part any base), as a number. */
export function inetAton(text: string): number | undefined {
  if (text.length > 64) return undefined;
  const parts = text.split('.').map(atonPart);
  if (parts.length > 4 || parts.some((p) => p === undefined)) return undefined;
  const nums = parts as number[];
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  return nums.reduce((acc, n, i) => acc + n * 2 ** (8 * (3 - i)), 0) + last;
}

/** `host` as ssh names it: an address in its canonical form, a scoped address as written, anything else lower-cased. */
export function sshHostName(host: string): string {
  const v4 = inetAton(host);
  if (v4 !== undefined) return formatIpv4(v4);
  if (/%./.test(host) && isIpv6(host.slice(0, host.indexOf('%')))) return host;
  if (!isIpv6(host)) return lowercaseAscii(host);
  const canonical = formatIpv6(parseIpv6(host));
  // ssh keeps its own text when the canonical form differs from it only in case
  return canonical.toLowerCase() === host.toLowerCase() ? host : canonical;
}
