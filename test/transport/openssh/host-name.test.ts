/**
 * sshHostName against the real ssh (OpenSSH 9.2 here): each name as `ssh -G -F none NAME`
 * prints its hostname, which is the name ssh then looks the host key up under. Through the
 * inventory too: the Target's address (what cnet-remote connects to and names the key by) for an
 * ansible_host of that name, and for a bastion of that name.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveInventory } from '../../../src/inventory/load-inventory.js';
import { parseSource } from '../../../src/inventory/source.js';
import { inetAton, sshHostName } from '../../../src/transport/openssh/host-name.js';
import { resolveTarget } from '../../../src/transport/target.js';

/** what ssh -G prints as the hostname for `name` */
const sshHostname = (name: string) =>
  /^hostname (.*)$/m.exec(execFileSync('ssh', ['-G', '-F', 'none', '--', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1];

const NAMES = [
  // IPv6: canonical as inet_ntop writes it; kept as written when only the case differs
  'fd00::5',
  'FD00:0::5',
  'FD00::05',
  'FD00::5',
  'fd63:6e65:7496:0:0:0:0:a',
  '0:0::1',
  '::',
  '::0',
  '0:0:1:0:0:1:0:0',
  'a:b:c:d:e:f:0:0',
  '1::2:0:0:3',
  '::FFFF:a00:1',
  '::FFFF:1.2.3.4',
  '::1.2.3.4',
  // a scope: left as written (ssh too, where the interface exists and only the case differs)
  'FE80::1%lo',
  // not addresses: names, as written
  '[fd00::5]',
  'fd00::5]',
  'fd00::5%',
  'fd00:::5',
  'vm1.example.com',
  'VM1',
  // IPv4 as glibc's inet_aton reads it
  '10.0.0.1',
  '10.1',
  '10.1.2',
  '010.0.0.1',
  '0x0a.0.0.1',
  '0x1.0x2.3.4',
  '10.0.0.01',
  '123',
  '0',
  '4294967295',
  '4294967296',
  '1.2.65535',
  '1.2.65536',
  '256.1.1.1',
  '1.2.3.08',
  '1.2.3.4.',
  '0x',
];

describe('sshHostName: the host name ssh connects to and knows the host key by', () => {
  it.each(NAMES)('%s as ssh -G prints it', (name) => {
    expect(sshHostName(name)).toBe(sshHostname(name));
  });

  it('the Target holds that name, for the host and for its bastion', () => {
    const hosts = NAMES.filter((n) => !n.includes('%') && !n.startsWith('[') && !n.endsWith(']'));
    const inv = resolveInventory([
      parseSource('inv.yaml', `all:\n  hosts:\n${hosts.map((n, k) => `    h${k}: { ansible_host: "${n}", ansible_ssh_common_args: "-J [${n}]" }\n`).join('')}`),
    ]);
    const got = Object.fromEntries(
      inv.hosts.map((h) => {
        const t = resolveTarget(h, undefined);
        return [h.name, [t.address, t.jumps[0]?.address]];
      }),
    );
    expect(got).toEqual(Object.fromEntries(hosts.map((n, k) => [`h${k}`, [sshHostname(n), sshHostname(n)]])));
  });
});

describe('inetAton', () => {
  it.each([
    ['10.1', 0x0a000001],
    ['1.2.3.4', 0x01020304],
    ['0377.0xff.0.1', 0xffff0001],
    ['16909060', 0x01020304],
  ])('%s is %i', (text, n) => {
    expect(inetAton(text)).toBe(n);
  });

  it.each(['', '1..2', '08', '1.2.3.4.5', '-1', '1e3', '0x', ' 1'])('%j is no address', (text) => {
    expect(inetAton(text)).toBeUndefined();
  });
});
