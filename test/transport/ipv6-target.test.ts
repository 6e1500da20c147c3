/**
 * A host reached at an IPv6 address: from the inventory (ansible_host, a host named by its
 * address, a ProxyJump hop in brackets) to the Target cnet-remote connects with. How ssh takes
 * each form was checked with OpenSSH 9.2: `ssh fd00::5` connects, `ssh '[fd00::5]'` cannot resolve
 * "[fd00::5]" (ssh -G prints hostname [fd00::5]), `-J root@[fd00::5]:2222` is a hop to fd00::5
 * port 2222 and `-J root@fd00::5` is refused ("Invalid ProxyJump"); Ansible's ssh plugin passes
 * ansible_host to ssh as it is (brackets only around scp/sftp targets), so an ansible_host in
 * brackets fails the host there too.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import { KeyStore } from '../../src/transport/keys.js';
import { parseSshConfig } from '../../src/transport/openssh/config-read.js';
import { SshConnector } from '../../src/transport/ssh.js';
import { resolveTarget } from '../../src/transport/target.js';
import { useEnv } from '../support/env.js';

useEnv({ CNET_SSH_PASSWORD: undefined, CNET_BECOME_PASSWORD: undefined });

const hostsOf = (yaml: string) => resolveInventory([parseSource('inv.yaml', yaml)]).hosts;
const targetOf = (yaml: string, config?: string) =>
  resolveTarget(hostsOf(yaml)[0]!, config === undefined ? undefined : parseSshConfig(config, { file: 'test.config', homeDir: '/nonexistent' }));

describe('an IPv6 address as the host', () => {
  it('ansible_host: the address as ssh takes it, the label bracketed only when a port follows', () => {
    const t = targetOf('all:\n  hosts:\n    vm1: { ansible_host: "FD63:6E65:7496:0::A", ansible_user: root }\n');
    expect([t.address, t.port, t.label, t.refusal]).toEqual(['fd63:6e65:7496::a', 22, 'root@fd63:6e65:7496::a', undefined]);
    const p = targetOf('all:\n  hosts:\n    vm1: { ansible_host: "fd63:6e65:7496::a", ansible_port: 2222, ansible_user: root }\n');
    expect([p.address, p.port, p.label]).toEqual(['fd63:6e65:7496::a', 2222, 'root@[fd63:6e65:7496::a]:2222']);
  });

  it('a host named by its address, with no ansible_host (a link-local one with its scope too)', () => {
    const hosts = hostsOf('all:\n  hosts:\n    "fd00::5":\n    "fe80::1%eth0":\n    "::ffff:10.0.0.1":\n');
    expect(hosts.map((h) => [h.name, h.connection.address])).toEqual([
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
      ['fd00::5', 'fd00::5'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
    ]);
  });

  it('a name that is neither an address nor a name a resolver takes has no address', () => {
    expect(() => hostsOf('all:\n  hosts:\n    "fd00:::5":\n')).toThrow(/host "fd00:::5" has no address: set ansible_host/);
  });

  it('a ProxyJump hop in brackets, with and without a port; its label bracketed with the port', () => {
    const t = targetOf(
      'all:\n  hosts:\n    priv1: { ansible_host: "fd63:6e65:7496:a0::a", ansible_user: root, ansible_ssh_common_args: "-o ProxyJump=root@[fd63:6e65:7496::a],root@[FD63:6E65:7496:A0:0::A]:2222" }\n',
    );
    expect(t.jumps.map((j) => [j.address, j.port, j.label])).toEqual([
      ['fd63:6e65:7496::a', 22, 'root@fd63:6e65:7496::a'],
      ['fd63:6e65:7496:a0::a', 2222, 'root@[fd63:6e65:7496:a0::a]:2222'],
    ]);
    expect(t.refusal).toBeUndefined();
  });

  it('a ProxyJump hop without brackets is refused, as ssh refuses it', () => {
    const args = '-o ProxyJump=root@fd63:6e65:7496::a';
    expect(() => execFileSync('ssh', ['-G', '-F', 'none', ...args.split(' '), 'x'], { stdio: 'pipe' })).toThrow(/Invalid ProxyJump "root@fd63:6e65:7496::a"/);
    const t = targetOf(`all:\n  hosts:\n    priv1: { ansible_host: "fd63:6e65:7496:a0::a", ansible_ssh_common_args: "${args}" }\n`);
    expect(t.refusal).toMatch(/IPv6 addresses need brackets/);
  });
});

describe('an IPv6 address in brackets as ansible_host', () => {
  it('is refused with the address to write, as ssh (and Ansible through it) cannot connect to it', () => {
    expect(execFileSync('ssh', ['-G', '-F', 'none', '[fd00::5]'], { encoding: 'utf8' })).toMatch(/^hostname \[fd00::5\]$/m);
    const t = targetOf('all:\n  hosts:\n    vm1: { ansible_host: "[fd00::5]" }\n');
    expect(t.refusal).toBe(
      'the address "[fd00::5]" is an IPv6 address in brackets, which ssh cannot connect to (Ansible passes ansible_host to ssh as it is): write it without brackets, fd00::5',
    );
  });

  it('fails the host without a connection', async () => {
    const [host] = hostsOf('all:\n  hosts:\n    vm1: { ansible_host: "[fd00::5]" }\n');
    const connector = new SshConnector({ keys: new KeyStore(async () => undefined) });
    const err = await connector.connect(host!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/IPv6 address in brackets.*write it without brackets, fd00::5/);
  });

  it('is taken when the ssh config names a host so, with the address as its HostName', () => {
    const t = targetOf('all:\n  hosts:\n    vm1: { ansible_host: "[fd00::5]" }\n', 'Host [fd00::5]\n  HostName fd00::5\n');
    expect([t.address, t.refusal]).toEqual(['fd00::5', undefined]);
  });
});
