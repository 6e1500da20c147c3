import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryCommand, runVagrantSshConfig, type InventoryCommandDeps } from '../../src/cli/inventory-command.js';
import type { Output } from '../../src/cli/output.js';
import { CnetError, UsageError } from '../../src/errors.js';
import { parseVagrantSshConfig, vagrantInventory, vagrantKnownHostsFile, VagrantConfigError, type VagrantMachine } from '../../src/cli/from-vagrant.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { Inventory } from '../../src/inventory/types.js';
import { host } from '../inventory/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** `vagrant ssh-config` of the project's Vagrantfile after `vagrant up` (VirtualBox), as printed */
const RECORDED = readFileSync(join(ROOT, 'test/fixtures/vagrant/ssh-config.txt'), 'utf8');
const SEED_PART2 = join(ROOT, 'inventories/seed-part2.yaml');
const PROJECT = '/home/alice/src/cnet-remote';
const key = (name: string) => `${PROJECT}/.vagrant/machines/${name}/virtualbox/private_key`;

/** One machine's block as Vagrant prints it (VirtualBox, defaults), with lines to add. */
const block = (name: string, port: number, ...extra: string[]) => `Host ${name}
  HostName 127.0.0.1
  User vagrant
  Port ${port}
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  PasswordAuthentication no
  IdentityFile ${key(name)}
  IdentitiesOnly yes
  LogLevel FATAL
  PubkeyAcceptedKeyTypes +ssh-rsa
  HostKeyAlgorithms +ssh-rsa
${extra.map((l) => `  ${l}\n`).join('')}
`;

const resolveText = (yaml: string, file = 'from-vagrant.yaml'): Inventory => resolveInventory([parseSource(file, yaml)]);

function vagrantError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VagrantConfigError);
    expect(err).toBeInstanceOf(CnetError);
    return (err as Error).message;
  }
  throw new Error('expected a VagrantConfigError, got none');
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-vagrant-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('parseVagrantSshConfig on the recorded output of 3 machines', () => {
  const machines = parseVagrantSshConfig(RECORDED);

  it('gives the three Host blocks, in order, with what matters of each', () => {
    expect(machines.map(({ line: _line, ...m }) => m)).toEqual(
      (
        [
          ['node1', 2222],
          ['node2', 2200],
          ['node3', 2201],
        ] as const
      ).map(([name, port]) => ({
        name,
        hostName: '127.0.0.1',
        user: 'vagrant',
        port,
        identityFiles: [key(name)],
        userKnownHostsFile: '/dev/null',
        strictHostKeyChecking: 'no',
      })),
    );
  });

  it('remembers where each block starts', () => {
    expect(machines.map((m) => m.line)).toEqual([1, 14, 27]);
  });

  it('the fixture has the shape Vagrant prints: blocks of 12 lines, each followed by a blank line', () => {
    const blocks = RECORDED.split('\n\n').filter((b) => b !== '');
    expect(blocks).toHaveLength(3);
    for (const b of blocks) {
      const lines = b.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^Host node\d$/);
      expect(lines.slice(1).every((l) => /^ {2}[A-Z]\w+ \S/.test(l))).toBe(true);
      expect(lines).toHaveLength(12);
    }
  });
});

describe('parseVagrantSshConfig: the forms ssh_config allows', () => {
  it('a quoted IdentityFile (a path with a space), and several of them, in order', () => {
    const [m] = parseVagrantSshConfig(`Host web
  HostName 127.0.0.1
  Port 2222
  IdentityFile "/home/a b/proj/.vagrant/machines/web/virtualbox/private_key"
  IdentityFile /home/a/.vagrant.d/insecure_private_key
`);
    expect(m!.identityFiles).toEqual(['/home/a b/proj/.vagrant/machines/web/virtualbox/private_key', '/home/a/.vagrant.d/insecure_private_key']);
  });

  it('Keyword=value, any case, tabs, CRLF line ends, comments and a BOM', () => {
    const [m] = parseVagrantSshConfig('\uFEFF# from vagrant\r\nHost=node1\r\n\thostname = 10.0.0.5\r\n\tUSER root\r\n\tport=22\r\n');
    expect(m).toMatchObject({ name: 'node1', hostName: '10.0.0.5', user: 'root', port: 22 });
  });

  it("Vagrant's own `==>` messages (stderr merged into the pipe) are skipped", () => {
    const machines = parseVagrantSshConfig(`==> node3: VM not created. Moving on...\n${block('node1', 2222)}`);
    expect(machines.map((m) => m.name)).toEqual(['node1']);
  });

  it('a keyword given twice: the first value counts, as in ssh', () => {
    const [m] = parseVagrantSshConfig('Host n\n  HostName 10.0.0.1\n  Port 2222\n  HostName 10.0.0.2\n  Port 22\n');
    expect(m).toMatchObject({ hostName: '10.0.0.1', port: 2222 });
  });

  it('without User or Port: left out (ssh defaults)', () => {
    const [m] = parseVagrantSshConfig('Host n\n  HostName 192.168.56.11\n');
    expect(m).toEqual({ name: 'n', hostName: '192.168.56.11', identityFiles: [], line: 1 });
  });
});

describe('parseVagrantSshConfig reads lines as ssh does (ssh -G -F on the same text)', () => {
  /** What `ssh -G -F FILE NAME` (OpenSSH on this machine) makes of the text: the fields a machine has. */
  function sshG(text: string, name: string): Record<string, string[]> {
    const file = join(dir, `ssh-g-${name}.conf`);
    writeFileSync(file, text);
    const out = execFileSync('ssh', ['-G', '-F', file, name], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
    const fields: Record<string, string[]> = {};
    for (const line of out.split('\n')) {
      const [k, ...v] = line.split(' ');
      if (k) (fields[k] ??= []).push(v.join(' '));
    }
    return fields;
  }

  // each of these the former hand-written parser read otherwise: a comment after the Host name
  // (refused), after a value (kept in it), a backslash-escaped space (kept the backslash), `Port
  // ssh` (refused; ssh takes the service's port), `Hostname` in capitals (kept; ssh lowercases)
  it.each([
    ['a comment after Host and after a value', 'Host node1 # vagrant\n  HostName 10.0.0.5 # the VM\n  Port 2222\n'],
    [
      'a backslash-escaped space in IdentityFile',
      'Host node1\n  HostName 10.0.0.5\n  IdentityFile /home/a/my\\ proj/.vagrant/machines/node1/virtualbox/private_key\n',
    ],
    ['Port ssh', 'Host node1\n  HostName 10.0.0.5\n  Port ssh\n'],
    ['a HostName in capitals', 'Host node1\n  HostName NODE1.Example\n  User vagrant\n'],
  ])('%s', (_what, text) => {
    const [m] = parseVagrantSshConfig(text);
    const g = sshG(text, 'node1');
    expect([m!.hostName, String(m!.port ?? 22), ...m!.identityFiles]).toEqual([
      g.hostname![0],
      g.port![0],
      ...g.identityfile!.slice(0, m!.identityFiles.length),
    ]);
    if (m!.user !== undefined) expect(m!.user).toBe(g.user![0]);
  });
});

describe('parseVagrantSshConfig: what it refuses', () => {
  it.each([
    ['empty output', '', /no "Host" block: is a machine running\? \(vagrant status\)/],
    ['only blank lines', '\n\n  \n', /no "Host" block/],
    ['a line before any Host', 'HostName 127.0.0.1\n', /line 1: "HostName 127.0.0.1" comes before any "Host NAME" line/],
    ['something that is not ssh_config', 'The machine is not running.\n', /line 1: .*comes before any "Host NAME" line/],
    ['a Host without HostName', 'Host a\n  Port 22\n\nHost b\n  HostName x\n', /line 1: Host a has no HostName/],
    ['a Host twice', `${block('node1', 2222)}${block('node1', 2200)}`, /line 14: Host node1 appears twice/],
    ['a Host with two patterns', 'Host a b\n  HostName x\n', /line 1: expected one machine name after Host, got "a b"/],
    ['a bad port', 'Host a\n  HostName x\n  Port 70000\n', /line 3: Port "70000" is not a port number/],
    // (`Port ssh` is 22, as ssh reads it: see below; ssh refuses `Port twenty` with "Bad port")
    ['a port that is not a number', 'Host a\n  HostName x\n  Port twenty\n', /line 3: Port "twenty" is not a port number/],
    ['a keyword without value', 'Host a\n  HostName\n', /line 2: .*HostName/],
    ['a Match block', 'Match host x\n', /line 1: Match blocks/],
  ])('%s', (_what, text, message) => {
    expect(vagrantError(() => parseVagrantSshConfig(text))).toMatch(message);
  });
});

describe('vagrantInventory on the recorded output', () => {
  const yaml = vagrantInventory(parseVagrantSshConfig(RECORDED));

  it('is an Ansible YAML inventory: all.children.vagrant.hosts.NAME with the connection as Vagrant printed it', () => {
    const data = parse(yaml) as { all: { children: { vagrant: { vars: Record<string, unknown>; hosts: Record<string, Record<string, unknown>> } } } };
    expect(Object.keys(data)).toEqual(['all']);
    expect(Object.keys(data.all)).toEqual(['children']);
    const group = data.all.children.vagrant;
    expect(group.hosts).toEqual({
      node1: { ansible_host: '127.0.0.1', ansible_port: 2222, ansible_user: 'vagrant', ansible_ssh_private_key_file: key('node1') },
      node2: { ansible_host: '127.0.0.1', ansible_port: 2200, ansible_user: 'vagrant', ansible_ssh_private_key_file: key('node2') },
      node3: { ansible_host: '127.0.0.1', ansible_port: 2201, ansible_user: 'vagrant', ansible_ssh_private_key_file: key('node3') },
    });
    expect(group.vars).toEqual({
      ansible_become: true,
      cnet_host_key_checking: 'accept-new',
      cnet_known_hosts_file: `${PROJECT}/.vagrant/cnet_known_hosts`,
    });
  });

  it('validates with the loader, and resolves to what Vagrant would connect to', () => {
    const inv = resolveText(yaml);
    expect(inv.hosts.map((h) => h.name)).toEqual(['node1', 'node2', 'node3']);
    expect([...inv.groups.get('vagrant')!].sort()).toEqual(['node1', 'node2', 'node3']);
    // toMatchObject: other connection fields (become, ...) come from other variables
    expect(host(inv, 'node2').connection).toMatchObject({
      address: '127.0.0.1',
      port: 2200,
      user: 'vagrant',
      privateKeyFile: key('node2'),
      hostKeyChecking: 'accept-new',
      knownHostsFile: `${PROJECT}/.vagrant/cnet_known_hosts`,
    });
  });

  it('host keys are never off: accept-new in a file of our own, and the header says why', () => {
    expect(yaml).not.toMatch(/cnet_host_key_checking: off|ansible_host_key_checking/);
    expect(resolveText(yaml).hosts.every((h) => h.connection.hostKeyChecking === 'accept-new')).toBe(true);
    expect(yaml).toMatch(/^# written by `cnet-remote inventory from-vagrant`/);
    expect(yaml).toContain(`# (accept-new) in ${PROJECT}/.vagrant/cnet_known_hosts,`);
    expect(yaml).toContain('UserKnownHostsFile\n# /dev/null, StrictHostKeyChecking no');
    // the header is comment lines only, then the YAML
    const head = yaml.slice(0, yaml.indexOf('\nall:\n'));
    expect(head.split('\n').every((l) => l.startsWith('#'))).toBe(true);
  });

  it('written to a file, it loads with loadInventory, alone and combined with seed-part2 (each host gets the seed network)', () => {
    const file = join(dir, 'vagrant-hosts.yaml');
    writeFileSync(file, yaml);
    expect(loadInventory([file]).hosts.map((h) => h.network)).toEqual([
      { bridges: [], namespaces: [] },
      { bridges: [], namespaces: [] },
      { bridges: [], namespaces: [] },
    ]);
    const inv = loadInventory([file, SEED_PART2]);
    expect(inv.hosts.map((h) => h.name)).toEqual(['node1', 'node2', 'node3']);
    for (const h of inv.hosts) {
      expect(h.network.bridges).toEqual([{ name: 'br0', nets: [{ subnet: expect.anything(), address: '172.18.0.1', nat: true }] }]);
      expect(h.network.namespaces.map((n) => [n.name, n.bridge, n.addresses, n.hostIf, n.nsIf])).toEqual([
        ['container1', 'br0', ['172.18.0.2'], 'veth1', 'ceth1'],
        ['container2', 'br0', ['172.18.0.3'], 'veth2', 'ceth2'],
      ]);
      expect(h.connection.privateKeyFile).toBe(key(h.name));
    }
  });
});

describe('vagrantInventory: options and other ssh-configs', () => {
  const machines = parseVagrantSshConfig(RECORDED);

  it('--group names the group', () => {
    const inv = resolveText(vagrantInventory(machines, { group: 'lab_vms' }));
    expect([...inv.groups.get('lab_vms')!].sort()).toEqual(['node1', 'node2', 'node3']);
    expect(inv.groups.has('vagrant')).toBe(false);
  });

  it.each(['all', 'ungrouped', '1st', 'my group', 'web.vms', ''])('an invalid group name %j is refused', (group) => {
    expect(vagrantError(() => vagrantInventory(machines, { group }))).toMatch(/^group name .* is not valid/);
  });

  it('a known_hosts file of the caller’s choice', () => {
    const inv = resolveText(vagrantInventory(machines, { knownHostsFile: '~/.ssh/vagrant_known_hosts' }));
    expect(host(inv, 'node1').connection.knownHostsFile).toBe(join(homedir(), '.ssh/vagrant_known_hosts'));
    expect(host(inv, 'node1').connection.hostKeyChecking).toBe('accept-new');
  });

  it('machine names that cannot be host names: one clear error naming them all', () => {
    const bad: VagrantMachine[] = [
      { ...machines[0]!, name: 'web/1' },
      { ...machines[1]!, name: '-db' },
      { ...machines[2]!, name: 'ok' },
    ];
    const message = vagrantError(() => vagrantInventory(bad));
    expect(message).toMatch(/^Vagrant machine names "web\/1", "-db" cannot be inventory host names: use letters, digits/);
    expect(message).toContain('config.vm.define');
    expect(vagrantError(() => vagrantInventory([{ ...machines[0]!, name: 'née' }]))).toMatch(/^Vagrant machine name "née" cannot be an inventory host name/);
  });

  it('names the loader accepts are accepted (dots, dashes, underscores, digits first)', () => {
    const names = ['web-1', 'db_2', 'node.lab', '3rd'];
    const inv = resolveText(vagrantInventory(names.map((name, i) => ({ ...machines[0]!, name, port: 2222 + i }))));
    expect(inv.hosts.map((h) => h.name).sort()).toEqual([...names].sort());
  });

  it('no machines, or one reached through a ProxyCommand: refused', () => {
    expect(vagrantError(() => vagrantInventory([]))).toMatch(/no Vagrant machines/);
    const [m] = parseVagrantSshConfig(block('box', 2222, 'ProxyCommand docker exec -i box nc localhost 22'));
    expect(vagrantError(() => vagrantInventory([m!]))).toMatch(/^Vagrant reaches box through a ProxyCommand \(docker exec/);
  });

  it('verify_host_key set in the Vagrantfile (no /dev/null lines): our own file all the same', () => {
    const text = block('node1', 2222).replace('  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n', '');
    const inv = resolveText(vagrantInventory(parseVagrantSshConfig(text)));
    expect(host(inv, 'node1').connection).toMatchObject({ hostKeyChecking: 'accept-new', knownHostsFile: `${PROJECT}/.vagrant/cnet_known_hosts` });
  });

  it('a real UserKnownHostsFile with StrictHostKeyChecking yes: that file, strict', () => {
    const text = block('node1', 2222)
      .replace('UserKnownHostsFile /dev/null', 'UserKnownHostsFile "/home/alice/vm hosts" /etc/ssh/ssh_known_hosts')
      .replace('StrictHostKeyChecking no', 'StrictHostKeyChecking yes');
    const yaml = vagrantInventory(parseVagrantSshConfig(text));
    expect(host(resolveText(yaml), 'node1').connection).toMatchObject({ hostKeyChecking: 'strict', knownHostsFile: '/home/alice/vm hosts' });
    expect(yaml).toContain('# Host keys are checked (never off)');
  });

  it('hosts with different key files get their own cnet_* vars, never off', () => {
    const text =
      block('a', 2222) +
      block('b', 2200).replace('UserKnownHostsFile /dev/null', 'UserKnownHostsFile /srv/kh').replace('StrictHostKeyChecking no', 'StrictHostKeyChecking yes');
    const inv = resolveText(vagrantInventory(parseVagrantSshConfig(text)));
    expect(host(inv, 'a').connection).toMatchObject({ hostKeyChecking: 'accept-new', knownHostsFile: `${PROJECT}/.vagrant/cnet_known_hosts` });
    expect(host(inv, 'b').connection).toMatchObject({ hostKeyChecking: 'strict', knownHostsFile: '/srv/kh' });
  });

  it('StrictHostKeyChecking yes with /dev/null (nothing could ever match): accept-new in our file, not a dead end', () => {
    const text = block('a', 2222).replace('StrictHostKeyChecking no', 'StrictHostKeyChecking yes');
    expect(host(resolveText(vagrantInventory(parseVagrantSshConfig(text))), 'a').connection.hostKeyChecking).toBe('accept-new');
  });

  it('several IdentityFiles: the first is the key, the others are named in the header', () => {
    const text = block('a', 2222, 'IdentityFile /home/alice/.vagrant.d/insecure_private_key');
    const yaml = vagrantInventory(parseVagrantSshConfig(text));
    expect(host(resolveText(yaml), 'a').connection.privateKeyFile).toBe(key('a'));
    expect(yaml).toContain('#   a: also /home/alice/.vagrant.d/insecure_private_key');
  });

  it('user root: no ansible_become', () => {
    const yaml = vagrantInventory(parseVagrantSshConfig(block('a', 2222).replace('User vagrant', 'User root')));
    expect(yaml).not.toContain('ansible_become');
    resolveText(yaml);
  });

  it('where the known_hosts file goes: the .vagrant folder of the machine keys, else ~/.vagrant.d', () => {
    const m = machines[0]!;
    expect(vagrantKnownHostsFile([m])).toBe(`${PROJECT}/.vagrant/cnet_known_hosts`);
    expect(vagrantKnownHostsFile([{ ...m, identityFiles: ['C:/Users/al/proj/.vagrant/machines/node1/hyperv/private_key'] }])).toBe(
      'C:/Users/al/proj/.vagrant/cnet_known_hosts',
    );
    expect(vagrantKnownHostsFile([{ ...m, identityFiles: ['/home/alice/.vagrant.d/insecure_private_key'] }])).toBe('~/.vagrant.d/cnet_known_hosts');
    expect(vagrantKnownHostsFile([{ ...m, identityFiles: [] }])).toBe('~/.vagrant.d/cnet_known_hosts');
    const inv = resolveText(vagrantInventory([{ ...m, identityFiles: [] }]));
    expect(host(inv, 'node1').connection.knownHostsFile).toBe(join(homedir(), '.vagrant.d/cnet_known_hosts'));
  });
});

/** An Output that keeps what is written. */
function captured(): { out: Output; stdout: () => string; notes: string[] } {
  let text = '';
  const notes: string[] = [];
  const stream = {
    write: (s: string) => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return {
    out: { stdout: stream, progress: stream, line: (t) => void (text += `${t}\n`), note: (t) => void notes.push(t), error: (t) => void notes.push(t) },
    stdout: () => text,
    notes,
  };
}

const stdinOf = (text: string, isTTY = false) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY });
const terminal = () => Object.assign(Readable.from([]), { isTTY: true });

async function fromVagrant(args: string[], deps: InventoryCommandDeps) {
  const c = captured();
  const program = new Command('cnet-remote').exitOverride().addCommand(inventoryCommand(c.out, deps));
  for (const sub of program.commands) for (const s of sub.copyInheritedSettings(program).commands) s.copyInheritedSettings(sub);
  await program.parseAsync(['node', 'cnet-remote', 'inventory', 'from-vagrant', ...args]);
  return c;
}

describe('cnet-remote inventory from-vagrant', () => {
  const never = async (): Promise<string> => {
    throw new Error('vagrant must not run');
  };

  it('reads stdin when it is not a terminal, and writes the inventory to stdout', async () => {
    const c = await fromVagrant([], { stdin: stdinOf(RECORDED), runVagrantSshConfig: never });
    expect(c.stdout()).toBe(vagrantInventory(parseVagrantSshConfig(RECORDED)));
    expect(resolveText(c.stdout()).hosts).toHaveLength(3);
  });

  it('`-` reads stdin even from a terminal', async () => {
    const c = await fromVagrant(['-', '--group', 'vms'], { stdin: stdinOf(RECORDED, true), runVagrantSshConfig: never });
    expect(resolveText(c.stdout()).groups.get('vms')?.size).toBe(3);
  });

  it('runs `vagrant ssh-config` when stdin is a terminal', async () => {
    let runs = 0;
    const c = await fromVagrant([], {
      stdin: terminal(),
      runVagrantSshConfig: async () => {
        runs++;
        return RECORDED;
      },
    });
    expect(runs).toBe(1);
    expect(c.stdout()).toContain('ansible_port: 2201');
  });

  it('a file argument is read (a recorded ssh-config); -o writes the inventory to a file and says so on stderr', async () => {
    const file = join(dir, 'out.yaml');
    const c = await fromVagrant([join(ROOT, 'test/fixtures/vagrant/ssh-config.txt'), '-o', file, '--known-hosts', '~/.ssh/vagrant_known_hosts'], {
      stdin: terminal(),
      runVagrantSshConfig: never,
    });
    expect(c.stdout()).toBe('');
    expect(c.notes).toEqual([`wrote ${file}: 3 hosts (node1, node2, node3) from ${join(ROOT, 'test/fixtures/vagrant/ssh-config.txt')}`]);
    const inv = loadInventory([file, SEED_PART2]);
    expect(inv.hosts.map((h) => [h.name, h.connection.port, h.connection.knownHostsFile, h.network.namespaces.length])).toEqual([
      ['node1', 2222, join(homedir(), '.ssh/vagrant_known_hosts'), 2],
      ['node2', 2200, join(homedir(), '.ssh/vagrant_known_hosts'), 2],
      ['node3', 2201, join(homedir(), '.ssh/vagrant_known_hosts'), 2],
    ]);
  });

  it('empty stdin: a usage error saying to pipe vagrant ssh-config in', async () => {
    await expect(fromVagrant([], { stdin: stdinOf(''), runVagrantSshConfig: never })).rejects.toThrow(UsageError);
    await expect(fromVagrant([], { stdin: stdinOf('\n'), runVagrantSshConfig: never })).rejects.toThrow(
      /nothing on stdin: pipe vagrant's output in \(vagrant ssh-config \| cnet-remote inventory from-vagrant\)/,
    );
  });

  it('bad input and bad names are CnetErrors (main prints them as `error: ...`, exit 1)', async () => {
    await expect(fromVagrant([], { stdin: stdinOf('oops\n'), runVagrantSshConfig: never })).rejects.toThrow(VagrantConfigError);
    await expect(fromVagrant([], { stdin: stdinOf(block('web/1', 2222)), runVagrantSshConfig: never })).rejects.toThrow(
      /Vagrant machine name "web\/1" cannot be an inventory host name/,
    );
    await expect(fromVagrant(['--group', 'all'], { stdin: stdinOf(RECORDED), runVagrantSshConfig: never })).rejects.toThrow(/group name "all" is not valid/);
    await expect(fromVagrant([join(dir, 'missing.txt')], { stdin: terminal(), runVagrantSshConfig: never })).rejects.toThrow(/cannot read .*missing\.txt/);
  });
});

describe('runVagrantSshConfig', () => {
  it('without vagrant on PATH: a clear error saying to pipe its output in', async () => {
    const empty = mkdtempSync(join(dir, 'nopath-'));
    const err = await runVagrantSshConfig({ env: { PATH: empty } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      'cannot run vagrant: it is not installed here (not on PATH). Run it where it is, and pipe its output in: vagrant ssh-config | cnet-remote inventory from-vagrant',
    );
  });

  it("vagrant's output, and its failure with what it printed", async () => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    const fake = join(bin, 'vagrant');
    writeFileSync(fake, `#!/bin/sh\n[ "$1" = ssh-config ] || exit 9\ncat "${join(ROOT, 'test/fixtures/vagrant/ssh-config.txt')}"\n`);
    chmodSync(fake, 0o755);
    expect(await runVagrantSshConfig({ env: { PATH: `${bin}:/usr/bin:/bin` } })).toBe(RECORDED);
    writeFileSync(fake, '#!/bin/sh\necho "A Vagrant environment or target machine is required to run this command." >&2\nexit 1\n');
    const err = await runVagrantSshConfig({ env: { PATH: `${bin}:/usr/bin:/bin` } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VagrantConfigError);
    expect((err as Error).message).toMatch(
      /^vagrant ssh-config failed \(exit 1\): A Vagrant environment or target machine is required to run this command\.\n\(are the machines up\? vagrant status\)$/,
    );
  });
});
