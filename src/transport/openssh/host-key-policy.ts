/**
 * Whether to trust the key a host offers, decided as OpenSSH 9.2's check_host_key()
 * (sshconnect.c) decides it, and which host key algorithms to ask for, as its
 * order_hostkeyalgs() (sshconnect2.c) orders them. known_hosts reading and matching are in
 * known-hosts.ts; this is the policy on top.
 */
import { createRequire } from 'node:module';
import type { HostKeyMode } from '../../inventory/types.js';
import { quoteWord } from '../../shell/quote.js';
import { hostCertificateRefusal, isCertificateBlob } from './host-certificate.js';
import { checkHostKey, hostKeyFingerprint, keyTypeOf, matchHost, type HostKeyCheck, type KnownHostEntry } from './known-hosts.js';
import { matchPattern, matchPatternList } from './pattern.js';

/** What is known about one connection's host key, and where a new one would be recorded. */
export interface HostKeyQuery {
  mode: HostKeyMode;
  /** the name known_hosts is searched for: the HostKeyAlias, else `address` or `[address]:port` */
  name: string;
  /** the address without its port, searched when `name` knows no key (ssh: "checking without port identifier") */
  plainName?: string;
  /** CheckHostIP: the address connected to (`ip` or `[ip]:port`), when it is not already the name */
  ipName?: string;
  /** the entries of the user's known_hosts files, then the global ones */
  entries: KnownHostEntry[];
  /** the first UserKnownHostsFile, where a new key is recorded; absent: none (UserKnownHostsFile none) */
  recordIn?: string;
  /** whether `name` may be written to known_hosts (recordableName) */
  recordable: boolean;
  /** the host and port, for the `ssh-keyscan` suggestion */
  scan: { host: string; port: number };
  key: Buffer;
}

export type HostKeyVerdict =
  | {
      kind: 'accept';
      /** names to add the key under in `file` */
      record?: { file: string; names: string[] };
      warning?: string;
      /** the key is not trusted (StrictHostKeyChecking no): ssh then turns password and keyboard-interactive authentication off */
      untrusted?: boolean;
    }
  | { kind: 'refuse'; error: string }
  /** StrictHostKeyChecking ask: `question` at a terminal; `refusal` where there is none */
  | { kind: 'ask'; question: string; refusal: string; record?: { file: string; names: string[] } };

function offered(key: Buffer): string {
  let type: string;
  try {
    type = keyTypeOf(key);
  } catch {
    type = 'unknown-type';
  }
  return `${type} key ${hostKeyFingerprint(key)}`;
}

const MODE_NOTE: Record<HostKeyMode, string> = {
  strict: 'StrictHostKeyChecking yes',
  ask: 'StrictHostKeyChecking ask',
  'accept-new': 'StrictHostKeyChecking accept-new',
  off: 'StrictHostKeyChecking no',
};

/**
 * The verdict on the key a host offered. As ssh: a revoked or changed key is refused unless
 * checking is off (then taken, untrusted: no password authentication); a new host's key is
 * refused under `strict`, confirmed under `ask`, recorded under `accept-new` and `off`, and
 * refused whatever the mode when there is no known_hosts file to record it in.
 */
export function judgeHostKey(q: HostKeyQuery): HostKeyVerdict {
  const { mode, name, key } = q;
  let host: HostKeyCheck = checkHostKey(q.entries, name, key);
  if (host.status === 'unknown' && q.plainName !== undefined && checkHostKey(q.entries, q.plainName, key).status === 'match') host = { status: 'match' };
  // ssh checks no address for a certificate (sshconnect.c: !want_cert && check_host_ip)
  const ip = q.ipName !== undefined && !isCertificateBlob(key) ? checkHostKey(q.entries, q.ipName, key) : undefined;
  const note = `(${MODE_NOTE[mode]})`;
  const file = q.recordIn ?? 'known_hosts';

  if (host.status === 'revoked') {
    const text = `REVOKED HOST KEY DETECTED for ${name}: the offered ${offered(key)} is marked @revoked in known_hosts. A stolen key may be used to impersonate this host.`;
    if (mode === 'off') return { kind: 'accept', untrusted: true, warning: `${text} Connecting anyway, password authentication off ${note}.` };
    return { kind: 'refuse', error: `${text} Refusing to connect ${note}.` };
  }

  if (host.status === 'cert-refused') {
    // a host certificate not trusted, its plain key not known either (host-certificate.ts)
    if (mode === 'off') return { kind: 'accept', untrusted: true, warning: `${name}: ${host.reason}. Connecting anyway, password authentication off ${note}.` };
    return { kind: 'refuse', error: `${hostCertificateRefusal(name, host.reason, file)} ${note}` };
  }

  if (host.status === 'changed') {
    const known = host.knownFingerprints.join(', ');
    const spoofing =
      ip !== undefined && (ip.status !== 'changed' || ip.knownFingerprints.join() !== known)
        ? [
            `POSSIBLE DNS SPOOFING DETECTED: the key for the address ${q.ipName} ${ip.status === 'unknown' ? 'is unknown' : ip.status === 'match' ? 'is unchanged' : 'has a different value'}.`,
          ]
        : [];
    if (mode === 'off') {
      return {
        kind: 'accept',
        untrusted: true,
        warning: `host key for ${name} has changed: offered ${offered(key)}, known_hosts knows ${known}. ${spoofing.join(' ')}Connecting anyway, password authentication off ${note}.`,
      };
    }
    return {
      kind: 'refuse',
      error: [
        `REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}!`,
        ...spoofing,
        `Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key has just been changed (e.g. the machine was reinstalled).`,
        `The host offered ${offered(key)}; known_hosts has ${host.knownFingerprints.length === 1 ? 'the key' : 'the keys'} ${known} for it.`,
        `If the change is expected, remove the old key with: ssh-keygen -R ${quoteWord(name)} -f ${quoteWord(file)}`,
        `Host key verification failed ${note}.`,
      ].join('\n'),
    };
  }

  if (host.status === 'match') {
    if (ip?.status === 'changed') {
      const text = `the host key for ${name} differs from the key known for its address ${q.ipName}`;
      if (mode === 'off') return { kind: 'accept', warning: `${text} ${note}` };
      if (mode !== 'ask')
        return {
          kind: 'refuse',
          error: `${text}: refusing to connect ${note}. Remove the address's old key: ssh-keygen -R ${quoteWord(q.ipName!)} -f ${quoteWord(file)}`,
        };
      return {
        kind: 'ask',
        question: `Warning: ${text}.\nAre you sure you want to continue connecting (yes/no)? `,
        refusal: `${text}, and there is no terminal to ask on ${note}`,
      };
    }
    // ssh records a matching host's unknown address, whatever the mode
    if (ip?.status === 'unknown' && q.recordIn) return { kind: 'accept', record: { file: q.recordIn, names: [q.ipName!] } };
    return { kind: 'accept' };
  }

  // a new host
  const names = [name, ...(q.ipName !== undefined && ip?.status === 'unknown' ? [q.ipName] : [])];
  const scan = `ssh-keyscan${q.scan.port === 22 ? '' : ` -p ${q.scan.port}`} ${quoteWord(q.scan.host)}`;
  const howTo = `Verify the fingerprint and add it (\`${scan} >> ${quoteWord(file)}\`, or connect once with ssh), or set StrictHostKeyChecking accept-new (cnet_host_key_checking: accept-new)`;
  if (!q.recordIn || !q.recordable) {
    const why = q.recordIn ? `"${name}" cannot be written to known_hosts` : 'there is no UserKnownHostsFile to record it in';
    return { kind: 'refuse', error: `host key for ${name} is not known and ${why}; the host offered ${offered(key)} ${note}.` };
  }
  const record = { file: q.recordIn, names };
  if (mode === 'accept-new' || mode === 'off') return { kind: 'accept', record };
  const unknown = `host key for ${name} is not known; the host offered ${offered(key)}`;
  if (mode === 'strict') return { kind: 'refuse', error: `${unknown} ${note}. ${howTo}.` };
  const otherTypes = q.entries.some((e) => e.marker === undefined && matchHost(e, name));
  return {
    kind: 'ask',
    question:
      `The authenticity of host '${name}' can't be established${otherTypes ? '\nbut keys of different type are already known for this host' : ''}.\n` +
      `${offered(key)}.\nAre you sure you want to continue connecting (yes/no/[fingerprint])? `,
    refusal: `${unknown}, and there is no terminal to confirm it on ${note}. ${howTo}.`,
    record,
  };
}

/**
 * What an answer to ssh's host key question means: `yes`, or the key's own fingerprint typed
 * back (sshconnect.c confirm()).
 */
export function confirmsHostKey(answer: string, key: Buffer): boolean {
  const a = answer.trim();
  return a.toLowerCase() === 'yes' || a === hostKeyFingerprint(key);
}

/** OpenSSH 9.2's HostKeyAlgorithms default (myproposal.h KEX_DEFAULT_PK_ALG), best first. */
const OPENSSH_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'rsa-sha2-512',
  'rsa-sha2-256',
];

/** Every host key algorithm OpenSSH 9.2 knows, in its order (`ssh -Q HostKeyAlgorithms`): what HostKeyAlgorithms may name. */
const OPENSSH_ALL_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-dss',
  'ssh-dss-cert-v01@openssh.com',
  'ssh-rsa',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512',
  'rsa-sha2-512-cert-v01@openssh.com',
];

/** The algorithms ssh2 can verify (its own list; it refuses a name not on it). */
function ssh2HostKeyAlgorithms(): Set<string> {
  const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as { SUPPORTED_SERVER_HOST_KEY?: string[] };
  return new Set(constants.SUPPORTED_SERVER_HOST_KEY ?? []);
}

const SSH2_HOST_KEY_ALGORITHMS = ssh2HostKeyAlgorithms();

/** OpenSSH's default list, less what ssh2 cannot verify. */
export const HOST_KEY_ALGORITHMS = OPENSSH_HOST_KEY_ALGORITHMS.filter((a) => SSH2_HOST_KEY_ALGORITHMS.has(a));

const isCertificateAlgorithm = (alg: string) => alg.includes('-cert-v01@openssh.com');

/**
 * Why a HostKeyAlgorithms value is refused (ssh: "Bad key types"): a name OpenSSH does not know
 * (after a `+`, `^` or none: `-` lists are patterns only). Undefined when it is good.
 */
export function badHostKeyAlgorithms(value: string): string | undefined {
  if (value.startsWith('-')) return undefined;
  const names = (/^[+^]/.test(value) ? value.slice(1) : value).split(',');
  const bad = names.filter((n) => !n.includes('*') && !n.includes('?') && !OPENSSH_ALL_HOST_KEY_ALGORITHMS.includes(n));
  return bad.length ? `unknown host key algorithm${bad.length > 1 ? 's' : ''} ${bad.join(', ')}` : undefined;
}

/**
 * The host key algorithms a HostKeyAlgorithms value asks for, as kex_assemble_names() makes them
 * from OpenSSH's default list: `+list` appended, `-list` (patterns) removed, `^list` put first,
 * else the list itself (patterns matched against every algorithm OpenSSH knows); then those ssh2
 * can verify. `byKnownHosts`: ssh still orders them by the known keys (no value, `+`, `-`, `^`);
 * a list given outright is used exactly.
 */
export function hostKeyAlgorithmsFor(value: string | undefined): { algorithms: string[]; byKnownHosts: boolean } {
  if (value === undefined || value === '') return { algorithms: [...HOST_KEY_ALGORITHMS], byKnownHosts: true };
  const first = value[0];
  let list: string[];
  if (first === '-') {
    const patterns = value.slice(1);
    list = OPENSSH_HOST_KEY_ALGORITHMS.filter((a) => matchPatternList(a, patterns) !== 1);
  } else {
    const asked = (first === '+' || first === '^' ? value.slice(1) : value).split(',').filter((n) => n !== '');
    const wanted = first === '+' ? [...OPENSSH_HOST_KEY_ALGORITHMS, ...asked] : first === '^' ? [...asked, ...OPENSSH_HOST_KEY_ALGORITHMS] : asked;
    list = wanted.flatMap((n) => OPENSSH_ALL_HOST_KEY_ALGORITHMS.filter((a) => matchPattern(a, n)));
  }
  return { algorithms: [...new Set(list)].filter((a) => SSH2_HOST_KEY_ALGORITHMS.has(a)), byKnownHosts: first === '+' || first === '-' || first === '^' };
}

/** The key type in known_hosts that an algorithm's keys have: `rsa-sha2-512(-cert…)` → `ssh-rsa`. */
function plainKeyType(alg: string): string {
  const plain = alg.replace('-cert-v01@openssh.com', '');
  return plain.startsWith('rsa-sha2-') ? 'ssh-rsa' : plain;
}

/**
 * The host key algorithms to ask for, as ssh orders them: when known_hosts has a key of the best
 * algorithm's type for `name`, the list as it is; else first (in the list's order) the
 * certificate algorithms when an `@cert-authority` line covers the name, and the algorithms of
 * the key types known for it; then the rest. So a host known by its RSA key is asked for RSA,
 * and not reported as changed for offering its ed25519 key first.
 */
export function orderHostKeyAlgorithms(entries: KnownHostEntry[], name: string, algorithms: readonly string[] = HOST_KEY_ALGORITHMS): string[] {
  const forName = entries.filter((e) => matchHost(e, name));
  const knownTypes = new Set(forName.filter((e) => e.marker === undefined).map((e) => e.keyType));
  const hasCa = forName.some((e) => e.marker === 'cert-authority');
  if (algorithms.length === 0 || knownTypes.has(plainKeyType(algorithms[0]!))) return [...algorithms];
  const preferred = (alg: string) => (isCertificateAlgorithm(alg) && hasCa) || knownTypes.has(plainKeyType(alg));
  return [...algorithms.filter(preferred), ...algorithms.filter((a) => !preferred(a))];
}
