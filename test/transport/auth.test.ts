/**
 * The order keys and certificates are offered in, as ssh 9.2 offers them (measured with
 * `ssh -v`: "Will attempt key" lines): CertificateFile certificates first; each IdentityFile then
 * its FILE-cert.pub, only when no CertificateFile is given; then the agent. Keys and certificates
 * made here by the real ssh-keygen. That sshd accepts what is offered: test/e2e/certificates.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCertificates } from '../../src/transport/agent-certificates.js';
import { authMethods, type AuthMethod } from '../../src/transport/auth.js';
import { KeyStore } from '../../src/transport/keys.js';
import type { Hop } from '../../src/transport/target.js';

let dir: string;
const f = (name: string) => join(dir, name);
const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-auth-'));
  for (const k of ['ca', 'a', 'b', 'c']) keygen(['-t', 'ed25519', '-N', '', '-C', '', '-f', f(k)]);
  keygen(['-s', f('ca'), '-I', 'a', '-n', 'alice', f('a.pub')]); // a-cert.pub beside a
  keygen(['-s', f('ca'), '-I', 'b', '-n', 'alice', f('b.pub')]); // b-cert.pub beside b
  writeFileSync(f('c.pub.copy'), readFileSync(f('c.pub')));
  keygen(['-s', f('ca'), '-I', 'c', '-n', 'alice', f('c.pub.copy')]); // c.pub.copy-cert.pub: a CertificateFile
  keygen(['-s', f('ca'), '-I', 'h', '-h', '-n', 'alice', '-O', 'clear', f('c.pub')]); // c-cert.pub: a host certificate
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hop(identityFiles: string[], certificateFiles: string[] = []): Hop {
  return { label: 'alice@h', address: 'h', port: 22, user: 'alice', identityFiles, certificateFiles, identitiesOnly: true } as unknown as Hop;
}

/** each method as `file` or `file+cert` (the key it uses, and whether it is sent as a certificate) */
function offered(methods: AuthMethod[], keys: Record<string, string>): string[] {
  return methods.map((m) => {
    if (m.type !== 'publickey') return m.type;
    const blob = m.key.getPublicSSH();
    const type = blob.toString('latin1', 4, 4 + blob.readUInt32BE(0));
    const plainOf = Object.getPrototypeOf(m.key) as typeof m.key;
    const name = Object.entries(keys).find(([, pub]) => pub === (type.includes('-cert-') ? plainOf : m.key).getPublicSSH().toString('base64'))?.[0];
    return type.includes('-cert-') ? `${name}+cert(${type})` : `${name}`;
  });
}

describe('authMethods: keys and certificates in ssh order', () => {
  it('IdentityFile then its FILE-cert.pub; a host certificate beside a key is passed over', async () => {
    const store = new KeyStore(async () => undefined);
    await store.load([f('a'), f('b'), f('c')]);
    const pubs = Object.fromEntries(['a', 'b', 'c'].map((k) => [k, readFileSync(f(`${k}.pub`), 'utf8').split(/\s+/)[1]!]));
    const { methods, problems } = authMethods(hop([f('a'), f('b'), f('c')]), store);
    expect(problems).toEqual([]);
    expect(offered(methods, pubs)).toEqual(['a', 'a+cert(ssh-ed25519-cert-v01@openssh.com)', 'b', 'b+cert(ssh-ed25519-cert-v01@openssh.com)', 'c']);
  });

  it('CertificateFile first, paired with the IdentityFile it certifies; then no FILE-cert.pub at all (as ssh)', async () => {
    const store = new KeyStore(async () => undefined);
    await store.load([f('a'), f('c')]);
    const pubs = Object.fromEntries(['a', 'c'].map((k) => [k, readFileSync(f(`${k}.pub`), 'utf8').split(/\s+/)[1]!]));
    const { methods, problems } = authMethods(hop([f('a'), f('c')], [f('c.pub.copy-cert.pub')]), store);
    expect(problems).toEqual([]);
    expect(offered(methods, pubs)).toEqual(['c+cert(ssh-ed25519-cert-v01@openssh.com)', 'a', 'c']);
  });

  it('a CertificateFile for a key no IdentityFile holds, a host certificate, a missing file: problems, not offered', async () => {
    const store = new KeyStore(async () => undefined);
    await store.load([f('a')]);
    const { methods, problems } = authMethods(hop([f('a')], [f('b-cert.pub'), f('c-cert.pub'), f('nope-cert.pub')]), store);
    expect(methods).toHaveLength(1);
    expect(problems[0]).toMatch(/b-cert\.pub certifies ssh-ed25519 SHA256:\S+, which no IdentityFile holds/);
    expect(problems[1]).toMatch(/c-cert\.pub is a host certificate, not a user certificate/);
    expect(problems[2]).toMatch(/nope-cert\.pub/);
  });

  it('a CertificateFile for a key no IdentityFile holds goes to the ssh-agent (not under IdentitiesOnly), before the agent itself', async () => {
    const store = new KeyStore(async () => undefined);
    await store.load([f('a')]);
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = f('agent.sock');
    try {
      const h = { ...hop([f('a')], [f('b-cert.pub')]), identitiesOnly: false };
      const { methods, problems } = authMethods(h, store);
      expect(problems).toEqual([]);
      expect(methods.map((m) => m.type)).toEqual(['agent', 'publickey', 'agent']);
      expect(methods[0]!.type === 'agent' && methods[0]!.agent).toBeInstanceOf(AgentCertificates);
      expect(methods[2]!.type === 'agent' && methods[2]!.agent).toBe(f('agent.sock'));
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it('the certificate signs with the private key it certifies', async () => {
    const store = new KeyStore(async () => undefined);
    await store.load([f('a')]);
    const m = authMethods(hop([f('a')]), store).methods[1]!;
    if (m.type !== 'publickey') throw new Error('expected a key');
    expect(m.key.type).toBe('ssh-ed25519-cert-v01@openssh.com');
    expect(m.key.isPrivateKey()).toBe(true);
    const data = Buffer.from('data');
    const sig = m.key.sign(data);
    const plain = Object.getPrototypeOf(m.key) as typeof m.key;
    expect(plain.verify(data, sig as Buffer)).toBe(true);
  });
});

describe('authMethods: key files that do not exist', () => {
  it('are passed over as ssh passes them over, and named in one line when nothing else is left', async () => {
    const store = new KeyStore(async () => undefined);
    const files = [f('nope1'), f('a'), f('nope2')];
    await store.load(files);
    const withKey = authMethods(hop(files), store);
    expect(withKey.methods.map((m) => m.type)).toEqual(['publickey', 'publickey']);
    const none = authMethods(hop([f('nope1'), f('nope2')]), store);
    expect(none.methods).toEqual([]);
    expect(none.problems).toEqual([`no key file: ${f('nope1')}, ${f('nope2')} do not exist`]);
  });
});
