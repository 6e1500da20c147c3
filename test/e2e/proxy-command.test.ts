import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../../src/lab/lab.js';
import { cli, realSsh, startLab, stopLab } from './lab-fixture.js';

/**
 * ProxyCommand run as OpenSSH runs it, over real SSH in the lab (vm1, and priv1 behind it that
 * only vm1 reaches), each case side by side with the real `ssh -F config HOST`:
 * 1. `ssh -W %h:%p -i BASTION_KEY root@vm1` to priv1, where the bastion's key and the target's
 *    differ and neither is accepted where the other is (it was taken as a ProxyJump, the bastion
 *    then offered the target's key: refused);
 * 2. `nc %h %p` to vm1, which the controller reaches directly, and vm1 so reached as the ProxyJump
 *    hop to priv1 (as `ssh -J` runs the hop's own ProxyCommand);
 * 3. a ProxyCommand that fails: unreachable with what it said, never a direct connection.
 *
 * The lab's sshd reads one AuthorizedKeysFile for every VM (src/lab/lab.ts), so the two extra keys
 * are told apart by where the login comes from (`from=` in that file): the bastion's key only from
 * the controller (only the directly reached VMs see it), the target's key from anywhere but the
 * controller (priv1 sees logins from vm1).
 */
let lab: LabInfo;
let dir: string;
let config: string;
let inventory: string;
let bastionKey: string;
let targetKey: string;
beforeAll(async () => {
  lab = await startLab('pc', 1, { behind: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cnet-proxycmd-'));
  const vm = (name: string) => lab.plan.vms.find((v) => v.name === name)!.address;
  bastionKey = join(dir, 'bastion_key');
  targetKey = join(dir, 'target_key');
  for (const k of [bastionKey, targetKey]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', k]);
  const ctl = lab.plan.controllerAddress;
  appendFileSync(
    join(lab.plan.dir, 'id_ed25519.pub'),
    `\nfrom="${ctl}" ${readFileSync(`${bastionKey}.pub`, 'utf8').trim()}\nfrom="!${ctl},*" ${readFileSync(`${targetKey}.pub`, 'utf8').trim()}\n`,
  );
  // the inner ssh reads no user config and offers only the key it is given
  const inner = `ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${lab.knownHosts} -o IdentitiesOnly=yes -o LogLevel=ERROR`;
  const fdProxy = join(dir, 'fd-proxy.py');
  writeFileSync(
    fdProxy,
    'import socket, sys\nc = socket.create_connection((sys.argv[1], int(sys.argv[2])))\nsocket.send_fds(socket.socket(fileno=1), [b"\\0"], [c.fileno()])\n',
  );
  const failing = join(dir, 'failing-proxy.sh');
  writeFileSync(failing, 'echo "proxy to $1:$2: the bastion refused the channel" >&2\nexit 1\n');
  config = join(dir, 'ssh_config');
  writeFileSync(
    config,
    [
      'Host priv1',
      `  HostName ${vm('priv1')}`,
      `  IdentityFile ${targetKey}`,
      `  ProxyCommand ${inner} -W %h:%p -i ${bastionKey} root@${vm('vm1')}`,
      'Host ncvm1',
      `  HostName ${vm('vm1')}`,
      `  IdentityFile ${lab.key}`,
      '  ProxyCommand nc %h %p',
      // a bastion with a ProxyCommand of its own, as a ProxyJump hop: reached through it
      'Host hopnc',
      `  HostName ${vm('priv1')}`,
      `  IdentityFile ${lab.key}`,
      '  ProxyJump ncvm1',
      // ProxyUseFdpass: the command connects and hands the socket back (as systemd-ssh-proxy does)
      'Host fdvm1',
      `  HostName ${vm('vm1')}`,
      `  IdentityFile ${lab.key}`,
      `  ProxyCommand python3 ${fdProxy} %h %p`,
      '  ProxyUseFdpass yes',
      'Host fdnone',
      `  HostName ${vm('vm1')}`,
      `  IdentityFile ${lab.key}`,
      '  ProxyCommand true',
      '  ProxyUseFdpass yes',
      'Host badvm1',
      `  HostName ${vm('vm1')}`,
      `  IdentityFile ${lab.key}`,
      `  ProxyCommand sh ${failing} %h %p`,
      'Host *',
      '  User root',
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${lab.knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  inventory = join(dir, 'hosts.yaml');
  writeFileSync(inventory, 'all:\n  hosts:\n    priv1:\n    ncvm1:\n    hopnc:\n    fdvm1:\n    fdnone:\n    badvm1:\n');
});
afterAll(async () => stopLab(lab));

/** Logins the lab VM `key` (h1, p1) accepted from `from`. */
const logins = (key: string, from: string) =>
  readFileSync(join(lab.plan.dir, `${key}.log`), 'utf8').match(new RegExp(`Accepted publickey for root from ${from.replaceAll('.', '\\.')} `, 'g'))?.length ??
  0;

const ssh = (...args: string[]) => realSsh(args);

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe.sequential('ProxyCommand in the ssh config, run as ssh runs it', () => {
  it('ssh -W with a bastion-only key: the real ssh reaches priv1, and so does cnet-remote (each key only where it belongs)', async () => {
    const real = await ssh('-F', config, 'priv1', 'hostname');
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe('priv1');
    // the keys are told apart: the target's key is refused by vm1 (a ProxyJump would have offered it there)
    const wrong = await ssh(
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${lab.knownHosts}`,
      '-i',
      targetKey,
      `root@${lab.plan.vmAddress(1)}`,
      'true',
    );
    expect(wrong.code).toBe(255);
    const run = await cli('exec', inventory, '-F', config, '--limit', 'priv1', '--', 'hostname');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(lines(run.stdout)).toEqual(['priv1 | priv1']);
  });

  it('nc %h %p to a VM the controller reaches: the real ssh and cnet-remote both connect', async () => {
    const real = await ssh('-F', config, 'ncvm1', 'hostname');
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe('vm1');
    const run = await cli('exec', inventory, '-F', config, '--limit', 'ncvm1', '--', 'hostname');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(lines(run.stdout)).toEqual(['ncvm1 | vm1']);
  });

  it('ProxyUseFdpass: a command that hands back a connected socket; the real ssh and cnet-remote both reach vm1 through it', async () => {
    const real = await ssh('-F', config, 'fdvm1', 'hostname');
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe('vm1');
    const run = await cli('exec', inventory, '-F', config, '--limit', 'fdvm1', '--', 'hostname');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(lines(run.stdout)).toEqual(['fdvm1 | vm1']);
  });

  it('ProxyUseFdpass with a command that passes nothing back: both fail, cnet-remote saying so, and nothing is reached directly', async () => {
    const before = logins('h1', lab.plan.controllerAddress);
    const real = await ssh('-F', config, 'fdnone', 'true');
    expect(real.code).toBe(255);
    const run = await cli('exec', inventory, '-F', config, '--limit', 'fdnone', '--', 'hostname');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('ProxyUseFdpass: the ProxyCommand passed no connection back');
    expect(logins('h1', lab.plan.controllerAddress)).toBe(before);
  });

  it('a ProxyJump hop whose own config has a ProxyCommand is reached through it: the real ssh and cnet-remote both reach priv1', async () => {
    const real = await ssh('-F', config, 'hopnc', 'hostname');
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe('priv1');
    const run = await cli('exec', inventory, '-F', config, '--limit', 'hopnc', '--', 'hostname');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(lines(run.stdout)).toEqual(['hopnc | priv1']);
  });

  it('a ProxyCommand that fails: the real ssh fails with its message, cnet-remote calls the host unreachable with it, and nothing logs in', async () => {
    const before = logins('h1', lab.plan.controllerAddress);
    const real = await ssh('-F', config, 'badvm1', 'true');
    expect(real.code).toBe(255);
    expect(real.stderr).toContain(`proxy to ${lab.plan.vmAddress(1)}:22: the bastion refused the channel`);
    const run = await cli('exec', inventory, '-F', config, '--limit', 'badvm1', '--', 'hostname');
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`exited with status 1: proxy to ${lab.plan.vmAddress(1)}:22: the bastion refused the channel`);
    expect(run.stderr).toMatch(/1 unreachable/);
    expect(logins('h1', lab.plan.controllerAddress)).toBe(before);
  });
});
