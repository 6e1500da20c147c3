import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryIssue } from '../../src/errors.js';
import type { VaultSecret } from '../../src/inventory/ansible/vault.js';
import { flatten } from '../../src/inventory/flatten.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { loadSource } from '../../src/inventory/source.js';
import { findVarsFiles, varsDirsOf } from '../../src/inventory/vars-dirs.js';
import { expectIssue, host, issuesOf } from './helpers.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A temp folder holding `files` (path → text; a path ending in `/` is an empty folder). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cnet-vars-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    const path = join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return root;
}

/** `inv.yaml` plus vars files in a temp folder, loaded. */
function load(files: Record<string, string>) {
  const root = tree(files);
  return { root, inv: loadInventory([join(root, 'inv.yaml')]) };
}

function loadIssues(files: Record<string, string>): { root: string; issues: InventoryIssue[] } {
  const root = tree(files);
  return { root, issues: issuesOf(() => loadInventory([join(root, 'inv.yaml')])) };
}

const summary = (issues: InventoryIssue[], root: string) =>
  issues.map((i) => `${i.loc.file.slice(root.length + 1)}:${i.loc.line}:${i.loc.col} ${i.loc.path}: ${i.message}`);

describe('group_vars/ and host_vars/ beside the inventory file', () => {
  const { inv } = load({
    'inv.yaml': `all:
  children:
    web:
      hosts:
        vm1:
        vm2:
    db:
      hosts:
        vm3:
`,
    'group_vars/all.yml': 'ansible_user: deploy\nansible_port: 2200\n',
    'group_vars/web/10-base.yml': 'ansible_port: 2210\nansible_host_key_checking: false\n',
    'group_vars/web/20-more.yaml': 'ansible_port: 2220\n',
    // not read: other extensions, hidden files, backups
    'group_vars/web/README.md': 'ansible_port: [not, yaml, vars]\n',
    'group_vars/web/.hidden.yml': 'ansible_port: 1\n',
    'group_vars/web/30-old.yml~': 'ansible_port: 2\n',
    'host_vars/vm1.yaml': 'ansible_host: 192.0.2.11\nansible_user: root\n',
    'host_vars/vm2.yml': 'ansible_host: 192.0.2.12\n',
    'host_vars/vm3': 'ansible_host: 192.0.2.13\n',
  });

  it('group_vars/all applies to every host', () => {
    const c = host(inv, 'vm3').connection;
    expect(c).toMatchObject({ address: '192.0.2.13', user: 'deploy', port: 2200 });
    // group web's ansible_host_key_checking does not reach vm3 (db): nothing set, left to connect time
    expect(c.hostKeyChecking).toBeUndefined();
  });

  it('a group folder: its files in name order, the later winning; others ignored', () => {
    expect(host(inv, 'vm2').connection).toMatchObject({ address: '192.0.2.12', user: 'deploy', port: 2220, hostKeyChecking: 'off' });
  });

  it('host_vars/<host>.yaml, .yml, or without extension', () => {
    expect(host(inv, 'vm1').connection).toMatchObject({ address: '192.0.2.11', user: 'root', port: 2220 });
  });

  it('no vars folders: nothing changes', () => {
    const { inv: plain } = load({ 'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n' });
    expect(host(plain, 'vm1').connection).toMatchObject({ address: '192.0.2.1' });
    expect(host(plain, 'vm1').connection).not.toHaveProperty('port');
  });
});

describe('precedence, as Ansible (VARIABLE_PRECEDENCE default, then host vars)', () => {
  const INVENTORY = (levels: Set<string>) => {
    const v = (name: string) => (levels.has(name) ? `{ ansible_user: ${name} }` : '{}');
    return `all:
  vars: ${v('inv-all')}
  children:
    parent:
      vars: ${v('inv-parent')}
      children:
        web:
          vars: ${v('inv-web')}
          hosts:
            vm1: { ansible_host: 192.0.2.1${levels.has('inv-host') ? ', ansible_user: inv-host' : ''} }
`;
  };
  const FILES: Record<string, string> = {
    'gv-all': 'group_vars/all.yml',
    'gv-parent': 'group_vars/parent.yml',
    'gv-web': 'group_vars/web/main.yml',
    hv: 'host_vars/vm1.yml',
  };
  /** lowest first */
  const ORDER = ['inv-all', 'inv-parent', 'inv-web', 'gv-all', 'gv-parent', 'gv-web', 'inv-host', 'hv'];

  const build = (levels: string[]) => {
    const set = new Set(levels);
    const files: Record<string, string> = { 'inv.yaml': INVENTORY(set) };
    for (const [level, file] of Object.entries(FILES)) files[file] = set.has(level) ? `ansible_user: ${level}\n` : 'other_var: 1\n';
    return files;
  };

  it('the layers of a host, lowest first', () => {
    const root = tree(build(ORDER));
    const file = join(root, 'inv.yaml');
    const { flat, issues } = flatten([loadSource(file)], varsDirsOf([file]));
    expect(issues).toEqual([]);
    const layers = flat.hosts.find((h) => h.name === 'vm1')!.layers.map((l) => `${l.src.file.slice(root.length + 1)} ${l.path.join('.')}`.trim());
    expect(layers).toEqual([
      'inv.yaml all.vars',
      'inv.yaml all.children.parent.vars',
      'inv.yaml all.children.parent.children.web.vars',
      'group_vars/all.yml',
      'group_vars/parent.yml',
      'group_vars/web/main.yml',
      'inv.yaml all.children.parent.children.web.hosts.vm1',
      'host_vars/vm1.yml',
    ]);
  });

  it.each(ORDER.map((level, i) => [level, ORDER.slice(0, i + 1)] as const))('%s beats every level below it', (level, levels) => {
    const { inv } = load(build([...levels]));
    expect(host(inv, 'vm1').connection.user).toBe(level);
  });

  it("group_vars/all beats a child group's vars in the inventory file", () => {
    const { inv } = load(build(['inv-web', 'gv-all']));
    expect(host(inv, 'vm1').connection.user).toBe('gv-all');
  });

  it('between group_vars files: depth, then name', () => {
    const { inv } = load({
      'inv.yaml': `zeta:
  hosts:
    vm1: { ansible_host: 192.0.2.1 }
alpha:
  children:
    child:
      hosts:
        vm1:
beta:
  hosts:
    vm1:
`,
      'group_vars/zeta.yml': 'ansible_user: zeta\nansible_port: 2201\n',
      'group_vars/child.yml': 'ansible_user: child\n',
      'group_vars/alpha.yml': 'ansible_port: 2202\n',
      'group_vars/beta.yml': 'ansible_port: 2203\n',
    });
    // child (depth 2) beats zeta (depth 1); at depth 1 zeta > beta > alpha by name
    expect(host(inv, 'vm1').connection).toMatchObject({ user: 'child', port: 2201 });
  });

  it('group_vars/ungrouped applies to hosts of no group', () => {
    const { inv } = load({
      'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/ungrouped.yml': 'ansible_user: lonely\n',
    });
    expect(host(inv, 'vm1').connection.user).toBe('lonely');
  });
});

describe('cnet split across group_vars and host_vars', () => {
  const { inv } = load({
    'inv.yaml': `web:
  hosts:
    vm1:
      ansible_host: 192.0.2.1
      cnet:
        namespaces:
          app: { host_if: vapp }
    vm2: { ansible_host: 192.0.2.2 }
`,
    'group_vars/all.yml': `cnet:
  bridges:
    br0: { subnet: 10.0.0.0/24, nat: false }
`,
    'group_vars/web/namespaces.yml': `cnet:
  namespaces:
    app: { bridge: br0 }
    db: { bridge: br0 }
`,
    'host_vars/vm1/net.yml': `cnet:
  bridges:
    br0: { address: 10.0.0.254 }
  namespaces:
    db: { address: 10.0.0.50 }
`,
  });
  const br0 = (address: string) => ({ name: 'br0', nets: [{ subnet: { network: 0x0a000000, prefix: 24 }, address, nat: false }] });

  it('objects merge by name, field by field, over every file', () => {
    expect(host(inv, 'vm1').network).toEqual({
      bridges: [br0('10.0.0.254')],
      namespaces: [
        { name: 'app', bridge: 'br0', addresses: ['10.0.0.1'], hostIf: 'vapp', nsIf: 'eth0' },
        { name: 'db', bridge: 'br0', addresses: ['10.0.0.50'], hostIf: 've-db', nsIf: 'eth0' },
      ],
    });
  });

  it("another host of the group gets the group's files only", () => {
    expect(host(inv, 'vm2').network).toEqual({
      bridges: [br0('10.0.0.1')],
      namespaces: [
        { name: 'app', bridge: 'br0', addresses: ['10.0.0.2'], hostIf: 've-app', nsIf: 'eth0' },
        { name: 'db', bridge: 'br0', addresses: ['10.0.0.3'], hostIf: 've-db', nsIf: 'eth0' },
      ],
    });
  });
});

describe('errors in vars files carry their own file:line:col', () => {
  const INV = 'web:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n    vm2: { ansible_host: 192.0.2.2 }\n';

  it('validated like inline vars: unknown cnet_*, types, cnet keys', () => {
    const { root, issues } = loadIssues({
      'inv.yaml': INV,
      'group_vars/web.yml': `# web servers
ansible_port: seventy
cnet_typo: 1
cnet:
  bridges:
    br0: { subnett: 10.0.0.0/24 }
`,
    });
    const file = join(root, 'group_vars/web.yml');
    expect(issues).toHaveLength(3);
    expectIssue(issues[0], 2, 1, 'ansible_port', 'expected a port number', file);
    expectIssue(issues[1], 3, 1, 'cnet_typo', 'unknown variable "cnet_typo"', file);
    expectIssue(issues[2], 6, 12, 'cnet.bridges.br0.subnett', 'unknown key "subnett" (did you mean "subnet"?)', file);
  });

  it('a merge error points into the host_vars file', () => {
    const { root, issues } = loadIssues({
      'inv.yaml': INV,
      'group_vars/all.yml': 'cnet:\n  bridges:\n    br0: { subnet: 10.0.0.0/24 }\n',
      'host_vars/vm1.yml': 'cnet:\n  namespaces:\n    app: { bridge: br9 }\n',
    });
    expect(issues).toHaveLength(1);
    expectIssue(
      issues[0],
      3,
      12,
      'cnet.namespaces.app.bridge',
      /bridge "br9", which is not defined under cnet.bridges \(host vm1\)$/,
      join(root, 'host_vars/vm1.yml'),
    );
  });

  it("a group mistake is reported once for all the group's hosts", () => {
    const { root, issues } = loadIssues({
      'inv.yaml': INV,
      'group_vars/web.yml': 'cnet:\n  bridges:\n    br0: { nat: true }\n',
    });
    expect(summary(issues, root)).toEqual([
      'group_vars/web.yml:3:5 cnet.bridges.br0: bridge "br0" has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required (hosts vm1, vm2)',
    ]);
  });

  it('YAML errors', () => {
    const { root, issues } = loadIssues({
      'inv.yaml': INV,
      'host_vars/vm2.yml': 'ansible_user: a\nansible_user: b\n',
    });
    expect(issues).toHaveLength(1);
    expectIssue(issues[0], 2, 1, '', /YAML error: Map keys must be unique/, join(root, 'host_vars/vm2.yml'));
  });

  it('a file that is not a mapping', () => {
    const { root, issues } = loadIssues({
      'inv.yaml': INV,
      'group_vars/all.yml': '- ansible_user: a\n',
      'group_vars/web/main.yml': '# note\njust a string\n',
    });
    expect(summary(issues, root)).toEqual([
      'group_vars/all.yml:1:1 : a vars file must hold a mapping of variable names to values, not a list',
      'group_vars/web/main.yml:2:1 : a vars file must hold a mapping of variable names to values, not a string',
    ]);
  });

  it("every file's issues at once, alongside the inventory file's", () => {
    const { root, issues } = loadIssues({
      'inv.yaml': 'web:\n  vars: { cnet_xx: 1 }\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/all.yml': 'cnet_yy: 1\n',
      'host_vars/vm1.yml': 'cnet_zz: 1\n',
    });
    expect(summary(issues, root)).toEqual([
      'group_vars/all.yml:1:1 cnet_yy: unknown variable "cnet_yy"',
      'host_vars/vm1.yml:1:1 cnet_zz: unknown variable "cnet_zz"',
      'inv.yaml:2:11 web.vars.cnet_xx: unknown variable "cnet_xx"',
    ]);
  });

  it('files for groups or hosts that do not exist are not read', () => {
    const { inv } = load({
      'inv.yaml': INV,
      'group_vars/nosuch.yml': 'cnet_typo: 1\n',
      'group_vars/other/x.yml': '[not, a, mapping]\n',
      'host_vars/ghost.yml': 'ansible_port: {{ broken\n',
    });
    expect(inv.hosts.map((h) => h.name)).toEqual(['vm1', 'vm2']);
  });

  it('an empty or comment-only file is fine', () => {
    const { inv } = load({ 'inv.yaml': INV, 'group_vars/all.yml': '', 'group_vars/web.yml': '# nothing yet\n' });
    expect(host(inv, 'vm1').connection.port).toBeUndefined();
  });
});

describe('ansible-vault', () => {
  const PASSWORD = 'vault pw';
  const secrets: VaultSecret[] = [{ id: 'default', password: Buffer.from(PASSWORD), source: '--vault-password-file pass' }];
  /** inv.yaml, group_vars/all/main.yml and group_vars/all/vault.yml encrypted by the real ansible-vault */
  function encrypted(): string {
    const root = tree({
      'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/all/main.yml': 'ansible_user: deploy\n',
      'group_vars/all/vault.yml': 'ansible_port: 2222\n',
      pass: `${PASSWORD}\n`,
      'ansible.cfg': '',
    });
    execFileSync('ansible-vault', ['encrypt', join(root, 'group_vars/all/vault.yml'), '--vault-password-file', join(root, 'pass')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: root, ANSIBLE_CONFIG: join(root, 'ansible.cfg'), LANG: 'C.UTF-8' },
    });
    return root;
  }

  it('an encrypted file is decrypted with the vault password, beside the plain files of its folder', () => {
    const root = encrypted();
    const inv = loadInventory([join(root, 'inv.yaml')], { secrets });
    expect(host(inv, 'vm1').connection).toMatchObject({ user: 'deploy', port: 2222 });
  });

  it('without the password, a clear error at the file, naming what to pass', () => {
    const root = encrypted();
    const issues = issuesOf(() => loadInventory([join(root, 'inv.yaml')]));
    expect(issues).toHaveLength(1);
    expectIssue(issues[0], 1, 1, '', /^the file is encrypted with ansible-vault: .*--vault-password-file/, join(root, 'group_vars/all/vault.yml'));
  });

  it('vault text cut short is a clear error at the file, not read as YAML', () => {
    const { root, issues } = loadIssues({
      'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/all/main.yml': 'ansible_user: deploy\n',
      'group_vars/all/vault.yml': '$ANSIBLE_VAULT;1.1;AES256\n62313365396662343061393464336163383764373764613633653634306231386433626436623361\n',
    });
    expect(issues).toHaveLength(1);
    expectIssue(issues[0], 1, 1, '', /^the file is encrypted with ansible-vault: malformed vault text/, join(root, 'group_vars/all/vault.yml'));
  });
});

describe('.json vars files', () => {
  it('read like YAML, positions included', () => {
    const files = {
      'inv.yaml': 'web:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/web.json': '{"ansible_port": 2222, "cnet": {"bridges": {"br0": {"subnet": "10.9.0.0/24"}}}}\n',
      'host_vars/vm1/extra.json': '{\n  "ansible_user": "jason"\n}\n',
    };
    const { inv } = load(files);
    expect(host(inv, 'vm1').connection).toMatchObject({ user: 'jason', port: 2222 });
    expect(host(inv, 'vm1').network.bridges.map((b) => b.nets.map((net) => net.address))).toEqual([['10.9.0.1']]);

    const { root, issues } = loadIssues({ ...files, 'host_vars/vm1/extra.json': '{\n  "ansible_user": "jason",\n  "cnet_nope": true\n}\n' });
    expect(issues).toHaveLength(1);
    expectIssue(issues[0], 3, 3, 'cnet_nope', 'unknown variable "cnet_nope"', join(root, 'host_vars/vm1/extra.json'));
  });
});

describe("which files are read (as Ansible's find_vars_files)", () => {
  it('the first of NAME, NAME.yml, NAME.yaml, NAME.json; only that one', () => {
    const root = tree({
      'group_vars/a': '',
      'group_vars/a.yml': '',
      'group_vars/b.yml': '',
      'group_vars/b.yaml': '',
      'group_vars/b.json': '',
      'group_vars/c.yaml': '',
      'group_vars/c.json': '',
      'group_vars/d.json': '',
    });
    const rel = (name: string) => findVarsFiles(root, 'group_vars', name).map((f) => f.slice(root.length + 1));
    expect(rel('a')).toEqual(['group_vars/a']);
    expect(rel('b')).toEqual(['group_vars/b.yml']);
    expect(rel('c')).toEqual(['group_vars/c.yaml']);
    expect(rel('d')).toEqual(['group_vars/d.json']);
    expect(rel('e')).toEqual([]);
  });

  it('a folder: files without extension or .yml/.yaml/.json, sub-folders recursively, in name order', () => {
    const root = tree({
      'host_vars/vm1/b.yml': '',
      'host_vars/vm1/a': '',
      'host_vars/vm1/c.json': '',
      'host_vars/vm1/sub/z.yaml': '',
      'host_vars/vm1/sub.d/ignored.yml': '',
      'host_vars/vm1/notes.txt': '',
      'host_vars/vm1/.secret.yml': '',
      'host_vars/vm1/b.yml~': '',
      'host_vars/vm1/.git/': '',
      'host_vars/vm1.yml': '', // the folder comes first
    });
    expect(findVarsFiles(root, 'host_vars', 'vm1').map((f) => f.slice(root.length + 1))).toEqual([
      'host_vars/vm1/a',
      'host_vars/vm1/b.yml',
      'host_vars/vm1/c.json',
      'host_vars/vm1/sub/z.yaml',
    ]);
  });

  it("a symbolic link to a folder above is read once, not walked round until ELOOP (which failed the host's vars)", () => {
    const root = tree({ 'host_vars/vm1/a.yml': '', 'host_vars/vm1/sub/b.yml': '' });
    symlinkSync('..', join(root, 'host_vars/vm1/sub/up'));
    expect(findVarsFiles(root, 'host_vars', 'vm1').map((f) => f.slice(root.length + 1))).toEqual(['host_vars/vm1/a.yml', 'host_vars/vm1/sub/b.yml']);
  });

  it('a FIFO as a vars file is an issue with its path at once (reading it hung)', () => {
    const root = tree({ 'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n', 'group_vars/': '' });
    execFileSync('mkfifo', [join(root, 'group_vars/all.yml')]);
    const issues = issuesOf(() => loadInventory([join(root, 'inv.yaml')]));
    expect(summary(issues, root)).toEqual([
      "group_vars/all.yml:0:0 : cannot read group_vars/host_vars: is a FIFO (named pipe), not a regular file: give the path of a regular file (save a pipe's output to a file first)",
    ]);
  });

  it('a file named group_vars is not a vars folder', () => {
    const { inv } = load({ 'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n', group_vars: 'ansible_port: 1\n' });
    expect(host(inv, 'vm1').connection.port).toBeUndefined();
  });

  it('relative file paths in vars files: cnet_known_hosts_file from the inventory folder, key files from the working directory (as Ansible)', () => {
    const root = tree({
      'inv.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'group_vars/all/ssh.yml': 'ansible_ssh_private_key_file: keys/id_test\ncnet_known_hosts_file: known_hosts\n',
    });
    const inv = loadInventory([join(root, 'inv.yaml')], { cwd: '/work/dir' });
    expect(host(inv, 'vm1').connection).toMatchObject({ privateKeyFile: '/work/dir/keys/id_test', knownHostsFile: join(root, 'known_hosts') });
  });
});

describe('several inventory files', () => {
  const files = {
    'a/inv.yaml': `web:
  hosts:
    vm1: { ansible_host: 192.0.2.1 }
  children:
    child:
      hosts:
        vm1:
`,
    'a/group_vars/all.yml': 'ansible_user: a-all\nansible_port: 2001\n',
    'a/group_vars/child.yml': 'cnet_known_hosts_file: /a/child\n',
    'a/host_vars/vm2.yml': 'ansible_user: a-vm2\n',
    'b/inv.yaml': 'db:\n  hosts:\n    vm2: { ansible_host: 192.0.2.2 }\n',
    'b/group_vars/all.yml': 'ansible_user: b-all\n',
    'b/group_vars/web.yml': 'ansible_port: 2002\ncnet_known_hosts_file: /b/web\n',
  };
  const root = tree(files);
  const a = join(root, 'a/inv.yaml');
  const b = join(root, 'b/inv.yaml');

  it("each file's folder applies to every host, the later file's folder winning at the same level", () => {
    const inv = loadInventory([a, b]);
    // b's group_vars/web applies to vm1, written in a's inventory file
    expect(host(inv, 'vm1').connection).toMatchObject({ user: 'b-all', port: 2002 });
    // a's host_vars/vm2 applies to vm2, written in b's inventory file
    expect(host(inv, 'vm2').connection).toMatchObject({ user: 'a-vm2', port: 2001 });
  });

  it("group files merge folder by folder: a later folder's shallower group beats an earlier folder's deeper one", () => {
    expect(host(loadInventory([a, b]), 'vm1').connection.knownHostsFile).toBe('/b/web');
    expect(host(loadInventory([b, a]), 'vm1').connection.knownHostsFile).toBe('/a/child');
  });

  it('in the other order, the other folder wins', () => {
    const inv = loadInventory([b, a]);
    expect(host(inv, 'vm1').connection).toMatchObject({ user: 'a-all', port: 2002 });
  });

  it('files in the same folder: its vars files are read once', () => {
    const same = tree({
      'inv1.yaml': 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.1 }\n',
      'inv2.yaml': 'all:\n  hosts:\n    vm2: { ansible_host: 192.0.2.2 }\n',
      'group_vars/all.yml': 'cnet_typo: 1\n',
    });
    const issues = issuesOf(() => loadInventory([join(same, 'inv1.yaml'), join(same, 'inv2.yaml')]));
    expect(summary(issues, same)).toEqual(['group_vars/all.yml:1:1 cnet_typo: unknown variable "cnet_typo"']);
  });

  it('varsDirsOf: one entry per folder, at its last place', () => {
    expect(varsDirsOf(['x/1.yaml', 'y/2.yaml', 'x/3.yaml', './y/4.yaml'])).toEqual(['x', './y']);
    expect(varsDirsOf(['inv.yaml'])).toEqual(['.']);
  });
});
