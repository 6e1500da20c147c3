/**
 * The known_hosts names of a host reached at an address on a port other than 22, written and
 * looked up by cnet-remote (ssh2, StrictHostKeyChecking accept-new, then strict) beside the real
 * OpenSSH client doing the same: both connect to one server (ssh2's own, in this process, on the
 * loopback addresses only: ::1 and 127.0.0.1, a port the kernel picks), each spelling of the
 * address in turn, into files of their own; the lines they write must name the host alike
 * (`[::1]:PORT`, however the address was written), and each must accept the other's file. Port 22
 * (`fd63:…::a`, no brackets) is checked the same way against the lab's sshd:
 * test/e2e/ipv6-reach.test.ts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { KeyStore } from '../../src/transport/keys.js';
import { SshConnector } from '../../src/transport/ssh.js';
import { useEnv } from '../support/env.js';

useEnv({ CNET_SSH_PASSWORD: undefined, CNET_BECOME_PASSWORD: undefined });

let dir: string;
const f = (name: string) => join(dir, name);
const servers: ssh2.Server[] = [];
const ports: Record<'ipv6' | 'ipv4', number> = { ipv6: 0, ipv4: 0 };

/** ssh2's server: any public key gets in, a command ends at once with exit 0 */
function startServer(host: string): Promise<number> {
  const server = new ssh2.Server({ hostKeys: [readFileSync(f('host'))] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('session', (accept) =>
      accept().on('exec', (acceptExec) => {
        const stream = acceptExec();
        stream.exit(0);
        stream.end();
      }),
    );
    client.on('error', () => undefined);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-known-hosts-ipv6-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f('host')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f('user')]);
  ports.ipv6 = await startServer('::1');
  ports.ipv4 = await startServer('127.0.0.1');
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real ssh to `address`:`port` with `checking`, known_hosts `file`: its exit code and stderr. */
function realSsh(address: string, port: number, file: string, checking: 'accept-new' | 'yes'): Promise<{ code: number; stderr: string }> {
  const argv = ['-F', 'none', '-p', String(port), '-i', f('user'), '-o', 'IdentitiesOnly=yes', '-o', `StrictHostKeyChecking=${checking}`];
  argv.push('-o', `UserKnownHostsFile=${file}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR');
  return new Promise((resolve) =>
    execFile('ssh', [...argv, `root@${address}`, 'true'], (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr })),
  );
}

/** cnet-remote's connection to `address`:`port` with `checking`, known_hosts `file`: undefined when it got in, else why not. */
async function ours(address: string, port: number, file: string, checking: 'accept-new' | 'strict'): Promise<string | undefined> {
  const [host] = resolveInventory([
    parseSource(
      'inv.yaml',
      `all:\n  hosts:\n    h: { ansible_host: "${address}", ansible_port: ${port}, ansible_user: root, ansible_ssh_private_key_file: ${f('user')}, cnet_known_hosts_file: ${file}, cnet_host_key_checking: ${checking} }\n`,
    ),
  ]).hosts;
  const keys = new KeyStore(async () => undefined);
  await keys.load([f('user')]);
  const connector = new SshConnector({ keys });
  try {
    const transport = await connector.connect(host!, { timeoutMs: 10_000 });
    transport.close();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    connector.close();
  }
}

/** the host field of each line of a known_hosts file */
const names = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]);

let n = 0;
describe('known_hosts names for an address on another port than 22, as OpenSSH writes and reads them', () => {
  it.each([
    ['::1', 'ipv6', '[::1]'],
    ['0:0::1', 'ipv6', '[::1]'],
    ['0:0:0:0:0:0:0:1', 'ipv6', '[::1]'],
    ['127.0.0.1', 'ipv4', '[127.0.0.1]'],
    ['127.1', 'ipv4', '[127.0.0.1]'],
  ] as const)('%s: both write %s:PORT, and each accepts the other’s file', async (address, family, written) => {
    const port = ports[family];
    const [theirs, mine] = [f(`theirs${++n}`), f(`mine${n}`)];
    expect(await realSsh(address, port, theirs, 'accept-new')).toMatchObject({ code: 0 });
    expect(await ours(address, port, mine, 'accept-new')).toBeUndefined();
    expect(names(theirs)).toEqual([`${written}:${port}`]);
    expect(names(mine)).toEqual(names(theirs));
    // the same key line: ssh-keygen finds it under that name in ours
    expect(execFileSync('ssh-keygen', ['-F', `${written}:${port}`, '-f', mine], { encoding: 'utf8' })).toContain(readFileSync(theirs, 'utf8').trim());
    // strict: each side gets in with the other's file
    expect(await realSsh(address, port, mine, 'yes')).toMatchObject({ code: 0 });
    expect(await ours(address, port, theirs, 'strict')).toBeUndefined();
  });

  it('strict with no line for the host: both refuse; the ssh-keyscan ours suggests records the name both then accept', async () => {
    const empty = f('empty');
    const theirs = await realSsh('::1', ports.ipv6, empty, 'yes');
    expect(theirs.code).toBe(255);
    expect(theirs.stderr).toMatch(/Host key verification failed/);
    const refusal = await ours('::1', ports.ipv6, empty, 'strict');
    expect(refusal).toContain(`host key for [::1]:${ports.ipv6} is not known`);
    const scan = /`(ssh-keyscan [^`>]+)>> ([^`]+)`/.exec(refusal ?? '');
    expect(scan?.[2]).toBe(empty);
    // run as the user would (the server is in this process: not a blocking call)
    const scanned = await new Promise<number>((resolve) => execFile('sh', ['-c', `${scan![1]}>> ${empty}`], (err) => resolve(err ? Number(err.code ?? 1) : 0)));
    expect(scanned).toBe(0);
    expect(names(empty)).toEqual([`[::1]:${ports.ipv6}`]);
    expect(await realSsh('::1', ports.ipv6, empty, 'yes')).toMatchObject({ code: 0 });
    expect(await ours('::1', ports.ipv6, empty, 'strict')).toBeUndefined();
  });
});
