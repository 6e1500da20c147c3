/**
 * The JSON of inventory scripts and `ansible-inventory --list`, read as Ansible's script plugin
 * reads it: each case is printed by a real executable script that the real `ansible-inventory`
 * runs (ANSIBLE_INVENTORY_ENABLED=script), and our reading of the same JSON, listed, must equal
 * its listing to the byte.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../../src/errors.js';
import { ansibleList } from '../../../src/inventory/ansible-list.js';
import { dumpAnsibleJson } from '../../../src/inventory/ansible/dump-json.js';
import { isListJson, parseJsonInventory } from '../../../src/inventory/ansible/json-inventory.js';
import { flatten } from '../../../src/inventory/flatten.js';
import { readSource } from '../../../src/inventory/ansible/read-source.js';
import { resolveConnection } from '../../../src/inventory/resolve-connection.js';
import { attachValues } from '../../../src/inventory/var-value.js';
import { issuesOf } from '../helpers.js';
import { ansibleInventory, useAnsibleHome } from '../ansible-reference.js';

/** HOME and cwd of every Ansible run; the inventories written here go inside it */
const home = useAnsibleHome();

/** A script printing `json` for --list and `{}` for --host (asked when there is no _meta). */
function script(name: string, json: string): string {
  const file = join(home.dir, name);
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--list" ]; then cat <<'JSON'\n${json}\nJSON\nelse echo '{}'; fi\n`);
  chmodSync(file, 0o755);
  return file;
}

function ourListing(json: string): string {
  const src = parseJsonInventory('inv.json', json);
  const { flat, issues } = flatten([src]);
  expect(issues.map(formatIssue)).toEqual([]);
  return dumpAnsibleJson(ansibleList(flat));
}

const CASES: { name: string; json: unknown }[] = [
  {
    name: 'groups with hosts, vars and children; _meta.hostvars over group vars',
    json: {
      web: { hosts: ['w1', 'w2'], vars: { http_port: 80, role: 'web' } },
      db: { hosts: ['d1'], vars: { role: 'db' }, children: ['web'] },
      all: { vars: { role: 'any', ntp: 'pool' } },
      _meta: { hostvars: { w1: { role: 'special', ansible_host: '10.0.0.1' }, d1: { ansible_port: 2222 } } },
    },
  },
  {
    name: 'a group as a bare list of hosts',
    json: { web: ['w1', 'w2'], db: ['d1', 'w1'], _meta: { hostvars: {} } },
  },
  {
    name: "a mapping with none of hosts/vars/children: a host of the group's name, the mapping its vars",
    json: { odd: { a: 1, b: [1, 2] }, emp: {}, web: { hosts: ['w1'] }, _meta: { hostvars: {} } },
  },
  {
    name: 'hostvars of a host no group lists are left out',
    json: { web: { hosts: ['w1'] }, _meta: { hostvars: { w1: { x: 1 }, ghost: { z: 3 } } } },
  },
  {
    name: 'children named before they are defined, and one never defined',
    json: { top: { children: ['mid', 'empty'] }, mid: { children: ['low'], hosts: ['m1'] }, low: { hosts: ['l1'] }, _meta: { hostvars: {} } },
  },
  {
    name: 'ungrouped and all given hosts directly',
    json: { all: { hosts: ['a1'] }, ungrouped: { hosts: ['u1', 'w1'] }, web: { hosts: ['w1'] }, _meta: { hostvars: { a1: { n: null } } } },
  },
  {
    name: 'no _meta: each host asked with --host (the script says {})',
    json: { web: { hosts: ['w1'], vars: { x: 1 } } },
  },
  {
    name: 'a host in several groups, its vars given once',
    json: {
      a: ['h1', 'h2'],
      b: { hosts: ['h2', 'h1'], vars: { v: 'b' } },
      c: { children: ['a', 'b'], vars: { v: 'c', w: 1 } },
      _meta: { hostvars: { h2: { own: true } } },
    },
  },
];

describe('script JSON read as ansible-inventory reads it (the script plugin)', () => {
  it.each(CASES)('$name', ({ name, json }) => {
    const text = JSON.stringify(json, null, 2);
    const file = script(`case${CASES.findIndex((c) => c.name === name)}`, text);
    const theirs = ansibleInventory([file], ['--list'], home.dir, 'script');
    expect(ourListing(text)).toBe(theirs.trimEnd());
  });
});

describe('what it refuses, located in the JSON', () => {
  const one = (text: string) => issuesOf(() => parseJsonInventory('inv.json', text)).map((i) => `${i.loc.line}:${i.loc.col} ${i.loc.path}: ${i.message}`);
  it.each([
    ['not a mapping', '[1, 2]', ['1:1 : a JSON inventory must be a mapping of group names (and _meta), not a list']],
    ['hosts not a list', '{\n  "web": {"hosts": {"w1": null}}\n}', ['2:11 web.hosts: the hosts of group "web" must be a list of host names, not a mapping']],
    ['vars not a mapping', '{\n  "web": {\n    "hosts": [],\n    "vars": [1]\n  }\n}', ['4:5 web.vars: the vars of group "web" must be a mapping, not a list']],
    ['children not a list', '{"web": {"children": "db"}}', ['1:10 web.children: the children of group "web" must be a list of group names, not a string']],
    ['a host name that is a number', '{"web": {"hosts": ["w1", 7]}}', ['1:26 web.hosts.1: a host name must be a non-empty string, not a number']],
    [
      'hostvars not a mapping',
      '{"_meta": {"hostvars": []}}',
      ['1:12 _meta.hostvars: _meta.hostvars must be a mapping of host names to their variables, not a list'],
    ],
    [
      "a host's vars not a mapping",
      '{"web": ["w1"],\n "_meta": {"hostvars": {"w1": "x"}}}',
      ['2:25 _meta.hostvars.w1: the variables of host "w1" must be a mapping, not a string'],
    ],
    ['a repeated key', '{"web": ["w1"], "web": ["w2"]}', [expect.stringMatching(/^1:17 : YAML error: Map keys must be unique: "web" is also at line 1/)]],
  ])('%s', (_name, text, expected) => {
    expect(one(text)).toEqual(expected);
  });

  it("locates a host's variable where _meta.hostvars gives it, and a host where its group lists it", () => {
    const text = '{\n  "web": {"hosts": ["w1", "w2"]},\n  "_meta": {"hostvars": {\n    "w2": {"ansible_port": "x"}\n  }}\n}';
    const src = parseJsonInventory('inv.json', text);
    expect(src.locate(['web', 'hosts', 'w2', 'ansible_port'])).toEqual({ file: 'inv.json', line: 4, col: 12, path: 'web.hosts.w2.ansible_port' });
    expect(src.locate(['web', 'hosts', 'w2'])).toEqual({ file: 'inv.json', line: 2, col: 27, path: 'web.hosts.w2' });
    // the value is read as written (Ansible's --list prints it); the issue comes when w2's connection needs it, and lands there
    const { flat, issues } = flatten([src]);
    expect(issues).toEqual([]);
    const values = attachValues(flat);
    resolveConnection(flat.hosts.find((h) => h.name === 'w2')!);
    expect(values.issues.map((i) => `${i.loc.line}:${i.loc.col} ${i.loc.path}: ${i.message}`)).toEqual([
      '4:12 web.hosts.w2.ansible_port: expected a port number (host w2)',
    ]);
  });
});

describe('which JSON is the --list form', () => {
  it.each([
    [{ _meta: { hostvars: {} } }, true],
    [{ web: ['w1'] }, true],
    [{ web: { hosts: ['w1'] } }, true],
    [{ all: { children: ['web'] } }, true],
    [{ web: { hosts: { w1: null } } }, false],
    [{ web: null }, false],
    [[], false],
  ])('%j: %s', (data, expected) => {
    expect(isListJson(data)).toBe(expected);
  });

  it('a .json file in the YAML shape is read as YAML; --list JSON is read as such whatever the name', () => {
    const yamlShape = join(home.dir, 'shape.json');
    writeFileSync(yamlShape, '{"web": {"hosts": {"w1": {"x": 1}}}}');
    expect(readSource(yamlShape)).toMatchObject({ format: 'yaml', source: { data: { web: { hosts: { w1: { x: 1 } } } } } });
    // Ansible's yaml plugin reads the same file the same way
    expect(JSON.parse(ansibleInventory([yamlShape], ['--host', 'w1'], home.dir))).toEqual({ x: 1 });
    const listed = join(home.dir, 'listed');
    writeFileSync(listed, '{"web": {"hosts": ["w1"]}, "_meta": {"hostvars": {"w1": {"x": 1}}}}');
    expect(readSource(listed)).toMatchObject({ format: 'json', source: { data: { web: { hosts: { w1: { x: 1 } } } } } });
    // which goes beyond Ansible: its plugins read --list JSON only from a script, and refuse this file
    expect(() => ansibleInventory([listed], ['--list'], home.dir)).toThrow(/No inventory was parsed/);
  });

  it('a JSON error is a YAML error at its place (JSON is read with the YAML reader)', () => {
    const bad = join(home.dir, 'bad.json');
    writeFileSync(bad, '{"web": ["w1",]');
    const err = (() => {
      try {
        readSource(bad);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InventoryError);
    expect((err as InventoryError).issues[0]!.loc.line).toBe(1);
  });
});
