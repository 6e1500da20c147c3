/**
 * `Match` as OpenSSH 9.2 reads it (readconf.c match_cfg_line, ssh.c's final pass), one row per
 * case. Each row is checked on both sides: resolveSshConfig, and the real `ssh -G -F FILE ALIAS`
 * (private HOME, environment reduced to PATH and HOME) — both must give the expected values, or
 * both refuse the config. Rows marked `ssh: 'refuses'` are where cnet-remote deliberately reads
 * more than 9.2 (Match localnetwork, from 9.4).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSshConfig } from '../../../src/transport/openssh/config-read.js';
import { resolveSshConfig } from '../../../src/transport/openssh/config-resolve.js';
import type { SshConfigSettings } from '../../../src/transport/openssh/config-types.js';

const me = userInfo().username;

interface Row {
  name: string;
  config: string[];
  alias: string;
  /** `ssh -l USER` / the user given outright */
  user?: string;
  /** other files under HOME */
  files?: Record<string, string>;
  /** the values expected (ssh -G's names), or the start of our error message */
  expect: { user?: string; port?: string; hostname?: string; identityfile?: string[] } | { error: string };
  /** default: ssh -G gives the same; 'refuses': 9.2 refuses the config (cnet-remote reads more) */
  ssh?: 'refuses';
}

const rows: Row[] = [
  // the criterion=value form: strdelim splits at one '='
  { name: 'host=pattern', config: ['Match host=web*', '  User a'], alias: 'web1', expect: { user: 'a' } },
  { name: 'host = pattern (blanks around =)', config: ['Match host = web*', '  User a'], alias: 'web1', expect: { user: 'a' } },
  { name: 'user=… host=… both hold', config: ['Match user=git host=x', '  Port 2'], alias: 'x', user: 'git', expect: { port: '2' } },
  { name: 'user=… host=… one fails', config: ['Match user=git host=x', '  Port 2'], alias: 'x', user: 'ops', expect: { port: '22' } },
  { name: 'Match=host (= after the keyword)', config: ['Match=host web*', '  User a'], alias: 'web1', expect: { user: 'a' } },
  { name: 'criteria ignore case', config: ['Match HOST web* USER root', '  Port 3'], alias: 'web1', user: 'root', expect: { port: '3' } },
  { name: 'quoted pattern', config: ['Match host "web*"', '  User q'], alias: 'web1', expect: { user: 'q' } },
  { name: 'comment ends the line', config: ['Match host web* # not a criterion', '  User c'], alias: 'web1', expect: { user: 'c' } },
  // host / originalhost / user / localuser, negation
  { name: '!host', config: ['Match !host web*', '  User n'], alias: 'db', expect: { user: 'n' } },
  { name: 'host list with !', config: ['Match host=web*,!web2', '  User l'], alias: 'web2', expect: { user: me } },
  {
    name: 'host sees HostName, originalhost the alias',
    config: ['Host w', '  HostName Real.Example', 'Match host real.example originalhost=w', '  Port 4'],
    alias: 'w',
    expect: { port: '4', hostname: 'real.example' },
  },
  { name: 'user without User: the local user', config: [`Match user ${me}`, '  Port 5'], alias: 'x', expect: { port: '5' } },
  { name: 'localuser', config: [`Match localuser=${me}`, '  Port 6'], alias: 'x', user: 'other', expect: { port: '6' } },
  { name: '!localuser', config: [`Match !localuser ${me}`, '  Port 6'], alias: 'x', expect: { port: '22' } },
  // all
  { name: 'all', config: ['Match all', '  User every'], alias: 'x', expect: { user: 'every' } },
  { name: '!all', config: ['Match !all', '  User every'], alias: 'x', expect: { user: me } },
  { name: 'one criterion then all', config: ['Match host x all', '  Port 7'], alias: 'x', expect: { port: '7' } },
  { name: 'all then more', config: ['Match all host x', '  Port 7'], alias: 'x', expect: { error: "test.config line 1: 'all' cannot be combined" } },
  {
    name: 'two criteria then all',
    config: ['Match canonical final all', '  Port 7'],
    alias: 'x',
    expect: { error: "test.config line 1: 'all' cannot be combined" },
  },
  // exec: not run by cnet-remote; ssh does not run it either when an earlier criterion failed
  { name: 'exec after a failed criterion', config: ['Match host nomatch exec "exit 0"', '  Port 8'], alias: 'x', expect: { port: '22' } },
  // refusals (ssh: "Bad Match condition", exit 255)
  { name: 'missing argument', config: ['Match host'], alias: 'x', expect: { error: 'test.config line 1: Missing Match criteria for host' } },
  { name: 'argument is a comment', config: ['Match user #x'], alias: 'x', expect: { error: 'test.config line 1: Missing Match criteria for user' } },
  // tagged (9.4, readconf.c match_cfg_line: the Tag so far, else ""); 9.2 refuses the config
  { name: 'tagged: the Tag set before', config: ['Tag prod', 'Match tagged prod*', '  Port 9'], alias: 'x', expect: { port: '9' }, ssh: 'refuses' },
  {
    name: 'tagged: no Tag is the empty string',
    config: ['Match tagged prod', '  Port 9', 'Match !tagged prod', '  User untagged'],
    alias: 'x',
    expect: { port: '22', user: 'untagged' },
    ssh: 'refuses',
  },
  { name: 'tagged: missing argument', config: ['Match tagged'], alias: 'x', expect: { error: 'test.config line 1: Missing Match criteria for tagged' } },
  {
    name: 'version is not in 9.2',
    config: ['Match version OpenSSH*'],
    alias: 'x',
    expect: { error: 'test.config line 1: Unsupported Match attribute version' },
  },
  { name: 'unknown criterion', config: ['Match hostx=a'], alias: 'x', expect: { error: 'test.config line 1: Unsupported Match attribute hostx' } },
  { name: 'unterminated quote', config: ['Match host "web*'], alias: 'x', expect: { error: 'test.config line 1: invalid quotes' } },
  // final: a second reading with Match final true
  { name: 'final', config: ['Match final', '  User fin'], alias: 'x', expect: { user: 'fin' } },
  {
    name: '!final holds in the first pass, first value wins',
    config: ['Match final', '  User fin', 'Match !final', '  User first'],
    alias: 'x',
    expect: { user: 'first' },
  },
  {
    name: 'final host= compares the final host',
    config: ['Host x', '  HostName Real.Example', 'Match final host=real.example', '  Port 9'],
    alias: 'x',
    expect: { port: '9', hostname: 'real.example' },
  },
  {
    name: 'final pass: Host lines compare the final host',
    config: ['Host x', '  HostName Real.Example', 'Match final', 'Host real.example', '  Port 10', 'Host x', '  User x-again'],
    alias: 'x',
    expect: { port: '10', user: 'x-again' },
  },
  { name: 'final pass: HostName lines do nothing', config: ['Match final', '  HostName late.example'], alias: 'x', expect: { hostname: 'x' } },
  { name: 'values from the first pass stay', config: ['Match final', '  Port 2', 'Host *', '  Port 3'], alias: 'x', expect: { port: '3' } },
  {
    name: 'an IdentityFile read in both passes is listed once',
    config: ['IdentityFile ~/.ssh/a', 'Match final', '  IdentityFile ~/.ssh/b'],
    alias: 'x',
    expect: { identityfile: ['~/.ssh/a', '~/.ssh/b'] },
  },
  // canonical: in 9.2 "this is the final pass", as final
  { name: 'canonical without a final pass', config: ['Match canonical', '  Port 11'], alias: 'x', expect: { port: '22' } },
  { name: 'canonical in the final pass', config: ['Match canonical', '  Port 11', 'Match final'], alias: 'x', expect: { port: '11' } },
  {
    name: 'CanonicalizeHostname makes a final pass (no lookup: more dots than CanonicalizeMaxDots)',
    config: ['CanonicalizeHostname yes', 'CanonicalizeMaxDots 0', 'Match canonical', '  Port 12'],
    alias: 'a.b',
    expect: { port: '12' },
  },
  { name: 'CanonicalizeHostname no: no final pass', config: ['CanonicalizeHostname no', 'Match canonical', '  Port 12'], alias: 'a.b', expect: { port: '22' } },
  // Include: relative to ~/.ssh for a user config (-F FILE elsewhere included), a Match inside
  {
    name: 'relative Include from ~/.ssh, with Match user= inside',
    config: ['Include inc.conf'],
    files: { '.ssh/inc.conf': 'Match user=root,deploy\n  Port 13\nInclude inc2.conf\n', '.ssh/inc2.conf': 'Host *\n  User from-inc2\n' },
    alias: 'x',
    user: 'deploy',
    expect: { port: '13', user: 'deploy' },
  },
  {
    name: 'relative Include inside an included file: from ~/.ssh too',
    config: ['Include inc.conf'],
    files: { '.ssh/inc.conf': 'Include sub/inc2.conf\n', '.ssh/sub/inc2.conf': 'Port 15\n' },
    alias: 'x',
    expect: { port: '15' },
  },
  {
    name: 'a Match final in a file included where the block does not apply still makes the final pass',
    config: ['Host nomatch', 'Include f.conf', 'Match canonical', '  Port 16'],
    files: { '.ssh/f.conf': 'Match final\n  Port 99\n' },
    alias: 'x',
    expect: { port: '16' },
  },
  // localnetwork (9.4+): the controller's interfaces; lo is 127.0.0.1
  {
    name: 'localnetwork loopback',
    config: ['Match localnetwork 198.51.100.0/24,127.0.0.0/8', '  Port 14'],
    alias: 'x',
    expect: { port: '14' },
    ssh: 'refuses',
  },
  { name: 'localnetwork IPv6 loopback', config: ['Match localnetwork ::1/128', '  Port 14'], alias: 'x', expect: { port: '14' }, ssh: 'refuses' },
  // TEST-NET-2: no interface of a test machine is on it
  {
    name: 'localnetwork elsewhere',
    config: ['Match localnetwork=198.51.100.0/24,2001:db8::/32', '  Port 14'],
    alias: 'x',
    expect: { port: '22' },
    ssh: 'refuses',
  },
  { name: '!localnetwork', config: ['Match !localnetwork 127.0.0.1', '  Port 14'], alias: 'x', expect: { port: '22' }, ssh: 'refuses' },
  {
    name: 'localnetwork with host bits set',
    config: ['Match localnetwork 127.0.0.1/8'],
    alias: 'x',
    expect: { error: 'test.config line 1: Match localnetwork: Inconsistent mask length for network "127.0.0.1/8"' },
    ssh: 'refuses',
  },
  {
    name: 'localnetwork not an address',
    config: ['Match localnetwork lan'],
    alias: 'x',
    expect: { error: 'test.config line 1: Match localnetwork: list entry "lan" contains invalid characters' },
    ssh: 'refuses',
  },
];

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cnet-ssh-match-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A fresh private HOME with the row's files; the config at HOME/test.config (outside ~/.ssh). */
function layout(row: Row): { dir: string; file: string } {
  const dir = join(home, row.name.replace(/[^A-Za-z0-9]+/g, '-'));
  mkdirSync(join(dir, '.ssh'), { recursive: true });
  for (const [path, text] of Object.entries(row.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const file = join(dir, 'test.config');
  writeFileSync(file, `${row.config.join('\n')}\n`);
  return { dir, file };
}

function sshG(dir: string, file: string, row: Row): { status: number | null; fields: Map<string, string[]>; stderr: string } {
  const args = ['-G', '-F', file, ...(row.user ? ['-l', row.user] : []), row.alias];
  const out = spawnSync('ssh', args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir } });
  const fields = new Map<string, string[]>();
  for (const line of out.stdout.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m) fields.set(m[1] as string, [...(fields.get(m[1] as string) ?? []), m[2] as string]);
  }
  return { status: out.status, fields, stderr: out.stderr };
}

function ours(dir: string, file: string, row: Row): Record<string, string | string[]> {
  // messages name the file as written in the rows
  let settings: SshConfigSettings;
  try {
    settings = resolveSshConfig(loadSshConfig(file, { homeDir: dir }), row.alias, row.user ? { user: row.user } : {});
  } catch (e) {
    throw new Error((e as Error).message.replace(file, 'test.config'));
  }
  return {
    user: settings.user ?? me,
    port: String(settings.port ?? 22),
    hostname: settings.hostName ?? row.alias.toLowerCase(),
    identityfile: settings.identityFiles.map((f) => f.replace(`${dir}/`, '~/')),
  };
}

describe('Match criteria, as OpenSSH 9.2 reads them (each row also run through ssh -G)', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const { dir, file } = layout(row);
    const g = sshG(dir, file, row);
    if ('error' in row.expect) {
      expect(() => ours(dir, file, row)).toThrow(row.expect.error);
      expect(g.status, g.stderr).toBe(255);
      return;
    }
    if (row.ssh === 'refuses') {
      expect(g.status).toBe(255);
      expect(g.stderr).toMatch(/Unsupported Match attribute (localnetwork|tagged)|Bad configuration option: tag/);
    } else expect(g.status, g.stderr).toBe(0);
    const mine = ours(dir, file, row);
    for (const [field, value] of Object.entries(row.expect)) {
      expect(mine[field], `ours: ${field}`).toEqual(value);
      if (row.ssh !== 'refuses') expect(g.fields.get(field), `ssh -G: ${field}`).toEqual(Array.isArray(value) ? value : [value]);
    }
  });
});
