import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, onVm, realSsh, ROOT, startLab, stopLab } from './lab-fixture.js';

/**
 * Host keys decided as OpenSSH decides them, over real SSH in the lab: each case runs the real
 * `ssh -F config HOST true` (BatchMode: no terminal) and cnet-remote on the same config, and both
 * connect or both refuse.
 *
 * vm1 runs an extra sshd (started as root over ssh, it ends with the lab) on port 2230 with two
 * host keys, ed25519 and RSA: a client that prefers nothing gets ed25519; ssh asks for RSA first
 * when known_hosts knows only the host's RSA key (order_hostkeyalgs), and so must cnet-remote.
 */
let lab: LabInfo;
let dir: string;
let config: string;
let inventory: string;
const PORT = 2230;

const HOSTS: { host: string; what: string; connects: boolean; ours?: RegExp; theirs?: RegExp }[] = [
  { host: 'rsaonly', what: 'known_hosts holds only the RSA key of a host that offers ed25519 first', connects: true },
  {
    host: 'rsawrong',
    what: 'known_hosts holds only another RSA key',
    connects: false,
    ours: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
    theirs: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
  },
  {
    host: 'pinned',
    what: 'HostKeyAlgorithms ssh-ed25519 given outright, only the RSA key known: not reordered',
    connects: false,
    ours: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
    theirs: /REMOTE HOST IDENTIFICATION HAS CHANGED/,
  },
  { host: 'aliased', what: 'the key recorded under a HostKeyAlias, not the address', connects: true },
  {
    host: 'aliasmissing',
    what: 'a HostKeyAlias that known_hosts does not know (the address it does)',
    connects: false,
    ours: /host key for elsewhere is not known/,
    theirs: /No ED25519 host key is known for elsewhere/,
  },
  { host: 'portless', what: 'the key recorded for the address without its port (ssh: "checking without port identifier")', connects: true },
  {
    host: 'asked',
    what: "StrictHostKeyChecking ask (ssh's default), a new host and no terminal",
    connects: false,
    ours: /no terminal to confirm it on/,
    theirs: /Host key verification failed/,
  },
];

beforeAll(async () => {
  lab = await startLab('hk', 1);
  dir = mkdtempSync(join(tmpdir(), 'cnet-host-keys-'));
  const f = (name: string) => join(dir, name);
  const addr = lab.plan.vmAddress(1);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', f('host_ed25519')]);
  for (const k of ['host_rsa', 'other_rsa']) execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '3072', '-N', '', '-C', '', '-f', f(k)]);
  writeFileSync(
    f('sshd_config'),
    [
      `HostKey ${f('host_ed25519')}`,
      `HostKey ${f('host_rsa')}`,
      `AuthorizedKeysFile ${join(lab.plan.dir, 'id_ed25519.pub')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PidFile none',
      'StrictModes no',
      'UseDNS no',
      '',
    ].join('\n'),
  );
  const started = await onVm(lab, 1, `/usr/sbin/sshd -f ${f('sshd_config')} -p ${PORT} -E ${f('sshd.log')}\n`);
  expect(started.code, started.stderr).toBe(0);
  const pub = (k: string) => readFileSync(f(`${k}.pub`), 'utf8').trim();
  const name = `[${addr}]:${PORT}`;
  const knownHosts: Record<string, string> = {
    rsaonly: `${name} ${pub('host_rsa')}\n`,
    rsawrong: `${name} ${pub('other_rsa')}\n`,
    pinned: `${name} ${pub('host_rsa')}\n`,
    aliased: `vmalias ${pub('host_ed25519')}\n`,
    aliasmissing: `${name} ${pub('host_ed25519')}\n`,
    portless: `${addr} ${pub('host_ed25519')}\n`,
    asked: '',
    askyes: '',
    askno: '',
  };
  const block = (host: string, mode: string, more: string[] = []) => [
    `Host ${host}`,
    `  UserKnownHostsFile ${f(`kh_${host}`)}`,
    `  StrictHostKeyChecking ${mode}`,
    ...more.map((l) => `  ${l}`),
  ];
  for (const [host, text] of Object.entries(knownHosts)) writeFileSync(f(`kh_${host}`), text);
  config = f('ssh_config');
  writeFileSync(
    config,
    [
      ...block('rsaonly', 'yes'),
      ...block('rsawrong', 'yes'),
      ...block('pinned', 'yes', ['HostKeyAlgorithms ssh-ed25519']),
      ...block('aliased', 'yes', ['HostKeyAlias vmalias']),
      ...block('aliasmissing', 'yes', ['HostKeyAlias elsewhere']),
      ...block('portless', 'yes'),
      ...block('asked', 'ask'),
      ...block('askyes', 'ask', ['BatchMode no']),
      ...block('askno', 'ask', ['BatchMode no']),
      'Host *',
      `  HostName ${addr}`,
      `  Port ${PORT}`,
      '  User root',
      `  IdentityFile ${lab.key}`,
      '  IdentitiesOnly yes',
      `  GlobalKnownHostsFile ${f('kh_global')}`,
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  writeFileSync(f('kh_global'), '');
  inventory = f('hosts.yaml');
  writeFileSync(inventory, `all:\n  hosts:\n${[...HOSTS.map((h) => h.host), 'askyes', 'askno'].map((h) => `    ${h}:\n`).join('')}`);
});
afterAll(async () => stopLab(lab));

const ssh = (...args: string[]) => realSsh(args);

describe.sequential('host keys: cnet-remote connects exactly when the real ssh does', () => {
  it.each(HOSTS)('$host: $what → connects $connects', async ({ host, connects, ours, theirs }) => {
    const real = await ssh('-F', config, host, 'hostname');
    expect(real.code === 0, real.stderr).toBe(connects);
    if (theirs) expect(real.stderr).toMatch(theirs);
    const run = await cli('exec', inventory, '-F', config, '--limit', host, '--', 'hostname');
    expect(run.code === 0, `${run.stdout}\n${run.stderr}`).toBe(connects);
    if (connects) expect(run.stdout.trim()).toBe(`${host} | vm1`);
    if (ours) expect(run.stderr).toMatch(ours);
  });

  /**
   * `command` run on a terminal (script(1) gives it one; no CI, so cnet-remote may ask), `answer`
   * typed once the question is on the screen (ssh flushes what was typed before it asks).
   */
  const onTerminal = (command: string, answer: string): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      const child = execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, CI: '' } }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
      );
      let seen = '';
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('(yes/no/[fingerprint])? ') && child.stdin!.writable) child.stdin!.end(`${answer}\n`);
      });
    });
  const ours = (host: string) => `node ${join(ROOT, 'bin', 'cnet-remote.js')} exec ${inventory} -F ${config} --limit ${host} -- hostname`;

  it('ask at a terminal, answered yes: both ask, connect, and record the same line', async () => {
    const kh = join(dir, 'kh_askyes');
    const real = await onTerminal(`ssh -F ${config} askyes hostname`, 'yes');
    expect(real.code, real.out).toBe(0);
    expect(real.out).toContain("The authenticity of host '[");
    const recordedBySsh = readFileSync(kh, 'utf8');
    expect(recordedBySsh).toMatch(/^\[[\d.]+\]:2230 ssh-ed25519 \S+\n$/);
    writeFileSync(kh, '');
    const run = await onTerminal(ours('askyes'), 'yes');
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("The authenticity of host '[");
    expect(run.out).toContain('Are you sure you want to continue connecting (yes/no/[fingerprint])?');
    expect(run.out).toContain('askyes | vm1');
    expect(readFileSync(kh, 'utf8')).toBe(recordedBySsh);
  });

  it('ask at a terminal, answered no: both refuse and record nothing', async () => {
    const real = await onTerminal(`ssh -F ${config} askno hostname`, 'no');
    expect(real.code).toBe(255);
    const run = await onTerminal(ours('askno'), 'no');
    expect(run.code).not.toBe(0);
    expect(run.out).toContain('was not accepted (answered "no")');
    expect(readFileSync(join(dir, 'kh_askno'), 'utf8')).toBe('');
  });

  it('nothing was written to any known_hosts file (every case was strict, or ask with no terminal)', () => {
    expect(readFileSync(join(dir, 'kh_asked'), 'utf8')).toBe('');
    expect(readFileSync(join(dir, 'kh_aliasmissing'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });
});
