import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addressInNetworks,
  matchHostname,
  matchPattern,
  matchPatternEntries,
  matchPatternList,
  parseCidrList,
} from '../../../src/transport/openssh/pattern.js';

// OpenSSH addrmatch.c addr_match_cidr_list / addr.c addr_pton_cidr, as Match localnetwork uses them
describe('parseCidrList / addressInNetworks', () => {
  it.each([
    ['127.0.0.1', '127.0.0.0/8', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['10.1.2.3', '10.1.0.0/16,192.168.0.0/16', true],
    ['10.2.2.3', '10.1.0.0/16,192.168.0.0/16', false],
    ['10.2.2.3', '0.0.0.0/0', true],
    ['::1', '::1/128', true],
    ['fd00::2', 'fd00::/8', true],
    ['fe80::fc:ff:fe00:1', 'FE80::/10', true],
    ['2001:db8::1', 'fd00::/8', false],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.0/104', true],
    // families do not mix
    ['127.0.0.1', '::/0', false],
    ['::1', '0.0.0.0/0', false],
  ])('%s in %s: %s', (address, list, inside) => {
    const networks = parseCidrList(list);
    if (typeof networks === 'string') throw new Error(networks);
    expect(addressInNetworks(address, networks)).toBe(inside);
  });

  it.each([
    ['10.0.0.1/8', 'Inconsistent mask length for network "10.0.0.1/8"'],
    ['10.0.0.0/33', 'Inconsistent mask length for network "10.0.0.0/33"'],
    ['10.0.0.0/x', 'list entry "10.0.0.0/x" contains invalid characters'],
    ['10.0.0.0/', 'Invalid network entry "10.0.0.0/"'],
    ['10.0.0', 'Invalid network entry "10.0.0"'],
    ['1:2:3:4:5:6:7:8:9', 'Invalid network entry "1:2:3:4:5:6:7:8:9"'],
    ['1::2::3', 'Invalid network entry "1::2::3"'],
    ['10.0.0.0/8,', 'empty entry in list "10.0.0.0/8,"'],
    ['lan', 'list entry "lan" contains invalid characters'],
    ['!10.0.0.0/8', 'list entry "!10.0.0.0/8" contains invalid characters'],
  ])('%s is refused: %s', (list, problem) => {
    expect(parseCidrList(list)).toBe(problem);
  });
});

// ---------------------------------------------------------------------------------------------
// The one matcher (OpenSSH match.c) against OpenSSH itself: every row is also run through the
// real tool that uses that rule — `ssh -G` for `Match user` (match_pattern_list, case-sensitive),
// `Match originalhost` (match_hostname) and `Host` lines (match_pattern per word), and
// `ssh-keygen -F` for known_hosts host fields (match_hostname on the field).

const keygenKey = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-pattern-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', join(dir, 'k')]);
  const pub = readFileSync(join(dir, 'k.pub'), 'utf8').trim().split(' ');
  rmSync(dir, { recursive: true, force: true });
  return `${pub[0]} ${pub[1]}`;
})();

/** `ssh -G` with only this config (private HOME, C.UTF-8 locale): its output lines. */
function sshG(config: string, args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-pattern-'));
  try {
    const file = join(dir, 'config');
    writeFileSync(file, config);
    const out = spawnSync('ssh', ['-G', '-F', file, ...args], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: dir, LC_ALL: 'C.UTF-8' },
    });
    if (out.status !== 0) throw new Error(`ssh -G failed: ${out.stderr}`);
    return out.stdout.split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether `ssh-keygen -F name` finds a line whose host field is `field`. */
function keygenFinds(field: string, name: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-pattern-kh-'));
  try {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `${field} ${keygenKey}\n`);
    const out = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir, LC_ALL: 'C.UTF-8' } });
    return out.status === 0 && out.stdout.includes(keygenKey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LONG = 'a'.repeat(1100);

describe('matchPattern: * and ? (byte-wise), nothing else special', () => {
  it.each([
    ['web1', 'web1', true],
    ['web1', 'web*', true],
    ['web1', '*', true],
    ['', '*', true],
    ['', '?', false],
    ['web1', 'w?b1', true],
    ['web1', 'w?b', false],
    ['abc', '**c', true],
    ['abc', '*?', true],
    ['ab', '*?*?*?', false],
    ['aXbXc', '*X*c', true],
    ['web[1]', 'web[1]', true],
    ['web1', 'web[1]', false],
    ['a\\b', 'a\\b', true],
    ['a*b', 'a\\*b', false],
    ['Web1', 'web1', false],
    // `?` is one byte: é is two in UTF-8
    ['é', '?', false],
    ['é', '??', true],
  ])('%j ~ %j: %s', (text, pattern, expected) => {
    expect(matchPattern(text, pattern)).toBe(expected);
  });
});

// [text, list, match_pattern_list(text, list, 0)]
const LIST_ROWS: Array<[string, string, 1 | 0 | -1]> = [
  ['web1', 'web1', 1],
  ['web1', 'db,web*', 1],
  ['web1', 'web*,!web1', -1],
  ['web1', '!web1,web*', -1],
  ['web1', '!db', 0],
  ['web1', '!db,*', 1],
  ['Web1', 'web1', 0],
  ['web1', 'WEB1', 0],
  ['web1', 'web1,', 1],
  ['web1', ',web1', 1],
  ['web1', '!', 0],
  ['web1', '!!web1', 0],
  ['web1', 'a,,b,web?', 1],
  ['é', '?', 0],
  ['é', '??', 1],
  // an entry of 1023 bytes or more ends the list with "no match", after an earlier positive one too
  ['x', `x,${LONG}`, 0],
  ['x', `!x,${LONG}`, -1],
  ['x', `${LONG},x`, 0],
];

describe('matchPatternList (match_pattern_list), as ssh -G applies `Match user`', () => {
  it.each(LIST_ROWS)('%j in %j: %i', (text, list, expected) => {
    expect(matchPatternList(text, list)).toBe(expected);
    const lines = sshG(`Match user ${list}\n  Port 2345\n`, ['-l', text, 'h']);
    expect(lines.includes('port 2345')).toBe(expected === 1);
  });
});

// [host, list, match_hostname(host, list)]
const HOSTNAME_ROWS: Array<[string, string, 1 | 0 | -1]> = [
  ['web1', 'web1', 1],
  ['WEB1', 'web1', 1],
  ['web1', 'WEB*', 1],
  ['Web1.Lab', '*.LAB,!bad.lab', 1],
  ['BAD.lab', '*.LAB,!bad.lab', -1],
  ['web1', 'w?b?', 1],
  ['web1', 'web', 0],
  // only A-Z are lowercased (tolower() on bytes), as OpenSSH does
  ['É', 'é', 0],
  ['é', 'é', 1],
];

describe('matchHostname (match_hostname), as ssh -G applies `Match originalhost`', () => {
  it.each(HOSTNAME_ROWS)('%j in %j: %i', (host, list, expected) => {
    expect(matchHostname(host, list)).toBe(expected);
    const lines = sshG(`Match originalhost ${list}\n  Port 2345\n`, [host]);
    expect(lines.includes('port 2345')).toBe(expected === 1);
  });
});

describe('matchHostname on known_hosts host fields, as ssh-keygen -F finds them', () => {
  it.each([
    ['web1', 'web1', 1],
    ['WEB1', 'web1', 1],
    ['*.LAB,!bad.lab', 'x.lab', 1],
    ['*.LAB,!bad.lab', 'bad.lab', -1],
    ['[web*]:2222', '[web1]:2222', 1],
    ['[web*]:2222', 'web1', 0],
    ['web?', '[web1]:2222', 0],
    ['*', '[web1]:2222', 1],
    ['web1,', 'web1', 1],
  ] as Array<[string, string, 1 | 0 | -1]>)('field %j, name %j: %i', (field, name, expected) => {
    expect(matchHostname(name, field)).toBe(expected);
    expect(keygenFinds(field, name)).toBe(expected === 1);
  });
});

// [alias, Host line words, matchPatternEntries(alias, words)]
const HOST_ROWS: Array<[string, string[], 1 | 0 | -1]> = [
  ['web1', ['web1'], 1],
  ['web1', ['db', 'web*'], 1],
  ['web1', ['*', '!web1'], -1],
  ['web1', ['!web1', '*'], -1],
  // a Host word is one pattern: a comma in it is literal
  ['web1', ['db,web1'], 0],
  ['db', ['db,web1'], 0],
  ['w', ['?', '!x'], 1],
  // Host compares the name as typed, case-sensitive
  ['WEB1', ['web1'], 0],
  ['web1', ['WEB1'], 0],
];

describe('matchPatternEntries, as ssh -G applies `Host` lines', () => {
  it.each(HOST_ROWS)('%j against Host %j: %i', (alias, words, expected) => {
    expect(matchPatternEntries(alias, words)).toBe(expected);
    const lines = sshG(`Host ${words.join(' ')}\n  Port 2345\n`, [alias]);
    expect(lines.includes('port 2345')).toBe(expected === 1);
  });
});
