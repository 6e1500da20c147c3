import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostKeyMode } from '../../../src/inventory/types.js';
import {
  HOST_KEY_ALGORITHMS,
  badHostKeyAlgorithms,
  confirmsHostKey,
  hostKeyAlgorithmsFor,
  judgeHostKey,
  orderHostKeyAlgorithms,
  type HostKeyQuery,
} from '../../../src/transport/openssh/host-key-policy.js';
import { checkHostKey, hostKeyFingerprint, knownHostsName, parseKnownHosts, readKnownHosts } from '../../../src/transport/openssh/known-hosts.js';

/** Keys made by the real ssh-keygen; the rules checked are OpenSSH 9.2's check_host_key() and order_hostkeyalgs(). */
let dir: string;
const keys: Record<string, { line: string; blob: Buffer }> = {};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-host-key-policy-'));
  for (const [name, type] of [
    ['a', 'ed25519'],
    ['b', 'ed25519'],
    ['rsa', 'rsa'],
    ['ecdsa', 'ecdsa'],
  ] as const) {
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', '', '-f', join(dir, name)]);
    const line = readFileSync(join(dir, `${name}.pub`), 'utf8').trim();
    keys[name] = { line, blob: Buffer.from(line.split(' ')[1]!, 'base64') };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = '/home/u/.ssh/known_hosts';
function query(mode: HostKeyMode, knownHosts: string, more: Partial<HostKeyQuery> = {}): HostKeyQuery {
  return {
    mode,
    name: 'web1',
    entries: parseKnownHosts(knownHosts),
    recordIn: FILE,
    recordable: true,
    scan: { host: 'web1', port: 22 },
    key: keys.b!.blob,
    ...more,
  };
}

describe('judgeHostKey: every mode × what known_hosts says, as ssh decides', () => {
  const known = {
    match: () => `web1 ${keys.b!.line}\n`,
    unknown: () => `other ${keys.a!.line}\n`,
    changed: () => `web1 ${keys.a!.line}\nweb1 ${keys.ecdsa!.line}\n`,
    revoked: () => `web1 ${keys.b!.line}\n@revoked * ${keys.b!.line}\n`,
  };
  // mode, status, verdict, recorded, untrusted (password authentication off)
  const table: [HostKeyMode, keyof typeof known, 'accept' | 'refuse' | 'ask', boolean, boolean][] = [
    ['strict', 'match', 'accept', false, false],
    ['strict', 'unknown', 'refuse', false, false],
    ['strict', 'changed', 'refuse', false, false],
    ['strict', 'revoked', 'refuse', false, false],
    ['ask', 'match', 'accept', false, false],
    ['ask', 'unknown', 'ask', true, false],
    ['ask', 'changed', 'refuse', false, false],
    ['ask', 'revoked', 'refuse', false, false],
    ['accept-new', 'match', 'accept', false, false],
    ['accept-new', 'unknown', 'accept', true, false],
    ['accept-new', 'changed', 'refuse', false, false],
    ['accept-new', 'revoked', 'refuse', false, false],
    // sshconnect.c: "off" records a new key too, and goes on (continue_unsafe) past a changed or revoked one
    ['off', 'match', 'accept', false, false],
    ['off', 'unknown', 'accept', true, false],
    ['off', 'changed', 'accept', false, true],
    ['off', 'revoked', 'accept', false, true],
  ];
  it.each(table)('%s + %s → %s (recorded %s, untrusted %s)', (mode, status, kind, recorded, untrusted) => {
    const v = judgeHostKey(query(mode, known[status]()));
    expect(v.kind).toBe(kind);
    expect('record' in v && v.record !== undefined).toBe(recorded);
    if (recorded) expect('record' in v && v.record).toEqual({ file: FILE, names: ['web1'] });
    expect(v.kind === 'accept' && v.untrusted === true).toBe(untrusted);
    const text = v.kind === 'refuse' ? v.error : v.kind === 'ask' ? `${v.question}\n${v.refusal}` : v.warning;
    if (v.kind !== 'accept' || untrusted) {
      expect(text).toContain('web1');
      expect(text).toContain(hostKeyFingerprint(keys.b!.blob));
    } else expect(text).toBeUndefined();
    if (status === 'changed' && v.kind === 'refuse') {
      expect(v.error).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(v.error).toContain(hostKeyFingerprint(keys.a!.blob));
      expect(v.error).toContain(hostKeyFingerprint(keys.ecdsa!.blob));
    }
  });

  it('a new key is refused in every mode when there is no known_hosts file to record it in (UserKnownHostsFile none)', () => {
    for (const mode of ['strict', 'ask', 'accept-new', 'off'] as const) {
      const v = judgeHostKey(query(mode, '', { recordIn: undefined }));
      expect(v.kind).toBe('refuse');
      expect(v.kind === 'refuse' && v.error).toContain('no UserKnownHostsFile');
    }
  });

  it("ask: the question is ssh's, and says when keys of another type are known", () => {
    const v = judgeHostKey(query('ask', `web1 ${keys.rsa!.line}\n`.replace('web1', 'elsewhere')));
    expect(v.kind === 'ask' && v.question).toContain("The authenticity of host 'web1' can't be established.");
    expect(v.kind === 'ask' && v.question).toContain('(yes/no/[fingerprint])');
    expect(v.kind === 'ask' && v.refusal).toContain('no terminal');
    expect(v.kind === 'ask' && v.refusal).toContain('ssh-keyscan web1 >> /home/u/.ssh/known_hosts');
  });

  it('a non-22 port: the name with its port first, then without it (ssh: "checking without port identifier")', () => {
    const more = { name: '[web1]:2222', plainName: 'web1', scan: { host: 'web1', port: 2222 } };
    expect(judgeHostKey(query('strict', `web1 ${keys.b!.line}\n`, more)).kind).toBe('accept');
    // only a match counts without the port: another key there is not "changed"
    const v = judgeHostKey(query('accept-new', `web1 ${keys.a!.line}\n`, more));
    expect(v).toEqual({ kind: 'accept', record: { file: FILE, names: ['[web1]:2222'] } });
  });

  it("CheckHostIP: a new host is recorded as host,ip; a known host's unknown address is recorded; a changed address is refused", () => {
    const ip = { ipName: '192.0.2.7' };
    expect(judgeHostKey(query('accept-new', '', ip))).toEqual({ kind: 'accept', record: { file: FILE, names: ['web1', '192.0.2.7'] } });
    expect(judgeHostKey(query('strict', `web1 ${keys.b!.line}\n`, ip))).toEqual({ kind: 'accept', record: { file: FILE, names: ['192.0.2.7'] } });
    const moved = judgeHostKey(query('strict', `web1 ${keys.b!.line}\n192.0.2.7 ${keys.a!.line}\n`, ip));
    expect(moved.kind).toBe('refuse');
    expect(moved.kind === 'refuse' && moved.error).toContain('differs from the key known for its address 192.0.2.7');
    const spoof = judgeHostKey(query('strict', `web1 ${keys.a!.line}\n`, ip));
    expect(spoof.kind === 'refuse' && spoof.error).toContain('POSSIBLE DNS SPOOFING DETECTED: the key for the address 192.0.2.7 is unknown');
  });

  it('the suggested ssh-keygen -R command really removes the old key', () => {
    const kh = join(dir, 'to fix');
    writeFileSync(kh, `[10.0.0.5]:2222 ${keys.a!.line}\nkeep ${keys.a!.line}\n`);
    const v = judgeHostKey(query('accept-new', readFileSync(kh, 'utf8'), { name: '[10.0.0.5]:2222', recordIn: kh, scan: { host: '10.0.0.5', port: 2222 } }));
    const cmd = /ssh-keygen -R (\S+) -f ('[^']+'|\S+)/.exec(v.kind === 'refuse' ? v.error : '');
    expect(cmd).not.toBeNull();
    const unquote = (s: string): string => s.replace(/^'(.*)'$/, '$1');
    execFileSync('ssh-keygen', ['-R', unquote(cmd![1]!), '-f', unquote(cmd![2]!)], { stdio: 'ignore' });
    const after = readKnownHosts(kh);
    expect(checkHostKey(after, knownHostsName('10.0.0.5', 2222), keys.b!.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(after, 'keep', keys.a!.blob)).toEqual({ status: 'match' });
  });
});

describe('confirmsHostKey', () => {
  it("takes yes (any case) or the offered key's fingerprint, as ssh", () => {
    const key = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIFh0', 'base64');
    expect(confirmsHostKey('yes\n', key)).toBe(true);
    expect(confirmsHostKey('YES', key)).toBe(true);
    expect(confirmsHostKey(hostKeyFingerprint(key), key)).toBe(true);
    expect(confirmsHostKey('y', key)).toBe(false);
    expect(confirmsHostKey('no', key)).toBe(false);
    expect(confirmsHostKey('SHA256:AAAA', key)).toBe(false);
  });
});

describe('orderHostKeyAlgorithms, as order_hostkeyalgs()', () => {
  const plain = HOST_KEY_ALGORITHMS.filter((a) => !a.includes('-cert-'));
  it('nothing known, or a key of the best type known: the list as it is', () => {
    expect(orderHostKeyAlgorithms([], 'web1')).toEqual([...HOST_KEY_ALGORITHMS]);
    expect(orderHostKeyAlgorithms(parseKnownHosts(`web1 ${keys.a!.line}\n`), 'web1', plain)).toEqual(plain);
  });
  it('only an RSA key known: RSA first, the rest in order after', () => {
    const order = orderHostKeyAlgorithms(parseKnownHosts(`web1 ${keys.rsa!.line}\nother ${keys.a!.line}\n`), 'web1', plain);
    expect(order.slice(0, 2)).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect(order.slice(2)).toEqual(plain.filter((a) => !a.startsWith('rsa-')));
  });
  it('an ECDSA key known: its curve first; a @cert-authority line: every certificate algorithm first', () => {
    expect(orderHostKeyAlgorithms(parseKnownHosts(`web1 ${keys.ecdsa!.line}\n`), 'web1', plain)[0]).toBe('ecdsa-sha2-nistp256');
    const withCerts = ['ssh-ed25519-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com', 'ssh-ed25519', 'rsa-sha2-512'];
    expect(orderHostKeyAlgorithms(parseKnownHosts(`web1 ${keys.rsa!.line}\n@cert-authority *.lab ${keys.a!.line}\n`), 'web1', withCerts)).toEqual([
      'rsa-sha2-512-cert-v01@openssh.com',
      'rsa-sha2-512',
      'ssh-ed25519-cert-v01@openssh.com',
      'ssh-ed25519',
    ]);
    expect(orderHostKeyAlgorithms(parseKnownHosts(`web1 ${keys.rsa!.line}\n@cert-authority web* ${keys.a!.line}\n`), 'web1', withCerts)).toEqual([
      'ssh-ed25519-cert-v01@openssh.com',
      'rsa-sha2-512-cert-v01@openssh.com',
      'rsa-sha2-512',
      'ssh-ed25519',
    ]);
  });
});

describe('hostKeyAlgorithmsFor: HostKeyAlgorithms assembled as the real ssh -G prints it (less what ssh2 cannot verify)', () => {
  const sshG = (value?: string): string[] => {
    const out = execFileSync('ssh', ['-G', '-F', 'none', ...(value === undefined ? [] : ['-o', `HostKeyAlgorithms=${value}`]), 'x'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return /^hostkeyalgorithms (.*)$/m.exec(out)![1]!.split(',');
  };
  const supported = new Set(hostKeyAlgorithmsFor('*').algorithms);
  it.each([undefined, '+ssh-rsa', '-rsa*', '-*cert*', '^ssh-rsa,ssh-dss', 'ssh-ed25519,rsa-sha2-*', 'ecdsa*', '*', 'rsa-sha2-512,ssh-ed25519'])(
    '%s',
    (value) => {
      const ours = hostKeyAlgorithmsFor(value);
      expect(ours.algorithms).toEqual(sshG(value).filter((a) => supported.has(a)));
      expect(ours.byKnownHosts).toBe(value === undefined || /^[+^-]/.test(value));
    },
  );
  it('refuses a name OpenSSH does not know, as ssh does ("Bad key types")', () => {
    expect(badHostKeyAlgorithms('foo')).toBe('unknown host key algorithm foo');
    expect(badHostKeyAlgorithms('+ssh-rsa,bar')).toBe('unknown host key algorithm bar');
    expect(badHostKeyAlgorithms('-foo*')).toBeUndefined();
    expect(badHostKeyAlgorithms('rsa-*,ssh-ed25519')).toBeUndefined();
    expect(execFileSync('sh', ['-c', 'ssh -G -F none -o HostKeyAlgorithms=foo x 2>&1; true'], { encoding: 'utf8' })).toContain("Bad key types 'foo'");
  });
});
