/**
 * `cnet-remote inventory list` / `inventory host`, run as users run them: the built CLI
 * (`node bin/cnet-remote.js`, built here with tsc), compared with the real `ansible-inventory`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ansibleEnv, ansibleHome, ansibleInventory } from '../inventory/ansible-reference.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(ROOT, 'test/fixtures/inventory-corpus');
const FILE = join(CORPUS, '06-homelab.yml');

let home: ReturnType<typeof ansibleHome>;
let dir: string;
beforeAll(() => {
  // the CLI as built: type errors elsewhere in the tree do not stop tsc from writing it
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  home = ansibleHome();
  dir = mkdtempSync(join(tmpdir(), 'cnet-cli-list-'));
});
afterAll(() => {
  home.done();
  rmSync(dir, { recursive: true, force: true });
});

/** The built CLI, in the private Ansible environment; its exit code and both outputs. */
function cli(...args: string[]) {
  const r = spawnSync('node', [join(ROOT, 'bin/cnet-remote.js'), 'inventory', ...args], { cwd: dir, env: ansibleEnv(home.dir), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('inventory list', () => {
  it('prints what ansible-inventory --list prints, to the byte', () => {
    const theirs = ansibleInventory([FILE], ['--list'], home.dir, 'yaml');
    const ours = cli('list', FILE);
    expect(ours.stderr).toBe('');
    expect(ours).toMatchObject({ code: 0, stdout: theirs });
  });

  it.each(['32-kubespray-hosts.ini', '31-kolla-ansible-multinode'])('an INI inventory (%s): what ansible-inventory --list prints, to the byte', (name) => {
    const file = join(CORPUS, name);
    const theirs = ansibleInventory([file], ['--list'], home.dir);
    expect(cli('list', file)).toMatchObject({ code: 0, stdout: theirs, stderr: '' });
  });

  it('takes inventories as -i too (repeatable, after the positional ones), and --json (the only form)', () => {
    const other = join(CORPUS, '02-k3s-ansible.yml');
    const theirs = ansibleInventory([FILE, other], ['--list'], home.dir, 'yaml');
    expect(cli('list', '-i', FILE, '-i', other, '--json')).toMatchObject({ code: 0, stdout: theirs });
    expect(cli('list', FILE, '-i', other).stdout).toBe(theirs);
  });

  it('never prints a password: (hidden) in its place', () => {
    const file = join(dir, 'secret.yml');
    writeFileSync(file, 'web:\n  hosts:\n    w1:\n      ansible_password: s3cret-pw\n      ansible_become_pass: other-pw\n      ansible_user: deploy\n');
    const r = cli('list', file);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/s3cret|other-pw/);
    expect(JSON.parse(r.stdout)._meta.hostvars.w1).toEqual({ ansible_password: '(hidden)', ansible_become_pass: '(hidden)', ansible_user: 'deploy' });
  });

  it('-v says which ansible.cfg was read, and which inventory was read through ansible-inventory', () => {
    const script = join(dir, 'inv.sh');
    writeFileSync(script, `#!/bin/sh\n[ "$1" = --list ] && echo '{"web": {"hosts": ["w1"]}, "_meta": {"hostvars": {"w1": {"x": 1}}}}' || echo '{}'\n`);
    chmodSync(script, 0o755);
    const r = cli('list', script, '-v');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`read ansible config ${join(home.dir, 'ansible.cfg')}\nread ${script} through \`ansible-inventory -i ${script} --list --export\`\n`);
    expect(r.stdout).toBe(execFileSync('ansible-inventory', ['-i', script, '--list'], { cwd: home.dir, env: ansibleEnv(home.dir), encoding: 'utf8' }));
  });

  it('no inventory, none in ansible.cfg either: a usage error', () => {
    const r = cli('list');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no inventory: .*-i FILE.*set inventory in ansible\.cfg/);
  });
});

describe('inventory host', () => {
  it("prints ansible-inventory --host's variables, then the connection they make", () => {
    const name = 'metal0';
    const theirs = ansibleInventory([FILE], ['--host', name], home.dir, 'yaml');
    const r = cli('host', name, FILE);
    expect(r.code).toBe(0);
    const [vars, connection] = r.stdout.split('\n\nconnection:\n');
    expect(vars).toBe(theirs.trimEnd());
    expect(connection).toBe(
      [
        '  address:  192.168.1.110',
        "  port:     (not set: the ssh config's, else 22)",
        "  user:     (not set: the ssh config's, else yours)",
        `  key file: (not set: the ssh config's, ssh-agent's and ssh's defaults)`,
        '  password: (none)',
        '',
      ].join('\n'),
    );
  });

  it('passwords, in the variables and in the connection, show as (hidden)', () => {
    const file = join(dir, 'secret-host.yml');
    writeFileSync(
      file,
      'web:\n  hosts:\n    w1:\n      ansible_host: 10.1.2.3\n      ansible_port: 2200\n      ansible_password: s3cret-pw\n      ansible_ssh_private_key_file: /keys/id\n      ansible_become: true\n      ansible_become_password: b3come\n',
    );
    const r = cli('host', 'w1', '-i', file);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/s3cret|b3come/);
    expect(r.stdout).toContain('"ansible_password": "(hidden)"');
    expect(r.stdout.split('connection:\n')[1]).toBe(
      [
        '  address:  10.1.2.3',
        '  port:     2200',
        "  user:     (not set: the ssh config's, else yours)",
        '  key file: /keys/id',
        '  password: (hidden)',
        '  become:   root through sudo, password (hidden)',
        '',
      ].join('\n'),
    );
  });

  it('an unknown host: a usage error naming the hosts there are', () => {
    const r = cli('host', 'nosuch', FILE);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no host "nosuch" in the inventory: its hosts are "/);
  });
});
