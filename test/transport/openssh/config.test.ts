import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSshConfig, parseSshConfig } from '../../../src/transport/openssh/config-read.js';
import { parseSshCommonArgs } from '../../../src/transport/openssh/ssh-args.js';
import { resolveSshConfig } from '../../../src/transport/openssh/config-resolve.js';
import { SshConfigError, type ResolveSshConfigOptions, type SshConfigFile } from '../../../src/transport/openssh/config-types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/ssh-config/', import.meta.url));
const HOME = '/home/alice';
/** fixed local identity so token expansion is deterministic */
const ME: ResolveSshConfigOptions = { localUser: 'alice', homeDir: HOME, localHostName: 'laptop.example.org' };

function config(text: string, homeDir = HOME): SshConfigFile {
  return parseSshConfig(text, { file: 'test.config', homeDir });
}

function resolve(text: string, alias: string, opts: ResolveSshConfigOptions = {}) {
  return resolveSshConfig(config(text), alias, { ...ME, ...opts });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cnet-ssh-config-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('loadSshConfig', () => {
  it('reads ~/.ssh/config by default', () => {
    const home = join(tmp, 'home-default');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Host web\n  HostName web.example.com\n');
    const cfg = loadSshConfig(undefined, { homeDir: home });
    expect(cfg.found).toBe(true);
    expect(cfg.path).toBe(join(home, '.ssh', 'config'));
    expect(cfg.files).toEqual([join(home, '.ssh', 'config')]);
    expect(resolveSshConfig(cfg, 'web', ME).hostName).toBe('web.example.com');
  });

  it('gives an empty config when ~/.ssh/config does not exist', () => {
    const cfg = loadSshConfig(undefined, { homeDir: join(tmp, 'no-such-home') });
    expect(cfg.found).toBe(false);
    expect(cfg.sources).toEqual([]);
    expect(resolveSshConfig(cfg, 'web', ME)).toEqual({ identityFiles: [], certificateFiles: [], notes: [] });
  });

  it('reads the file given with -F, and fails clearly when it is missing', () => {
    const cfg = loadSshConfig(join(FIXTURES, 'fleet.config'), { homeDir: HOME });
    expect(cfg.found).toBe(true);
    expect(resolveSshConfig(cfg, 'bastion', ME).hostName).toBe('bastion.example.net');
    const missing = join(tmp, 'nope.config');
    expect(() => loadSshConfig(missing)).toThrow(SshConfigError);
    expect(() => loadSshConfig(missing)).toThrow(`ssh config file ${missing} does not exist (given with -F)`);
  });

  it('treats -F none as an empty config', () => {
    const cfg = loadSshConfig('none');
    expect(cfg.sources).toEqual([]);
    expect(resolveSshConfig(cfg, 'x', ME).notes).toEqual([]);
  });

  it('appends the system file only when asked, and only without -F', () => {
    const home = join(tmp, 'home-system');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Host a\n  User from-user-config\n');
    const system = join(tmp, 'ssh_config.system');
    writeFileSync(system, 'Host *\n  User from-system\n  Port 2200\n');
    const withSystem = loadSshConfig(undefined, { homeDir: home, systemConfig: system });
    expect(withSystem.files).toEqual([join(home, '.ssh', 'config'), system]);
    expect(resolveSshConfig(withSystem, 'a', ME)).toMatchObject({ user: 'from-user-config', port: 2200 });
    expect(resolveSshConfig(withSystem, 'b', ME)).toMatchObject({ user: 'from-system' });
    expect(resolveSshConfig(loadSshConfig(undefined, { homeDir: home }), 'b', ME).user).toBeUndefined();
    const explicit = loadSshConfig(join(home, '.ssh', 'config'), { homeDir: home, systemConfig: system });
    expect(explicit.files).toEqual([join(home, '.ssh', 'config')]);
  });

  it('reports a line ssh cannot parse with file and line', () => {
    expect(() => config('Host a\n  HostName "unterminated\n')).toThrow(/^test\.config line 2: /);
    expect(() => config('Host a\n  User\n')).toThrow('test.config line 2: no argument after keyword "User"');
    expect(() => config('Match host\n')).toThrow('test.config line 1: Missing Match criteria for host');
    expect(() => config('Match all host x\n')).toThrow("'all' cannot be combined");
  });
});

describe('files that are not regular files (a FIFO hung, /dev/zero ate memory)', () => {
  it('-F FILE, and an Include, are refused at once with the path', () => {
    const fifo = join(tmp, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadSshConfig(fifo)).toThrow(`cannot read ssh config file ${fifo}: is a FIFO (named pipe), not a regular file`);
    expect(() => config(`Include ${fifo}\n`)).toThrow(`test.config line 1: cannot read included file ${fifo}: is a FIFO (named pipe), not a regular file`);
    expect(() => config('Include /dev/zero\n')).toThrow('test.config line 1: cannot read included file /dev/zero: is a character device');
  });

  it('-F /dev/null is an empty config, as ssh reads it', () => {
    expect(loadSshConfig('/dev/null').sources[0]?.entries).toEqual([]);
  });
});

describe('Include', () => {
  it('follows a glob relative to ~/.ssh in lexical order, at the place of the Include', () => {
    const home = join(tmp, 'home-include');
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config.d', '20-b.conf'), 'Host *\n  IdentityFile ~/.ssh/b\n');
    writeFileSync(join(home, '.ssh', 'config.d', '10-a.conf'), 'Host lab-*\n  User lab\n  IdentityFile ~/.ssh/a\n');
    writeFileSync(join(home, '.ssh', 'config.d', 'notes.txt'), 'Host *\n  User never\n');
    writeFileSync(join(home, '.ssh', 'config.d', '.hidden.conf'), 'Host *\n  User hidden\n');
    writeFileSync(join(home, '.ssh', 'config'), 'Host lab-1\n  Port 2201\n\nInclude config.d/*.conf\n\nHost *\n  User default\n  IdentityFile ~/.ssh/last\n');
    const cfg = loadSshConfig(undefined, { homeDir: home });
    expect(cfg.files).toEqual([join(home, '.ssh', 'config'), join(home, '.ssh', 'config.d', '10-a.conf'), join(home, '.ssh', 'config.d', '20-b.conf')]);
    const lab = resolveSshConfig(cfg, 'lab-1', { ...ME, homeDir: home });
    expect(lab.user).toBe('lab');
    expect(lab.port).toBe(2201);
    expect(lab.identityFiles).toEqual([join(home, '.ssh/a'), join(home, '.ssh/b'), join(home, '.ssh/last')]);
    expect(resolveSshConfig(cfg, 'web', { ...ME, homeDir: home }).user).toBe('default');
  });

  it('follows the fixture config.d with an absolute glob, skipping files the glob does not name', () => {
    const cfg = config(`Include ${FIXTURES}config.d/*.conf\nHost *\n  User me\n`);
    expect(cfg.files.slice(1)).toEqual([join(FIXTURES, 'config.d/10-lab.conf'), join(FIXTURES, 'config.d/20-extra.conf')]);
    const lab2 = resolveSshConfig(cfg, 'lab-2', ME);
    expect(lab2).toMatchObject({ user: 'labuser', port: 2202 });
    expect(lab2.identityFiles).toEqual([`${HOME}/.ssh/lab_key`, `${HOME}/.ssh/from_include`]);
    expect(resolveSshConfig(cfg, 'other', ME).user).toBe('me');
  });

  it('inside a Host block: applies only when the block does, and the block resumes after it', () => {
    const dir = join(tmp, 'inc-block');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.conf'), 'User inc-top\nHost other\n  Port 1111\nHost web*\n  Port 2222\n');
    const text = `Host db\n  Include ${dir}/a.conf\n  Port 3333\n  HostName db.example\nHost *\n  HostName star\n`;
    expect(resolve(text, 'db')).toMatchObject({ user: 'inc-top', port: 3333, hostName: 'db.example' });
    // the Include sits in a block that does not apply: nothing of the file applies, even `Host other`
    const other = resolve(text, 'other');
    expect(other.user).toBeUndefined();
    expect(other.port).toBeUndefined();
    expect(other.hostName).toBe('star');
  });

  it('skips a pattern that matches nothing, and stops an include loop', () => {
    expect(resolve(`Include ${tmp}/does-not-exist/*.conf\nHost *\n  User u\n`, 'x').user).toBe('u');
    const loop = join(tmp, 'loop.conf');
    writeFileSync(loop, `Include ${loop}\n`);
    expect(() => config(`Include ${loop}\n`)).toThrow('too many recursive configuration includes');
  });
});

describe('resolveSshConfig: the fleet fixture', () => {
  let fleet: SshConfigFile;
  beforeAll(() => {
    fleet = loadSshConfig(join(FIXTURES, 'fleet.config'), { homeDir: HOME });
  });

  it('first obtained value wins, Host * supplies defaults at the end', () => {
    const s = resolveSshConfig(fleet, 'bastion', ME);
    expect(s).toMatchObject({ hostName: 'bastion.example.net', user: 'jump', port: 2222, proxyJump: 'none' });
    expect(s.identityFiles).toEqual([`${HOME}/.ssh/bastion_ed25519`, `${HOME}/.ssh/id_ed25519`]);
    expect(s).toMatchObject({ identitiesOnly: true, serverAliveInterval: 30, serverAliveCountMax: 3 });
    const other = resolveSshConfig(fleet, 'other', ME);
    expect(other).toMatchObject({ user: 'fallback', port: 22, proxyJump: [{ host: 'default-jump', port: 2022 }] });
    expect(other.hostName).toBeUndefined();
  });

  it('wildcards with a negated pattern on the same line', () => {
    expect(resolveSshConfig(fleet, 'web-1', ME)).toMatchObject({ user: 'deploy', proxyJump: [{ host: 'bastion' }] });
    const legacy = resolveSshConfig(fleet, 'web-legacy', ME);
    expect(legacy).toMatchObject({
      hostName: '10.20.0.9',
      user: 'root',
      proxyJump: [
        { user: 'jump', host: 'bastion', port: 2222 },
        { user: 'admin', host: '2001:db8::7', port: 2200 },
      ],
    });
    // web-legacy is excluded from `web-* !web-legacy`, so deploy_ed25519 is not among its keys
    expect(legacy.identityFiles).toEqual([`${HOME}/.ssh/id_ed25519`]);
  });

  it('`?` matches exactly one character; Host patterns are case-sensitive', () => {
    expect(resolveSshConfig(fleet, 'db1', ME)).toMatchObject({
      hostName: 'db1.db.internal',
      port: 5022,
      strictHostKeyChecking: 'accept-new',
      userKnownHostsFiles: [`${HOME}/.ssh/known_hosts.d/db1.db.internal`, '/etc/ssh/ssh_known_hosts'],
    });
    expect(resolveSshConfig(fleet, 'db12', ME).port).toBe(22);
    expect(resolveSshConfig(fleet, 'db', ME).port).toBe(22);
    expect(resolveSshConfig(fleet, 'DB1', ME).port).toBe(22);
  });

  it('Key=value lines and time intervals', () => {
    expect(resolveSshConfig(fleet, 'app.corp.example.com', ME)).toMatchObject({ user: 'corp', connectTimeout: 90 });
  });

  it('ProxyJump none beats a later Host * ProxyJump', () => {
    expect(resolveSshConfig(fleet, 'direct', ME)).toMatchObject({ hostName: '192.0.2.10', proxyJump: 'none' });
  });

  it('the user given outright beats the config, and Match user sees it', () => {
    expect(resolveSshConfig(fleet, 'web-1', { ...ME, user: 'ops' }).user).toBe('ops');
    const text = 'Match user ops\n  IdentityFile ~/.ssh/ops\nHost *\n  User nobody\n';
    expect(resolve(text, 'h', { user: 'ops' }).identityFiles).toEqual([`${HOME}/.ssh/ops`]);
    expect(resolve(text, 'h').identityFiles).toEqual([]);
  });
});

describe('resolveSshConfig: semantics', () => {
  it('keywords are case-insensitive; comments and blank lines are ignored', () => {
    const s = resolve('# top\nHOST web # trailing comment\n\n  hostname Web.Example.COM\n  PORT 2022\n  user = ops\n', 'web');
    expect(s).toMatchObject({ hostName: 'web.example.com', port: 2022, user: 'ops' });
  });

  it('top-level lines before any Host apply to every host and win over later ones', () => {
    expect(resolve('User top\nHost a\n  User a-user\n', 'a').user).toBe('top');
  });

  it('several patterns per Host line; a negated match rejects the line whatever its order', () => {
    const text = 'Host !*.internal *.example.com bastion\n  User ext\nHost *\n  User int\n';
    expect(resolve(text, 'www.example.com').user).toBe('ext');
    expect(resolve(text, 'bastion').user).toBe('ext');
    expect(resolve(text, 'db.internal').user).toBe('int');
    expect(resolve('Host *.example.com !secret.example.com\n  User ext\n', 'secret.example.com').user).toBeUndefined();
    // commas are not separators on a Host line
    expect(resolve('Host a,b\n  User x\n', 'a').user).toBeUndefined();
  });

  it('IdentityFile accumulates in order; UserKnownHostsFile takes the first line that applies', () => {
    const text = [
      'Host web',
      '  IdentityFile ~/.ssh/web',
      '  UserKnownHostsFile ~/.ssh/kh_web "/etc/ssh/kh shared"',
      'Host w*',
      '  IdentityFile /keys/w',
      '  UserKnownHostsFile /never',
      'Host *',
      '  IdentityFile "/keys/with space"',
    ].join('\n');
    const s = resolve(text, 'web');
    expect(s.identityFiles).toEqual([`${HOME}/.ssh/web`, '/keys/w', '/keys/with space']);
    expect(s.userKnownHostsFiles).toEqual([`${HOME}/.ssh/kh_web`, '/etc/ssh/kh shared']);
    expect(resolve('Host *\n  UserKnownHostsFile none\n', 'x').userKnownHostsFiles).toEqual([]);
  });

  it('Match host sees the HostName set so far; Match originalhost the alias', () => {
    const text = [
      'Host app',
      '  HostName app.prod.example.com',
      'Match host *.prod.example.com',
      '  User prod',
      '  IdentityFile ~/.ssh/prod',
      'Match originalhost app',
      '  Port 2022',
      'Match host app',
      '  Port 9999',
    ].join('\n');
    expect(resolve(text, 'app')).toMatchObject({ user: 'prod', port: 2022, identityFiles: [`${HOME}/.ssh/prod`] });
    expect(resolve(text, 'app.prod.example.com')).toMatchObject({ user: 'prod' });
    expect(resolve(text, 'other').user).toBeUndefined();
  });

  it('Match user, localuser, negation, and criteria that must all hold', () => {
    const text = [
      'Match localuser alice user deploy,ops',
      '  IdentityFile ~/.ssh/team',
      'Match !localuser alice',
      '  IdentityFile /never',
      'Match host web* !user root',
      '  Port 2200',
    ].join('\n');
    expect(resolve(text, 'web1', { user: 'ops' })).toMatchObject({ identityFiles: [`${HOME}/.ssh/team`], port: 2200 });
    expect(resolve(text, 'web1', { user: 'root' })).toEqual({ user: 'root', identityFiles: [], certificateFiles: [], notes: [] });
    // without a User, `Match user` compares the local user name
    expect(resolve('Match user alice\n  Port 1\n', 'x').port).toBe(1);
  });

  it('Match all, and a Match block ends at the next Host', () => {
    const s = resolve('Match all\n  User everyone\nHost nothing\n  Port 1\n', 'x');
    expect(s.user).toBe('everyone');
    expect(s.port).toBeUndefined();
  });

  it('Match exec is never run: the block does not apply and a note says so', () => {
    const proof = join(tmp, 'match-exec-ran');
    const text = [
      'Host *',
      '  ServerAliveInterval 5',
      `Match exec "touch ${proof}"`,
      '  User from-exec',
      `Match host web* exec "touch ${proof}"`,
      '  Port 2222',
      `Match !exec "touch ${proof}"`,
      '  IdentityFile /from-negated-exec',
    ].join('\n');
    const s = resolve(text, 'db');
    expect(existsSync(proof)).toBe(false);
    expect(s.user).toBeUndefined();
    expect(s.port).toBeUndefined();
    expect(s.identityFiles).toEqual([]);
    expect(s.notes).toEqual([
      `test.config line 3: "Match exec touch ${proof}" was not run (cnet-remote never runs commands from the ssh config); the block is taken as not matching`,
      // line 5 is not noted: its `host web*` already failed, so ssh would not have run it either
      `test.config line 7: "Match exec touch ${proof}" was not run (cnet-remote never runs commands from the ssh config); the block is taken as not matching`,
    ]);
    expect(resolve(text, 'web1').notes).toHaveLength(3);
    expect(existsSync(proof)).toBe(false);
  });

  // Match final / canonical / criterion=value / unknown criteria: ssh-config-match.test.ts (each case run through ssh -G)

  it('expands tokens, ~ and ${VAR} in IdentityFile, UserKnownHostsFile and IdentityAgent', () => {
    const text = [
      'Host Web1',
      '  HostName %h.Example.NET',
      '  User deploy',
      '  Port 2022',
      '  IdentityFile ~/.ssh/%r@%h:%p',
      '  IdentityFile %d/keys/%u/%n_%%',
      '  IdentityFile ${KEYS}/%L/%l',
      '  IdentityFile ~root/.ssh/id',
      '  UserKnownHostsFile /kh/%C /kh/%k',
      '  IdentityAgent ~/.agent/%i.sock',
      '  HostKeyAlias web-key',
    ].join('\n');
    const s = resolve(text, 'Web1', { env: { KEYS: '/srv/keys' } });
    expect(s.hostName).toBe('web1.example.net');
    expect(s.identityFiles).toEqual([
      `${HOME}/.ssh/deploy@web1.example.net:2022`,
      `${HOME}/keys/alice/Web1_%`,
      '/srv/keys/laptop/laptop.example.org',
      '/root/.ssh/id',
    ]);
    // %C = sha1 of %l%h%p%r (OpenSSH 9.2; also cross-checked against ssh -G); %k = HostKeyAlias
    const c = createHash('sha1').update('laptop.example.orgweb1.example.net2022deploy').digest('hex');
    expect(s.userKnownHostsFiles).toEqual([`/kh/${c}`, '/kh/web-key']);
    expect(s.identityAgent).toBe(`${HOME}/.agent/${process.getuid?.()}.sock`);
  });

  it('an unset ${VAR} drops that setting with a note; an unknown %token is an error', () => {
    const s = resolve('Host *\n  IdentityFile ${NO_SUCH_VAR_X}/k\n  IdentityFile /ok\n', 'h', { env: {} });
    expect(s.identityFiles).toEqual(['/ok']);
    expect(s.notes).toEqual(['test.config line 2: IdentityFile ignored: "${NO_SUCH_VAR_X}/k": environment variable ${NO_SUCH_VAR_X} is not set']);
    expect(() => resolve('Host *\n  IdentityFile ~/.ssh/%f\n', 'h')).toThrow('test.config line 2: IdentityFile: ');
  });

  it('IdentityAgent none / SSH_AUTH_SOCK / $VAR', () => {
    expect(resolve('IdentityAgent none\n', 'h').identityAgent).toBe('none');
    expect(resolve('IdentityAgent SSH_AUTH_SOCK\n', 'h').identityAgent).toBe('SSH_AUTH_SOCK');
    expect(resolve('IdentityAgent $MY_AGENT\n', 'h', { env: { MY_AGENT: '/run/agent' } }).identityAgent).toBe('/run/agent');
  });

  it('ProxyJump: multi-hop in visiting order, tokens %h %p %r %n expanded, first of ProxyJump/ProxyCommand wins', () => {
    const text = [
      'Host inner',
      '  HostName inner.lan',
      '  User svc',
      '  ProxyJump ops@bastion1.example.com,%r@hop-%n:2200,[fd00::2]',
      '  ProxyCommand ssh -W %h:%p never',
    ].join('\n');
    expect(resolve(text, 'inner').proxyJump).toEqual([
      { user: 'ops', host: 'bastion1.example.com' },
      { user: 'svc', host: 'hop-inner', port: 2200 },
      { host: 'fd00::2' },
    ]);
    expect(resolve('Host *\n  ProxyCommand none\n  ProxyJump never\n', 'x').proxyJump).toBe('none');
  });

  it('a classic `ssh -W %h:%p` ProxyCommand is kept as written, to be run (it was a jump, its -i lost)', () => {
    const s = resolve('Host *\n  ProxyCommand ssh -q -W %h:%p -i ~/.ssh/b.pem %r@bastion.example.com\n', 'x', { user: 'deploy' });
    expect(s.proxyJump).toBeUndefined();
    expect(s.proxyCommand).toBe('ssh -q -W %h:%p -i ~/.ssh/b.pem %r@bastion.example.com');
    expect(s.notes).toEqual([]);
  });

  it('any other ProxyCommand is kept as written too, to be run as OpenSSH runs it (never a direct connection instead)', () => {
    const s = resolve('Host *\n  ProxyCommand /usr/bin/nc -X connect -x 192.0.2.0:8080 %h %p\n', 'x');
    expect(s.proxyJump).toBeUndefined();
    expect(s.proxyCommand).toBe('/usr/bin/nc -X connect -x 192.0.2.0:8080 %h %p');
  });

  it('ProxyCommand none is a direct connection, not a problem', () => {
    const s = resolve('Host x\n  ProxyCommand none\nHost *\n  ProxyCommand nc %h %p\n', 'x');
    expect(s.proxyJump).toBe('none');
    expect(s.proxyCommand).toBeUndefined();
  });

  it('rejects a value ssh would refuse, on a line that applies', () => {
    expect(() => resolve('Host a\n  Port abc\n', 'a')).toThrow('test.config line 2: bad port value "abc"');
    expect(() => resolve('Host a\n  ProxyJump fe80::1\n', 'a')).toThrow(/^test\.config line 2: invalid ProxyJump/);
    expect(() => resolve('Host a\n  StrictHostKeyChecking maybe\n', 'a')).toThrow('bad stricthostkeychecking value "maybe"');
    expect(() => resolve('Host a\n  HostName a b\n', 'a')).toThrow('garbage at end of line');
    // a bad value in a block that does not apply is left alone
    expect(resolve('Host a\n  Port abc\n', 'b')).toEqual({ identityFiles: [], certificateFiles: [], notes: [] });
  });

  it('StrictHostKeyChecking and yes/no flags accept ssh’s spellings', () => {
    expect(resolve('StrictHostKeyChecking false\nPasswordAuthentication no\n', 'h')).toMatchObject({
      strictHostKeyChecking: 'no',
      passwordAuthentication: false,
    });
    expect(resolve('StrictHostKeyChecking OFF\nIdentitiesOnly true\n', 'h')).toMatchObject({
      strictHostKeyChecking: 'off',
      identitiesOnly: true,
    });
  });

  it('applies command-line options before the files, first value winning', () => {
    const args = parseSshCommonArgs('-o Port=2200 -J ops@jump -i ~/.ssh/cli -o StrictHostKeyChecking=no');
    const text = 'Host *\n  Port 22\n  ProxyJump other\n  IdentityFile ~/.ssh/cfg\n  StrictHostKeyChecking yes\n';
    expect(resolve(text, 'h', { commandLine: args.configLines })).toMatchObject({
      port: 2200,
      proxyJump: [{ user: 'ops', host: 'jump' }],
      identityFiles: [`${HOME}/.ssh/cli`, `${HOME}/.ssh/cfg`],
      strictHostKeyChecking: 'no',
    });
    expect(() => resolve('', 'h', { commandLine: ['Host x'] })).toThrow('not allowed on the command line');
  });
});
