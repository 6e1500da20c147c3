/**
 * `inventory list` / `inventory host` against the real `ansible-inventory --list` / `--host`
 * (Debian's ansible-core 2.14), compared as text (keys sorted as Python's json.dumps sorts them):
 * - small inventories that exercise Ansible's rules for the groups' structure (flatten.ts, group-order.ts),
 *   and several inventories of different formats merged, a --list script among them (one known
 *   difference pinned as it.fails: a script after other sources);
 * - `--host` on corpus files, and which variables `inventory host` hides.
 * Every corpus file's `--list`, and its round trips, are in ansible-differential.test.ts (one
 * ansible-inventory run per file for all of them).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ansibleHost, ansibleList, hideSecrets } from '../../src/inventory/ansible-list.js';
import { dumpAnsibleJson } from '../../src/inventory/ansible/dump-json.js';
import { readAnsibleInventory } from '../../src/inventory/read-inventory.js';
import { ansibleInventory, ourFlat, useAnsibleHome } from './ansible-reference.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));

/** Our `inventory list` of these files, as the JSON text the CLI prints, or why we refuse them. */
function ourList(files: string[]): string {
  const flat = ourFlat(files);
  return typeof flat === 'string' ? flat : dumpAnsibleJson(ansibleList(flat));
}

/** HOME and cwd of every Ansible run; the inventories written here go inside it */
const home = useAnsibleHome();

/** Inventories exercising the rules of the groups' structure (see flatten.ts and group-order.ts), each compared with Ansible's listing. */
const CASES: { name: string; yaml: string }[] = [
  {
    name: 'children before hosts, an empty child, a host in ungrouped and a group, hosts of all, a group written after it is a child',
    yaml: `b:
  children:
    c:
    d:
      hosts:
        h2:
  hosts:
    h1:
a:
  hosts:
    h3:
    h1:
ungrouped:
  hosts:
    h1:
    h4:
all:
  hosts:
    h5:
  children:
    e:
      hosts:
        h6:
d:
`,
  },
  {
    name: 'a group named first at the top level and later as a child leaves all',
    yaml: `x:
  hosts:
    h1:
y:
  children:
    x:
  vars:
    v: 1
`,
  },
  {
    name: 'host variables, group variables, a host in several groups, written in several places',
    yaml: `all:
  vars:
    a: 0
    b: 0
web:
  vars:
    a: 1
  hosts:
    w1:
      b: 2
    w2:
db:
  hosts:
    w1:
      c: 3
    d1:
  children:
    web:
`,
  },
  {
    name: 'a chain of children, a group with only children',
    yaml: `top:
  children:
    mid:
      children:
        low:
          hosts:
            h1:
              x: "{{ templated }}"
`,
  },
  { name: 'only hosts of all', yaml: 'all:\n  hosts:\n    h1:\n    h2:\n' },
  { name: 'empty groups only', yaml: 'a:\nb:\n  children:\n    c:\n' },
  {
    name: "a group's child, written first, whose name sorts before it: the deeper group's vars win",
    yaml: 'b:\n  hosts:\n    h1:\n  vars:\n    v: b\nc:\n  children:\n    b:\n  vars:\n    v: c\n',
  },
];

describe('inventory list = ansible-inventory --list, on the rules of the groups', () => {
  it.each(CASES)('$name', ({ name, yaml }) => {
    const file = join(home.dir, `${CASES.findIndex((c) => c.name === name)}.yml`);
    writeFileSync(file, yaml);
    const theirs = ansibleInventory([file], ['--list'], home.dir, 'yaml');
    expect(ourList([file])).toBe(theirs.trimEnd());
  });

  it('several inventories merge in order, as repeated -i', () => {
    const a = join(home.dir, 'merge-a.yml');
    const b = join(home.dir, 'merge-b.yml');
    writeFileSync(a, 'web:\n  hosts:\n    w1:\n      x: 1\nlone:\n  hosts:\n    l1:\n');
    writeFileSync(b, 'all:\n  children:\n    lone:\nweb:\n  hosts:\n    w2:\n    w1:\n      x: 2\ndb:\n  children:\n    web:\n');
    expect(ourList([a, b])).toBe(ansibleInventory([a, b], ['--list'], home.dir, 'yaml').trimEnd());
  });

  /** a --list script, YAML and INI inventories; the script's JSON reaches us through `ansible-inventory --list --export` (dynamic-inventory.ts) */
  const mixed = (order: 'script first' | 'script last', topChildren: string) => {
    const script = join(home.dir, `mixed-script-${order.split(' ')[1]}`);
    const yml = join(home.dir, 'mixed.yml');
    const ini = join(home.dir, `mixed-${order.split(' ')[1]}.ini`);
    const json = JSON.stringify({ web: { hosts: ['w2', 'w1'] }, lone: ['l1'], _meta: { hostvars: { w1: { x: 4 }, l1: { z: true } } } });
    writeFileSync(script, `#!/bin/sh\nif [ "$1" = "--list" ]; then echo '${json}'; else echo '{}'; fi\n`);
    chmodSync(script, 0o755);
    writeFileSync(yml, 'web:\n  hosts:\n    w1:\n      x: 1\n  vars:\n    y: yaml\n');
    writeFileSync(ini, `[db]\nd1 x=2\nw1 x=3\n\n[web]\nw3\n\n[web:vars]\ny=ini\n\n[top:children]\n${topChildren}\n`);
    const files = order === 'script first' ? [script, yml, ini] : [yml, ini, script];
    expect(ourList(files)).toBe(ansibleInventory(files, ['--list'], home.dir).trimEnd());
  };

  it('inventories of different formats (a --list script, YAML, INI) merge in order too', () => mixed('script first', 'db'));

  /**
   * A known difference (src/inventory/ansible/dynamic-inventory.ts): a script is read through its
   * own `ansible-inventory --list --export` run, whose JSON has that run's reconciling baked in:
   * `all` names every group the script alone leaves without a parent (here web and lone). Ansible
   * reconciles once, after every source: `all.children` is ["ungrouped", "top", "lone"] (web is
   * top's child); we list ["ungrouped", "web", "lone", "top"]. `it.fails` with the strict
   * comparison: when it starts agreeing this fails, asking to become a plain `it`.
   */
  it.fails('known difference: a script after other sources, whose group another source makes a child', () => mixed('script last', 'db\nweb'));

  /**
   * Ansible's INI plugin checks the group a [g:vars] or [p:children] names against the whole
   * inventory read so far, so a group an earlier source defines is defined there. (One only a later
   * source defines is not: the plugin fails that file, which we refuse; ansible-inventory only warns
   * unless any_unparsed_is_failed: see test/inventory/ansible/ini-inventory.test.ts.)
   */
  it('an INI section naming a group an earlier inventory defines', () => {
    const yml = join(home.dir, 'earlier.yml');
    const ini = join(home.dir, 'later.ini');
    writeFileSync(yml, 'web:\n  hosts:\n    w1:\n');
    writeFileSync(ini, '[web:vars]\ny=ini\n\n[top:children]\nweb\n');
    expect(ourList([yml, ini])).toBe(ansibleInventory([yml, ini], ['--list'], home.dir).trimEnd());
  });
});

describe('inventory host = ansible-inventory --host', () => {
  it.each(['02-k3s-ansible.yml', '06-homelab.yml', '17-infra.yml', '31-kolla-ansible-multinode', '32-kubespray-hosts.ini', '55-diveintoansible-hosts.json'])(
    '%s: its first and last host',
    (file) => {
      const read = readAnsibleInventory([join(CORPUS, file)]);
      const names = read.flat.hosts.map((h) => h.name);
      for (const name of [names[0]!, names[names.length - 1]!]) {
        const theirs = ansibleInventory([join(CORPUS, file)], ['--host', name], home.dir);
        expect(dumpAnsibleJson(ansibleHost(read.flat, name))).toBe(theirs.trimEnd());
      }
    },
  );

  it('an unknown host has none', () => {
    expect(ansibleHost(readAnsibleInventory([join(CORPUS, '02-k3s-ansible.yml')]).flat, 'nosuchhost')).toBeUndefined();
  });

  it('hides the values of password variables, and only those', () => {
    expect(hideSecrets({ ansible_password: 's3cret', ansible_become_pass: 'x', ansible_ssh_pass: 1, ansible_become_password: '', ansible_user: 'u' })).toEqual({
      ansible_password: '(hidden)',
      ansible_become_pass: '(hidden)',
      ansible_ssh_pass: '(hidden)',
      ansible_become_password: '(hidden)',
      ansible_user: 'u',
    });
  });
});
