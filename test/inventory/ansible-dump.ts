/**
 * The real Ansible (Debian's ansible-core 2.14) for differential tests of host order and
 * --limit: its inventory as its own objects hold it, and its CLI. Always with a private HOME and
 * an empty ansible.cfg, so no user or system configuration leaks in.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GroupMembers } from '../../src/inventory/group-order.js';

/** The environment every call runs in: `dir` holds an empty ansible.cfg and is HOME and cwd. */
export function ansibleEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: dir,
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ANSIBLE_INVENTORY_ENABLED: 'yaml,ini',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ...extra,
  };
}

/** The python that runs `ansible` (its shebang): the one that can `import ansible`. */
function ansiblePython(): string {
  const ansible = execFileSync('sh', ['-c', 'command -v ansible'], { encoding: 'utf8' }).trim();
  const shebang = readFileSync(ansible, 'utf8').split('\n', 1)[0]!;
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
  if (!m) throw new Error(`${ansible}: no shebang`);
  return m[1]!.endsWith('/env') ? m[2]! : m[1]!;
}

/**
 * Loads each inventory with Ansible's InventoryManager, as `ansible -i FILE` does, and prints:
 * the groups as parsed (before reconcile_inventory), as reconciled, the hosts in the order the
 * inventory added them, and each group's get_hosts() (what `ansible GROUP --list-hosts` prints).
 * `ansible-inventory --list` would give the first two only in part: it never lists the hosts of
 * `all` itself, and sorts the groups by name.
 */
const DUMP = `
import json, os, sys
from itertools import chain
from ansible.inventory.group import Group
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
from ansible.utils.path import unfrackpath

# Group._walk_relationship with its sets replaced by insertion-ordered ones (dicts), nothing else changed
def _walk_ordered(self, rel, include_self=False, preserve_ordering=False):
    seen = {}
    unprocessed = dict.fromkeys(getattr(self, rel))
    if include_self:
        unprocessed[self] = None
    if preserve_ordering:
        ordered = [self] if include_self else []
        ordered.extend(getattr(self, rel))
    while unprocessed:
        seen.update(unprocessed)
        new_unprocessed = {}
        for new_item in chain.from_iterable(getattr(g, rel) for g in unprocessed):
            new_unprocessed[new_item] = None
            if preserve_ordering:
                if new_item not in seen:
                    ordered.append(new_item)
        for g in seen:
            new_unprocessed.pop(g, None)
        unprocessed = new_unprocessed
    if preserve_ordering:
        return ordered
    return set(seen)

if os.environ.get('CNET_ORDERED_SETS') == '1':
    Group._walk_relationship = _walk_ordered
def groups(d):
    return [[g.name, [h.name for h in g.hosts], [c.name for c in g.child_groups]] for g in d.groups.values()]
out = {}
for path in sys.argv[1:]:
    inv = InventoryManager(loader=DataLoader(), sources=[path], parse=False)
    if not inv.parse_source(unfrackpath(path, follow=False)):
        raise SystemExit('not parsed: ' + path)
    d = inv._inventory
    parsed = groups(d)
    d.reconcile_inventory()
    out[path] = {'parsed': parsed, 'reconciled': groups(d), 'hosts': list(d.hosts),
                 'getHosts': {n: [h.name for h in g.get_hosts()] for n, g in d.groups.items()}}
print(json.dumps(out))
`;

export interface AnsibleInventory {
  /** group → own hosts and children, in Ansible's group order, as the parser left them */
  parsed: Map<string, GroupMembers>;
  /** the same after reconcile_inventory() */
  reconciled: Map<string, GroupMembers>;
  /** every host, in the order the inventory added them */
  hosts: string[];
  /** group → Group.get_hosts() */
  getHosts: Map<string, string[]>;
}

type Dumped = { parsed: [string, string[], string[]][]; reconciled: [string, string[], string[]][]; hosts: string[]; getHosts: Record<string, string[]> };

const toGroups = (rows: [string, string[], string[]][]) => new Map(rows.map(([name, hosts, children]) => [name, { hosts, children }]));

/**
 * Ansible's reading of each file. `seed` fixes Python's string hash (PYTHONHASHSEED), on which
 * the order of a group's hosts can depend (see src/inventory/group-order.ts); 'ordered' runs
 * Ansible with one change: the sets its walk of child groups iterates keep insertion order.
 */
export function dumpInventories(dir: string, files: string[], seed: number | 'ordered'): Map<string, AnsibleInventory> {
  const out = execFileSync(ansiblePython(), ['-c', DUMP, ...files], {
    cwd: dir,
    env: ansibleEnv(dir, seed === 'ordered' ? { PYTHONHASHSEED: '0', CNET_ORDERED_SETS: '1' } : { PYTHONHASHSEED: String(seed) }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const dumped = JSON.parse(out) as Record<string, Dumped>;
  return new Map(
    files.map((f) => {
      const d = dumped[f]!;
      return [f, { parsed: toGroups(d.parsed), reconciled: toGroups(d.reconciled), hosts: d.hosts, getHosts: new Map(Object.entries(d.getHosts)) }];
    }),
  );
}

export interface AnsibleRun {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** `ansible ARGS` (no connection is made with --list-hosts); PYTHONHASHSEED fixed at 0. */
export async function runAnsible(dir: string, args: string[]): Promise<AnsibleRun> {
  try {
    const { stdout, stderr } = await execFileAsync('ansible', args, { cwd: dir, env: ansibleEnv(dir, { PYTHONHASHSEED: '0' }), encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The host names `--list-hosts` printed, in its order (`  hosts (N):` then one per line). */
export function listedHosts(stdout: string): string[] {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const head = lines.findIndex((l) => /^ {2}hosts \(\d+\):$/.test(l));
  if (head < 0) return [];
  return lines
    .slice(head + 1)
    .filter((l) => l.startsWith('    '))
    .map((l) => l.slice(4));
}

/** Ansible's `[WARNING]: …` messages, joined across the lines Ansible wraps them on. */
export function ansibleWarnings(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.startsWith('[WARNING]: ')) out.push(line.slice('[WARNING]: '.length));
    else if (out.length > 0 && line !== '' && !line.startsWith('[') && !line.startsWith('ERROR!')) out[out.length - 1] += ` ${line}`;
  }
  return out;
}

/** Runs `jobs` with at most `width` at once, results in order. */
export async function inParallel<T, R>(items: readonly T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
