import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import { loadInventory, resolveInventory } from '../../src/inventory/load-inventory.js';
import { parseSource } from '../../src/inventory/source.js';
import type { Inventory } from '../../src/inventory/types.js';
import { expectIssue, host, issues, issuesOf, itReportsOneIssue, oneIssue, resolve } from './helpers.js';
import { withEnv } from '../support/env.js';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const seed = (name: string) => fileURLToPath(new URL(`../../inventories/${name}`, import.meta.url));

/** One host h1.example.com and the bridges written from line 7, column 9. */
const withBridges = (...lines: string[]) => `all:
  hosts:
    h1.example.com:
  vars:
    cnet:
      bridges:
${lines.map((l) => `        ${l}\n`).join('')}`;

/** One host, one /24 bridge br0, and namespaces written at line 9, column 9. */
const withNamespaces = (...lines: string[]) => `all:
  hosts:
    h1.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
${lines.map((l) => `        ${l}\n`).join('')}`;

const NS = 'all.vars.cnet.namespaces';

describe('YAML errors', () => {
  itReportsOneIssue([
    {
      name: 'tab indentation, with position and no path',
      yaml: `all:
\thosts: {}
`,
      line: 2,
      col: 1,
      path: '',
      message: 'YAML error: Tabs are not allowed',
    },
    {
      name: 'an unclosed flow mapping',
      yaml: `all:
  hosts:
    h1.example.com: { ansible_port: 22
  vars: {}
`,
      line: 4,
      col: 3,
      path: '',
      message: /^YAML error: Flow map .* end with a \}/,
    },
    {
      name: 'a nested mapping in a compact one',
      yaml: `all:
  vars:
    a: b: c
`,
      line: 3,
      col: 8,
      path: '',
      message: 'Nested mappings are not allowed',
    },
    {
      name: 'a duplicate key after an empty value is reported at the duplicate key',
      yaml: `all:
  hosts:
    h1.example.com:
    h1.example.com:
`,
      line: 4,
      col: 5,
      path: '',
      message: 'YAML error: Map keys must be unique',
    },
    {
      name: 'a duplicate key after a comment and blank line',
      yaml: `all:
  vars:
    ansible_user:

    # again
    ansible_user: root
`,
      line: 6,
      col: 5,
      path: '',
      message: 'Map keys must be unique',
    },
    // "        a: { bridge: br0, " is 26 characters
    {
      name: 'a duplicate key in a flow mapping',
      yaml: withNamespaces('a: { bridge: br0, bridge: br1 }'),
      line: 9,
      col: 27,
      path: '',
      message: 'Map keys must be unique',
    },
    {
      name: 'keys the data cannot tell apart are duplicates: 1 and "1" (the data\'s keys are strings)',
      yaml: `all:
  hosts:
    1: { ansible_host: 10.0.0.1 }
    "1": { ansible_host: 10.0.0.2 }
`,
      line: 4,
      col: 5,
      path: '',
      message: 'YAML error: Map keys must be unique: "1" is also at line 3',
    },
    {
      name: 'a document that is not a mapping',
      yaml: `- a
- b
`,
      line: 1,
      col: 1,
      path: '',
      message: 'an inventory must be a mapping of group names to groups, not a list',
    },
  ]);

  it('the message carries no second, pretty-printed position', () => {
    const issue = oneIssue(`all:
\thosts: {}
`);
    expect(issue.message).not.toMatch(/line \d+, column \d+/);
    expect(issue.message).not.toContain('\n');
  });

  it('several YAML errors at once', () => {
    const all = issues(`all:
  vars:
    a: 1
    a: 2
    b: 1
    b: 2
`);
    expect(all.map((i) => [i.loc.line, i.loc.col, i.message])).toEqual([
      [4, 5, 'YAML error: Map keys must be unique: "a" is also at line 3'],
      [6, 5, 'YAML error: Map keys must be unique: "b" is also at line 5'],
    ]);
  });

  it('an alias to an undefined anchor is an issue at the alias, not a crash', () => {
    const issue = issuesOf(() =>
      parseSource(
        'inv.yaml',
        `all:
  vars:
    ansible_user: *nope
`,
      ),
    )[0];
    expectIssue(issue, 3, 19, '', /^YAML error: .*alias.*nope/);
  });

  it("variables named as a JavaScript object's own methods are ordinary variables (toString crashed the load)", () => {
    const inv = resolve(`all:
  vars: { toString: 1, constructor: x, hasOwnProperty: [], valueOf: {} }
  hosts:
    h1.example.com: { isPrototypeOf: 1 }
`);
    expect(host(inv, 'h1.example.com').connection.address).toBe('h1.example.com');
  });
});

/** The warnings of resolving one text, as `line:col path: message`. */
const warningsOf = (inv: Inventory) => (inv.warnings ?? []).map((w) => `${w.loc.line}:${w.loc.col} ${w.loc.path}: ${w.message}`);

describe('unknown keys', () => {
  // a group's key other than hosts/vars/children is skipped with a warning, as Ansible's YAML
  // plugin does ("Skipping unexpected key (host) in group (all) ..."): not an error, not read
  it('in a group: skipped with a warning and a did-you-mean hint, its hosts not read', () => {
    const inv = resolve(`all:
  host:
    h1.example.com:
`);
    expect(inv.hosts).toEqual([]);
    expect(warningsOf(inv)).toEqual([
      '2:3 all.host: key "host" of group "all" is skipped: only "hosts", "vars" and "children" are read (as Ansible) (did you mean "hosts"?)',
    ]);
  });

  it('in a nested child group: skipped with a warning, the group kept', () => {
    const inv = resolve(`all:
  children:
    web:
      hostz:
        h1.example.com:
`);
    expect(inv.hosts).toEqual([]);
    expect(inv.groups.has('web')).toBe(true);
    expect(warningsOf(inv)).toEqual([
      '4:7 all.children.web.hostz: key "hostz" of group "web" is skipped: only "hosts", "vars" and "children" are read (as Ansible) (did you mean "hosts"?)',
    ]);
  });

  it('without a hint when nothing is close; a key that is not a mapping is skipped as such', () => {
    const inv = resolve(`all:
  colour:
    red: 1
  size: big
  hosts:
    h1.example.com:
`);
    expect(inv.hosts.map((h) => h.name)).toEqual(['h1.example.com']);
    const warnings = warningsOf(inv);
    expect(warnings).toEqual([
      '2:3 all.colour: key "colour" of group "all" is skipped: only "hosts", "vars" and "children" are read (as Ansible)',
      '4:3 all.size: key "size" of group "all" is skipped: it is a string, not a mapping (as Ansible skips it)',
    ]);
    expect(warnings.join('\n')).not.toContain('did you mean');
  });

  it('in cnet, a bridge and a namespace, all at once with hints', () => {
    const all = issues(`all:
  vars:
    cnet:
      bridges:
        br0: { subnets: 10.0.0.0/24 }
      namespaces:
        ns1: { bridge: br0, hostif: veth1 }
      namespace: {}
`);
    expect(all).toHaveLength(3);
    expectIssue(all[0], 5, 16, 'all.vars.cnet.bridges.br0.subnets', 'unknown key "subnets" (did you mean "subnet"?)');
    expectIssue(all[1], 7, 29, 'all.vars.cnet.namespaces.ns1.hostif', 'unknown key "hostif" (did you mean "host_if"?)');
    expectIssue(all[2], 8, 7, 'all.vars.cnet.namespace', 'unknown key "namespace" (did you mean "namespaces"?)');
  });

  it('a value of the wrong type in cnet', () => {
    expectIssue(
      oneIssue(`all:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24, nat: "yes" }
`),
      5,
      37,
      'all.vars.cnet.bridges.br0.nat',
      'expected boolean',
    );
  });

  it('group names: any Ansible takes (a space, a dot, a leading digit); one holding a control character is refused', () => {
    const inv = resolve(`"web servers":
  hosts:
    a.example.com:
web.servers:
  hosts:
    b.example.com:
1group:
  hosts:
    c.example.com:
`);
    expect(host(inv, 'a.example.com').groups).toEqual(['web servers']);
    expect(host(inv, 'b.example.com').groups).toEqual(['web.servers']);
    expect(host(inv, 'c.example.com').groups).toEqual(['1group']);
    const issue = oneIssue(`"web\\x1bservers":
  hosts: {}
`);
    expectIssue(issue, 1, 1, 'web\x1bservers', 'holds the control character U+001B: remove it');
    expect(formatIssue(issue)).not.toContain('\x1b');
  });

  it('host names: any Ansible takes is read; one a resolver could not take needs ansible_host; a control character is refused', () => {
    // Ansible reads `h1;reboot` as a host name; without ansible_host there is nothing to connect to
    expectIssue(
      oneIssue(`all:
  hosts:
    "h1;reboot":
`),
      3,
      5,
      'all.hosts.h1;reboot',
      'host "h1;reboot" has no address: set ansible_host',
    );
    const inv = resolve(`all:
  hosts:
    "h1;reboot": { ansible_host: 10.0.0.1 }
    "web server": { ansible_host: 10.0.0.2 }
`);
    expect(inv.hosts.map((h) => [h.name, h.connection.address])).toEqual([
      ['h1;reboot', '10.0.0.1'],
      ['web server', '10.0.0.2'],
    ]);
    const issue = oneIssue(`all:
  hosts:
    "h1\\nreboot": { ansible_host: 10.0.0.1 }
`);
    expectIssue(issue, 3, 5, 'all.hosts.h1\nreboot', 'holds a newline: remove it');
    expect(formatIssue(issue)).not.toContain('\n');
  });
});

describe('variables', () => {
  it('unknown cnet_* variables, at group and host level; other variables are allowed', () => {
    const all = issues(`all:
  vars:
    cnet_host_key_check: strict
    cnet_colour: blue
    my_own_var: 1
  hosts:
    h1.example.com: { cnet_known_host_file: kh }
`);
    expect(all).toHaveLength(3);
    expectIssue(all[0], 3, 5, 'all.vars.cnet_host_key_check', 'unknown variable "cnet_host_key_check" (did you mean "cnet_host_key_checking"?)');
    expectIssue(all[1], 4, 5, 'all.vars.cnet_colour', 'unknown variable "cnet_colour"');
    expect(all[1]!.message).not.toContain('did you mean');
    expectIssue(all[2], 7, 23, 'all.hosts.h1.example.com.cnet_known_host_file', '(did you mean "cnet_known_hosts_file"?)');
  });

  it.each([
    ['abc', 'expected a port number'],
    ['0', 'port must be 1-65535'],
    ['70000', 'port must be 1-65535'],
    ['-1', 'port must be 1-65535'],
  ])('ansible_port: %s is refused', (value, message) => {
    expectIssue(
      oneIssue(`all:
  hosts:
    h1.example.com:
      ansible_port: ${value}
`),
      4,
      7,
      'all.hosts.h1.example.com.ansible_port',
      message,
    );
  });

  itReportsOneIssue([
    {
      name: 'a bad legacy ansible_ssh_port in group vars',
      yaml: `all:
  hosts:
    h1.example.com:
  vars:
    ansible_ssh_port: ssh
`,
      line: 5,
      col: 5,
      path: 'all.vars.ansible_ssh_port',
      message: 'expected a port number',
    },
    {
      name: 'a bad cnet_host_key_checking mode',
      yaml: `all:
  vars:
    cnet_host_key_checking: maybe
`,
      line: 3,
      col: 5,
      path: 'all.vars.cnet_host_key_checking',
      message: '"strict"|"ask"|"accept-new"|"off"',
    },
    {
      name: 'an empty ansible_user, reported for the hosts that use it',
      yaml: `all:
  hosts:
    h1.example.com:
  vars:
    ansible_user: ""
`,
      line: 5,
      col: 5,
      path: 'all.vars.ansible_user',
      message: /^must not be empty \(host h1\.example\.com\)$/,
    },
  ]);
});

describe('groups', () => {
  itReportsOneIssue([
    {
      name: 'a cycle through two top-level groups is reported at the edge closing it',
      yaml: `web:
  children:
    db:
db:
  children:
    web:
`,
      line: 6,
      col: 5,
      path: 'db.children.web',
      message: 'groups form a cycle: web → db → web',
    },
    {
      name: 'a group that is its own child',
      yaml: `all:
  children:
    web:
      children:
        web:
`,
      line: 5,
      col: 9,
      path: 'all.children.web.children.web',
      message: 'groups form a cycle: web → web',
    },
    {
      name: '"all" cannot be a child',
      yaml: `all:
  children:
    web:
      children:
        all:
`,
      line: 5,
      col: 9,
      path: 'all.children.web.children.all',
      message: 'group "all" cannot be a child',
    },
  ]);
});

describe('names that end up in shell commands', () => {
  it.each([
    ['a;b', 'a;b'],
    ['$(reboot)', '$(reboot)'],
    ['"`id`"', '`id`'],
    ['"it\'s"', "it's"],
    ['\'say "hi"\'', 'say "hi"'],
    ['a b', 'a b'],
    ['"a\\nb"', 'a\nb'],
    ['a|b', 'a|b'],
    ['-x', '-x'],
    ['.hidden', '.hidden'],
    ['café', 'café'],
  ])('namespace %s is refused', (key, name) => {
    const issue = oneIssue(withNamespaces(`${key}: { bridge: br0 }`));
    expectIssue(issue, 9, 9, `${NS}.${name}`, `namespace name ${JSON.stringify(name)} is not allowed`);
  });

  it('a namespace name of 65 bytes is too long (64 is fine)', () => {
    const ok = 'n'.repeat(64);
    expect(host(resolve(withNamespaces(`${ok}: { bridge: br0 }`)), 'h1.example.com').network.namespaces[0]!.name).toBe(ok);
    const long = 'n'.repeat(65);
    expectIssue(oneIssue(withNamespaces(`${long}: { bridge: br0 }`)), 9, 9, `${NS}.${long}`, 'is 65 bytes long: at most 64');
  });

  it('a 16-byte host_if and an ns_if with metacharacters, both reported', () => {
    const all = issues(withNamespaces('ns1:', '  bridge: br0', '  host_if: abcdefghijklmnop', '  ns_if: e;reboot'));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 11, 11, `${NS}.ns1.host_if`, 'interface name "abcdefghijklmnop" is 16 bytes long: at most 15');
    expectIssue(all[1], 12, 11, `${NS}.ns1.ns_if`, 'interface name "e;reboot" is not allowed');
  });

  it.each([
    ['-veth0', 'is not allowed'],
    ['vé1', 'is not allowed'],
    ['"veth 1"', 'is not allowed'],
    ['lo', 'is reserved'],
  ])('host_if %s is refused', (value, message) => {
    expectIssue(oneIssue(withNamespaces('ns1:', '  bridge: br0', `  host_if: ${value}`)), 11, 11, `${NS}.ns1.host_if`, message);
  });

  it('a bridge name of 16 bytes, and one with a metacharacter', () => {
    const all = issues(withBridges('br-0123456789abc: { subnet: 10.0.0.0/24 }', '"br&0": { subnet: 10.1.0.0/24 }'));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 7, 9, 'all.vars.cnet.bridges.br-0123456789abc', 'interface name "br-0123456789abc" is 16 bytes long: at most 15');
    expectIssue(all[1], 8, 9, 'all.vars.cnet.bridges.br&0', 'interface name "br&0" is not allowed');
  });

  it('a host_if used twice, or equal to a bridge name', () => {
    const all = issues(withNamespaces('ns1: { bridge: br0, host_if: vethA }', 'ns2: { bridge: br0, host_if: vethA }', 'ns3: { bridge: br0, host_if: br0 }'));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 10, 29, `${NS}.ns2.host_if`, 'host_if "vethA" of namespace "ns2" is already used by namespace "ns1"');
    expectIssue(all[1], 11, 29, `${NS}.ns3.host_if`, 'host_if "br0" of namespace "ns3" is already used by bridge "br0"');
  });
});

describe('subnets and addresses', () => {
  itReportsOneIssue([
    {
      name: 'overlapping subnets',
      yaml: withBridges('br0: { subnet: 10.0.0.0/16 }', 'br1: { subnet: 10.0.1.0/24 }'),
      line: 8,
      col: 16,
      path: 'all.vars.cnet.bridges.br1.subnet',
      message: 'subnet 10.0.1.0/24 of bridge "br1" overlaps 10.0.0.0/16 of bridge "br0"',
    },
    {
      name: 'overlapping subnets given at group and host level',
      yaml: `all:
  hosts:
    h1.example.com:
      cnet:
        bridges:
          br1: { subnet: 10.0.0.128/25 }
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
`,
      line: 6,
      col: 18,
      path: 'all.hosts.h1.example.com.cnet.bridges.br1.subnet',
      message: 'overlaps 10.0.0.0/24 of bridge "br0"',
    },
    {
      name: 'an address equal to an explicit gateway',
      yaml: `all:
  hosts:
    h1.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24, address: 10.0.0.254 }
      namespaces:
        a: { bridge: br0, address: 10.0.0.254 }
`,
      line: 9,
      col: 27,
      path: `${NS}.a.address`,
      message: 'address 10.0.0.254 is the gateway',
    },
    {
      name: 'a full subnet',
      yaml: `all:
  hosts:
    h1.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/30 }
      namespaces:
        a: { bridge: br0 }
        b: { bridge: br0 }
`,
      line: 10,
      col: 9,
      path: `${NS}.b`,
      message: 'subnet 10.0.0.0/30 has no free address left for namespace "b"',
    },
  ]);

  it.each([
    ['10.0.0.1/24', 'has host bits set: did you mean 10.0.0.0/24?'],
    ['10.0.0.0/31', 'prefix length /31 is out of range'],
    ['10.0.0.0', 'expected an IPv4 subnet like 172.18.0.0/16, got "10.0.0.0"'],
    ['10.0.0.300/24', 'expected an IPv4 subnet'],
  ])('subnet %s is refused', (subnet, message) => {
    expectIssue(oneIssue(withBridges(`br0: { subnet: ${subnet} }`)), 7, 16, 'all.vars.cnet.bridges.br0.subnet', message);
  });

  it('duplicate addresses: explicit vs explicit, and explicit vs the default gateway', () => {
    const all = issues(
      withNamespaces('a: { bridge: br0, address: 10.0.0.5 }', 'b: { bridge: br0, address: 10.0.0.5 }', 'c: { bridge: br0, address: 10.0.0.1 }'),
    );
    expect(all).toHaveLength(2);
    expectIssue(all[0], 10, 27, `${NS}.b.address`, 'address 10.0.0.5 is already used by namespace "a"');
    expectIssue(all[1], 11, 27, `${NS}.c.address`, 'address 10.0.0.1 is the gateway (the address of bridge "br0")');
  });

  it.each([
    ['10.0.1.5', 'address 10.0.1.5 is outside subnet 10.0.0.0/24 of bridge "br0"'],
    ['192.168.0.1', 'is outside subnet 10.0.0.0/24'],
    ['10.0.0.0', 'address 10.0.0.0 is the network address of subnet 10.0.0.0/24'],
    ['10.0.0.255', 'address 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24'],
    ['10.0.0.256', 'expected an IPv4 address, got "10.0.0.256"'],
    ['010.0.0.5', 'expected an IPv4 address'],
  ])('namespace address %s is refused', (address, message) => {
    expectIssue(oneIssue(withNamespaces(`a: { bridge: br0, address: ${address} }`)), 9, 27, `${NS}.a.address`, message);
  });

  it.each([
    ['10.0.0.255', 'address 10.0.0.255 is not a host address of subnet 10.0.0.0/24'],
    ['10.0.1.1', 'is not a host address'],
    ['gateway', 'expected an IPv4 address'],
  ])('bridge address %s is refused', (address, message) => {
    expectIssue(oneIssue(withBridges(`br0: { subnet: 10.0.0.0/24, address: ${address} }`)), 7, 37, 'all.vars.cnet.bridges.br0.address', message);
  });
});

describe('references and required fields', () => {
  it('a namespace on a missing bridge, and one without a bridge', () => {
    const all = issues(withNamespaces('a: { bridge: br1 }', 'b: { address: 10.0.0.9 }'));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 9, 14, `${NS}.a.bridge`, 'namespace "a" is on bridge "br1", which is not defined under cnet.bridges');
    expectIssue(all[1], 10, 9, `${NS}.b`, 'namespace "b" has no bridge: "bridge" is required');
  });

  it('a bridge without a subnet (with fields, or empty)', () => {
    const all = issues(withBridges('br0: { nat: false }', 'br1:'));
    expect(all).toHaveLength(2);
    expectIssue(all[0], 7, 9, 'all.vars.cnet.bridges.br0', 'bridge "br0" has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required');
    expectIssue(all[1], 8, 9, 'all.vars.cnet.bridges.br1', 'bridge "br1" has no subnet');
  });

  it('a namespace on a bridge that is itself broken reports only the bridge', () => {
    const all = issues(
      withNamespaces('a: { bridge: br1 }').replace('        br0: { subnet: 10.0.0.0/24 }\n', '        br0: { subnet: 10.0.0.0/24 }\n        br1: {}\n'),
    );
    expect(all).toHaveLength(1);
    expectIssue(all[0], 8, 9, 'all.vars.cnet.bridges.br1', 'has no subnet');
  });

  it('a host without an address; IP, DNS names, short names and localhost need none (ssh resolves them)', () => {
    const text = `all:
  children:
    lab:
      hosts:
        "node 1":
        10.1.2.3:
        node2.example.com:
        localhost:
        node3:
        web_1:
        controller0:
`;
    expectIssue(oneIssue(text), 5, 9, 'all.children.lab.hosts.node 1', 'host "node 1" has no address: set ansible_host');
    const inv = resolve(text.replace('        "node 1":\n', ''));
    expect(inv.hosts.map((h) => [h.name, h.connection.address])).toEqual([
      ['10.1.2.3', '10.1.2.3'],
      ['controller0', 'controller0'],
      ['localhost', 'localhost'],
      ['node2.example.com', 'node2.example.com'],
      ['node3', 'node3'],
      ['web_1', 'web_1'],
    ]);
  });

  it('a host without an address is reported where it is first named', () => {
    expectIssue(
      oneIssue(`lab:
  hosts:
    "node 1":
web:
  hosts:
    "node 1":
`),
      3,
      5,
      'lab.hosts.node 1',
      'host "node 1" has no address',
    );
  });
});

describe('positions under keys YAML reads as numbers', () => {
  itReportsOneIssue([
    {
      name: 'a field of a namespace named 123',
      yaml: withNamespaces('123: { bridge: br0, address: 10.9.9.9 }'),
      line: 9,
      col: 29,
      path: `${NS}.123.address`,
      message: 'outside subnet',
    },
    {
      name: 'a variable of a host named 1234',
      yaml: `all:
  hosts:
    1234:
      ansible_host: 10.0.0.7
      ansible_port: 0
`,
      line: 5,
      col: 7,
      path: 'all.hosts.1234.ansible_port',
      message: 'port must be 1-65535',
    },
  ]);
});

describe('several issues at once', () => {
  it('every stage reports, sorted by position', () => {
    const all = issues(`all:
  hosts:
    "node 1":
  vars:
    cnet_colour: blue
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/16 }
        br1: { subnet: 10.0.0.0/24 }
      namespaces:
        a: { bridge: br0, address: 10.1.0.1 }
        b: { bridge: br9 }
`);
    expect(all.map((i) => `${i.loc.line}:${i.loc.col} ${i.loc.path}`)).toEqual([
      '3:5 all.hosts.node 1',
      '5:5 all.vars.cnet_colour',
      '9:16 all.vars.cnet.bridges.br1.subnet',
      '11:27 all.vars.cnet.namespaces.a.address',
      '12:14 all.vars.cnet.namespaces.b.bridge',
    ]);
    expect(all[0]!.message).toContain('has no address');
    expect(all[1]!.message).toContain('unknown variable "cnet_colour"');
    expect(all[2]!.message).toContain('overlaps');
    expect(all[3]!.message).toContain('outside subnet');
    expect(all[4]!.message).toContain('not defined under cnet.bridges');
  });

  it('the error message lists every issue as file:line:col path: message', () => {
    let err: unknown;
    try {
      resolve(withNamespaces('a: { bridge: br1 }', 'b: { bridge: br0, address: 10.0.0.0 }'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InventoryError);
    const lines = (err as InventoryError).message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^inv\.yaml:9:14 all\.vars\.cnet\.namespaces\.a\.bridge: namespace "a" is on bridge "br1"/);
    expect(lines[1]).toMatch(/^inv\.yaml:10:27 all\.vars\.cnet\.namespaces\.b\.address: address 10\.0\.0\.0 is the network/);
    expect(lines).toEqual((err as InventoryError).issues.map(formatIssue));
  });

  it('a group-level mistake is reported once, naming every host', () => {
    const issue = oneIssue(`all:
  hosts:
    h1.example.com:
    h2.example.com:
  vars:
    cnet:
      bridges:
        br0: {}
`);
    expectIssue(
      issue,
      8,
      9,
      'all.vars.cnet.bridges.br0',
      'bridge "br0" has no subnet: "subnet" (IPv4), "subnet6" (IPv6) or both are required (hosts h1.example.com, h2.example.com)',
    );
  });

  it('issues in two files carry their own file names', () => {
    const all = issues(
      withBridges('br0: { subnet: 10.0.0.0/24 }'),
      `all:
  vars:
    cnet:
      namespaces:
        a: { bridge: br0, address: 10.9.9.9 }
`,
    );
    expectIssue(all[0], 5, 27, 'all.vars.cnet.namespaces.a.address', 'outside subnet 10.0.0.0/24', 'inv2.yaml');
  });
});

describe('loadInventory', () => {
  it('a missing file', () => {
    const missing = fixture('no-such-file.yaml');
    const all = issuesOf(() => loadInventory([missing]));
    expect(all).toEqual([{ loc: { file: missing, line: 0, col: 0, path: '' }, message: 'cannot read inventory: no such file' }]);
  });

  it('a directory', () => {
    const all = issuesOf(() => loadInventory([fixtures]));
    expect(all[0]!.message).toBe(
      "cannot read inventory: is a directory, not a regular file: give the path of a regular file (save a pipe's output to a file first)",
    );
  });

  it('a FIFO is refused at once, not read until a writer comes (it hung)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-fifo-'));
    try {
      const fifo = join(dir, 'inventory.yaml');
      execFileSync('mkfifo', [fifo]);
      const all = issuesOf(() => loadInventory([fifo]));
      expect(all.map(formatIssue)).toEqual([
        `${fifo}:0:0 cannot read inventory: is a FIFO (named pipe), not a regular file: give the path of a regular file (save a pipe's output to a file first)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('/dev/zero is refused, not read until memory runs out', () => {
    expect(issuesOf(() => loadInventory(['/dev/zero']))[0]!.message).toMatch(/^cannot read inventory: is a character device, not a regular file/);
  });

  it('every unreadable or broken file is reported at once', () => {
    const all = issuesOf(() => loadInventory([fixture('no-such-file.yaml'), fixture('broken.yaml')]));
    expect(all.map((i) => [i.loc.file, i.loc.line, i.loc.col])).toEqual([
      [fixture('no-such-file.yaml'), 0, 0],
      [fixture('broken.yaml'), 4, 5],
    ]);
    expect(all[1]!.message).toContain('Map keys must be unique');
  });

  it("seed Part 2 with a hosts file resolves to the seed's exact names", () => {
    const inv = loadInventory([fixture('hosts.yaml'), seed('seed-part2.yaml')]);
    expect(inv.files).toEqual([fixture('hosts.yaml'), seed('seed-part2.yaml')]);
    expect(inv.hosts).toHaveLength(1);
    const vm1 = inv.hosts[0]!;
    // only what the inventory says: no port (22 is applied at connect time, after the ssh config)
    expect(vm1.connection).toMatchObject({ address: '192.168.56.11', user: 'root' });
    expect(vm1.connection).not.toHaveProperty('port');
    expect(vm1.network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: { network: 0xac120000, prefix: 16 }, address: '172.18.0.1', nat: true }] }],
      namespaces: [
        { name: 'container1', bridge: 'br0', addresses: ['172.18.0.2'], hostIf: 'veth1', nsIf: 'ceth1' },
        { name: 'container2', bridge: 'br0', addresses: ['172.18.0.3'], hostIf: 'veth2', nsIf: 'ceth2' },
      ],
    });
  });

  it("seed pb/jelly with a hosts file resolves to the seed's exact names", () => {
    const inv = loadInventory([fixture('hosts.yaml'), seed('seed-pb-jelly.yaml')]);
    expect(inv.hosts[0]!.network).toEqual({
      bridges: [{ name: 'brd1', nets: [{ subnet: { network: 0xac130000, prefix: 24 }, address: '172.19.0.1', nat: true }] }],
      namespaces: [
        { name: 'jelly', bridge: 'brd1', addresses: ['172.19.0.3'], hostIf: 'bread-j-veth', nsIf: 'veth-jelly' },
        { name: 'pb', bridge: 'brd1', addresses: ['172.19.0.2'], hostIf: 'bread-pb-veth', nsIf: 'veth-pb' },
      ],
    });
  });

  it('both seeds together merge by name', () => {
    const inv = loadInventory([fixture('hosts.yaml'), seed('seed-part2.yaml'), seed('seed-pb-jelly.yaml')]);
    const net = inv.hosts[0]!.network;
    expect(net.bridges.map((b) => b.name)).toEqual(['br0', 'brd1']);
    expect(net.namespaces.map((n) => [n.name, n.bridge, n.addresses, n.hostIf, n.nsIf])).toEqual([
      ['container1', 'br0', ['172.18.0.2'], 'veth1', 'ceth1'],
      ['container2', 'br0', ['172.18.0.3'], 'veth2', 'ceth2'],
      ['jelly', 'brd1', ['172.19.0.3'], 'bread-j-veth', 'veth-jelly'],
      ['pb', 'brd1', ['172.19.0.2'], 'bread-pb-veth', 'veth-pb'],
    ]);
  });

  it('a clash with a seed is reported in the file that makes it', () => {
    const all = issuesOf(() => loadInventory([seed('seed-part2.yaml'), fixture('clash.yaml')]));
    expect(all).toHaveLength(1);
    expectIssue(
      all[0],
      7,
      38,
      'all.hosts.vm1.cnet.namespaces.container3.address',
      'address 172.18.0.2 is already used by namespace "container1"',
      fixture('clash.yaml'),
    );
  });

  it('the example inventory (allocation is in name order: db before web)', () => {
    const inv = loadInventory([seed('example.yaml')]);
    expect(inv.hosts.map((h) => h.name)).toEqual(['node1', 'node2']);
    const [node1, node2] = inv.hosts;
    expect(node1!.connection).toMatchObject({ address: '192.168.56.11', user: 'root', privateKeyFile: join(homedir(), '.ssh/id_ed25519') });
    expect(node1!.network.namespaces.map((n) => [n.name, n.addresses, n.hostIf, n.nsIf])).toEqual([
      ['db', ['172.18.0.2'], 've-db', 'eth0'],
      ['web', ['172.18.0.3'], 've-web', 'eth0'],
    ]);
    expect(node2!.network.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['db', ['172.18.0.50']],
      ['web', ['172.18.0.2']],
    ]);
  });

  it("a relative key file is taken from the working directory (as Ansible hands it to ssh), a relative known_hosts file from the inventory's folder", () => {
    const inv = loadInventory([fixture('keys.yaml')], { cwd: '/work/dir' });
    expect(inv.hosts[0]!.connection.privateKeyFile).toBe('/work/dir/keys/id_test');
    expect(inv.hosts[0]!.connection.knownHostsFile).toBe(join(fixtures, '..', 'known_hosts'));
    // without cwd: the process's
    expect(loadInventory([fixture('keys.yaml')]).hosts[0]!.connection.privateKeyFile).toBe(join(process.cwd(), 'keys/id_test'));
  });
});

describe('connection variables', () => {
  it('defaults: nothing but the address (port, user, host key checking… are left to the ssh config; see test/transport/target.test.ts)', () => {
    withEnv({ CNET_SSH_PASSWORD: undefined, CNET_BECOME_PASSWORD: undefined }, () => {
      const h = host(
        resolve(`all:
  hosts:
    h1.example.com:
`),
        'h1.example.com',
      );
      expect(h.connection).toEqual({ address: 'h1.example.com' });
      for (const k of ['port', 'user', 'privateKeyFile', 'password', 'hostKeyChecking', 'knownHostsFile', 'commonArgs', 'become']) {
        expect(h.connection, k).not.toHaveProperty(k);
      }
      expect(h.network).toEqual({ bridges: [], namespaces: [] });
    });
  });

  // [test, vm1's vars, its connection (toMatchObject)]
  for (const [name, vars, connection] of [
    [
      'ansible_host, ansible_port (as a string too), ansible_user',
      '{ ansible_host: 10.0.0.7, ansible_port: "2222", ansible_user: admin }',
      { address: '10.0.0.7', port: 2222, user: 'admin' },
    ],
    [
      'legacy ansible_ssh_host, ansible_ssh_port, ansible_ssh_user',
      '{ ansible_ssh_host: 10.0.0.8, ansible_ssh_port: 2200, ansible_ssh_user: old }',
      { address: '10.0.0.8', port: 2200, user: 'old' },
    ],
  ] as const) {
    it(name, () => {
      expect(host(resolve(`all:\n  hosts:\n    vm1: ${vars}\n`), 'vm1').connection).toMatchObject(connection);
    });
  }

  it("the legacy ansible_ssh_host wins over ansible_host (and port, user, key file, host key checking likewise), as Ansible 2.14's ssh plugin", () => {
    // checked against `ansible -m ping -vvv`: it connects to ansible_ssh_host, -o Port=ansible_ssh_port, User, IdentityFile likewise
    for (const order of ['legacy first', 'legacy last']) {
      const legacy = [
        'ansible_ssh_host: 10.0.0.8',
        'ansible_ssh_port: 2200',
        'ansible_ssh_user: old',
        'ansible_ssh_private_key_file: /old/key',
        'ansible_ssh_host_key_checking: false',
      ];
      const current = [
        'ansible_host: 10.0.0.7',
        'ansible_port: 2222',
        'ansible_user: new',
        'ansible_private_key_file: /new/key',
        'ansible_host_key_checking: true',
      ];
      const lines = order === 'legacy first' ? [...legacy, ...current] : [...current, ...legacy];
      const h = host(resolve(`all:\n  hosts:\n    vm1:\n${lines.map((l) => `      ${l}\n`).join('')}`), 'vm1');
      expect(h.connection, order).toMatchObject({ address: '10.0.0.8', port: 2200, user: 'old', privateKeyFile: '/old/key', hostKeyChecking: 'off' });
    }
    // and the other way round for host key checking: the legacy true beats the new false
    const h = host(
      resolve(`all:
  hosts:
    vm1: { ansible_host: 10.0.0.7, ansible_ssh_host_key_checking: true, ansible_host_key_checking: false }
`),
      'vm1',
    );
    expect(h.connection).not.toHaveProperty('hostKeyChecking');
  });

  it.each([
    ['ansible_host_key_checking: false', 'off'],
    ['ansible_host_key_checking: "no"', 'off'],
    // true: nothing is forced (as Ansible passes no option): the ssh config, then 'accept-new', decide
    ['ansible_host_key_checking: true', undefined],
    ['ansible_host_key_checking: "yes"', undefined],
    ['cnet_host_key_checking: strict', 'strict'],
    ['cnet_host_key_checking: "off"', 'off'],
    // unquoted, YAML 1.1 (as Ansible reads YAML) makes it false: still 'off'
    ['cnet_host_key_checking: off', 'off'],
    ['{ cnet_host_key_checking: strict, ansible_host_key_checking: false }', 'strict'],
  ] as [string, string | undefined][])('%s → %s', (vars, mode) => {
    const text = vars.startsWith('{')
      ? `all:\n  hosts:\n    h1.example.com:\n  vars: ${vars}\n`
      : `all:\n  hosts:\n    h1.example.com:\n  vars:\n    ${vars}\n`;
    expect(host(resolve(text), 'h1.example.com').connection.hostKeyChecking).toBe(mode);
  });

  it('key files: relative to the working directory, ~ expanded, absolute kept; cnet_known_hosts_file relative to the inventory file', () => {
    const inv = resolveInventory(
      [
        parseSource(
          '/srv/inv/hosts.yaml',
          `all:
  hosts:
    a.example.com: { ansible_ssh_private_key_file: keys/id_a, cnet_known_hosts_file: kh/a }
    b.example.com: { ansible_ssh_private_key_file: ~/.ssh/id_b }
    c.example.com: { ansible_ssh_private_key_file: /etc/keys/id_c, cnet_known_hosts_file: ~/kh }
    d.example.com: { ansible_private_key_file: keys/id_d }
`,
        ),
      ],
      [],
      { cwd: '/home/me/project' },
    );
    expect(host(inv, 'a.example.com').connection.privateKeyFile).toBe('/home/me/project/keys/id_a');
    expect(host(inv, 'a.example.com').connection.knownHostsFile).toBe('/srv/inv/kh/a');
    expect(host(inv, 'd.example.com').connection.privateKeyFile).toBe('/home/me/project/keys/id_d');
    expect(host(inv, 'b.example.com').connection.privateKeyFile).toBe(join(homedir(), '.ssh/id_b'));
    expect(host(inv, 'c.example.com').connection.privateKeyFile).toBe('/etc/keys/id_c');
    expect(host(inv, 'c.example.com').connection.knownHostsFile).toBe(join(homedir(), 'kh'));
  });

  it("a known_hosts file set in a second file is taken from that file's folder; a key file there from the working directory", () => {
    const inv = resolveInventory(
      [
        parseSource(
          '/a/hosts.yaml',
          `all:
  hosts:
    h1.example.com:
`,
        ),
        parseSource(
          '/b/vars.yaml',
          `all:
  vars:
    ansible_ssh_private_key_file: id_b
    cnet_known_hosts_file: kh_b
`,
        ),
      ],
      [],
      { cwd: '/c' },
    );
    expect(host(inv, 'h1.example.com').connection).toMatchObject({ privateKeyFile: '/c/id_b', knownHostsFile: '/b/kh_b' });
  });
});
