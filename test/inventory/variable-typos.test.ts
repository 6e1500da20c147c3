/**
 * A misspelt connection variable is warned of, with where it is written and the name meant;
 * Ansible takes any variable name, so it is never an error (ansible-inventory shows it kept).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { ANSIBLE_VARIABLES } from '../../src/inventory/ansible/variable-names.js';
import { connectionVarTypo } from '../../src/inventory/variable-typos.js';
import { ansibleInventory, useAnsibleHome } from './ansible-reference.js';
import { host, resolve } from './helpers.js';

const home = useAnsibleHome();

describe('connectionVarTypo', () => {
  it.each([
    ['ansible_ssh_pasword', 'ansible_ssh_password'],
    ['ansible_usr', 'ansible_user'],
    ['ansible_become_passwd', 'ansible_become_password'],
    ['ansible_prot', 'ansible_port'],
    ['ansible_hots', 'ansible_host'],
  ])('%s: did you mean %s', (key, meant) => {
    expect(connectionVarTypo(key)).toBe(`variable "${key}" is read neither by Ansible nor by cnet-remote, so it changes nothing: did you mean "${meant}"?`);
  });

  it("says nothing of the variables cnet-remote reads, Ansible's own however close (ansible_scp_extra_args, ansible_su_user), a user's own, nor other names", () => {
    for (const key of [
      'ansible_user',
      'ansible_ssh_pass',
      'ansible_scp_extra_args',
      'ansible_su_user',
      'ansible_su_pass',
      'ansible_python_interpreter',
      'ansible_timeout',
    ])
      expect(connectionVarTypo(key), key).toBeUndefined();
    for (const key of ['ansible_vault_id_list', 'ansible_managed_by', 'user', 'cnet_usr', 'ANSIBLE_USER']) expect(connectionVarTypo(key), key).toBeUndefined();
  });

  it('warns of no variable written in the public inventories of the corpus (every ansible_* name in them)', () => {
    const dir = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
    const names = new Set<string>();
    for (const f of readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile()))
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bansible_\w+/g)) names.add(m[0]);
    expect(names.size).toBeGreaterThan(20);
    expect([...names].filter((n) => connectionVarTypo(n))).toEqual([]);
  });
});

describe("Ansible's own variable names", () => {
  it("are those the installed ansible-core reads (its plugins' documentation, config/base.yml, MAGIC_VARIABLE_MAPPING)", () => {
    const script = fileURLToPath(new URL('./ansible-variable-names.py', import.meta.url));
    const theirs = execFileSync('/usr/bin/python3', [script], { cwd: home.dir, env: home.env, encoding: 'utf8' }).trim().split(/\s+/);
    expect([...ANSIBLE_VARIABLES].sort()).toEqual(theirs);
  });
});

describe('a misspelt connection variable in an inventory', () => {
  const text = 'all:\n  hosts:\n    vm1:\n      ansible_host: 192.0.2.10\n      ansible_ssh_pasword: s3cret\n  vars:\n    ansible_usr: cnet\n';

  it('is a warning naming file:line and the name meant; the inventory resolves, the value unused', () => {
    const inv = resolve(text);
    expect(inv.warnings.map(formatIssue)).toEqual([
      'inv.yaml:5:7 all.hosts.vm1.ansible_ssh_pasword: variable "ansible_ssh_pasword" is read neither by Ansible nor by cnet-remote, so it changes nothing: did you mean "ansible_ssh_password"?',
      'inv.yaml:7:5 all.vars.ansible_usr: variable "ansible_usr" is read neither by Ansible nor by cnet-remote, so it changes nothing: did you mean "ansible_user"?',
    ]);
    expect(host(inv, 'vm1').connection).not.toHaveProperty('password');
  });

  it('is kept by Ansible as any variable (ansible-inventory --host shows it)', () => {
    const file = join(home.dir, 'typos.yaml');
    writeFileSync(file, text);
    expect(JSON.parse(ansibleInventory([file], ['--host', 'vm1'], home.dir))).toEqual({
      ansible_host: '192.0.2.10',
      ansible_ssh_pasword: 's3cret',
      ansible_usr: 'cnet',
    });
  });
});
