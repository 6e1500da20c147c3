/**
 * `cnet-remote inventory host NAME INV -F CONFIG --ssh` (main() in-process) against the real
 * `ssh -G`, given the inventory's variables as Ansible's ssh plugin passes them (`-o User=`,
 * `-o Port=`, `-o IdentityFile=`), on a corpus config with jump chains and ProxyCommands
 * (test/fixtures/ssh-config-corpus/13-angelonfira-dotfiles: no Include, so no private HOME needed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CORPUS, fieldsOf, sshGFields } from '../transport/openssh/ssh-g-reference.js';
import { captureMain } from './run-main.js';

const CONFIG = join(CORPUS, '13-angelonfira-dotfiles/config');
let dir: string;
let inventory: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-host-ssh-'));
  // no ansible.cfg of this machine's
  writeFileSync(join(dir, 'ansible.cfg'), '');
  vi.stubEnv('ANSIBLE_CONFIG', join(dir, 'ansible.cfg'));
  inventory = join(dir, 'inventory.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  hosts:',
      '    pan:',
      '      ansible_user: bob',
      '      ansible_port: 2200',
      `      ansible_ssh_private_key_file: ${join(dir, 'key')}`,
      '    rhea:',
      '    elections:',
      '    nomad-client-1:',
      '    me:',
      '      ansible_connection: local',
      '',
    ].join('\n'),
  );
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const hostSsh = (name: string) => captureMain(['inventory', 'host', name, inventory, '-F', CONFIG, '--ssh']);

function sshG(name: string, ...opts: string[]) {
  const stdout = execFileSync('ssh', ['-G', '-F', CONFIG, ...opts, name], {
    env: { PATH: '/usr/bin:/bin', HOME: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return sshGFields(stdout, name, {});
}

const pick = (f: Map<string, string[]>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, f.get(k) ?? []]));
const KEYS = ['user', 'hostname', 'port', 'identitiesonly', 'identityfile', 'proxyjump', 'proxycommand'];

describe('inventory host --ssh', () => {
  it("prints the host's connection as ssh -G does: the inventory's user, port and key over the config's HostName and ProxyJump", async () => {
    const r = await hostSsh('pan');
    expect(r.code).toBe(0);
    expect(r.notes).toEqual([]);
    expect(r.lines.every((l) => /^[a-z]+ \S/.test(l))).toBe(true);
    const theirs = sshG('pan', '-o', 'User=bob', '-o', 'Port=2200', '-o', `IdentityFile=${join(dir, 'key')}`);
    expect(pick(fieldsOf(r.lines), KEYS)).toEqual(pick(theirs, KEYS));
    expect(fieldsOf(r.lines).get('proxyjump')).toEqual(['io']);
  });

  it('a host with no variables: the config alone', async () => {
    const r = await hostSsh('rhea');
    const theirs = sshG('rhea');
    expect(pick(fieldsOf(r.lines), ['user', 'hostname', 'port', 'proxyjump'])).toEqual(pick(theirs, ['user', 'hostname', 'port', 'proxyjump']));
  });

  it('an "ssh -W" ProxyCommand is printed as ssh -G prints it (it is run as written), also for a ProxyJump hop whose own config has one', async () => {
    const e = await hostSsh('elections');
    expect(e.code).toBe(0);
    expect(e.lines).toContain('proxycommand ssh forestanderson@access.scs.carleton.ca -W %h:%p');
    expect(e.lines.some((l) => l.startsWith('proxyjump '))).toBe(false);
    expect(pick(fieldsOf(e.lines), ['proxyjump', 'proxycommand'])).toEqual(pick(sshG('elections'), ['proxyjump', 'proxycommand']));
    expect(e.notes.join('\n')).not.toMatch(/taken as ProxyJump/);
    const n = await hostSsh('nomad-client-1');
    expect(n.code).toBe(0);
    expect(n.lines).toContain('proxyjump ccss-bastion');
    // ccss-bastion is reached through its own ProxyCommand, as ssh -J reaches it
    expect(n.notes.join('\n')).not.toMatch(/will not connect|taken as ProxyJump/);
  });

  it('refuses a local host (no ssh) and a host the inventory does not hold', async () => {
    const local = await hostSsh('me');
    expect(local.code).not.toBe(0);
    expect(local.notes.join('\n')).toMatch(/ansible_connection local: it is not reached over ssh/);
    const none = await hostSsh('nosuch');
    expect(none.code).not.toBe(0);
    expect(none.notes.join('\n')).toMatch(/no host "nosuch" in the inventory/);
  });
});
