/**
 * groupHostsInOrder against the real Ansible (Debian's ansible-core 2.14): for every inventory of
 * test/fixtures/inventory-corpus (YAML, INI, JSON) and a few INI texts, our order of each group's
 * hosts is compared with Group.get_hosts(), which `ansible -i FILE GROUP --list-hosts` prints.
 * Ansible's input (each group's own hosts and children as its parser left them) and its answer
 * come from its own InventoryManager (ansible-dump.ts), run under 8 values of PYTHONHASHSEED.
 * Where those 8 agree, ours must be the same. Where they do not (Ansible walks a level of child
 * groups as a Python set: see group-order.ts), there is no one answer; ours must have the same
 * hosts, and be exactly what Ansible gives when that set keeps insertion order (its own code with
 * that one change), which every group must match. `ansible … --list-hosts` itself is run for
 * every group of the INI texts and for `all` of every fifth corpus file, to show the dump prints
 * what the CLI prints.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantsInOrder, groupHostsInOrder, reconcileGroups, type GroupMembers } from '../../src/inventory/group-order.js';
import { dumpInventories, inParallel, listedHosts, runAnsible, type AnsibleInventory } from './ansible-dump.js';

const groups = (entries: Record<string, Partial<GroupMembers>>) =>
  new Map(Object.entries(entries).map(([name, g]) => [name, { hosts: g.hosts ?? [], children: g.children ?? [] }]));

describe('groupHostsInOrder', () => {
  it('own hosts in the order added, then each child level by level, each host once', () => {
    const order = groupHostsInOrder(
      groups({
        web: { hosts: ['w3', 'w1'], children: ['edge', 'api'] },
        edge: { hosts: ['e2', 'w1', 'e1'], children: ['cdn'] },
        api: { hosts: ['a1'] },
        cdn: { hosts: ['c1', 'a1'] },
      }),
    );
    expect(order.get('web')).toEqual(['w3', 'w1', 'e2', 'e1', 'a1', 'c1']);
    expect(order.get('edge')).toEqual(['e2', 'w1', 'e1', 'c1', 'a1']);
  });

  it('all: its own hosts, ungrouped, then the groups without a parent in group order', () => {
    const order = groupHostsInOrder(
      groups({
        all: { hosts: ['solo', 'w2'] },
        web: { hosts: ['w2', 'w1'], children: ['edge'] },
        edge: { hosts: ['e1'] },
        db: { hosts: ['d1'] },
        ungrouped: { hosts: ['lone'] },
      }),
    );
    expect([...order.keys()]).toEqual(['all', 'ungrouped', 'web', 'edge', 'db']);
    expect(order.get('all')).toEqual(['solo', 'w2', 'lone', 'w1', 'd1', 'e1']);
    expect(order.get('ungrouped')).toEqual(['lone', 'solo']);
  });

  it('a group named only as a child is a group without hosts', () => {
    expect(groupHostsInOrder(groups({ web: { children: ['later'] } })).get('later')).toEqual([]);
  });
});

describe('reconcileGroups (InventoryData.reconcile_inventory)', () => {
  it('ungrouped first under all; parentless groups join all; all-only hosts join ungrouped; others leave it', () => {
    const r = reconcileGroups(
      groups({
        all: { hosts: ['a', 'b'], children: ['web'] },
        ungrouped: { hosts: ['w1', 'c'] },
        web: { hosts: ['w1', 'b'] },
        db: {},
      }),
    );
    expect(r.get('all')).toEqual({ hosts: ['a', 'b'], children: ['ungrouped', 'web', 'db'] });
    expect(r.get('ungrouped')).toEqual({ hosts: ['c', 'a'], children: [] });
  });

  it('is idempotent', () => {
    const once = reconcileGroups(groups({ all: { hosts: ['x'] }, web: { hosts: ['w'], children: ['e'] }, e: {} }));
    expect(reconcileGroups(once)).toEqual(once);
  });
});

describe('descendantsInOrder', () => {
  it('the group, its children, then each level in the order reached', () => {
    const kids: Record<string, string[]> = { top: ['a', 'b'], a: ['a1', 'shared'], b: ['b1', 'shared'], a1: ['deep'] };
    expect(descendantsInOrder('top', (g) => kids[g] ?? [])).toEqual(['top', 'a', 'b', 'a1', 'shared', 'b1', 'deep']);
  });
});

// --- differential ------------------------------------------------------------------------------

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
/** every inventory of the corpus (YAML, INI, JSON; SOURCES.tsv says where each comes from), not those in refused/ */
const CORPUS_FILES = readdirSync(CORPUS, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name !== 'SOURCES.tsv')
  .map((e) => e.name)
  .sort();

/** INI texts that exercise what the corpus does little of: host order unlike name order, hosts of [all], ranges, levels. */
const INI: Record<string, string> = {
  'order.ini': `zeta
alpha ansible_host=10.0.0.1

[web]
web3
web1
web2

[db]
db2
db1
web1

[edge]
e9
node[3:1]
e1

[web:children]
edge

[prod:children]
web
db

[staging]
web2
db1

[empty]
`,
  'all-section.ini': `[all]
solo
w2

[web]
w2
w1

[all:vars]
x=1
`,
  // two groups of the first level have children: Ansible's order of their hosts depends on the hash
  'levels.ini': `[a:children]
a1
a2

[b:children]
b1
b2

[a1]
h5
h1

[a2]
h4

[b1]
h3
h1

[b2]
h2

[top:children]
a
b

[b2:children]
deep

[deep]
h0
h9
`,
};

const SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];

describe("groupHostsInOrder against Ansible's Group.get_hosts() (ansible-core 2.14)", () => {
  let dir: string;
  let files: string[];
  /** per seed: file → Ansible's reading */
  let dumps: Map<string, AnsibleInventory>[];
  /** file → Ansible's reading with insertion-ordered sets */
  let ordered: Map<string, AnsibleInventory>;
  /** file → group → the hosts `ansible -i FILE GROUP --list-hosts` printed */
  const cli = new Map<string, Map<string, string[]>>();
  const tally = { groups: 0, fixed: 0, hashDependent: 0, cli: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-group-order-'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
    for (const [name, text] of Object.entries(INI)) writeFileSync(join(dir, name), text);
    files = [...CORPUS_FILES.map((f) => join(CORPUS, f)), ...Object.keys(INI).map((f) => join(dir, f))];
    dumps = SEEDS.map((seed) => dumpInventories(dir, files, seed));
    ordered = dumpInventories(dir, files, 'ordered');
    const sampled = (file: string, i: number) => (file.startsWith(dir) ? [...dumps[0]!.get(file)!.getHosts.keys()] : i % 5 === 0 ? ['all'] : []);
    const jobs = files.flatMap((file, i) => sampled(file, i).map((group) => ({ file, group })));
    const outs = await inParallel(jobs, 2, ({ file, group }) => runAnsible(dir, ['-i', file, group, '--list-hosts']));
    jobs.forEach(({ file, group }, i) => {
      if (!cli.has(file)) cli.set(file, new Map());
      cli.get(file)!.set(group, listedHosts(outs[i]!.stdout));
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `group order: ${tally.groups} groups in ${files.length} inventories; ${tally.fixed} where Ansible's order is fixed, every one in exactly that order; ` +
        `${tally.hashDependent} where it depends on the hash seed, ours the same hosts in Ansible's order with insertion-ordered sets; ` +
        `${tally.cli} also compared with ansible --list-hosts itself`,
    );
  });

  it.each([...CORPUS_FILES, ...Object.keys(INI)])('%s', (name) => {
    const file = files.find((f) => f.endsWith(`/${name}`))!;
    const readings = dumps.map((d) => d.get(file)!);
    const theirs = readings[0]!;
    const ours = groupHostsInOrder(theirs.parsed);
    // reconciled input (what `ansible-inventory --list` shows) gives the same
    expect(groupHostsInOrder(theirs.reconciled)).toEqual(ours);
    expect([...ours.keys()].sort()).toEqual([...theirs.getHosts.keys()].sort());
    expect(ours, "Ansible's order with insertion-ordered sets").toEqual(ordered.get(file)!.getHosts);
    for (const [group, hosts] of theirs.getHosts) {
      tally.groups++;
      const fixed = new Set(readings.map((r) => JSON.stringify(r.getHosts.get(group)))).size === 1;
      if (fixed) {
        expect(ours.get(group), `group ${group}`).toEqual(hosts);
        tally.fixed++;
      } else {
        expect([...ours.get(group)!].sort(), `group ${group}`).toEqual([...hosts].sort());
        tally.hashDependent++;
      }
      const printed = cli.get(file)?.get(group);
      if (printed !== undefined) {
        if (fixed) expect(printed, `ansible -i ${name} ${group} --list-hosts`).toEqual(ours.get(group));
        else expect([...printed].sort(), `ansible -i ${name} ${group} --list-hosts`).toEqual([...ours.get(group)!].sort());
        tally.cli++;
      }
    }
  });
});
