import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  checkHostKey,
  hostKeyFingerprint,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  matchHost,
  parseKnownHosts,
  readKnownHosts,
} from '../../../src/transport/openssh/known-hosts.js';

interface Key {
  pub: string;
  type: string;
  b64: string;
  blob: Buffer;
}

let dir: string;
let keyA: Key;
let keyB: Key;
let keyC: Key; // ecdsa: a different key type
let keyCa: Key;

function genKey(name: string, type: string): Key {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@test`, '-f', path]);
  const pub = `${path}.pub`;
  const [ktype, b64] = readFileSync(pub, 'utf8').trim().split(/\s+/);
  if (!ktype || !b64) throw new Error(`bad ${pub}`);
  return { pub, type: ktype, b64, blob: Buffer.from(b64, 'base64') };
}

function writeTmp(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `ssh-keygen -F name -f file` exit status 0: OpenSSH finds the name in the file. */
function sshKeygenFinds(name: string, file: string): boolean {
  return spawnSync('ssh-keygen', ['-F', name, '-f', file], { stdio: 'ignore' }).status === 0;
}

function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-known-hosts-'));
  keyA = genKey('a', 'ed25519');
  keyB = genKey('b', 'ed25519');
  keyC = genKey('c', 'ecdsa');
  keyCa = genKey('ca', 'ed25519');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('hostKeyFingerprint / keyTypeOf', () => {
  it('fingerprint equals what ssh-keygen -lf prints', () => {
    for (const k of [keyA, keyB, keyC]) {
      const out = execFileSync('ssh-keygen', ['-lf', k.pub], { encoding: 'utf8' });
      const fp = out.trim().split(/\s+/)[1];
      expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      expect(hostKeyFingerprint(k.blob)).toBe(fp);
    }
  });

  it('reads the key type from the blob', () => {
    expect(keyTypeOf(keyA.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(keyC.blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(keyC.blob)).toBe(keyC.type);
  });

  it('throws on a malformed blob', () => {
    expect(() => keyTypeOf(Buffer.alloc(2))).toThrow();
    expect(() => keyTypeOf(Buffer.from([0, 0, 0, 50, 0x61]))).toThrow();
  });
});

describe('parseKnownHosts', () => {
  it('parses markers, host fields, key and comment', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      `web1,10.0.0.5 ssh-ed25519 ${keyA.b64} my comment here`,
      `@revoked * ssh-ed25519 ${keyB.b64}`,
      `@cert-authority *.lab ssh-ed25519 ${keyCa.b64}\r`,
      `  [db]:2222\tecdsa-sha2-nistp256 ${keyC.b64}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries).toHaveLength(4);
    const [e0, e1, e2, e3] = entries;
    expect(e0).toMatchObject({
      line: 4,
      hostField: 'web1,10.0.0.5',
      hosts: { kind: 'patterns', patterns: ['web1', '10.0.0.5'] },
      keyType: 'ssh-ed25519',
      comment: 'my comment here',
    });
    expect(e0?.marker).toBeUndefined();
    expect(e0?.key.equals(keyA.blob)).toBe(true);
    expect(e1).toMatchObject({ marker: 'revoked', hostField: '*' });
    expect(e1?.comment).toBeUndefined();
    expect(e2).toMatchObject({ marker: 'cert-authority', hostField: '*.lab', keyType: 'ssh-ed25519' });
    expect(e2?.key.equals(keyCa.blob)).toBe(true);
    expect(e3).toMatchObject({ line: 7, hostField: '[db]:2222', keyType: 'ecdsa-sha2-nistp256' });
  });

  it('skips malformed lines without throwing', () => {
    const text = [
      'garbage',
      'host-only',
      'host ssh-ed25519',
      'host ssh-ed25519 !!!notbase64!!!',
      `host ssh-rsa ${keyA.b64}`, // declared type disagrees with the blob
      `@bogus host ssh-ed25519 ${keyA.b64}`,
      `@revoked`,
      `|1|notvalid ssh-ed25519 ${keyA.b64}`,
      `|1|AAAA|BBBB ssh-ed25519 ${keyA.b64}`, // salt/hash not 20 bytes
      `|2|${Buffer.alloc(20).toString('base64')}|${Buffer.alloc(20).toString('base64')} ssh-ed25519 ${keyA.b64}`,
      `, ssh-ed25519 ${keyA.b64}`,
      `host ssh-ed25519 ${Buffer.from('xx').toString('base64')}`,
      `good ssh-ed25519 ${keyA.b64}`,
      '\u0000\u0001 binary junk',
    ].join('\n');
    let entries: ReturnType<typeof parseKnownHosts> = [];
    expect(() => {
      entries = parseKnownHosts(text);
    }).not.toThrow();
    expect(entries.map((e) => e.hostField)).toEqual(['good']);
    expect(entries[0]?.line).toBe(13);
    expect(checkHostKey(entries, knownHostsName('good', 22), keyA.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, knownHostsName('host', 22), keyA.blob)).toEqual({ status: 'unknown' });
  });

  it('handles empty text and a missing file', () => {
    expect(parseKnownHosts('')).toEqual([]);
    expect(readKnownHosts(join(dir, 'no', 'such', 'known_hosts'))).toEqual([]);
  });

  it('/dev/null is empty; a FIFO is refused at once, with the path (it hung for a writer)', () => {
    expect(readKnownHosts('/dev/null')).toEqual([]);
    const fifo = join(dir, 'known_hosts.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readKnownHosts(fifo)).toThrow(`cannot read known_hosts file ${fifo}: is a FIFO (named pipe), not a regular file`);
  });
});

describe('matchHost (plain patterns), cross-checked with ssh-keygen -F', () => {
  const patternLines = (b64: string): string =>
    `${[
      `web1 ssh-ed25519 ${b64}`,
      `[web2]:2222 ssh-ed25519 ${b64}`,
      `db1,db2,10.0.0.7 ssh-ed25519 ${b64}`,
      `*.lab,!bad.lab ssh-ed25519 ${b64}`,
      `node-? ssh-ed25519 ${b64}`,
      `[10.0.0.*]:2200 ssh-ed25519 ${b64}`,
      `UPPER.example ssh-ed25519 ${b64}`,
    ].join('\n')}\n`;

  const cases: Array<[string, number, number | undefined]> = [
    // host, port, index of the matching line (undefined: none)
    ['web1', 22, 0],
    ['web1', 2222, undefined],
    ['web2', 2222, 1],
    ['web2', 22, undefined],
    ['db1', 22, 2],
    ['db2', 22, 2],
    ['10.0.0.7', 22, 2],
    ['db3', 22, undefined],
    ['db1', 2200, undefined],
    ['x.lab', 22, 3],
    ['a.b.lab', 22, 3],
    ['X.LAB', 22, 3],
    ['bad.lab', 22, undefined],
    ['x.lab', 2222, undefined],
    ['lab', 22, undefined],
    ['node-1', 22, 4],
    ['node-12', 22, undefined],
    ['10.0.0.9', 2200, 5],
    ['10.0.0.9', 22, undefined],
    ['upper.example', 22, 6],
  ];

  it.each(cases)('%s port %i', (host, port, expected) => {
    const text = patternLines(keyA.b64);
    const entries = parseKnownHosts(text);
    expect(entries).toHaveLength(7);
    const matching = entries.flatMap((e, i) => (matchHost(e, knownHostsName(host, port)) ? [i] : []));
    expect(matching).toEqual(expected === undefined ? [] : [expected]);
    const file = writeTmp(`patterns-${host}-${port}`, text);
    expect(sshKeygenFinds(lookupName(host.toLowerCase(), port), file)).toBe(expected !== undefined);
    expect(checkHostKey(entries, knownHostsName(host, port), keyA.blob).status).toBe(expected === undefined ? 'unknown' : 'match');
  });

  it('a negated pattern excludes even when listed after a positive match', () => {
    const [e] = parseKnownHosts(`*,!10.0.0.1 ssh-ed25519 ${keyA.b64}`);
    expect(e).toBeDefined();
    expect(matchHost(e!, knownHostsName('10.0.0.2', 22))).toBe(true);
    expect(matchHost(e!, knownHostsName('10.0.0.1', 22))).toBe(false);
    expect(matchHost(e!, knownHostsName('10.0.0.1', 2222))).toBe(true); // the name is then [10.0.0.1]:2222
    const [onlyNeg] = parseKnownHosts(`!foo ssh-ed25519 ${keyA.b64}`);
    expect(matchHost(onlyNeg!, knownHostsName('bar', 22))).toBe(false);
  });
});

describe('hashed entries produced by ssh-keygen -H', () => {
  let file: string;
  let entries: ReturnType<typeof parseKnownHosts>;

  beforeAll(() => {
    file = writeTmp(
      'hashed_known_hosts',
      `${[
        `alpha ssh-ed25519 ${keyA.b64}`,
        `[beta]:2222 ssh-ed25519 ${keyA.b64}`,
        `gamma,10.1.2.3 ecdsa-sha2-nistp256 ${keyC.b64}`,
        `[10.9.9.9]:22000 ssh-ed25519 ${keyB.b64}`,
      ].join('\n')}\n`,
    );
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    entries = readKnownHosts(file);
  });

  it('every entry is hashed and no host name is left in the file', () => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/alpha|beta|gamma|10\.1\.2\.3|10\.9\.9\.9/);
    expect(entries).toHaveLength(5); // the comma list becomes two lines
    for (const e of entries) {
      expect(e.hostField.startsWith('|1|')).toBe(true);
      expect(e.hosts.kind).toBe('hashed');
    }
  });

  const cases: Array<[string, number, 'match' | 'unknown', 'a' | 'b' | 'c']> = [
    ['alpha', 22, 'match', 'a'],
    ['ALPHA', 22, 'match', 'a'],
    ['alpha', 2222, 'unknown', 'a'],
    ['beta', 2222, 'match', 'a'],
    ['beta', 22, 'unknown', 'a'],
    ['gamma', 22, 'match', 'c'],
    ['10.1.2.3', 22, 'match', 'c'],
    ['10.9.9.9', 22000, 'match', 'b'],
    ['10.9.9.9', 22, 'unknown', 'b'],
    ['delta', 22, 'unknown', 'a'],
  ];

  it.each(cases)('%s port %i → %s (agrees with ssh-keygen -F)', (host, port, status, k) => {
    const key = { a: keyA, b: keyB, c: keyC }[k];
    expect(checkHostKey(entries, knownHostsName(host, port), key.blob).status).toBe(status);
    expect(entries.some((e) => matchHost(e, knownHostsName(host, port)))).toBe(status === 'match');
    expect(sshKeygenFinds(lookupName(host.toLowerCase(), port), file)).toBe(status === 'match');
  });

  it('a different key for a hashed host is changed', () => {
    expect(checkHostKey(entries, knownHostsName('beta', 2222), keyB.blob)).toEqual({
      status: 'changed',
      knownFingerprints: [hostKeyFingerprint(keyA.blob)],
    });
  });
});

describe('checkHostKey', () => {
  it('several keys for one host: any one matching is a match', () => {
    const entries = parseKnownHosts(
      [`multi ssh-ed25519 ${keyB.b64}`, `multi ecdsa-sha2-nistp256 ${keyC.b64}`, `multi,other ssh-ed25519 ${keyA.b64}`].join('\n'),
    );
    expect(checkHostKey(entries, knownHostsName('multi', 22), keyA.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, knownHostsName('multi', 22), keyC.blob)).toEqual({ status: 'match' });
  });

  it('changed: lists the known fingerprints, as ssh-keygen -lf prints them', () => {
    const entries = parseKnownHosts([`srv ssh-ed25519 ${keyA.b64}`, `srv ecdsa-sha2-nistp256 ${keyC.b64}`, `srv ssh-ed25519 ${keyA.b64}`].join('\n'));
    const result = checkHostKey(entries, knownHostsName('srv', 22), keyB.blob);
    const lf = (k: Key): string => execFileSync('ssh-keygen', ['-lf', k.pub], { encoding: 'utf8' }).split(/\s+/)[1]!;
    expect(result).toEqual({ status: 'changed', knownFingerprints: [lf(keyA), lf(keyC)] });
  });

  it('changed for a non-22 port only looks at that port', () => {
    const entries = parseKnownHosts([`srv ssh-ed25519 ${keyA.b64}`, `[srv]:2222 ssh-ed25519 ${keyB.b64}`].join('\n'));
    expect(checkHostKey(entries, knownHostsName('srv', 2222), keyB.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, knownHostsName('srv', 2222), keyA.blob)).toEqual({
      status: 'changed',
      knownFingerprints: [hostKeyFingerprint(keyB.blob)],
    });
    expect(checkHostKey(entries, knownHostsName('srv', 2200), keyA.blob)).toEqual({ status: 'unknown' });
  });

  it('unknown when no entry covers the host', () => {
    const entries = parseKnownHosts(`srv ssh-ed25519 ${keyA.b64}\n`);
    expect(checkHostKey(entries, knownHostsName('elsewhere', 22), keyA.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey([], knownHostsName('srv', 22), keyA.blob)).toEqual({ status: 'unknown' });
  });

  it('@revoked wins over a matching plain entry', () => {
    const entries = parseKnownHosts([`srv ssh-ed25519 ${keyA.b64}`, `@revoked * ssh-ed25519 ${keyA.b64}`].join('\n'));
    expect(checkHostKey(entries, knownHostsName('srv', 22), keyA.blob)).toEqual({ status: 'revoked' });
    expect(checkHostKey(entries, knownHostsName('new-host', 2222), keyA.blob)).toEqual({ status: 'revoked' });
  });

  it('@revoked for another key does not make the host known', () => {
    const entries = parseKnownHosts(`@revoked srv ssh-ed25519 ${keyB.b64}\n`);
    expect(checkHostKey(entries, knownHostsName('srv', 22), keyA.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, knownHostsName('srv', 22), keyB.blob)).toEqual({ status: 'revoked' });
    expect(checkHostKey(entries, knownHostsName('other', 22), keyB.blob)).toEqual({ status: 'unknown' }); // the marker's host pattern applies
  });

  it('@cert-authority entries never match a plain host key', () => {
    const entries = parseKnownHosts(`@cert-authority *.lab,srv ssh-ed25519 ${keyA.b64}\n`);
    expect(entries).toHaveLength(1);
    expect(matchHost(entries[0]!, knownHostsName('srv', 22))).toBe(true); // the pattern covers it...
    expect(checkHostKey(entries, knownHostsName('srv', 22), keyA.blob)).toEqual({ status: 'unknown' }); // ...the key does not count
    expect(checkHostKey(entries, knownHostsName('x.lab', 22), keyB.blob)).toEqual({ status: 'unknown' });
  });
});

describe('knownHostsLine', () => {
  it('writes host or [host]:port, the key type and base64', () => {
    expect(knownHostsLine([knownHostsName('web1', 22)], keyA.blob)).toBe(`web1 ssh-ed25519 ${keyA.b64}`);
    expect(knownHostsLine([knownHostsName('10.0.0.5', 2222)], keyC.blob)).toBe(`[10.0.0.5]:2222 ecdsa-sha2-nistp256 ${keyC.b64}`);
  });

  it('refuses host names that would corrupt the file', () => {
    expect(() => knownHostsLine([knownHostsName('a b', 22)], keyA.blob)).toThrow();
    expect(() => knownHostsLine('a,b', 22, keyA.blob)).toThrow();
    expect(() => knownHostsLine([knownHostsName('', 22)], keyA.blob)).toThrow();
  });
});

describe('appendKnownHost', () => {
  it('creates the directory (0700) and file (0600), and the line matches on re-read and for ssh-keygen -F', () => {
    const sshDir = join(dir, 'home', '.ssh');
    const file = join(sshDir, 'known_hosts');
    expect(existsSync(sshDir)).toBe(false);
    expect(appendKnownHost(file, [knownHostsName('10.0.0.5', 2222)], keyA.blob)).toBe(true);
    expect(statSync(sshDir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`[10.0.0.5]:2222 ssh-ed25519 ${keyA.b64}\n`);
    expect(checkHostKey(readKnownHosts(file), knownHostsName('10.0.0.5', 2222), keyA.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(readKnownHosts(file), knownHostsName('10.0.0.5', 22), keyA.blob)).toEqual({ status: 'unknown' });
    expect(sshKeygenFinds('[10.0.0.5]:2222', file)).toBe(true);
    expect(sshKeygenFinds('10.0.0.5', file)).toBe(false);

    appendKnownHost(file, [knownHostsName('web1', 22)], keyC.blob);
    expect(checkHostKey(readKnownHosts(file), knownHostsName('web1', 22), keyC.blob)).toEqual({ status: 'match' });
    expect(sshKeygenFinds('web1', file)).toBe(true);
    // the whole file is valid for OpenSSH: ssh-keygen -H accepts it
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readKnownHosts(file).every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(checkHostKey(readKnownHosts(file), knownHostsName('web1', 22), keyC.blob)).toEqual({ status: 'match' });
  });

  it('adds a newline first when the file does not end with one', () => {
    const file = writeTmp('no_newline', `old ssh-ed25519 ${keyB.b64} comment`);
    appendKnownHost(file, [knownHostsName('new', 22)], keyA.blob);
    expect(readFileSync(file, 'utf8')).toBe(`old ssh-ed25519 ${keyB.b64} comment\nnew ssh-ed25519 ${keyA.b64}\n`);
    const entries = readKnownHosts(file);
    expect(checkHostKey(entries, knownHostsName('old', 22), keyB.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(entries, knownHostsName('new', 22), keyA.blob)).toEqual({ status: 'match' });
  });

  it('many concurrent appends: one line per host, none torn', async () => {
    const file = join(dir, 'concurrent', 'known_hosts');
    const hosts = Array.from({ length: 20 }, (_, i) => `10.0.1.${i}`);
    await Promise.all(
      [...hosts, ...hosts, ...hosts].map(async (h, i) => {
        await new Promise((r) => setTimeout(r, i % 5));
        appendKnownHost(file, [knownHostsName(h, 22)], keyA.blob);
      }),
    );
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(hosts.length);
    // a key already there is not added again, and the caller is told (it counts what was added)
    expect(appendKnownHost(file, [knownHostsName(hosts[0]!, 22)], keyA.blob)).toBe(false);
    const entries = readKnownHosts(file);
    for (const h of hosts) expect(checkHostKey(entries, knownHostsName(h, 22), keyA.blob)).toEqual({ status: 'match' });
  });
});
