import { execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, stopSshd, type LabInfo } from '../../src/lab/lab.js';
import { LAB_ROOT } from '../../src/lab/lab-plan.js';
import { planOf, readRecord } from '../../src/lab/lab-record.js';
import { reservations } from '../../src/lab/net-reservation.js';
import { cli, onVm, startLab, stopLab, testLabName, testNetFrom, type CliRun } from './lab-fixture.js';

/** The lab itself: each VM's own users and /run, `lab status`, and how test labs share the machine. */

function run(argv: string[]): Promise<CliRun> {
  return new Promise((resolve) =>
    execFile(argv[0]!, argv.slice(1), (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

const netnsNames = async () => (await run(['ip', 'netns', 'list'])).stdout;

/** useradd and userdel lock /etc/passwd and give up at once when another one holds it: try again then. */
async function shadowTool(argv: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await run(argv);
    if (r.code === 0) return;
    if (attempt >= 50 || !/lock/i.test(r.stderr)) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A process that runs until killed, and its end. */
function sleeper() {
  const child = spawn('sleep', ['infinity'], { stdio: 'ignore' });
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    end: async () => {
      child.kill('SIGKILL');
      return ended;
    },
  };
}

describe('a lab VM', () => {
  let lab: LabInfo;
  beforeAll(async () => {
    lab = await startLab('lb', 2, { behind: 1 });
  });
  afterAll(async () => stopLab(lab));

  it('keeps its users when the machine replaces its /etc/passwd (useradd, userdel), and lab status says logins work', async () => {
    const { sudoer, passwordSudoer } = LAB_USERS;
    expect((await onVm(lab, 1, 'id -un; sudo -n true && echo sudo ok\n', sudoer)).stdout).toBe(`${sudoer}\nsudo ok\n`);
    const before = statSync('/etc/passwd').ino;
    const user = `cnetx${randomInt(1e6)}`;
    try {
      await shadowTool(['useradd', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    } finally {
      if ((await run(['getent', 'passwd', user])).code === 0) await shadowTool(['userdel', user]);
    }
    // the machine's file was replaced by a new one (what detached the bind mounts VMs had)
    expect(statSync('/etc/passwd').ino).not.toBe(before);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(new RegExp(`^${sudoer}:`, 'm'));
    for (const vm of [1, 2]) {
      const asSudoer = await onVm(lab, vm, 'id -un; sudo -n true && echo sudo ok\n', sudoer);
      expect(asSudoer.stdout, asSudoer.stderr).toBe(`${sudoer}\nsudo ok\n`);
      const asRoot = await onVm(
        lab,
        vm,
        `getent passwd ${passwordSudoer} | cut -d: -f1,3; getent shadow ${passwordSudoer} | cut -c1-${passwordSudoer.length + 4}\n`,
      );
      expect(asRoot.stdout).toBe(`${passwordSudoer}:2002\n${passwordSudoer}:$6$\n`);
    }
    const status = await cli('lab', 'status', '--name', lab.plan.name);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/logins ok on 3 of 3 VMs/);
  });

  it('has /run 0755 root, as a real host does, and keeps what it writes to /etc to itself', async () => {
    for (const vm of [1, 2]) {
      // written only when /etc is the VM's overlay: never into the machine's /etc
      const r = await onVm(
        lab,
        vm,
        "stat -c '%a %U' /run /run/sshd; findmnt -n -o FSTYPE /etc | grep -qx overlay && echo vm > /etc/cnet-lab-write-check && cat /etc/cnet-lab-write-check\n",
      );
      expect(r.stdout, r.stderr).toBe('755 root\n755 root\nvm\n');
    }
    expect(existsSync('/etc/cnet-lab-write-check')).toBe(false);
  });

  // last: it breaks the lab
  it('lab status fails, naming the VM and what is wrong, when a login does not work', async () => {
    const { passwordSudoer } = LAB_USERS;
    // only in the VM's own /etc (an overlay: the machine's /etc/passwd has no lab user anyway)
    const broke = await onVm(lab, 2, `[ "$(findmnt -n -o FSTYPE /etc)" = overlay ] && sed -i '/^${passwordSudoer}:/d' /etc/passwd && echo broken\n`);
    expect(broke.stdout, broke.stderr).toBe('broken\n');
    stopSshd(lab.plan, 'p1');
    const status = await cli('lab', 'status', '--name', lab.plan.name);
    expect(status.code).not.toBe(0);
    expect(status.stdout).toMatch(/logins FAILED on 2 of 3 VMs/);
    expect(status.stdout).toContain(`vm2 (${lab.plan.vmAddress(2)}): lab user ${passwordSudoer} is missing`);
    expect(status.stdout).toMatch(/priv1 \(10\.\d+\.160\.10\): login as root failed: .*Connection refused/);
    expect(status.stderr).toMatch(/is not usable: 2 of 3 VMs failed the login check/);
  });
});

describe('test labs beside other labs', () => {
  it('two labs started at the same moment from the same network get different names and networks, and both work', async () => {
    const from = testNetFrom();
    const labs = await Promise.allSettled([startLab('lb', 1, {}, { from }), startLab('lb', 1, {}, { from })]);
    const [a, b] = labs.map((l) => (l.status === 'fulfilled' ? l.value : undefined));
    try {
      expect(labs.map((l) => (l.status === 'rejected' ? String(l.reason) : 'ok'))).toEqual(['ok', 'ok']);
      expect(a!.plan.name).not.toBe(b!.plan.name);
      expect(a!.plan.net).not.toBe(b!.plan.net);
      expect(a!.plan.network6).not.toBe(b!.plan.network6);
      for (const lab of [a!, b!]) {
        expect(readRecord(lab.plan.dir)).toMatchObject({ net: lab.plan.net, network6: lab.plan.network6 });
        expect(reservations(LAB_ROOT).get(lab.plan.net)).toMatchObject({ name: lab.plan.name });
        expect((await onVm(lab, 1, 'hostname; ip -4 -o addr show dev eth0 | grep -o "10\\.[0-9]*\\."\n')).stdout).toBe(`vm1\n10.${lab.plan.net}.\n`);
        // dual-stack: its IPv6 address in its own prefix, never tentative (nodad)
        const v6 = await onVm(lab, 1, 'ip -6 -o addr show dev eth0 scope global\n');
        expect(v6.stdout).toContain(`inet6 ${lab.plan.vmAddress6(1)}/64 scope global nodad`);
        expect(v6.stdout).not.toMatch(/tentative/);
      }
    } finally {
      await stopLab(a);
      await stopLab(b);
    }
    // lab down removes only its own reservation
    expect([...reservations(LAB_ROOT).values()].filter((r) => r !== 'unreadable' && (r.name === a?.plan.name || r.name === b?.plan.name))).toEqual([]);
  });

  it("a lab already on the network a test lab would start from (a user's, made by lab up) is left alone", async () => {
    const name = testLabName('us');
    const owner = sleeper(); // the "user" lab is removed by a later lab start should this test crash
    try {
      const up = await cli('lab', 'up', '--name', name, '--hosts', '1', '--bare', '--owner', String(owner.pid));
      expect(up.code, up.stderr).toBe(0);
      const userNet = readRecord(join(LAB_ROOT, name))!.net;
      const userVm = await onVm(userLab(name), 1, 'hostname\n');
      expect(userVm.stdout).toBe('vm1\n');
      const mine = await startLab('lb', 1, {}, { from: userNet });
      try {
        expect(mine.plan.net).not.toBe(userNet);
        expect((await onVm(mine, 1, 'hostname\n')).stdout).toBe('vm1\n');
      } finally {
        await stopLab(mine);
      }
      // the user's lab still answers, on its own network
      expect((await onVm(userLab(name), 1, 'hostname\n')).stdout).toBe('vm1\n');
      expect(reservations(LAB_ROOT).get(userNet)).toMatchObject({ name });
      // asked for exactly that network, lab up refuses and names the lab holding it
      const other = testLabName('us');
      const refused = await cli('lab', 'up', '--name', other, '--hosts', '1', '--bare', '--net', String(userNet));
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`is held by lab "${name}"`);
      expect(await netnsNames()).not.toMatch(new RegExp(`^${other}-`, 'm'));
    } finally {
      await cli('lab', 'down', '--name', name);
      await owner.end();
    }
  });

  it('a lab whose owner has ended is removed by the next lab start, its network reservation with it', async () => {
    const name = testLabName('us');
    const owner = sleeper();
    const up = await cli('lab', 'up', '--name', name, '--hosts', '1', '--bare', '--owner', String(owner.pid));
    expect(up.code, up.stderr).toBe(0);
    const net = readRecord(join(LAB_ROOT, name))!.net;
    expect(await netnsNames()).toMatch(new RegExp(`^${name}-h1`, 'm'));
    await owner.end();
    const next = await startLab('lb', 1);
    try {
      expect(await netnsNames()).not.toMatch(new RegExp(`^${name}-`, 'm'));
      expect(existsSync(join(LAB_ROOT, name))).toBe(false);
      const r = reservations(LAB_ROOT).get(net);
      expect(r === undefined || (r !== 'unreadable' && r.name !== name)).toBe(true);
    } finally {
      await stopLab(next);
    }
  });
});

/** A lab made by `lab up`, as the fixture's LabInfo (for onVm). */
function userLab(name: string): LabInfo {
  const dir = join(LAB_ROOT, name);
  return {
    plan: planOf(readRecord(dir)!, dir),
    inventory: join(dir, 'inventory.yaml'),
    knownHosts: join(dir, 'known_hosts'),
    key: join(dir, 'id_ed25519'),
    becomePassword: '',
    notes: [],
  };
}
