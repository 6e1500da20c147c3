import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blackhole, LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { cliEnv, cliJson, onVm, ROOT, SEED_PART2, startLab, stopLab } from './lab-fixture.js';

/** Real fleets: bastions, sudo users, passwords, ssh config aliases, unreachable hosts — over real SSH. */
let lab: LabInfo;
let dir: string;
beforeAll(async () => {
  lab = await startLab('fl', 3, { behind: 30, behind2: 1 });
  dir = mkdtempSync(join(tmpdir(), 'cnet-fleet-'));
});
afterAll(async () => stopLab(lab));

const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
type Json = Awaited<ReturnType<typeof cliJson>>['json'];
const statuses = (json: Json) => Object.fromEntries(json.hosts.map((h) => [h.name, h.status]));

describe.sequential('bastions', () => {
  it('30 hosts behind one bastion and one behind two come up together, over one bastion connection', async () => {
    const run = await cliJson('up', lab.inventory, SEED_PART2, '--limit', 'private:deep');
    expect(run.code, run.stdout).toBe(0);
    expect(run.json.summary).toEqual({ ok: 0, changed: 31, failed: 0, unreachable: 0 });
    // the bastion's sshd accepted ONE login from the controller for all 31 targets behind it
    const log = readFileSync(join(lab.plan.dir, 'h1.log'), 'utf8');
    expect(log.match(new RegExp(`Accepted publickey for root from ${lab.plan.controllerAddress.replaceAll('.', '\\.')} `, 'g'))).toHaveLength(1);
    expect(readFileSync(join(lab.plan.dir, 'p1.log'), 'utf8')).toMatch(new RegExp(`Accepted publickey for root from 10\\.${lab.plan.net}\\.160\\.1 `));
    const again = await cliJson('verify', lab.inventory, SEED_PART2, '--limit', 'deep1');
    expect(again.code).toBe(0);
    expect(again.json.hosts[0]!.verified).toBe(true);
  });

  it('a target behind a bastion has its own host key checked under its own name', async () => {
    const known = file(
      'known_wrong',
      readFileSync(lab.knownHosts, 'utf8').replace(
        /^(10\.\d+\.160\.10) \S+ \S+$/m,
        `$1 ${readFileSync(join(lab.plan.dir, 'hostkeys', 'h1.pub'), 'utf8')
          .split(' ')
          .slice(0, 2)
          .join(' ')}`,
      ),
    );
    const inv = file('priv-known.yaml', `all:\n  vars:\n    cnet_known_hosts_file: ${known}\n`);
    const run = await cliJson('verify', lab.inventory, SEED_PART2, inv, '--limit', 'priv1,priv2');
    expect(statuses(run.json)).toEqual({ priv1: 'unreachable', priv2: 'ok' });
    expect(run.json.hosts[0]!.error).toMatch(/CHANGED/);
  });
});

describe.sequential('sudo and passwords', () => {
  const { sudoer, passwordSudoer } = LAB_USERS;

  it('a non-root user with passwordless sudo, and one whose sudo password comes from CNET_BECOME_PASSWORD', async () => {
    const inv = file(
      'become.yaml',
      `all:\n  children:\n    lab:\n      hosts:\n        vm1: { ansible_user: ${sudoer}, ansible_become: true }\n        vm2: { ansible_user: ${passwordSudoer}, ansible_become: true }\n`,
    );
    const run = await cliEnv({ CNET_BECOME_PASSWORD: lab.becomePassword }, 'up', lab.inventory, SEED_PART2, inv, '--limit', 'vm1,vm2', '--json');
    const json = JSON.parse(run.stdout) as Json;
    expect(run.code, run.stdout).toBe(0);
    expect(statuses(json)).toEqual({ vm1: 'changed', vm2: 'changed' });
    // built as root: the record is root's
    expect((await onVm(lab, 2, 'stat -c %U /run/cnet-remote/owned\n')).stdout.trim()).toBe('root');
  });

  it('a wrong sudo password fails that host only, clearly, and the password is in no output or report', async () => {
    const secret = 'Wr0ng-s3cret-pw';
    const inv = file(
      'become-wrong.yaml',
      `all:\n  children:\n    lab:\n      hosts:\n        vm1: { ansible_user: ${sudoer}, ansible_become: true }\n        vm2: { ansible_user: ${passwordSudoer}, ansible_become: true, ansible_become_password: ${secret} }\n`,
    );
    const [junit, html] = [join(dir, 'r.xml'), join(dir, 'r.html')];
    const run = await cliEnv({}, 'verify', lab.inventory, SEED_PART2, inv, '--limit', 'vm1,vm2', '--json', '--junit', junit, '--html', html);
    const json = JSON.parse(run.stdout) as Json;
    expect(run.code).toBe(2);
    expect(statuses(json)).toEqual({ vm1: 'ok', vm2: 'failed' });
    expect(json.hosts[1]!.error).toMatch(/sudo: the become password .* was refused/);
    const human = await cliEnv({}, 'verify', lab.inventory, SEED_PART2, inv, '--limit', 'vm1,vm2', '-v');
    for (const text of [run.stdout, run.stderr, human.stdout, human.stderr, readFileSync(junit, 'utf8'), readFileSync(html, 'utf8')])
      expect(text).not.toContain(secret);
  });

  it('sudo that wants a password nobody gave: a clear message', async () => {
    const inv = file('become-none.yaml', `all:\n  children:\n    lab:\n      hosts:\n        vm3: { ansible_user: ${passwordSudoer}, ansible_become: true }\n`);
    const run = await cliJson('verify', lab.inventory, SEED_PART2, inv, '--limit', 'vm3');
    expect(run.code).toBe(2);
    expect(run.json.hosts[0]!.error).toBe('sudo asks for a password: set ansible_become_password (or CNET_BECOME_PASSWORD)');
  });

  it('password authentication (no key) from CNET_SSH_PASSWORD, and keyboard-interactive where sshd only offers that (vm3); never printed', async () => {
    const host = (name: string, i: number) =>
      `    ${name}:\n      ansible_host: ${lab.plan.vmAddress(i)}\n      ansible_user: ${passwordSudoer}\n      ansible_become: true\n`;
    const inv = file(
      'password.yaml',
      `all:\n  vars:\n    cnet_known_hosts_file: ${lab.knownHosts}\n    cnet_host_key_checking: strict\n  hosts:\n${host('vm2', 2)}${host('vm3', 3)}`,
    );
    const run = await cliEnv(
      { CNET_SSH_PASSWORD: lab.becomePassword, CNET_BECOME_PASSWORD: lab.becomePassword, SSH_AUTH_SOCK: '' },
      'up',
      inv,
      SEED_PART2,
      '--json',
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(lab.becomePassword);
    expect(readFileSync(join(lab.plan.dir, 'h2.log'), 'utf8')).toMatch(new RegExp(`Accepted password for ${passwordSudoer} `));
    expect(readFileSync(join(lab.plan.dir, 'h3.log'), 'utf8')).toMatch(new RegExp(`Accepted keyboard-interactive/pam for ${passwordSudoer} `));
  });

  it('an encrypted key with its passphrase from CNET_SSH_KEY_PASSPHRASE; without it, a clear error', async () => {
    const key = join(dir, 'id_encrypted');
    execFileSync('cp', [lab.key, key]);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'k3y-passphrase', '-f', key]);
    const inv = file('encrypted.yaml', `all:\n  vars:\n    ansible_ssh_private_key_file: ${key}\n`);
    const ok = await cliEnv({ CNET_SSH_KEY_PASSPHRASE: 'k3y-passphrase', SSH_AUTH_SOCK: '' }, 'up', lab.inventory, inv, SEED_PART2, '--limit', 'vm1', '--json');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const missing = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', lab.inventory, inv, SEED_PART2, '--limit', 'vm1', '--json');
    expect(JSON.parse(missing.stdout).hosts[0].error).toMatch(/id_encrypted is encrypted: set CNET_SSH_KEY_PASSPHRASE/);
    // interactive (a terminal, not CI): asked once, before the run, without echo
    const env = { ...process.env, SSH_AUTH_SOCK: '' } as NodeJS.ProcessEnv;
    delete env.CI;
    const cmd = `node ${join(ROOT, 'bin', 'cnet-remote.js')} verify ${lab.inventory} ${inv} ${SEED_PART2} --limit vm1 --json`;
    const asked = execFileSync('sh', ['-c', `(sleep 1; printf 'k3y-passphrase\\n') | script -qec "${cmd}" /dev/null`], { env, encoding: 'utf8' });
    expect(asked).toContain(`Enter passphrase for ${key}:`);
    expect(asked).not.toContain('k3y-passphrase');
    expect(asked).toMatch(/"status": "ok"/);
  });

  it('ssh-agent: the inventory key is offered first, so an agent full of other keys does not exhaust MaxAuthTries', async () => {
    const sock = join(dir, 'agent.sock');
    const agent = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent)![1]);
    try {
      for (let k = 0; k < 7; k++) {
        const other = join(dir, `other${k}`);
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
        execFileSync('ssh-add', ['-q', other], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      }
      const run = await cliEnv({ SSH_AUTH_SOCK: sock }, 'verify', lab.inventory, SEED_PART2, '--limit', 'vm1', '--json');
      expect(run.code, run.stdout + run.stderr).toBe(0);
      // and the agent alone, holding the right key among the others, works with no key file
      execFileSync('ssh-add', ['-q', lab.key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
      const inv = file(
        'agent.yaml',
        `all:\n  hosts:\n    vm1: { ansible_host: ${lab.plan.vmAddress(1)}, ansible_user: root, cnet_known_hosts_file: ${lab.knownHosts} }\n`,
      );
      const agentOnly = await cliEnv({ SSH_AUTH_SOCK: sock }, 'verify', inv, SEED_PART2, '--json');
      expect(agentOnly.stdout + agentOnly.stderr).not.toMatch(/no way to authenticate/);
    } finally {
      process.kill(pid);
    }
  });
});

describe.sequential('ssh config', () => {
  it('a ~/.ssh/config alias with its own IdentityFile works with no inventory connection vars', async () => {
    const config = file(
      'ssh_config',
      [
        `Host labvm2`,
        `  HostName ${lab.plan.vmAddress(2)}`,
        `  User root`,
        `  IdentityFile ${lab.key}`,
        `  IdentitiesOnly yes`,
        `  UserKnownHostsFile ${lab.knownHosts}`,
        `  StrictHostKeyChecking yes`,
        '',
      ].join('\n'),
    );
    const inv = file('alias.yaml', 'all:\n  hosts:\n    labvm2: {}\n');
    const run = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', inv, SEED_PART2, '-F', config, '--json');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as Json;
    expect(json.hosts.map((h) => [h.name, h.status])).toEqual([['labvm2', 'ok']]);
  });

  it('ProxyJump from the ssh config reaches a private host; ansible_ssh_common_args wins over it', async () => {
    const config = file(
      'ssh_config_jump',
      [`Host bastion`, `  HostName ${lab.plan.vmAddress(1)}`, `  User root`, `Host 10.*.160.*`, `  ProxyJump bastion`, `  User root`, ''].join('\n'),
    );
    const inv = file(
      'jump.yaml',
      `all:\n  vars:\n    ansible_ssh_private_key_file: ${lab.key}\n    cnet_known_hosts_file: ${lab.knownHosts}\n    cnet_host_key_checking: strict\n  hosts:\n    p3: { ansible_host: ${lab.plan.vms.find((v) => v.key === 'p3')!.address} }\n`,
    );
    const run = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', inv, SEED_PART2, '-F', config, '--json');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const none = file('jump-none.yaml', `all:\n  vars:\n    ansible_ssh_common_args: -o ProxyJump=none\n`);
    const direct = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', inv, none, SEED_PART2, '-F', config, '--json', '--timeout', '2');
    expect(JSON.parse(direct.stdout).hosts[0].status).toBe('unreachable');
  });
});

describe.sequential('resilience', () => {
  it('a blackholed host times out, is retried, and is unreachable; the others are not held up by it', async () => {
    await blackhole(lab.plan, 3);
    try {
      const run = await cliJson('verify', lab.inventory, SEED_PART2, '--limit', 'lab', '--timeout', '2', '--retries', '1');
      expect(run.code).toBe(4);
      const vm3 = run.json.hosts.find((h) => h.name === 'vm3')! as Json['hosts'][number] & { durationMs: number };
      expect(vm3.status).toBe('unreachable');
      expect(vm3.error).toMatch(/timed out.*\(after 2 attempts\)/);
      // the others did not wait for it: each finished before it was given up (two timeouts and a backoff)
      for (const h of run.json.hosts.filter((x) => x.name !== 'vm3') as (Json['hosts'][number] & { durationMs: number })[]) {
        expect(h.status).not.toBe('unreachable');
        expect(h.durationMs).toBeLessThan(vm3.durationMs);
      }
      // the per-host deadline ends the work even when the connect timeout is longer
      const deadline = await cliJson('verify', lab.inventory, SEED_PART2, '--limit', 'vm3', '--timeout', '30', '--deadline', '1');
      expect(deadline.json.hosts[0]!.error).toMatch(/deadline of 1 s exceeded/);
    } finally {
      await blackhole(lab.plan, 3, false);
    }
  });
});
