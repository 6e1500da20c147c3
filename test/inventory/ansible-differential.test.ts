/**
 * The public corpus (test/fixtures/inventory-corpus/, SOURCES.tsv says where each file comes
 * from; refused/ holds real files Ansible refuses) read as Ansible reads it. Each file is read
 * alone, Ansible with its default inventory plugins (host_list, script, auto, yaml, ini, toml) and
 * we as the CLI reads it (readAnsibleInventory, the format picked from the name and text as they
 * pick it); group_vars/ and host_vars/ beside some of the files in their repositories are not part
 * of the corpus. Per file, from one `ansible-inventory --list` run:
 * - list: our `inventory list` equals its output to the byte (so hosts, groups, each group's
 *   children and each host's raw variables all agree);
 * - connections: each host's connection as we resolve it equals what Ansible's own variable
 *   manager and templar render (ansible-connection.py, one run for the whole corpus; see
 *   ansible-reference.ts);
 * and the round trips of its output: `--list`, and `--list --export`, read back and listed again
 * give `--list`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../map-limit.js';
import { formatIssue } from '../../src/errors.js';
import { ansibleList } from '../../src/inventory/ansible-list.js';
import { dumpAnsibleJson } from '../../src/inventory/ansible/dump-json.js';
import { parseJsonInventory } from '../../src/inventory/ansible/json-inventory.js';
import { flatten } from '../../src/inventory/flatten.js';
import {
  ansibleConnections,
  ansibleHome,
  ansibleInventoryAsync,
  connectionDifference,
  ourConnections,
  ourFlat,
  refusal,
  type AnsibleConnections,
  type AnsibleHome,
  type InventoryRun,
} from './ansible-reference.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
const REFUSED = join(CORPUS, 'refused');
const inCorpus = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f !== 'SOURCES.tsv' && statSync(join(dir, f)).isFile())
    .sort();
const FILES = inCorpus(CORPUS);
const REFUSED_FILES = inCorpus(REFUSED);

/**
 * The files we read as Ansible does today, list and connections. A file that stops agreeing
 * fails; a file that starts agreeing fails too, asking to be added here (one line), so the rate
 * only goes up.
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
/**
 * Every other file of the corpus, with what of it differs: the other check must still agree, and
 * one that starts agreeing in more fails, asking to be moved (so neither rate goes down).
 */
const DIFFERING = new Map<string, 'list' | 'connections' | 'list, connections'>([
  // ansible_user: "{{ lookup('pipe', 'whoami') }}": cnet-remote renders lookup('env', …) only
  ['40-mitogen-default.hosts', 'connections'],
]);

/** The first place two JSON values differ, as a path and both values; undefined when equal (keys in any order, lists in order). */
function jsonDifference(theirs: unknown, ours: unknown, path = ''): string | undefined {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  if (typeof theirs !== 'object' || theirs === null || typeof ours !== 'object' || ours === null || Array.isArray(theirs) !== Array.isArray(ours)) {
    return Object.is(theirs, ours) || JSON.stringify(theirs) === JSON.stringify(ours)
      ? undefined
      : `${path || '(top)'}: Ansible ${show(theirs)}, we ${show(ours)}`;
  }
  if (Array.isArray(theirs) && Array.isArray(ours) && theirs.length !== ours.length) return `${path}: Ansible ${show(theirs)}, we ${show(ours)}`;
  const a = theirs as Record<string, unknown>;
  const b = ours as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const d = jsonDifference(a[k], b[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return undefined;
}

/** Our listing against Ansible's `--list` output: undefined when the same to the byte, else where they differ. */
function listDifference(theirs: string, ours: string): string | undefined {
  const want = theirs.trimEnd();
  if (ours === want) return undefined;
  const a = want.split('\n');
  const b = ours.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  const n = line < 0 ? a.length : line;
  return (
    jsonDifference(JSON.parse(want), JSON.parse(ours)) ??
    `the same JSON, not the same text: line ${n + 1}: Ansible ${JSON.stringify(a[n])}, we ${JSON.stringify(b[n])}`
  );
}

let home: AnsibleHome;
let connections: AnsibleConnections;
/**
 * The corpus files whose `--list --export` is read back too: one in four, of every format (each
 * run of ansible-inventory costs about half a second of a core; the whole corpus twice made this
 * set-up the slowest part of the unit suite on a loaded machine).
 */
const EXPORTED = FILES.filter((_f, i) => i % 4 === 0);
/** each file's `ansible-inventory --list` (corpus, refused/) and `--list --export` (EXPORTED), run before the tests, two at a time */
const listed = new Map<string, InventoryRun>();
const exported = new Map<string, InventoryRun>();
// ~100 runs of ansible-inventory: generous, for a machine running other suites at once
beforeAll(async () => {
  home = ansibleHome();
  const paths = FILES.map((f) => join(CORPUS, f));
  const rendered = ansibleConnections(home, paths);
  const jobs: [string, Map<string, InventoryRun>, string[]][] = [
    ...paths.map((p): [string, Map<string, InventoryRun>, string[]] => [p, listed, ['--list']]),
    ...EXPORTED.map((f): [string, Map<string, InventoryRun>, string[]] => [join(CORPUS, f), exported, ['--list', '--export']]),
    ...REFUSED_FILES.map((f): [string, Map<string, InventoryRun>, string[]] => [join(REFUSED, f), listed, ['--list']]),
  ];
  await mapLimit(jobs, 2, async ([path, into, args]) => void into.set(path, await ansibleInventoryAsync([path], args, home.dir)));
  connections = await rendered;
}, 900_000);
afterAll(() => home.done());

/** Ansible's `--list` output of a corpus file, which it must read. */
function theirList(path: string, runs = listed): string {
  const run = runs.get(path)!;
  expect(run.failed ? refusal(run) : undefined, 'Ansible refuses this file: move it to refused/').toBeUndefined();
  return run.stdout;
}

describe('inventories read as Ansible reads them (test/fixtures/inventory-corpus)', () => {
  const results = new Map<string, { list?: string; connections?: string }>();
  let refused = 0;
  afterAll(() => {
    const count = (pick: (r: { list?: string; connections?: string }) => unknown) => [...results.values()].filter((r) => pick(r) === undefined).length;
    const both = count((r) => r.list ?? r.connections);
    const n = results.size;
    const lines = [
      `${both}/${n} inventories read as Ansible reads them (${((100 * both) / Math.max(1, n)).toFixed(1)} %): ` +
        `list ${count((r) => r.list)}/${n} (to the byte), connections ${count((r) => r.connections)}/${n}; refused/: ${refused}/${REFUSED_FILES.length} refused by both`,
    ];
    for (const [file, r] of results) {
      if (r.list !== undefined) lines.push(`  ${file}: list: ${r.list}`);
      if (r.connections !== undefined) lines.push(`  ${file}: connections: ${r.connections}`);
    }
    console.log(lines.join('\n'));
  });

  it('pins every file of the corpus once', () => {
    expect(
      [...AGREEING, ...DIFFERING.keys()].filter((f) => !FILES.includes(f)),
      'not in the corpus any more: take out of AGREEING or DIFFERING',
    ).toEqual([]);
    expect(
      [...AGREEING].filter((f) => DIFFERING.has(f)),
      'in both AGREEING and DIFFERING',
    ).toEqual([]);
  });

  it.each(FILES)('%s', (file) => {
    const path = join(CORPUS, file);
    const theirs = theirList(path);
    const flat = ourFlat(path);
    const their = connections[path]!;
    const r = {
      list: typeof flat === 'string' ? flat : listDifference(theirs, dumpAnsibleJson(ansibleList(flat))),
      connections:
        typeof flat === 'string'
          ? flat
          : their.hosts
            ? connectionDifference(home.dir, their.hosts, ourConnections(home, flat))
            : `Ansible's variable manager fails: ${their.error}`,
    };
    results.set(file, r);
    const differs = [r.list !== undefined && 'list', r.connections !== undefined && 'connections'].filter((x) => x !== false).join(', ');
    const why = [r.list !== undefined && `list: ${r.list}`, r.connections !== undefined && `connections: ${r.connections}`]
      .filter((x) => x !== false)
      .join('; ');
    if (AGREEING.has(file)) expect(differs, `a file that read as Ansible reads it no longer does: ${why}`).toBe('');
    else if (DIFFERING.has(file))
      expect(differs, `what differs has changed (${why || 'nothing'}): move the file to AGREEING, or say in DIFFERING what still differs`).toBe(
        DIFFERING.get(file),
      );
    else expect.fail(why ? `not pinned: add it to DIFFERING with what differs (${why})` : 'not pinned: it reads as Ansible reads it, add it to AGREEING');
  });

  it.each(REFUSED_FILES)('refused/%s: Ansible refuses it, and so do we', (file) => {
    const path = join(REFUSED, file);
    expect(listed.get(path)!.failed, 'Ansible reads it: move it out of refused/').toBe(true);
    expect(ourFlat(path)).toMatch(/^refused: /);
    refused++;
  });
});

describe('round trip: --list output, read back and listed again, is the same', () => {
  it.each(FILES)('%s', (file) => {
    const theirs = theirList(join(CORPUS, file));
    const { flat, issues } = flatten([parseJsonInventory('list.json', theirs)]);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(dumpAnsibleJson(ansibleList(flat))).toBe(theirs.trimEnd());
  });
});

/**
 * The same with `--list --export` (what dynamic inventories are read through): each group's own
 * variables stay in the group, so merging them again must give each host what `--list` gives it.
 */
describe('--list --export output, read back and listed, equals --list', () => {
  it.each(EXPORTED)('%s', (file) => {
    const path = join(CORPUS, file);
    const { flat, issues } = flatten([parseJsonInventory('export.json', theirList(path, exported))]);
    expect(issues.map(formatIssue)).toEqual([]);
    expect(dumpAnsibleJson(ansibleList(flat))).toBe(theirList(path).trimEnd());
  });
});
