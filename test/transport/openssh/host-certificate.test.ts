/**
 * Host certificates against known_hosts, as ssh 9.2's check_host_key() treats them: keys and
 * certificates made here by the real ssh-keygen. That the real ssh agrees (connects or refuses
 * alike) is checked over SSH in test/e2e/certificates.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certifiedKey,
  checkHostCertificateKey,
  hostCertificateRefusal,
  isCertificateBlob,
  principalOf,
} from '../../../src/transport/openssh/host-certificate.js';
import { checkHostKey, knownHostsName, parseKnownHosts } from '../../../src/transport/openssh/known-hosts.js';

let dir: string;
const pub = (name: string) =>
  readFileSync(join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
const blob = (file: string) => Buffer.from(readFileSync(join(dir, file), 'utf8').trim().split(/\s+/)[1]!, 'base64');
const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { env: { ...process.env, TZ: 'UTC' } });
/** a certificate for `host`'s key, signed by `ca`; returns its blob */
function certify(name: string, ca: string, opts: string[]): Buffer {
  writeFileSync(join(dir, `${name}.pub`), readFileSync(join(dir, 'host.pub')));
  keygen(['-s', join(dir, ca), '-I', name, '-h', ...opts, join(dir, `${name}.pub`)]);
  return blob(`${name}-cert.pub`);
}

let good: Buffer;
let other: Buffer;
let expired: Buffer;
let anyName: Buffer;
let hostKey: Buffer;
const now = new Date();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-host-cert-'));
  for (const k of ['ca', 'ca2', 'host', 'other']) keygen(['-t', 'ed25519', '-N', '', '-C', '', '-f', join(dir, k)]);
  hostKey = blob('host.pub');
  good = certify('good', 'ca', ['-n', 'web1.lab,10.0.0.5']);
  other = certify('other-ca', 'ca2', ['-n', 'web1.lab']);
  expired = certify('expired', 'ca', ['-n', 'web1.lab', '-V', '20200101:20200102']);
  anyName = certify('any', 'ca', []);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (text: string, cert: Buffer, host = 'web1.lab', port = 22) =>
  checkHostCertificateKey(parseKnownHosts(text), knownHostsName(host, port), host, cert, now);

describe('checkHostCertificateKey', () => {
  it('a CA in a matching @cert-authority line, a valid certificate for the name: trusted, no plain key needed', () => {
    expect(check(`@cert-authority *.lab ${pub('ca')}\n`, good)).toEqual({ status: 'match' });
    expect(check(`@cert-authority 10.0.0.* ${pub('ca')}\n`, good, '10.0.0.5')).toEqual({ status: 'match' });
    // the lookup name has the port, the principal has not
    expect(check(`@cert-authority [web1.lab]:2222 ${pub('ca')}\n`, good, 'web1.lab', 2222)).toEqual({ status: 'match' });
    // an empty principal list is valid for every name
    expect(check(`@cert-authority * ${pub('ca')}\n`, anyName, 'whatever.example')).toEqual({ status: 'match' });
  });

  it('a hashed host field works as for plain keys', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('web1.lab').digest();
    expect(check(`@cert-authority |1|${salt.toString('base64')}|${hash.toString('base64')} ${pub('ca')}\n`, good)).toEqual({ status: 'match' });
  });

  it('the CA for another name, another CA, or none: refused, with the reason', () => {
    // the CA key as a plain line is a plain key for the host, not the host's: changed, as ssh says
    expect(check(`web1.lab ${pub('ca')}\n`, good).status).toBe('changed');
    for (const [text, cert] of [
      [`@cert-authority *.example ${pub('ca')}\n`, good],
      [`@cert-authority *.lab ${pub('ca')}\n`, other],
      ['', good],
    ] as const) {
      const r = check(text, cert);
      expect(r.status).toBe('cert-refused');
      expect(r.status === 'cert-refused' && r.reason).toMatch(
        /which no @cert-authority line for web1\.lab in known_hosts lists; the key it certifies \(ssh-ed25519 SHA256:/,
      );
    }
  });

  it('a certificate that fails the checks: refused with why (principal, expiry), unless the plain key is known (ssh falls back to it)', () => {
    const wrong = check(`@cert-authority * ${pub('ca')}\n`, good, 'web2.lab');
    expect(wrong.status === 'cert-refused' && wrong.reason).toMatch(/"web2\.lab" is not among the certificate's principals \("web1\.lab", "10\.0\.0\.5"\)/);
    const old = check(`@cert-authority * ${pub('ca')}\n`, expired);
    expect(old.status === 'cert-refused' && old.reason).toMatch(/has expired \(valid until 2020-01-02T00:00:00Z\)/);
    // the plain key known: ssh drops the certificate and trusts the key
    expect(check(`@cert-authority * ${pub('ca')}\nweb1.lab ${pub('host')}\n`, expired)).toEqual({ status: 'match' });
    expect(check(`web1.lab ${pub('host')}\n`, other)).toEqual({ status: 'match' });
    // another plain key known: changed, as ssh says
    expect(check(`web1.lab ${pub('other')}\n`, other).status).toBe('changed');
  });

  it('@revoked: the certified key or the CA key revokes the host, even with the CA trusted', () => {
    expect(check(`@cert-authority * ${pub('ca')}\n@revoked * ${pub('ca')}\n`, good)).toEqual({ status: 'revoked' });
    expect(check(`@cert-authority * ${pub('ca')}\n@revoked web1.lab ${pub('host')}\n`, good)).toEqual({ status: 'revoked' });
    expect(check(`@cert-authority * ${pub('ca')}\n@revoked other.lab ${pub('host')}\n`, good)).toEqual({ status: 'match' });
  });

  it('a malformed certificate is refused, never thrown', () => {
    const t = Buffer.from(good.subarray(0, 60));
    const r = check(`@cert-authority * ${pub('ca')}\n`, t);
    expect(r.status === 'cert-refused' && r.reason).toMatch(/cannot be read: malformed/);
    const flipped = Buffer.from(good);
    flipped[100] = flipped[100]! ^ 1; // inside the certified key
    const s = check(`@cert-authority * ${pub('ca')}\n`, flipped);
    expect(s.status === 'cert-refused' && s.reason).toMatch(/does not verify/);
  });

  it('checkHostKey hands a certificate to it (one early return), plain keys as before', () => {
    const entries = parseKnownHosts(`@cert-authority *.lab ${pub('ca')}\n`);
    expect(checkHostKey(entries, 'web1.lab', good)).toEqual({ status: 'match' });
    // as in ssh, `*.lab` does not cover `[web1.lab]:2222`
    expect(checkHostKey(entries, '[web1.lab]:2222', good).status).toBe('cert-refused');
    expect(checkHostKey(parseKnownHosts(`@cert-authority [*.lab]:2222 ${pub('ca')}\n`), '[web1.lab]:2222', good)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, 'web1.lab', hostKey)).toEqual({ status: 'unknown' });
  });

  it('helpers', () => {
    expect(isCertificateBlob(good)).toBe(true);
    expect(isCertificateBlob(hostKey)).toBe(false);
    expect(certifiedKey(good)?.equals(hostKey)).toBe(true);
    expect(certifiedKey(hostKey)).toBe(hostKey);
    expect(principalOf('[web1.lab]:2222')).toBe('web1.lab');
    expect(principalOf('web1.lab')).toBe('web1.lab');
    const msg = hostCertificateRefusal('[web1.lab]:2222', 'its certificate has expired', '/home/u/.ssh/known_hosts');
    expect(msg).toContain('@cert-authority [web1.lab]:2222 <CA public key>');
    expect(msg).toContain('-n web1.lab');
  });
});
