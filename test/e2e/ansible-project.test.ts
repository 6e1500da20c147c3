import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, type LabInfo } from '../../src/lab/lab.js';
import { ROOT, snapshot, startLab, stopLab, type CliRun } from './lab-fixture.js';

/**
 * A user's existing Ansible project, as they have it, run with no inventory on the command line:
 * an INI inventory named `hosts` (no extension) whose addresses are templates over group_vars,
 * the become password an inline `!vault` value encrypted by the real ansible-vault, and an
 * ansible.cfg in the working directory naming the inventory, the key and the remote user. The
 * real CLI over real SSH against two lab VMs, as the lab user that needs sudo's password.
 */
let lab: LabInfo;
let dir: string;

type Host = { name: string; status: string; changes: number; verified: boolean; error?: string };

/** the CLI in the project folder, with a home of its own (no ~/.ansible.cfg of this machine's) */
function cnet(args: string[]): Promise<CliRun & { json?: { hosts: Host[]; summary: Record<string, number> } }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, CI: 'true', LANG: 'C.UTF-8' };
  return new Promise((resolve) => {
    execFile('node', [join(ROOT, 'bin', 'cnet-remote.js'), ...args], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      let json: { hosts: Host[]; summary: Record<string, number> } | undefined;
      try {
        json = JSON.parse(stdout) as { hosts: Host[]; summary: Record<string, number> };
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, ...(json ? { json } : {}) });
    });
  });
}

beforeAll(async () => {
  lab = await startLab('ap', 2);
  dir = mkdtempSync(join(tmpdir(), 'cnet-e2e-project-'));
  writeFileSync(join(dir, 'vault-pass'), 'lab vault password\n');
  const vms = lab.plan.vms;
  // every VM of a lab shares its first three octets: the template puts them back
  const prefix = vms[0]!.address.split('.').slice(0, 3).join('.');
  // listed last VM first: web[0] is the first the inventory names, not the first by name
  const hosts = [...vms]
    .reverse()
    .map((v) => `${v.name} ansible_host="{{ lab_prefix }}.${v.address.split('.')[3]}"`)
    .join('\n');
  writeFileSync(
    join(dir, 'hosts'),
    `# an INI inventory, Ansible's default format\n[web]\n${hosts}\n\n[lab:children]\nweb\n\n[lab:vars]\nansible_become=yes\ncnet_host_key_checking=strict\n`,
  );
  const become = execFileSync(
    'ansible-vault',
    ['encrypt_string', lab.becomePassword, '--name', 'ansible_become_password', '--vault-password-file', join(dir, 'vault-pass')],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, ANSIBLE_CONFIG: join(dir, 'none.cfg'), LANG: 'C.UTF-8' },
      encoding: 'utf8',
    },
  );
  mkdirSync(join(dir, 'group_vars'));
  writeFileSync(
    join(dir, 'group_vars', 'all.yml'),
    [
      `lab_prefix: "${prefix}"`,
      become.trimEnd(),
      `cnet_known_hosts_file: ${lab.knownHosts}`,
      'cnet:',
      '  bridges:',
      '    apbr0: { subnet: 10.250.7.0/24 }',
      '  namespaces:',
      '    apns1: { bridge: apbr0 }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'ansible.cfg'),
    `[defaults]\ninventory = ./hosts\nremote_user = ${LAB_USERS.passwordSudoer}\nprivate_key_file = ${lab.key}\nhost_key_checking = True\n`,
  );
});
afterAll(async () => {
  await stopLab(lab);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.sequential("a user's Ansible project: INI, ansible.cfg, group_vars, templates, vault", () => {
  it('without the vault password: refused at the vault value, nothing touched', async () => {
    const before = await snapshot(lab, 0);
    const r = await cnet(['up', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/group_vars\/all\.yml:\d+:\d+ ansible_become_password: .*--vault-password-file/);
    expect(r.stderr).not.toContain(lab.becomePassword);
    expect(await snapshot(lab, 0)).toBe(before);
  });

  it('up with the vault password: every host built as the sudo user, from the config the working directory holds', async () => {
    const r = await cnet(['up', '--vault-password-file', 'vault-pass', '--json', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`read ansible config ${join(dir, 'ansible.cfg')}`);
    expect(r.stderr).toMatch(/read .*hosts as ini/);
    expect(r.json!.summary).toMatchObject({ changed: 2, failed: 0, unreachable: 0 });
    for (const h of r.json!.hosts) expect(h).toMatchObject({ status: 'changed', verified: true });
    expect(r.stderr + r.stdout).not.toContain(lab.becomePassword);
  });

  it("verify and down through -i, the vault password from ansible.cfg's vault_password_file, --limit web[0] in inventory order", async () => {
    writeFileSync(
      join(dir, 'ansible.cfg'),
      `[defaults]\nremote_user = ${LAB_USERS.passwordSudoer}\nprivate_key_file = ${lab.key}\nvault_password_file = ./vault-pass\n`,
    );
    const verify = await cnet(['verify', '-i', 'hosts', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.json!.hosts.map((h) => h.verified)).toEqual([true, true]);
    const down = await cnet(['down', '-i', 'hosts', '--limit', 'web[0]', '--json']);
    expect(down.code, down.stderr).toBe(0);
    // web[0] is the first host the inventory names (the last VM), not the first by name
    expect(down.json!.hosts.map((h) => h.name)).toEqual([lab.plan.vms.at(-1)!.name]);
  });
});
