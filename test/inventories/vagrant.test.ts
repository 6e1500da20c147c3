import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import type { Inventory, ResolvedHost } from '../../src/inventory/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const VAGRANTFILE = join(ROOT, 'Vagrantfile');
const PROBE = join(import.meta.dirname, 'vagrantfile-probe.rb');
const inventory = (name: string) => join(ROOT, 'inventories', name);

function rubyPath(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v ruby'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

beforeAll(() => {
  if (!rubyPath()) {
    // the project's installer adds Debian's ruby when missing (needs root)
    const r = spawnSync('bash', [join(ROOT, 'scripts/setup-system.sh'), '--test'], { encoding: 'utf8' });
    if (!rubyPath()) throw new Error(`ruby is missing and could not be installed (apt-get install ruby): ${r.stderr || r.stdout}`);
  }
}, 600_000);

interface Call {
  path: string[];
  args: unknown[];
  kw: Record<string, unknown>;
}

/** What the Vagrantfile configures, as Ruby evaluates it (Vagrant replaced by a recorder). */
function configured(): { calls: Call[]; machines: { name: string; ip: string }[] } {
  const r = spawnSync('ruby', [PROBE, VAGRANTFILE], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { calls: Call[]; machines: { name: string; ip: string }[] };
}

const at = (calls: Call[], ...path: string[]) => calls.filter((c) => c.path.join('/') === path.join('/'));

function host(inv: Inventory, name: string): ResolvedHost {
  const h = inv.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

describe('Vagrantfile', () => {
  it('parses: ruby -c says Syntax OK', () => {
    const r = spawnSync('ruby', ['-c', VAGRANTFILE], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('Syntax OK');
    expect(r.status).toBe(0);
  });

  it('defines node1..node3 on ubuntu/jammy64, each with its hostname and one private network address', () => {
    const { calls } = configured();
    expect(at(calls, 'configure').map((c) => c.args)).toEqual([['2']]);
    expect(at(calls, 'vm', 'box').map((c) => c.args)).toEqual([['ubuntu/jammy64']]);
    const names = at(calls, 'vm', 'define').map((c) => c.args[0]);
    expect(names).toEqual(['node1', 'node2', 'node3']);
    for (const [i, name] of ['node1', 'node2', 'node3'].entries()) {
      expect(at(calls, 'vm', 'define', name, 'vm', 'hostname').map((c) => c.args)).toEqual([[name]]);
      expect(at(calls, 'vm', 'define', name, 'vm', 'network')).toEqual([
        { path: ['vm', 'define', name, 'vm', 'network'], args: ['private_network'], kw: { ip: `192.168.56.${11 + i}` } },
      ]);
    }
  });

  it('the machines are listed in one array, MACHINES, which is what gets defined', () => {
    const { calls, machines } = configured();
    expect(machines).toEqual([
      { name: 'node1', ip: '192.168.56.11' },
      { name: 'node2', ip: '192.168.56.12' },
      { name: 'node3', ip: '192.168.56.13' },
    ]);
    expect(at(calls, 'vm', 'define').map((c) => c.args[0])).toEqual(machines.map((m) => m.name));
  });

  it('modest VirtualBox VMs; the only provisioning installs iproute2 and iptables when missing', () => {
    const { calls } = configured();
    expect(at(calls, 'vm', 'provider').map((c) => c.args)).toEqual([['virtualbox']]);
    const memory = at(calls, 'vm', 'provider', 'virtualbox', 'memory')[0]?.args[0] as number;
    const cpus = at(calls, 'vm', 'provider', 'virtualbox', 'cpus')[0]?.args[0] as number;
    expect(memory).toBeGreaterThanOrEqual(512);
    expect(memory).toBeLessThanOrEqual(2048);
    expect(cpus).toBeGreaterThanOrEqual(1);
    expect(cpus).toBeLessThanOrEqual(2);
    const provisioners = calls.filter((c) => c.path.at(-1) === 'provision');
    expect(provisioners).toHaveLength(1);
    expect(provisioners[0]!.args).toEqual(['shell']);
    const script = provisioners[0]!.kw.inline as string;
    expect(script).toMatch(/apt-get install .*iproute2 iptables/);
    expect(script).toMatch(/command -v ip\b.*command -v iptables\b/);
    const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(syntax.status, syntax.stderr).toBe(0);
  });
});

describe('inventories/vagrant.yaml', () => {
  const file = inventory('vagrant.yaml');

  it("names the Vagrantfile's machines, at their private addresses", () => {
    const { machines } = configured();
    const inv = loadInventory([file]);
    // no ansible_port: ssh's port (22; unset, or 22, depending on whether the ssh config fills it)
    expect(inv.hosts.map((h) => [h.name, h.connection.address, h.connection.port ?? 22])).toEqual(machines.map((m) => [m.name, m.ip, 22]));
  });

  it("logs in as vagrant with each machine's Vagrant key, relative to the project folder (where `vagrant up` and cnet-remote run)", () => {
    // a relative key file is taken from the working directory (as Ansible hands it to ssh); the
    // known_hosts file (cnet-remote's own variable) from the inventory's folder
    const inv = loadInventory([file], { cwd: ROOT });
    for (const name of ['node1', 'node2', 'node3']) {
      expect(host(inv, name).connection.port ?? 22).toBe(22);
      expect(host(inv, name).connection).toMatchObject({
        user: 'vagrant',
        privateKeyFile: join(ROOT, '.vagrant/machines', name, 'virtualbox/private_key'),
        hostKeyChecking: 'accept-new',
        knownHostsFile: join(ROOT, '.vagrant/cnet_known_hosts'),
      });
    }
  });

  it('says ansible_become, holds no network, and its header shows how to combine it', () => {
    const text = readFileSync(file, 'utf8');
    const data = parse(text) as { all: { children: { vagrant: { vars: Record<string, unknown> } } } };
    expect(data.all.children.vagrant.vars.ansible_become).toBe(true);
    expect(text).not.toMatch(/^\s*cnet:/m);
    expect(loadInventory([file]).hosts.every((h) => h.network.bridges.length === 0 && h.network.namespaces.length === 0)).toBe(true);
    expect(text).toContain('cnet-remote up inventories/vagrant.yaml inventories/seed-part2.yaml');
  });

  it.each(['seed-part2.yaml', 'seed-pb-jelly.yaml'])('combined with %s, every host gets the seed network', (seed) => {
    const alone = loadInventory([inventory(seed)]);
    expect(alone.hosts).toEqual([]);
    const inv = loadInventory([file, inventory(seed)]);
    expect(inv.hosts).toHaveLength(3);
    const first = inv.hosts[0]!.network;
    expect(first.namespaces).toHaveLength(2);
    for (const h of inv.hosts) expect(h.network).toEqual(first);
  });
});

describe('inventories/cloud.example.yaml', () => {
  const file = inventory('cloud.example.yaml');
  const text = readFileSync(file, 'utf8');

  it('loads without errors, as it is', () => {
    const inv = loadInventory([file]);
    expect(inv.hosts.map((h) => h.name)).toEqual(['db1', 'web1', 'web2']);
    expect([...inv.groups.get('web')!].sort()).toEqual(['web1', 'web2']);
    expect([...inv.groups.get('db')!]).toEqual(['db1']);
  });

  it('VMs in a private subnet, as the sudo user ubuntu with a key, host keys strict against a known_hosts file', () => {
    for (const h of loadInventory([file]).hosts) {
      expect(h.connection.address).toMatch(/^10\.20\.1\.\d+$/);
      expect(h.connection.port ?? 22).toBe(22);
      expect(h.connection).toMatchObject({ user: 'ubuntu', hostKeyChecking: 'strict' });
      expect(h.connection.privateKeyFile).toMatch(/\/\.ssh\/cloud\.pem$/);
      expect(h.connection.knownHostsFile).toMatch(/\/\.ssh\/known_hosts\.cloud$/);
    }
    const vars = (parse(text) as { all: { vars: Record<string, unknown> } }).all.vars;
    expect(vars.ansible_become).toBe(true);
    expect(vars.ansible_ssh_common_args).toBe('-o ProxyJump=admin@bastion.example.com');
  });

  it('the network inline: a bridge on each host, namespaces by group, db without NAT', () => {
    const inv = loadInventory([file]);
    for (const h of inv.hosts) expect(h.network.bridges.map((b) => b.name)).toEqual(['br0']);
    expect(host(inv, 'web1').network.namespaces.map((n) => [n.name, ...n.addresses])).toEqual([
      ['app1', '172.30.0.11'],
      ['app2', '172.30.0.12'],
    ]);
    expect(host(inv, 'web1').network.bridges[0]!.nets.map((n) => n.nat)).toEqual([true]);
    expect(host(inv, 'db1').network.bridges[0]!.nets.map((n) => n.nat)).toEqual([false]);
    expect(host(inv, 'db1').network.namespaces.map((n) => [n.name, ...n.addresses, n.hostIf])).toEqual([
      ['backup', '172.30.0.2', 've-backup'],
      ['pg', '172.30.0.21', 'veth-pg'],
    ]);
  });
});
