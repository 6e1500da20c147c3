/**
 * `inventory list` / `inventory host` against the real `ansible-inventory --list` / `--host`
 * (Debian's ansible-core 2.14), compared deep-equal (lists in order; keys in any order) and as
 * text (keys sorted as Python's json.dumps sorts them):
 * - every inventory of test/fixtures/inventory-corpus/ (SOURCES.tsv says where each comes from:
 *   YAML, INI, extensionless, .json), each read alone, Ansible with its default inventory plugins
 *   and we with readSource picking the format from the name and text as they do;
 * - small inventories that exercise Ansible's rules for the groups' structure (flatten.ts, group-order.ts),
 *   and several inventories of different formats merged (two known differences pinned as it.fails);
 * - the round trip: `--list` output read back (parseJsonInventory) and listed again is the same.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import { ansibleHost, ansibleList, hideSecrets } from '../../src/inventory/ansible-list.js';
import { dumpAnsibleJson } from '../../src/inventory/ansible/dump-json.js';
import { parseJsonInventory } from '../../src/inventory/ansible/json-inventory.js';
import { flatten } from '../../src/inventory/flatten.js';
import { readAnsibleInventory } from '../../src/inventory/read-inventory.js';
import { ansibleHome, ansibleInventory, ansibleInventoryAsync, mapLimit } from './ansible/run-ansible-inventory.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
/** every file of the corpus (refused/ holds those Ansible refuses; SOURCES.tsv is no inventory) */
const FILES = readdirSync(CORPUS)
  .filter((f) => f !== 'SOURCES.tsv' && statSync(join(CORPUS, f)).isFile())
  .sort();

/**
 * The files whose `inventory list` equals `ansible-inventory --list` today. A file that stops
 * agreeing fails; a file that starts agreeing fails too, asking to be added here (one line).
 */
const AGREEING = new Set<string>([
  '01-kubespray.yml',
  '02-k3s-ansible.yml',
  '03-k0s-ansible.yml',
  '04-cp-ansible.yml',
  '05-rke2-ansible.yml',
  '06-homelab.yml',
  '07-ansible-obs.yml',
  '08-hetzner-ocp4.yml',
  '09-adfc-ansible.yml',
  '10-mortis-configs.yml',
  '11-ansible-config.yml',
  '12-Home-Infrastructure.yml',
  '13-AnixOps-ansible.yml',
  '14-homelab.yml',
  '15-homelab.yml',
  '16-homelab-ansible.yml',
  '17-infra.yml',
  '18-infra.yml',
  '19-ansible-infastructure.yml',
  '20-wiki.ops.yml',
  '21-ansible.yml',
  '22-awesome-jenkins.yml',
  '23-home-server.yml',
  '24-homeserver.yml',
  '25-infra-ansible-proxmox.yml',
  '26-RKEasy.yml',
  '27-pantheon.yml',
  '28-k3s-cluster.yml',
  '29-vault-ha.yml',
  '30-sopds-ansible.yml',
  '31-kolla-ansible-multinode',
  '32-kubespray-hosts.ini',
  '33-openshift-ansible-hosts.openstack',
  '34-ceph-ansible-hosts',
  '35-ansible-examples-hosts',
  '36-void-infrastructure-inventory',
  '37-infrastructure-hosts',
  '38-simpleinfra-hosts',
  '39-ofn-install-hosts',
  '40-mitogen-default.hosts',
  '41-mitogen-hosts.ini',
  '42-diveintoansible-hosts',
  '43-diveintoansible-hosts',
  '44-ansible-inventory.ini',
  '45-homelab-hosts.ini',
  '46-pgbramble-hosts',
  '47-ansible-for-devops-hosts.ini',
  '48-streisand-inventory',
  '49-homelab-hosts.ini',
  '50-vault-ha-hosts.ini',
  '51-debops-hosts',
  '52-ansible-nas-inventory',
  '53-k3s-ansible-hosts.ini',
  '54-ansible-documentation-hosts.yml',
  '55-diveintoansible-hosts.json',
  '56-cp-ansible-multi_connect_workers_on_single_node.yml',
  '57-virt-infra-ansible-example.yml',
  '58-pi-cluster-inventory.yml',
  '59-cor-cm-hosts',
  '60-h3xinfra-inventory.example.yml',
  '61-Ansible-inventory-file-examples-groupvar_foo.yml',
  '62-Ansible-inventory-file-examples-hosts.yml',
  '63-koha-ansible-hosts.yml',
  '64-homelab-ansible-hosts.yml',
  '65-IAC-Ansible-hosts.yml',
]);

/** The first place two JSON values differ, as a path and both values; undefined when equal (keys in any order, lists in order). */
function firstDifference(theirs: unknown, ours: unknown, path = ''): string | undefined {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  if (typeof theirs !== 'object' || theirs === null || typeof ours !== 'object' || ours === null || Array.isArray(theirs) !== Array.isArray(ours)) {
    return Object.is(theirs, ours) || JSON.stringify(theirs) === JSON.stringify(ours) ? undefined : `${path || '(top)'}: Ansible ${show(theirs)}, we ${show(ours)}`;
  }
  if (Array.isArray(theirs) && Array.isArray(ours) && theirs.length !== ours.length) return `${path}: Ansible ${show(theirs)}, we ${show(ours)}`;
  const a = theirs as Record<string, unknown>;
  const b = ours as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

/** Our `inventory list` of these files, as the JSON text the CLI prints, or why we refuse them. */
function ourList(files: string[]): string {
  try {
    const read = readAnsibleInventory(files);
    return dumpAnsibleJson(ansibleList(read.flat));
  } catch (err) {
    if (err instanceof InventoryError) return `refused: ${formatIssue(err.issues[0]!)}`;
    throw err;
  }
}

let home: ReturnType<typeof ansibleHome>;
/** each corpus file's `ansible-inventory --list` and `--list --export`, run at once before the tests */
const listed = new Map<string, { list: string; exported: string }>();
const theirList = (file: string): string => listed.get(file)!.list;
let scratch: string;
beforeAll(async () => {
  home = ansibleHome();
  scratch = mkdtempSync(join(tmpdir(), 'cnet-list-'));
  // Ansible's default plugins (host_list, script, auto, yaml, ini, toml), as a user runs it
  const run = (file: string, args: string[]) => ansibleInventoryAsync([join(CORPUS, file)], args, home.dir);
  const outputs = await mapLimit(FILES, 2, async (file) => ({ list: await run(file, ['--list']), exported: await run(file, ['--list', '--export']) }));
  FILES.forEach((file, i) => listed.set(file, outputs[i]!));
});
afterAll(() => {
  home.done();
  rmSync(scratch, { recursive: true, force: true });
});

describe('inventory list = ansible-inventory --list, on the corpus', () => {
  const differences = new Map<string, string | undefined>();
  let sameText = 0;
  afterAll(() => {
    const agree = [...differences.values()].filter((d) => d === undefined).length;
    const lines = [`inventory list: ${agree}/${differences.size} corpus inventories equal ansible-inventory --list (${sameText} to the byte)`];
    for (const [file, d] of differences) if (d !== undefined) lines.push(`  ${file}: ${d}`);
    console.log(lines.join('\n'));
  });

  it('pins only files of the corpus', () => {
    expect([...AGREEING].filter((f) => !FILES.includes(f)), 'not in the corpus any more: take out of AGREEING').toEqual([]);
  });

  it.each(FILES)('%s', (file) => {
    const theirs = theirList(file);
    const ours = ourList([join(CORPUS, file)]);
    const d = ours.startsWith('refused: ') ? ours : firstDifference(JSON.parse(theirs), JSON.parse(ours));
    differences.set(file, d);
    if (d === undefined && ours === theirs.trimEnd()) sameText++;
    if (AGREEING.has(file)) {
      expect(d, 'a file that listed as Ansible lists it no longer does').toBeUndefined();
      expect(ours, 'and to the byte').toBe(theirs.trimEnd());
    } else {
      expect(d, 'this file now lists as Ansible lists it: add it to AGREEING').toBeDefined();
    }
  });
});

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
    const file = join(scratch, `${CASES.findIndex((c) => c.name === name)}.yml`);
    writeFileSync(file, yaml);
    const theirs = ansibleInventory([file], ['--list'], home.dir, 'yaml');
    expect(ourList([file])).toBe(theirs.trimEnd());
  });

  it('several inventories merge in order, as repeated -i', () => {
    const a = join(scratch, 'merge-a.yml');
    const b = join(scratch, 'merge-b.yml');
    writeFileSync(a, 'web:\n  hosts:\n    w1:\n      x: 1\nlone:\n  hosts:\n    l1:\n');
    writeFileSync(b, 'all:\n  children:\n    lone:\nweb:\n  hosts:\n    w2:\n    w1:\n      x: 2\ndb:\n  children:\n    web:\n');
    expect(ourList([a, b])).toBe(ansibleInventory([a, b], ['--list'], home.dir, 'yaml').trimEnd());
  });

  /** a --list script, YAML and INI inventories; the script's JSON reaches us through `ansible-inventory --list --export` (dynamic-inventory.ts) */
  const mixed = (order: 'script first' | 'script last', topChildren: string) => {
    const script = join(scratch, `mixed-script-${order.split(' ')[1]}`);
    const yml = join(scratch, 'mixed.yml');
    const ini = join(scratch, `mixed-${order.split(' ')[1]}.ini`);
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
   * A known difference (src/inventory/ansible/ini-inventory.ts): Ansible's INI plugin checks a
   * [g:vars] or [p:children] naming g against the whole inventory read so far, so a group an
   * earlier source defines is fine there; we check against the INI file alone and refuse ("section
   * [web:vars] sets variables of a group that is never defined"). `it.fails` with the strict
   * comparison: when it starts agreeing this fails, asking to become a plain `it`.
   */
  it.fails('known difference: an INI section naming a group an earlier inventory defines', () => {
    const yml = join(scratch, 'earlier.yml');
    const ini = join(scratch, 'later.ini');
    writeFileSync(yml, 'web:\n  hosts:\n    w1:\n');
    writeFileSync(ini, '[web:vars]\ny=ini\n\n[top:children]\nweb\n');
    expect(ourList([yml, ini])).toBe(ansibleInventory([yml, ini], ['--list'], home.dir).trimEnd());
  });
});

describe('inventory host = ansible-inventory --host', () => {
  it.each(['02-k3s-ansible.yml', '06-homelab.yml', '17-infra.yml', '31-kolla-ansible-multinode', '32-kubespray-hosts.ini', '55-diveintoansible-hosts.json'])('%s: its first and last host', (file) => {
    const read = readAnsibleInventory([join(CORPUS, file)]);
    const names = read.flat.hosts.map((h) => h.name);
    for (const name of [names[0]!, names[names.length - 1]!]) {
      const theirs = ansibleInventory([join(CORPUS, file)], ['--host', name], home.dir);
      expect(dumpAnsibleJson(ansibleHost(read.flat, name))).toBe(theirs.trimEnd());
    }
  });

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

describe('round trip: --list output, read back and listed again, is the same', () => {
  it.each(FILES)('%s', (file) => {
    const theirs = theirList(file);
    const src = parseJsonInventory('list.json', theirs);
    const { flat, issues } = flatten([src]);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(dumpAnsibleJson(ansibleList(flat))).toBe(theirs.trimEnd());
  });
});

/**
 * The same with `--list --export` (what dynamic inventories are read through): each group's own
 * variables stay in the group, so merging them again must give each host what `--list` gives it.
 */
describe('--list --export output, read back and listed, equals --list', () => {
  it.each(FILES)('%s', (file) => {
    const exported = listed.get(file)!.exported;
    const src = parseJsonInventory('export.json', exported);
    const { flat, issues } = flatten([src]);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(dumpAnsibleJson(ansibleList(flat))).toBe(theirList(file).trimEnd());
  });
});
