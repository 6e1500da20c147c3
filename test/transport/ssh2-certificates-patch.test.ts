/**
 * patches/ssh2+1.17.0.patch is applied (npm ci runs patch-package on postinstall; in a checkout
 * installed before it, run `npx patch-package`). What it does over SSH is measured in
 * test/e2e/certificates.test.ts; this says plainly when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';

const constants = createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as { SUPPORTED_SERVER_HOST_KEY: string[] };

describe('ssh2 with the certificates patch', () => {
  it('knows the certificate host key algorithms (offered only when listed)', () => {
    expect(constants.SUPPORTED_SERVER_HOST_KEY, 'patches/ssh2+1.17.0.patch is not applied: run npx patch-package').toEqual(
      expect.arrayContaining([
        'ssh-ed25519-cert-v01@openssh.com',
        'ecdsa-sha2-nistp256-cert-v01@openssh.com',
        'ecdsa-sha2-nistp384-cert-v01@openssh.com',
        'ecdsa-sha2-nistp521-cert-v01@openssh.com',
        'rsa-sha2-512-cert-v01@openssh.com',
        'rsa-sha2-256-cert-v01@openssh.com',
        'ssh-rsa-cert-v01@openssh.com',
      ]),
    );
  });

  it('reads a certificate blob (as an ssh-agent lists one) as the certificate, with the key it certifies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-ssh2-patch-'));
    try {
      for (const k of ['ca', 'user']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', join(dir, k)]);
      execFileSync('ssh-keygen', ['-q', '-s', join(dir, 'ca'), '-I', 'u', '-n', 'root', join(dir, 'user.pub')]);
      const blob = Buffer.from(readFileSync(join(dir, 'user-cert.pub'), 'utf8').split(/\s+/)[1]!, 'base64');
      const key = ssh2.utils.parseKey(blob);
      if (key instanceof Error) throw key;
      expect(key.type).toBe('ssh-ed25519-cert-v01@openssh.com');
      expect(key.getPublicSSH().equals(blob)).toBe(true);
      const priv = ssh2.utils.parseKey(readFileSync(join(dir, 'user')));
      if (priv instanceof Error) throw priv;
      const data = Buffer.from('signed');
      expect(key.verify(data, priv.sign(data) as Buffer)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
