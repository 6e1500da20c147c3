/**
 * Vault values in inventories, end to end through the loader: encrypted by the real
 * `ansible-vault` (inline `!vault |` values and files encrypted whole, in group_vars/ and as the
 * inventory itself), decrypted by ours with the password given, refused without it. An inline
 * `!vault` value is never used as it is written (it was sent as the sudo password before).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors.js';
import type { VaultSecret } from '../../src/inventory/ansible/vault.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { host, issuesOf } from './helpers.js';

let dir: string;
const PASSWORD = 'correct horse';
const secrets: VaultSecret[] = [{ id: 'default', password: Buffer.from(PASSWORD), source: '--vault-password-file pass' }];
const wrong: VaultSecret[] = [{ id: 'default', password: Buffer.from('nope'), source: '--vault-password-file other' }];

/** ansible-vault, with a private home and config, the password from a file. */
function vault(args: string[], input?: string): string {
  return execFileSync('ansible-vault', [...args, '--vault-password-file', join(dir, 'pass')], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), LANG: 'C.UTF-8' },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-vault-inv-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  writeFileSync(join(dir, 'pass'), `${PASSWORD}\n`);
  // inline values: encrypt_string prints `NAME: !vault |` and the indented ciphertext
  const become = vault(['encrypt_string', 's3cret pw', '--name', 'ansible_become_password']);
  const user = vault(['encrypt_string', 'deploy', '--name', 'ansible_user']);
  const indent = (text: string) => text.trimEnd().replace(/^/gm, '          ');
  writeFileSync(
    join(dir, 'inline.yml'),
    `all:\n  hosts:\n    h1:\n${indent(become)}\n${indent(user)}\n          ansible_become: true\n          ansible_host: 192.0.2.1\n`,
  );
  // a group_vars file encrypted whole
  mkdirSync(join(dir, 'gv'));
  mkdirSync(join(dir, 'gv', 'group_vars'));
  writeFileSync(join(dir, 'gv', 'group_vars', 'web.yml'), 'ansible_user: from_vault\nansible_port: 2222\n');
  vault(['encrypt', join(dir, 'gv', 'group_vars', 'web.yml')]);
  writeFileSync(join(dir, 'gv', 'inventory.yml'), 'web:\n  hosts:\n    w1: {ansible_host: 192.0.2.2}\n');
  // an INI inventory encrypted whole
  writeFileSync(join(dir, 'hosts.ini'), '[db]\nd1 ansible_host=192.0.2.3 ansible_user=pg\n');
  vault(['encrypt', join(dir, 'hosts.ini')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vault values in inventories', () => {
  it('inline !vault values are decrypted with the password, lazily, per host', () => {
    const h = host(loadInventory([join(dir, 'inline.yml')], { secrets }), 'h1');
    expect(h.connection.user).toBe('deploy');
    expect(h.connection.become?.password).toBe('s3cret pw');
    expect(h.connection.address).toBe('192.0.2.1');
  });

  it('without the password, an inline !vault value is an error at its place, never the ciphertext used as it is', () => {
    const issues = issuesOf(() => loadInventory([join(dir, 'inline.yml')]));
    expect(issues.map((i) => i.loc.path).sort()).toEqual(['all.hosts.h1.ansible_become_password', 'all.hosts.h1.ansible_user']);
    for (const i of issues) {
      expect(i.loc.line).toBeGreaterThan(3);
      expect(i.message).toContain('--vault-password-file');
      expect(i.message).not.toContain('$ANSIBLE_VAULT');
    }
  });

  it('a wrong password names where it came from, and never the password', () => {
    const issues = issuesOf(() => loadInventory([join(dir, 'inline.yml')], { secrets: wrong }));
    expect(issues[0]!.message).toContain('--vault-password-file other');
    expect(issues[0]!.message).not.toContain('nope');
  });

  it('a group_vars file encrypted whole is read decrypted', () => {
    const h = host(loadInventory([join(dir, 'gv', 'inventory.yml')], { secrets }), 'w1');
    expect(h.connection).toMatchObject({ user: 'from_vault', port: 2222 });
    expect(readFileSync(join(dir, 'gv', 'group_vars', 'web.yml'), 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256/);
  });

  it('a group_vars file encrypted whole, with no password: an error naming the file and what to pass', () => {
    const issues = issuesOf(() => loadInventory([join(dir, 'gv', 'inventory.yml')]));
    expect(issues[0]!.loc.file).toBe(join(dir, 'gv', 'group_vars', 'web.yml'));
    expect(issues[0]!.message).toMatch(/encrypted with ansible-vault.*--vault-password-file/);
  });

  it('an INI inventory encrypted whole is read decrypted; without the password it is refused, not read as INI', () => {
    const h = host(loadInventory([join(dir, 'hosts.ini')], { secrets }), 'd1');
    expect(h.connection).toMatchObject({ user: 'pg', address: '192.0.2.3' });
    expect(h.groups).toEqual(['db']);
    expect(() => loadInventory([join(dir, 'hosts.ini')])).toThrow(InventoryError);
  });
});
