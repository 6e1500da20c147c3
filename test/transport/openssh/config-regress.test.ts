/**
 * Cross-check resolveSshConfig against the real OpenSSH client: `ssh -G -F FILE ALIAS` prints
 * the configuration ssh would use, without connecting. The configs here have no `Match exec`
 * (ssh -G would run it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJumpSpec, parseJumpSpec, type JumpSpec } from '../../../src/transport/openssh/jump-spec.js';
import { loadSshConfig } from '../../../src/transport/openssh/config-read.js';
import { resolveSshConfig } from '../../../src/transport/openssh/config-resolve.js';
import type { SshConfigSettings } from '../../../src/transport/openssh/config-types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/ssh-config/', import.meta.url));
const hasSsh = spawnSync('ssh', ['-V'], { stdio: 'ignore' }).status === 0;
const me = userInfo();

/** what ssh 9.2 tries when no IdentityFile applies */
const SSH_DEFAULT_KEYS = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

/** `ssh -G` output: keyword → values (repeated keywords such as identityfile keep every line). */
function sshG(file: string, alias: string): Map<string, string[]> {
  const out = execFileSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const map = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (!m) continue;
    const list = map.get(m[1] as string) ?? [];
    list.push(m[2] as string);
    map.set(m[1] as string, list);
  }
  return map;
}

/** What ssh -G would print for our settings, for the keywords compared. */
function asSshG(s: SshConfigSettings, alias: string): Record<string, string[]> {
  const strict = { yes: 'true', no: 'false', off: 'false', ask: 'ask', 'accept-new': 'accept-new' }[s.strictHostKeyChecking ?? 'ask'];
  return {
    hostname: [s.hostName ?? alias.toLowerCase()],
    user: [s.user ?? me.username],
    port: [String(s.port ?? 22)],
    identityfile: s.identityFiles.length > 0 ? s.identityFiles : SSH_DEFAULT_KEYS.map((k) => join(me.homedir, '.ssh', k)),
    proxyjump: s.proxyJump === undefined || s.proxyJump === 'none' ? [] : [formatJumpSpec(s.proxyJump)],
    userknownhostsfile: [(s.userKnownHostsFiles ?? [join(me.homedir, '.ssh/known_hosts'), join(me.homedir, '.ssh/known_hosts2')]).join(' ')],
    stricthostkeychecking: [strict],
    connecttimeout: [s.connectTimeout === undefined ? 'none' : String(s.connectTimeout)],
  };
}

function fromSshG(g: Map<string, string[]>): Record<string, string[]> {
  const home = me.homedir;
  return {
    hostname: g.get('hostname') ?? [],
    user: g.get('user') ?? [],
    port: g.get('port') ?? [],
    // ssh -G prints IdentityFile unexpanded; the fixtures use only a leading ~
    identityfile: (g.get('identityfile') ?? []).map((f) => (f.startsWith('~/') ? join(home, f.slice(2)) : f)),
    proxyjump: g.get('proxyjump') ?? [],
    userknownhostsfile: g.get('userknownhostsfile') ?? [],
    stricthostkeychecking: g.get('stricthostkeychecking') ?? [],
    connecttimeout: g.get('connecttimeout') ?? [],
  };
}

describe.skipIf(!hasSsh)('resolveSshConfig agrees with `ssh -G`', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-ssh-G-'));
    // copies: ssh refuses included files with foreign owners or loose permissions
    mkdirSync(join(dir, 'config.d'));
    copyFileSync(join(FIXTURES, 'fleet.config'), join(dir, 'fleet.config'));
    for (const f of ['10-lab.conf', '20-extra.conf', 'ignored.txt']) copyFileSync(join(FIXTURES, 'config.d', f), join(dir, 'config.d', f));
    file = join(dir, 'config');
    writeFileSync(
      file,
      [
        '# Match rules ahead of the fleet config',
        'Host m-*',
        '    HostName %h.M.example',
        `Match originalhost m-* localuser ${me.username}`,
        `    User matched-${me.username}`,
        '    IdentityFile /keys/m-local',
        'Match host *.m.example !originalhost m-skip',
        '    Port 2345',
        'Match user matched-*',
        '    UserKnownHostsFile /kh/%C_%l_%L_%i_%k_%n_%h_%p_%r_%u_%d',
        'Match !localuser nobody-at-all originalhost other,OTHER2',
        '    StrictHostKeyChecking yes',
        '# back to a block that applies everywhere, else the Includes would sit in the Match block',
        'Host *',
        `Include ${dir}/config.d/*.conf`,
        `Include ${dir}/fleet.config`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const aliases = ['bastion', 'web-1', 'web-legacy', 'db1', 'DB1', 'direct', 'app.corp.example.com', 'other', 'lab-1', 'lab-2', 'm-a', 'm-skip', 'other2'];
  it.each(aliases)('%s', (alias) => {
    const settings = resolveSshConfig(loadSshConfig(file), alias);
    expect(settings.notes).toEqual([]);
    expect(asSshG(settings, alias)).toEqual(fromSshG(sshG(file, alias)));
  });

  it('the comparison is not vacuous', () => {
    const cfg = loadSshConfig(file);
    expect(resolveSshConfig(cfg, 'm-a')).toMatchObject({ hostName: 'm-a.m.example', port: 2345, user: `matched-${me.username}` });
    expect(resolveSshConfig(cfg, 'web-legacy').proxyJump).toHaveLength(2);
    expect(resolveSshConfig(cfg, 'lab-2').port).toBe(2202);
    expect(resolveSshConfig(cfg, 'other').strictHostKeyChecking).toBe('yes');
    expect(resolveSshConfig(cfg, 'other2').strictHostKeyChecking).toBe('yes');
  });
});

describe.skipIf(!hasSsh)('parseJumpSpec agrees with `ssh -G` on what is valid', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-ssh-J-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    // one hop: ssh -G prints it back normalised
    'bastion',
    'ops@bastion.example.com:2222',
    'ssh://bob;x=y@h1:2201/',
    '[::1]:23',
    'carol@[fe80::1]',
    'ssh://h',
    'u@v@h:22',
    'ssh://a%40b@h',
    'a:ssh',
    'a:',
    'a # comment',
    'A.B',
    'NONE',
    // several hops: ssh -G prints them as written
    'a,b,c',
    'none,a',
    'ssh://u@h:22,x@y:2022',
    // invalid
    'ssh://bob@h1:2201/p',
    'h2/2222',
    'a:0',
    'a:99999',
    '@a',
    'a, b',
    'a,,b',
    'fe80::1',
    'ssh://%r@h',
  ];
  it.each(cases)('%s', (spec) => {
    const file = join(dir, 'config');
    writeFileSync(file, `Host x\n  ProxyJump ${spec}\n`);
    const run = spawnSync('ssh', ['-G', '-F', file, 'x'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    let ours: JumpSpec[] | 'none' | undefined;
    try {
      ours = parseJumpSpec(spec);
    } catch {
      ours = undefined;
    }
    expect(ours !== undefined, `ssh said: ${run.stderr}`).toBe(run.status === 0);
    if (ours === undefined) return;
    const printed = /^proxyjump (.*)$/m.exec(run.stdout)?.[1];
    if (ours === 'none') expect(printed).toBeUndefined();
    else if (ours.length === 1) expect(formatJumpSpec(ours)).toBe(printed);
    else expect(printed).toBe(spec);
  });
});
