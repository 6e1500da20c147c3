/**
 * Issue 16's messages against a real lab VM (OpenSSH's sshd with PAM, the lab users of
 * src/lab/lab-users.ts): a user other than root without ansible_become, a refused password, an
 * inventory without a network. Each says the cause and what to do, and nothing is changed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { cli, cliEnv, onVm, SEED_PART2, startLab, stopLab } from './lab-fixture.js';

let lab: LabInfo;
let dir: string;
beforeAll(async () => {
  lab = await startLab('msg', 1);
  dir = mkdtempSync(join(tmpdir(), 'cnet-e2e-messages-'));
}, 120_000);
afterAll(async () => {
  await stopLab(lab);
  rmSync(dir, { recursive: true, force: true });
});

/** an inventory file of vm1's own variables (YAML flow-mapping body), laid over the lab's */
function vm1(name: string, vars: string): string {
  const file = join(dir, name);
  writeFileSync(file, `all:\n  children:\n    lab:\n      hosts:\n        vm1: { ${vars} }\n`);
  return file;
}

const hostError = (stdout: string) => (JSON.parse(stdout) as { hosts: { status: string; error?: string }[] }).hosts[0]!;
const state = () => onVm(lab, 1, 'ip -br link; ip netns list; iptables-save -t nat | grep -c cnet-remote || true\n');

describe('issue 16: messages that point at the cause', () => {
  it('a user other than root without ansible_become: "needs root", for up and plan, and nothing is changed', async () => {
    const inv = vm1('as-cnet.yaml', `ansible_user: ${LAB_USERS.sudoer}`);
    const before = (await state()).stdout;
    for (const command of ['up', 'plan']) {
      const run = await cli(command, lab.inventory, SEED_PART2, inv, '--json');
      expect(run.code, command).toBe(2);
      const h = hostError(run.stdout);
      expect(h.status, command).toBe('failed');
      expect(h.error, command).toMatch(
        /needs root: the commands run as uid 2001, not as root, .*: set ansible_become: true \(and ansible_become_password if sudo asks for one\), or connect as root/,
      );
      expect(h.error, command).not.toMatch(/iptables is not usable/);
    }
    expect((await state()).stdout).toBe(before);
    // with ansible_become, the same user builds it
    const become = vm1('as-cnet-become.yaml', `ansible_user: ${LAB_USERS.sudoer}, ansible_become: true`);
    expect((await cli('up', lab.inventory, SEED_PART2, become, '--json')).code).toBe(0);
  });

  it('a refused password says the password was refused, not "no key was accepted"; the right one gets in', async () => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const login = `ansible_user: ${LAB_USERS.passwordSudoer}, ansible_ssh_private_key_file: ${join(dir, 'stranger')}`;
    const wrong = vm1('wrong-password.yaml', `${login}, ansible_password: not-the-password`);
    const run = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', lab.inventory, SEED_PART2, wrong, '--json');
    expect(run.code).toBe(4);
    const h = hostError(run.stdout);
    expect(h.status).toBe('unreachable');
    expect(h.error).toBe(
      `${LAB_USERS.passwordSudoer}@${lab.plan.vmAddress(1)}: authentication failed: the password was refused (and no key was accepted); check ansible_password (or ansible_ssh_pass) for this user`,
    );
    const right = vm1(
      'right-password.yaml',
      `${login}, ansible_password: ${lab.becomePassword}, ansible_become: true, ansible_become_password: ${lab.becomePassword}`,
    );
    const ok = await cliEnv({ SSH_AUTH_SOCK: '' }, 'verify', lab.inventory, SEED_PART2, right, '--json');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  });

  it('the lab inventory without a topology file: "no network", exit 1, for up, plan and verify', async () => {
    for (const command of ['up', 'plan', 'verify']) {
      const run = await cli(command, lab.inventory);
      expect(run.code, command).toBe(1);
      expect(run.stderr, command).toBe(
        `error: no network: ${lab.inventory} defines no cnet network (no bridge, namespace or fabric) for vm1: add it as all.vars.cnet, or pass a topology file after the inventory (e.g. inventories/seed-part2.yaml); to remove what cnet-remote made on it, run down (nothing was done)\n`,
      );
    }
  });
});
