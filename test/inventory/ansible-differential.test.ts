/**
 * Differential test of our YAML inventory reading against the real Ansible (`ansible-inventory
 * --list`, Debian's ansible-core 2.14), on real public inventories: test/fixtures/inventory-corpus/
 * (SOURCES.tsv says where each file comes from). Each file is read alone: the group_vars/ and
 * host_vars/ that sit beside some of them in their repositories are not part of the corpus.
 *
 * Compared per file: the set of hosts; each group's hosts, through its child groups (`all` and
 * `ungrouped` included; a group with no host is the same as no group: --list leaves those out);
 * each host's variables against `_meta.hostvars` (raw values: templates are not rendered). Ours
 * is parseSource + flatten with no vars folders, each host's layers merged as Ansible's default
 * hash_behaviour=replace does (a higher layer replaces a top-level variable whole).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import { flatten, type VarLayer } from '../../src/inventory/flatten.js';
import { parseSource } from '../../src/inventory/source.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));
const FILES = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const hasAnsible = spawnSync('ansible-inventory', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * The files we read as ansible-inventory does today. A file that stops agreeing fails; a file
 * that starts agreeing fails too, asking to be added here (one line), so the rate only goes up.
 */
const AGREEING = new Set<string>([
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
  '14-homelab.yml',
  '15-homelab.yml',
  '16-homelab-ansible.yml',
  '17-infra.yml',
  '18-infra.yml',
  '19-ansible-infastructure.yml',
  '20-wiki.ops.yml',
  '21-ansible.yml',
  '23-home-server.yml',
  '24-homeserver.yml',
  '25-infra-ansible-proxmox.yml',
  '26-RKEasy.yml',
  '27-pantheon.yml',
  '29-vault-ha.yml',
]);

/** One reading of an inventory: every host, each group's hosts (through children), each host's variables. */
interface Reading {
  hosts: Set<string>;
  groups: Map<string, Set<string>>;
  vars: Map<string, Record<string, unknown>>;
}

interface AnsibleGroup {
  hosts?: string[];
  children?: string[];
}

function ansibleReading(file: string, dir: string): Reading {
  const out = execFileSync('ansible-inventory', ['-i', file, '--list'], {
    cwd: dir,
    // no ansible.cfg anywhere Ansible looks: an empty one named, a home and a cwd of our own
    env: {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: dir,
      ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
      ANSIBLE_INVENTORY_ENABLED: 'yaml',
      ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
      ANSIBLE_NOCOLOR: '1',
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { _meta, ...raw } = JSON.parse(out) as { _meta: { hostvars: Record<string, Record<string, unknown>> } } & Record<string, AnsibleGroup>;
  const members = (name: string, seen = new Set<string>()): Set<string> => {
    const m = new Set(raw[name]?.hosts ?? []);
    for (const c of raw[name]?.children ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      for (const h of members(c, seen)) m.add(h);
    }
    return m;
  };
  const groups = new Map(Object.keys(raw).map((g) => [g, members(g)]));
  const hosts = new Set([...(groups.get('all') ?? []), ...Object.keys(_meta.hostvars)]);
  return { hosts, groups, vars: new Map([...hosts].map((h) => [h, _meta.hostvars[h] ?? {}])) };
}

/** Our reading, or why we refuse the file. */
function ourReading(file: string): Reading | string {
  let result;
  try {
    result = flatten([parseSource(file, readFileSync(join(CORPUS, file), 'utf8'))]);
  } catch (err) {
    if (err instanceof InventoryError) return `refused: ${formatIssue(err.issues[0]!)}`;
    return `refused: ${err instanceof Error ? err.message : String(err)}`;
  }
  const { flat, issues } = result;
  if (issues.length > 0) return `refused: ${formatIssue(issues[0]!)}`;
  // hash_behaviour=replace: each layer, lowest first, replaces a top-level variable whole
  const merged = (layers: VarLayer[]) => JSON.parse(JSON.stringify(Object.assign({}, ...layers.map((l) => l.vars)))) as Record<string, unknown>;
  return { hosts: new Set(flat.hosts.map((h) => h.name)), groups: flat.groups, vars: new Map(flat.hosts.map((h) => [h.name, merged(h.layers)])) };
}

const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
const list = (s: Iterable<string>) => [...s].sort().map((x) => JSON.stringify(x)).join(', ') || '(none)';

function setDifference(what: string, theirs: Set<string>, ours: Set<string>): string | undefined {
  const onlyTheirs = [...theirs].filter((x) => !ours.has(x));
  const onlyOurs = [...ours].filter((x) => !theirs.has(x));
  if (onlyTheirs.length + onlyOurs.length === 0) return undefined;
  return `${what}: only Ansible has ${list(onlyTheirs)}; only we have ${list(onlyOurs)}`;
}

/** The first difference between the two readings, or undefined when they agree. */
function firstDifference(theirs: Reading, ours: Reading): string | undefined {
  const hosts = setDifference('hosts', theirs.hosts, ours.hosts);
  if (hosts) return hosts;
  for (const g of [...new Set([...theirs.groups.keys(), ...ours.groups.keys()])].sort()) {
    const d = setDifference(`group ${g}`, theirs.groups.get(g) ?? new Set(), ours.groups.get(g) ?? new Set());
    if (d) return d;
  }
  for (const h of [...theirs.hosts].sort()) {
    const a = theirs.vars.get(h) ?? {};
    const b = ours.vars.get(h) ?? {};
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!isDeepStrictEqual(a[k], b[k])) return `${h}: ${k}: Ansible ${show(a[k])}, we ${show(b[k])}`;
    }
  }
  return undefined;
}

describe.skipIf(!hasAnsible)('YAML inventories read as ansible-inventory reads them (test/fixtures/inventory-corpus)', () => {
  let dir: string;
  const differences = new Map<string, string | undefined>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-ansible-diff-'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const agree = [...differences.values()].filter((d) => d === undefined).length;
    const lines = [`${agree}/${differences.size} inventories read as ansible-inventory reads them`];
    for (const [file, d] of differences) if (d !== undefined) lines.push(`  ${file}: ${d}`);
    console.log(lines.join('\n'));
  });

  it.each(FILES)('%s', (file) => {
    // Ansible reads every file of the corpus (one it refuses has no place in it)
    const theirs = ansibleReading(join(CORPUS, file), dir);
    const ours = ourReading(file);
    const d = typeof ours === 'string' ? ours : firstDifference(theirs, ours);
    differences.set(file, d);
    if (AGREEING.has(file)) expect(d, 'a file that read as Ansible reads it no longer does').toBeUndefined();
    else expect(d, 'this file now reads as Ansible reads it: add it to AGREEING').toBeDefined();
  });
});
