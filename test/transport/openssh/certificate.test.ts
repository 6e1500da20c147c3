/**
 * OpenSSH certificates made here by the real `ssh-keygen -s` (OpenSSH 9.2): every CA key type
 * (ed25519, ecdsa nistp256/384/521, RSA signing rsa-sha2-512, rsa-sha2-256 and ssh-rsa) times every
 * certified key type, host and user, with principals, validity and options. Differential: each
 * parsed certificate, rendered as `ssh-keygen -L -f` prints one, equals its output (TZ=UTC).
 * Tampered blobs (a byte flipped in the signed part, every truncation, absurd lengths) are refused
 * with an Error, as ssh-keygen -L refuses them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostCertificate,
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  formatCertificateTime,
  isCertificateType,
  parseCertificate,
  verifyCertificateSignature,
  type CertificateOption,
  type OpenSshCertificate,
} from '../../../src/transport/openssh/certificate.js';

const ENV = { ...process.env, TZ: 'UTC', HOME: '/nonexistent' };
let dir: string;

const KEYS: { name: string; args: string[] }[] = [
  { name: 'ed25519', args: ['-t', 'ed25519'] },
  { name: 'ecdsa256', args: ['-t', 'ecdsa', '-b', '256'] },
  { name: 'ecdsa384', args: ['-t', 'ecdsa', '-b', '384'] },
  { name: 'ecdsa521', args: ['-t', 'ecdsa', '-b', '521'] },
  { name: 'rsa', args: ['-t', 'rsa', '-b', '2048'] },
];
/** CA key, and the signature algorithm ssh-keygen -s is told to use (-t) */
const CAS: { key: string; sig?: string; refusedByDefault?: boolean }[] = [
  { key: 'ed25519' },
  { key: 'ecdsa256' },
  { key: 'ecdsa384' },
  { key: 'ecdsa521' },
  { key: 'rsa', sig: 'rsa-sha2-512' },
  { key: 'rsa', sig: 'rsa-sha2-256' },
  { key: 'rsa', sig: 'ssh-rsa', refusedByDefault: true },
];

function keygen(args: string[]): string {
  return execFileSync('ssh-keygen', args, { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ssh-keygen -s` on a fresh copy of the key; returns the certificate file. */
function sign(ca: string, key: string, name: string, opts: string[]): string {
  const pub = join(dir, `${name}.pub`);
  writeFileSync(pub, readFileSync(join(dir, `key-${key}.pub`)));
  keygen(['-q', '-s', join(dir, `ca-${ca}`), ...opts, pub]);
  return join(dir, `${name}-cert.pub`);
}

const blobOf = (file: string) => Buffer.from(readFileSync(file, 'utf8').trim().split(/\s+/)[1]!, 'base64');
const fingerprint = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** sshkey_type(): the short type name ssh-keygen -L prints */
function shortType(type: string): string {
  const base = type.startsWith('ssh-ed25519') ? 'ED25519' : type.startsWith('ecdsa') ? 'ECDSA' : 'RSA';
  return isCertificateType(type) ? `${base}-CERT` : base;
}

/** sshkey_format_cert_validity(), in UTC */
function validity(c: OpenSshCertificate): string {
  const t = (v: bigint) => formatCertificateTime(v).replace(/Z$/, '');
  if (c.validAfter === 0n && c.validBefore === 0xffffffffffffffffn) return 'forever';
  if (c.validAfter === 0n) return `before ${t(c.validBefore)}`;
  if (c.validBefore === 0xffffffffffffffffn) return `after ${t(c.validAfter)}`;
  return `from ${t(c.validAfter)} to ${t(c.validBefore)}`;
}

const FLAGS = ['permit-X11-forwarding', 'permit-agent-forwarding', 'permit-port-forwarding', 'permit-pty', 'permit-user-rc', 'no-touch-required'];

/** ssh-keygen.c show_options() */
function showOptions(opts: CertificateOption[], critical: boolean): string[] {
  return opts.map(({ name, data }) => {
    const line = `                ${name}`;
    if (!critical && FLAGS.includes(name)) return line;
    if (critical && (name === 'force-command' || name === 'source-address')) return `${line} ${data.subarray(4).toString()}`;
    if (critical && name === 'verify-required') return line;
    if (data.length > 0) return `${line} UNKNOWN OPTION: ${data.toString('hex')} (len ${data.length})`;
    return `${line} UNKNOWN FLAG OPTION`;
  });
}

/** ssh-keygen.c print_cert(), from our parse */
function render(file: string, c: OpenSshCertificate): string {
  const caType = c.signatureKey.toString('latin1', 4, 4 + c.signatureKey.readUInt32BE(0));
  return [
    `${file}:`,
    `        Type: ${c.certType} ${c.type} certificate`,
    `        Public key: ${shortType(c.certType)} ${fingerprint(c.publicKey)}`,
    `        Signing CA: ${shortType(caType)} ${fingerprint(c.signatureKey)} (using ${c.signatureType})`,
    `        Key ID: "${c.keyId}"`,
    `        Serial: ${c.serial}`,
    `        Valid: ${validity(c)}`,
    `        Principals: ${c.principals.length === 0 ? '(none)' : ''}`,
    ...c.principals.map((p) => `                ${p}`),
    `        Critical Options: ${c.criticalOptions.length === 0 ? '(none)' : ''}`,
    ...showOptions(c.criticalOptions, true),
    `        Extensions: ${c.extensions.length === 0 ? '(none)' : ''}`,
    ...showOptions(c.extensions, false),
    '',
  ].join('\n');
}

interface Made {
  file: string;
  blob: Buffer;
  ca: (typeof CAS)[number];
  key: string;
  host: boolean;
}
const made: Made[] = [];

/** the options each case is signed with, by index: host and user, principals, validity, -O */
function optionsFor(i: number, host: boolean): string[] {
  const id = ['-I', `case ${i} "quoted" id`, '-z', String(1000 + i)];
  const validities = [[], ['-V', '20250101:20300101'], ['-V', 'always:20260301123456'], ['-V', '20240101:forever'], ['-V', '-1d:+52w']];
  const v = validities[i % validities.length]!;
  if (host) return ['-h', ...id, ...(i % 3 === 0 ? [] : ['-n', `web${i}.lab,10.0.0.${i},[web${i}.lab]:2222`]), ...v];
  const opts = [
    [],
    ['-O', 'clear', '-O', 'permit-pty'],
    ['-O', 'force-command=/usr/bin/true', '-O', 'source-address=10.0.0.0/8,192.168.1.1', '-O', 'no-x11-forwarding'],
    ['-O', 'critical:made-up=val', '-O', 'extension:made-up-flag', '-O', 'extension:made-up-ext=data'],
    ['-O', 'verify-required', '-O', 'no-agent-forwarding'],
  ][i % 5]!;
  return [...id, '-n', i % 2 ? 'alice' : 'alice,bob,root', ...v, ...opts];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-openssh-cert-'));
  for (const k of KEYS) {
    keygen(['-q', ...k.args, '-N', '', '-C', '', '-f', join(dir, `key-${k.name}`)]);
    keygen(['-q', ...k.args, '-N', '', '-C', '', '-f', join(dir, `ca-${k.name}`)]);
  }
  let i = 0;
  for (const ca of CAS) {
    for (const k of KEYS) {
      for (const host of [true, false]) {
        const name = `c${i}`;
        const file = sign(ca.key, k.name, name, [...(ca.sig ? ['-t', ca.sig] : []), ...optionsFor(i, host)]);
        made.push({ file, blob: blobOf(file), ca, key: k.name, host });
        i++;
      }
    }
  }
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parseCertificate: differential against ssh-keygen -L', () => {
  it(`every field of ${CAS.length * KEYS.length * 2} certificates (every CA × key type, host and user) as ssh-keygen -L -f prints it`, () => {
    let agree = 0;
    for (const m of made) {
      const c = parseCertificate(m.blob);
      expect(render(m.file, c)).toBe(keygen(['-L', '-f', m.file]));
      // the certified key is the one that was signed
      expect(c.publicKey.equals(blobOf(join(dir, `key-${m.key}.pub`)))).toBe(true);
      expect(c.signatureKey.equals(blobOf(join(dir, `ca-${m.ca.key}.pub`)))).toBe(true);
      expect(c.type).toBe(m.host ? 'host' : 'user');
      agree++;
    }
    expect(agree).toBe(70);
  });

  it('verifies every CA signature; refuses ssh-rsa (SHA-1) CA signatures as ssh does by default', () => {
    for (const m of made) {
      const why = verifyCertificateSignature(parseCertificate(m.blob));
      if (m.ca.refusedByDefault) {
        expect(why).toMatch(/signed with ssh-rsa \(SHA-1\).*CASignatureAlgorithms/);
        expect(verifyCertificateSignature(parseCertificate(m.blob), ['ssh-rsa'])).toBeUndefined();
      } else expect(why).toBeUndefined();
    }
  });

  it('a certificate signed by another CA key does not verify', () => {
    const a = made.find((m) => m.ca.key === 'ed25519')!;
    const b = made.find((m) => m.ca.key === 'ecdsa256')!;
    const c = parseCertificate(a.blob);
    // the CA key swapped for another of the same type, the signature kept: a forgery
    const other = blobOf(join(dir, 'key-ed25519.pub'));
    expect(verifyCertificateSignature({ ...c, signatureKey: other })).toMatch(/does not verify/);
    expect(verifyCertificateSignature({ ...c, signatureKey: parseCertificate(b.blob).signatureKey })).toMatch(/does not fit/);
  });

  it('isCertificateType', () => {
    expect(isCertificateType('ssh-ed25519-cert-v01@openssh.com')).toBe(true);
    expect(isCertificateType('rsa-sha2-512-cert-v01@openssh.com')).toBe(true);
    expect(isCertificateType('ssh-ed25519')).toBe(false);
  });
});

/** Does the real ssh-keygen -L accept this blob? */
function keygenAccepts(blob: Buffer, type: string): boolean {
  const f = join(dir, 'tampered-cert.pub');
  writeFileSync(f, `${type} ${blob.toString('base64')}\n`);
  return spawnSync('ssh-keygen', ['-L', '-f', f], { env: ENV, stdio: 'ignore' }).status === 0;
}

/** Parse and verify: the reason it is refused, or undefined. Never anything but an Error thrown. */
function refusal(blob: Buffer): string | undefined {
  let c: OpenSshCertificate;
  try {
    c = parseCertificate(blob);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  return verifyCertificateSignature(c, [...DEFAULT_CA_SIGNATURE_ALGORITHMS, 'ssh-rsa']);
}

describe('tampered certificates', () => {
  it('a byte flipped anywhere in the signed part is refused (as ssh-keygen -L refuses it)', () => {
    let flips = 0;
    let keygenChecked = 0;
    for (const [n, m] of made.entries()) {
      const c = parseCertificate(m.blob);
      const step = Math.max(1, Math.floor(c.signedLength / 40));
      for (let at = n % step; at < c.signedLength; at += step) {
        const t = Buffer.from(m.blob);
        t[at] = t[at]! ^ (1 << (at % 8));
        expect(refusal(t), `${m.file} byte ${at}`).toBeDefined();
        flips++;
        if (at % 7 === 0 && keygenChecked < 60) {
          expect(keygenAccepts(t, c.certType), `ssh-keygen -L on ${m.file} byte ${at}`).toBe(false);
          keygenChecked++;
        }
      }
    }
    expect(flips).toBeGreaterThan(2500);
  });

  it('every truncation, and trailing bytes, are refused with an Error', () => {
    for (const m of made.slice(0, 10)) {
      for (let len = 0; len < m.blob.length; len++) expect(() => parseCertificate(m.blob.subarray(0, len))).toThrow(/malformed|not a supported/);
      expect(() => parseCertificate(Buffer.concat([m.blob, Buffer.from([0])]))).toThrow(/after the signature/);
    }
  });

  it('absurd lengths in every length field are refused, never trusted', () => {
    const m = made.find((x) => x.key === 'ed25519' && !x.host)!;
    // walk the length fields of the blob as a parser would, set each to 0xffffffff and 0x7fffffff
    const offsets: number[] = [];
    let p = 0;
    const str = () => {
      offsets.push(p);
      p += 4 + m.blob.readUInt32BE(p);
    };
    str(); // type
    str(); // nonce
    str(); // key
    p += 8 + 4; // serial, type
    str(); // key id
    str(); // principals
    p += 16;
    str(); // critical
    str(); // extensions
    str(); // reserved
    str(); // signature key
    str(); // signature
    expect(p).toBe(m.blob.length);
    for (const at of offsets) {
      for (const v of [0xffffffff, 0x7fffffff, m.blob.length]) {
        const t = Buffer.from(m.blob);
        t.writeUInt32BE(v, at);
        expect(() => parseCertificate(t), `length at ${at} = ${v}`).toThrow(/malformed|not a supported/);
      }
    }
    expect(() => parseCertificate(Buffer.alloc(0))).toThrow(/malformed/);
    expect(() => parseCertificate(Buffer.from('00000000', 'hex'))).toThrow(/not a supported/);
  });
});

describe('checkHostCertificate (sshkey_cert_check_host)', () => {
  const hostCert = (pred: (m: Made) => boolean) => parseCertificate(made.find((m) => m.host && pred(m))!.blob);
  const now = new Date('2026-12-02T00:00:00Z');

  it('accepts a valid host certificate for a listed principal, whatever the CA type', () => {
    for (const m of made.filter((x) => x.host && !x.ca.refusedByDefault)) {
      const c = parseCertificate(m.blob);
      const name = c.principals[0] ?? 'any.name';
      const at = c.validBefore === 0xffffffffffffffffn ? now : new Date(Number(c.validAfter) * 1000 + 1000);
      expect(checkHostCertificate(c, { name, now: at }), m.file).toBeUndefined();
    }
  });

  it('an empty principal list is valid for any name (ssh: require_principal is 0 for hosts)', () => {
    const c = hostCert((m) => parseCertificate(m.blob).principals.length === 0 && !m.ca.refusedByDefault);
    expect(checkHostCertificate(c, { name: 'whatever.example', now: new Date(Number(c.validAfter) * 1000 + 1000) })).toBeUndefined();
  });

  it('refuses: another name, expired, not yet valid, a user certificate, a critical option, a bad signature, ssh-rsa', () => {
    const c = hostCert(
      (m) => parseCertificate(m.blob).principals.length > 0 && parseCertificate(m.blob).validBefore === 0xffffffffffffffffn && m.ca.key === 'ed25519',
    );
    expect(checkHostCertificate(c, { name: 'WEB1.lab', now })).toMatch(/not among the certificate's principals/);
    // exact comparison: no wildcard, no case folding
    expect(checkHostCertificate(c, { name: c.principals[0]!.toUpperCase(), now })).toMatch(/principals/);
    const timed = hostCert(
      (m) => parseCertificate(m.blob).validAfter > 0n && parseCertificate(m.blob).validBefore < 0xffffffffffffffffn && !m.ca.refusedByDefault,
    );
    const name = timed.principals[0] ?? 'x';
    expect(checkHostCertificate(timed, { name, now: new Date(Number(timed.validAfter) * 1000 - 1000) })).toMatch(/not yet valid/);
    expect(checkHostCertificate(timed, { name, now: new Date(Number(timed.validBefore) * 1000) })).toMatch(/expired/);
    expect(checkHostCertificate(timed, { name, now: new Date(Number(timed.validBefore) * 1000 - 1000) })).toBeUndefined();
    const user = parseCertificate(made.find((m) => !m.host && m.ca.key === 'ed25519')!.blob);
    expect(checkHostCertificate(user, { name: 'alice', now })).toMatch(/user certificate/);
    const crit = parseCertificate(blobOf(sign('ed25519', 'ed25519', 'crit', ['-h', '-I', 'x', '-O', 'critical:foo=bar'])));
    expect(checkHostCertificate(crit, { name: 'a', now })).toMatch(/critical options \("foo"\)/);
    const sha1 = hostCert((m) => !!m.ca.refusedByDefault);
    expect(checkHostCertificate(sha1, { name: sha1.principals[0] ?? 'x', now: new Date(Number(sha1.validAfter) * 1000 + 1000) })).toMatch(/ssh-rsa \(SHA-1\)/);
    const t = Buffer.from(c.blob);
    t[c.signedLength - 10] = t[c.signedLength - 10]! ^ 0x40;
    expect(checkHostCertificate(parseCertificate(t), { name: c.principals[0]!, now })).toMatch(/does not verify/);
  });
});
