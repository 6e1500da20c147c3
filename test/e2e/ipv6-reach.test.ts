import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LabInfo } from '../../src/lab/lab.js';
import { segmentGateway6 } from '../../src/lab/lab-plan.js';
import type { ExecReport } from '../../src/report/exec-report.js';
import { cli, onVm, realSsh, startLab, stopLab } from './lab-fixture.js';

/**
 * A lab reached over IPv6 (`lab up --reach ipv6`): vm1 on the main segment and priv1 behind it
 * (vm1 its bastion). The built CLI connects to both at their IPv6 addresses with the lab's
 * strict host-key checking, and each VM's sshd says the connection came over IPv6
 * (SSH_CONNECTION). Beside it the real OpenSSH client: the known_hosts lines both write for a
 * host on port 22 (and its bastion) name it alike, and each accepts the other's.
 */
let lab: LabInfo;
let dir: string;
beforeAll(async () => {
  lab = await startLab('sx', 1, { behind: 1 }, { reach: 'ipv6' });
  dir = mkdtempSync(join(tmpdir(), 'cnet-ipv6-reach-'));
});
afterAll(async () => {
  await stopLab(lab);
  rmSync(dir, { recursive: true, force: true });
});

const vm = (key: string) => lab.plan.vms.find((v) => v.key === key)!;
const names = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0])
    .sort();

describe.sequential('a VM reached over IPv6', () => {
  it('the inventory names the VMs and the bastion by their IPv6 addresses, and the upstream IPv6 address to probe', () => {
    const inv = parse(readFileSync(lab.inventory, 'utf8')) as {
      all: { children: Record<string, { hosts: Record<string, { ansible_host: string }>; vars: Record<string, string> }> };
    };
    const { lab: main, private: priv } = inv.all.children;
    expect(main!.hosts.vm1!.ansible_host).toBe(vm('h1').address6);
    expect(main!.vars.cnet_probe_target6).toBe(lab.plan.internetAddress6);
    expect(priv!.hosts.priv1!.ansible_host).toBe(vm('p1').address6);
    expect(priv!.vars.ansible_ssh_common_args).toBe(`-o ProxyJump=root@[${vm('h1').address6}]`);
    // as the real ssh reads that argument
    const g = execFileSync('ssh', ['-G', '-F', 'none', ...priv!.vars.ansible_ssh_common_args!.split(' '), priv!.hosts.priv1!.ansible_host], {
      encoding: 'utf8',
    });
    expect(g).toContain(`\nproxyjump root@[${vm('h1').address6}]\n`);
    expect(g).toContain(`\nhostname ${vm('p1').address6}\n`);
  });

  it('exec connects over IPv6, to vm1 and through it to priv1, with strict host-key checking', async () => {
    const run = await cli('exec', lab.inventory, '--json', '--', 'sh', '-c', 'echo $SSH_CONNECTION');
    expect(run.code, run.stderr).toBe(0);
    const byHost = Object.fromEntries((JSON.parse(run.stdout) as ExecReport).results.map((r) => [r.host, r.stdout.trim().split(' ')]));
    // client address, client port, server address, server port, as sshd saw them
    expect(byHost.vm1).toEqual([lab.plan.controllerAddress6, expect.stringMatching(/^\d+$/), vm('h1').address6, '22']);
    // priv1 is reached from the bastion's leg on its segment, over IPv6 too
    expect(byHost.priv1).toEqual([segmentGateway6(lab.plan.net, 'private'), expect.stringMatching(/^\d+$/), vm('p1').address6, '22']);
  });

  it('the VMs have their IPv6 default route, and the upstream answers at its IPv6 "internet" address', async () => {
    const r = await onVm(lab, 1, `ip -6 route show default; ping -6 -c 1 -W 2 ${lab.plan.internetAddress6} >/dev/null && echo answered\n`);
    expect(r.stdout, r.stderr).toMatch(new RegExp(`^default via ${lab.plan.upstreamAddress6} dev eth0 .*\\nanswered\\n$`));
  });

  it('lab status logs in over IPv6 and names the IPv6 prefix', async () => {
    const status = await cli('lab', 'status', '--name', lab.plan.name);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toContain(`on 10.${lab.plan.net}.0.0/16 and ${lab.plan.network6}, reached over IPv6`);
    expect(status.stdout).toMatch(/logins ok on 2 of 2 VMs/);
    expect(status.stdout).toContain(`upstream ("internet"): ${lab.plan.internetAddress} and ${lab.plan.internetAddress6}`);
  });

  it('known_hosts on port 22: the real ssh and cnet-remote write the same name for a spelling of the address, and take each other’s', async () => {
    const v6 = vm('h1').address6;
    const spelled = v6.toUpperCase().replace('::', ':0:0::');
    const [theirs, mine] = [join(dir, 'theirs'), join(dir, 'mine')];
    const ssh = (file: string, checking: string) =>
      realSsh([
        '-F',
        'none',
        '-i',
        lab.key,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `StrictHostKeyChecking=${checking}`,
        '-o',
        `UserKnownHostsFile=${file}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        'BatchMode=yes',
        `root@${spelled}`,
        'true',
      ]);
    const inventory = (file: string, checking: string) => {
      const path = join(dir, `inv-${checking}.yaml`);
      writeFileSync(
        path,
        `all:\n  hosts:\n    vm1: { ansible_host: "${spelled}", ansible_user: root, ansible_ssh_private_key_file: ${lab.key}, cnet_known_hosts_file: ${file}, cnet_host_key_checking: ${checking} }\n`,
      );
      return path;
    };
    expect(await ssh(theirs, 'accept-new')).toMatchObject({ code: 0 });
    const added = await cli('exec', inventory(mine, 'accept-new'), '--', 'true');
    expect(added.code, added.stderr).toBe(0);
    expect(names(theirs)).toEqual([v6]);
    expect(names(mine)).toEqual([v6]);
    expect(readFileSync(mine, 'utf8')).toBe(readFileSync(theirs, 'utf8'));
    expect((await ssh(mine, 'yes')).code).toBe(0);
    const strict = await cli('exec', inventory(theirs, 'strict'), '--', 'true');
    expect(strict.code, strict.stderr).toBe(0);
    // the lab's own known_hosts holds the VM under that name, as ssh-keygen looks it up
    expect(execFileSync('ssh-keygen', ['-F', v6, '-f', lab.knownHosts], { encoding: 'utf8' })).toContain(`${v6} ssh-ed25519 `);
  });

  it('known_hosts through an IPv6 bastion: both name the bastion and the target by their IPv6 addresses', async () => {
    const [theirs, mine] = [join(dir, 'theirs-jump'), join(dir, 'mine-jump')];
    // ssh runs the jump as an ssh of its own, which reads the config file: the settings go there
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      `Host *\n  User root\n  IdentityFile ${lab.key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${theirs}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking accept-new\n  BatchMode yes\n`,
    );
    expect(await realSsh(['-F', config, '-J', `[${vm('h1').address6}]`, vm('p1').address6, 'true'])).toMatchObject({ code: 0 });
    const over = join(dir, 'accept-new.yaml');
    writeFileSync(over, `all:\n  vars:\n    cnet_known_hosts_file: ${mine}\n    cnet_host_key_checking: accept-new\n`);
    const run = await cli('exec', lab.inventory, over, '--limit', 'priv1', '--', 'true');
    expect(run.code, run.stderr).toBe(0);
    expect(names(theirs)).toEqual([vm('h1').address6, vm('p1').address6].sort());
    expect(names(mine)).toEqual(names(theirs));
  });

  it('the controller side: its lab link has the lab’s IPv6 address, learns no routes, and lab down leaves no IPv6 address or route', async () => {
    const link = lab.plan.rootIf;
    expect(readFileSync(`/proc/sys/net/ipv6/conf/${link}/accept_ra`, 'utf8').trim()).toBe('0');
    const routes = execFileSync('ip', ['-6', 'route', 'show', 'dev', link], { encoding: 'utf8' });
    expect(
      routes
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0]),
    ).toEqual([`${lab.plan.network6.replace('/48', '/64')}`, 'fe80::/64']);
    await stopLab(lab);
    const prefix = lab.plan.network6.replace('::/48', ':');
    expect(execFileSync('ip', ['-6', 'addr', 'show'], { encoding: 'utf8' })).not.toContain(prefix);
    expect(execFileSync('ip', ['-6', 'route', 'show', 'table', 'all'], { encoding: 'utf8' })).not.toContain(prefix);
    expect(execFileSync('ip', ['link', 'show'], { encoding: 'utf8' })).not.toContain(`${link}@`);
  });
});
