import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/transport/keys.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-keys-'));
const keygen = (name: string, type: string, pass: string) => execFileSync('ssh-keygen', ['-q', '-t', type, '-N', pass, '-C', name, '-f', join(dir, name)]);

describe('KeyStore', () => {
  const saved = process.env.CNET_SSH_KEY_PASSPHRASE;
  beforeAll(() => {
    keygen('plain', 'ed25519', '');
    keygen('locked', 'ed25519', 'sesame');
    keygen('rsa', 'rsa', '');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CNET_SSH_KEY_PASSPHRASE;
    else process.env.CNET_SSH_KEY_PASSPHRASE = saved;
  });

  /** the loaded key's signature checks out against the public key file */
  function signsFor(store: KeyStore, name: string): boolean {
    const loaded = store.get(join(dir, name));
    if ('problem' in loaded) throw new Error(loaded.problem);
    const pub = ssh2.utils.parseKey(readFileSync(join(dir, `${name}.pub`)));
    if (pub instanceof Error) throw pub;
    const data = Buffer.from('session id and request');
    const sig = loaded.key.sign(data);
    if (sig instanceof Error) throw sig;
    return pub.verify(data, sig) === true && loaded.key.getPublicSSH().equals(pub.getPublicSSH());
  }

  it('loads each key once, decrypted, and its signatures verify (again and again: the parsed key is reused per connection)', async () => {
    delete process.env.CNET_SSH_KEY_PASSPHRASE;
    const asked: string[] = [];
    const store = new KeyStore(async (file) => {
      asked.push(file);
      return 'sesame';
    });
    await store.load([join(dir, 'plain'), join(dir, 'locked'), join(dir, 'rsa'), join(dir, 'locked')]);
    expect(asked).toEqual([join(dir, 'locked')]);
    for (const name of ['plain', 'locked', 'rsa', 'plain']) expect(signsFor(store, name)).toBe(true);
  });

  it('names the problem of an encrypted key without a passphrase, a wrong one, and a file that is no key', async () => {
    delete process.env.CNET_SSH_KEY_PASSPHRASE;
    const none = new KeyStore(async () => undefined);
    await none.load([join(dir, 'locked'), join(dir, 'plain.pub'), join(dir, 'missing')]);
    expect(none.get(join(dir, 'locked'))).toMatchObject({ problem: expect.stringMatching(/is encrypted: set CNET_SSH_KEY_PASSPHRASE/) });
    expect(none.get(join(dir, 'plain.pub'))).toMatchObject({ problem: expect.stringMatching(/plain.pub is a public key/) });
    expect(none.get(join(dir, 'missing'))).toMatchObject({ problem: `cannot read private key file ${join(dir, 'missing')}: no such file` });
    process.env.CNET_SSH_KEY_PASSPHRASE = 'wrong';
    const wrong = new KeyStore();
    await wrong.load([join(dir, 'locked')]);
    expect(wrong.get(join(dir, 'locked'))).toMatchObject({ problem: expect.stringMatching(/wrong passphrase/) });
  });

  it('a FIFO or a device named as the key is refused at once, with the path (it was read until killed, or forever)', async () => {
    const fifo = join(dir, 'fifo-key');
    execFileSync('mkfifo', [fifo]);
    const store = new KeyStore(async () => undefined);
    await store.load([fifo, '/dev/zero']);
    expect(store.get(fifo)).toMatchObject({
      problem: expect.stringMatching(new RegExp(`^cannot read private key file ${fifo}: is a FIFO \\(named pipe\\), not a regular file`)),
    });
    expect(store.get('/dev/zero')).toMatchObject({ problem: expect.stringMatching(/^cannot read private key file \/dev\/zero: is a character device/) });
  });
});
