import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostKeysAdded } from '../../src/cli/run-command.js';
import { runMain as run } from './run-main.js';

const dir = mkdtempSync(join(tmpdir(), 'cnet-run-command-'));
let server: ssh2.Server;
let port: number;

/**
 * A real SSH server (ssh2's) with a host key from ssh-keygen: it lets anyone in with a password and
 * refuses to run anything, so a run reaches host-key checking and authentication, then fails.
 */
beforeAll(async () => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  server = new ssh2.Server({ hostKeys: [readFileSync(join(dir, 'host_key'))] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    client.on('session', (accept) => accept().on('exec', (_accept, reject) => reject()));
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An inventory of the server under these names (with a network: plan needs one), with `vars` (YAML flow-mapping body) added. */
function inventory(name: string, vars: string, ...hosts: string[]): string {
  const path = join(dir, name);
  const body = hosts.map((h, i) => `    h${i}: { ansible_host: ${h} }\n`).join('');
  const net = 'cnet: { bridges: { br9: { subnet: 172.30.0.0/24 } } }';
  writeFileSync(path, `all:\n  vars: { ansible_port: ${port}, ansible_user: u, ansible_password: pw, ${net}, ${vars} }\n  hosts:\n${body}`);
  return path;
}

describe('host keys added under accept-new are announced, as ssh\'s "Permanently added" (they were added silently)', () => {
  it('one line per known_hosts file, with the count', () => {
    expect(
      hostKeysAdded([
        { file: '/root/.ssh/known_hosts', count: 3 },
        { file: '/srv/kh', count: 1 },
      ]),
    ).toEqual(['Permanently added 3 host keys to /root/.ssh/known_hosts', 'Permanently added 1 host key to /srv/kh']);
    expect(hostKeysAdded([])).toEqual([]);
  });

  it('a run that added keys says so at its end, on stderr, also with --json; a run that added none says nothing', async () => {
    const knownHosts = join(dir, 'known_hosts');
    // two names for the one server: two entries, in one file
    const inv = inventory('inv.yaml', `cnet_known_hosts_file: ${knownHosts}, cnet_host_key_checking: accept-new`, '127.0.0.1', 'localhost');
    const first = await run('plan', inv, '--json');
    expect(first.stderr).toContain(`Permanently added 2 host keys to ${knownHosts}`);
    expect(readFileSync(knownHosts, 'utf8').trim().split('\n')).toHaveLength(2);
    const again = await run('plan', inv);
    expect(again.stderr).not.toContain('Permanently added');
  });
});

describe("ssh's default, StrictHostKeyChecking ask, with no terminal to ask on", () => {
  it('refuses a new host, adds nothing, and says how to accept it', async () => {
    const knownHosts = join(dir, 'known_hosts_ask');
    const r = await run('plan', inventory('ask.yaml', `cnet_known_hosts_file: ${knownHosts}`, '127.0.0.1'), '--json');
    const host = (JSON.parse(r.stdout) as { hosts: { status: string; error: string }[] }).hosts[0]!;
    expect(host.status).toBe('unreachable');
    expect(host.error).toContain(`host key for [127.0.0.1]:${port} is not known; the host offered ssh-ed25519 key SHA256:`);
    expect(host.error).toContain('no terminal to confirm it on (StrictHostKeyChecking ask)');
    expect(host.error).toContain(`ssh-keyscan -p ${port} 127.0.0.1 >> ${knownHosts}`);
    expect(existsSync(knownHosts)).toBe(false);
  });
});

describe('a known_hosts file that cannot be read', () => {
  it('a FIFO fails the host at once, with the path and why (the host-key check hung the whole run)', async () => {
    const fifo = join(dir, 'known_hosts.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await run('plan', inventory('fifo.yaml', `cnet_known_hosts_file: ${fifo}`, '127.0.0.1'), '--json');
    const host = (JSON.parse(r.stdout) as { hosts: { status: string; error: string }[] }).hosts[0]!;
    expect(host.status).toBe('unreachable');
    expect(host.error).toContain(`cannot read known_hosts file ${fifo}: is a FIFO (named pipe), not a regular file: give the path of a regular file`);
    expect(host.error).toContain(`the host key of u@127.0.0.1:${port} cannot be checked`);
  });
});
