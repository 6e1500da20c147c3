/**
 * Precedence and format cases that real inventories rely on, each read by the real Ansible and by
 * us and compared (ansible-reference.ts says what): a table, one inventory text per case, written
 * to a file named as the case says (the name decides the format, as for Ansible).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ansibleConnections,
  ansibleHome,
  ansibleReading,
  connectionDifference,
  ourConnections,
  ourFlat,
  ourReading,
  readingDifference,
  type AnsibleConnections,
  type AnsibleHome,
  type Reading,
} from './ansible-reference.js';

const CASES: { name: string; file: string; text: string }[] = [
  { name: 'hosts written as a plain string', file: 'a.yml', text: 'all:\n  children:\n    web:\n      hosts: web1\n      vars: {ansible_user: deploy}\n' },
  { name: 'vars written as a plain string', file: 'a.yml', text: 'web:\n  hosts: {web1: }\n  vars: flag\n' },
  {
    name: "children before hosts: the host's own vars written later win",
    file: 'a.yml',
    text: 'all:\n  children:\n    web:\n      hosts:\n        h1: {ansible_user: child, ansible_port: 2201}\n  hosts:\n    h1: {ansible_user: parent}\n',
  },
  {
    name: "hosts before children: the child's entry, written later, wins",
    file: 'a.yml',
    text: 'all:\n  hosts:\n    h1: {ansible_user: parent}\n  children:\n    web:\n      hosts:\n        h1: {ansible_user: child}\n',
  },
  {
    name: 'ansible_group_priority orders groups of one depth',
    file: 'a.yml',
    text: 'a:\n  hosts: {h1: }\n  vars: {ansible_user: from_a, ansible_group_priority: 10}\nb:\n  hosts: {h1: }\n  vars: {ansible_user: from_b}\n',
  },
  {
    name: 'a deeper group beats a shallower one whatever its priority',
    file: 'a.yml',
    text: 'top:\n  vars: {ansible_user: top, ansible_group_priority: 99}\n  children:\n    deep:\n      hosts: {h1: }\n      vars: {ansible_user: deep}\n',
  },
  {
    name: 'legacy ansible_ssh_* beat the new names when both are set',
    file: 'a.yml',
    text: 'all:\n  vars: {ansible_ssh_user: legacy, ansible_ssh_port: 2022, ansible_ssh_host: 10.0.0.9}\n  hosts:\n    h1: {ansible_user: new, ansible_port: 22, ansible_host: 10.0.0.1}\n',
  },
  {
    name: 'ansible_ssh_private_key_file beats ansible_private_key_file; relative to the working directory',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    h1: {ansible_private_key_file: keys/new, ansible_ssh_private_key_file: keys/legacy}\n    h2: {ansible_private_key_file: ~/.ssh/id_ed25519}\n',
  },
  {
    name: 'YAML merge keys',
    file: 'a.yml',
    text: 'all:\n  vars:\n    common: &common {ansible_user: ops, ansible_port: 2200}\n  hosts:\n    h1:\n      <<: *common\n      ansible_host: 10.0.0.1\n    h2:\n      <<: *common\n      ansible_port: 2300\n',
  },
  {
    name: 'YAML 1.1 booleans and octal',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    h1: {ansible_become: yes, ansible_host_key_checking: off, mode: 0755, flag: on, other: n}\n',
  },
  {
    name: 'host:port keys',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    db1:2222:\n    "[fe80::1]:2200":\n    10.1.1.1:2201: {ansible_user: u}\n    db2:2223: {ansible_port: 22}\n',
  },
  { name: 'ranges in YAML host keys', file: 'a.yml', text: 'web:\n  hosts:\n    web[01:03].example.com: {ansible_user: w}\n    db-[a:c]:\n    node[0:8:4]:\n' },
  { name: 'short host names, no ansible_host', file: 'a.yml', text: 'k8s:\n  hosts:\n    node1:\n    controller0:\n    master_1:\n' },
  {
    name: 'ansible_connection local and ssh-like',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    localhost: {ansible_connection: local}\n    h2: {ansible_connection: ssh}\n    h3: {ansible_connection: smart}\n',
  },
  {
    name: 'templates over host and group variables',
    file: 'a.yml',
    text: 'all:\n  vars:\n    domain: example.com\n    admin: Ops\n  children:\n    web:\n      vars:\n        web_port: "2222"\n      hosts:\n        w1:\n          ip: 10.0.0.5\n          ansible_host: "{{ ip }}"\n          ansible_user: "{{ admin | lower }}"\n          ansible_port: "{{ web_port | int }}"\n        w2:\n          ansible_host: "w2.{{ domain }}"\n          ansible_user: "{{ missing_user | default(\'root\') }}"\n          ansible_ssh_private_key_file: "~/.ssh/{{ inventory_hostname }}.key"\n',
  },
  {
    name: 'hostvars of another host',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    bastion: {ansible_host: 192.0.2.10, ansible_user: jump}\n    h1: {ansible_host: "{{ hostvars[\'bastion\'][\'ansible_host\'] }}", ansible_user: "{{ hostvars.bastion.ansible_user }}"}\n',
  },
  { name: 'lookup env', file: 'a.yml', text: "all:\n  hosts:\n    h1: {ansible_user: \"{{ lookup('env', 'LANG') | lower }}\"}\n" },
  {
    name: 'an undefined variable: Ansible cannot connect, we refuse the host',
    file: 'a.yml',
    text: 'all:\n  hosts:\n    h1: {ansible_host: "{{ nowhere }}"}\n',
  },
  { name: '!unsafe is never templated', file: 'a.yml', text: 'all:\n  hosts:\n    h1: {ansible_user: !unsafe "{{ literal }}x"}\n' },
  { name: 'a key other than hosts/vars/children is skipped', file: 'a.yml', text: 'web:\n  host:\n    w1:\n  hosts:\n    w2:\n' },
  { name: 'a group that is not a mapping is skipped', file: 'a.yml', text: 'web: [w1, w2]\ndb:\n  hosts: {d1: }\n' },
  {
    name: 'a group defined twice merges',
    file: 'a.yml',
    text: 'all:\n  children:\n    web:\n      hosts: {w1: }\n      vars: {ansible_user: a}\n    app:\n      children:\n        web:\n          hosts: {w2: }\n          vars: {ansible_port: 2200}\n',
  },
  { name: 'JSON in the YAML shape', file: 'a.json', text: '{"web": {"hosts": {"w1": {"ansible_host": "10.0.0.1"}}, "vars": {"ansible_user": "j"}}}' },
  {
    name: 'INI: groups, children, vars, ranges, ports, quoting',
    file: 'hosts',
    text: '# comment\nlone1 ansible_host=10.9.9.9\n\n[web]\nweb[1:3] ansible_user=www\nweb9:2222 ansible_host="10.0.0.9"\n\n[db]\ndb1 ansible_port=5522 ansible_user=\'pg user\'\n\n[prod:children]\nweb\ndb\n\n[prod:vars]\nansible_user=prod\nansible_become=true\n',
  },
  {
    name: 'INI in a .ini file, typed host values',
    file: 'inventory.ini',
    text: '[all]\nh1 ansible_port=2200 ansible_become=True\nh2 ansible_connection=local\n[all:vars]\nansible_port=22\n',
  },
  { name: 'INI with no extension, hosts only', file: 'inventory', text: 'node1\nnode2 ansible_host=192.0.2.2\n' },
  { name: 'host list (-i "a,b,")', file: '', text: '' },
];

describe('precedence and format cases read as Ansible reads them', () => {
  let place: AnsibleHome;
  let connections: AnsibleConnections;
  const paths = new Map<string, string>();
  beforeAll(async () => {
    place = ansibleHome();
    CASES.forEach((c, i) => {
      if (c.file === '') {
        paths.set(c.name, 'hl1,hl2:2200,');
        return;
      }
      mkdirSync(join(place.dir, `case${i}`));
      const path = join(place.dir, `case${i}`, c.file);
      writeFileSync(path, c.text);
      paths.set(c.name, path);
    });
    connections = await ansibleConnections(place, [...paths.values()]);
  });
  afterAll(() => place.done());

  it.each(CASES.map((c) => c.name))('%s', (name) => {
    const path = paths.get(name)!;
    const theirs = ansibleReading(place, path);
    expect(theirs, 'Ansible reads it').not.toBeTypeOf('string');
    const flat = ourFlat(path);
    expect(flat, 'we read it').not.toBeTypeOf('string');
    if (typeof flat === 'string') return;
    expect(readingDifference(theirs as Reading, ourReading(flat))).toBeUndefined();
    expect(connectionDifference(place.dir, connections[path]!.hosts!, ourConnections(place, flat))).toBeUndefined();
  });
});
