/**
 * The real Ansible (Debian's ansible-core 2.14) beside our reading, for the differential tests of
 * inventories (ansible-differential.test.ts: the public corpus; ansible-cases.test.ts: precedence
 * cases; ansible-list.test.ts, ansible/*.test.ts, cli/inventory-list.test.ts). Every run has a
 * private HOME and cwd and an empty ansible.cfg, so no user or system configuration leaks in.
 *
 * Readings compared (readingDifference): the set of hosts; each group's hosts, through its child
 * groups (`all` and `ungrouped` included; a group with no host is the same as no group: --list
 * leaves those out); each host's variables against `_meta.hostvars` (raw values, as --list prints
 * them: templates not rendered, vault values as {"__ansible_vault": …}), ours merged as Ansible's
 * default hash_behaviour=replace does.
 *
 * Connections compared (connectionDifference): each host's address, port, user, private key file,
 * local or ssh, rendered by Ansible's own variable manager and templar (ansible-connection.py).
 * Where Ansible's value is a template it cannot render, or an address no resolver takes (a name
 * with spaces), ours must refuse that host: both runs would fail there.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import type { AnsibleListJson } from '../../src/inventory/ansible-list.js';
import type { FlatInventory, VarLayer } from '../../src/inventory/flatten.js';
import { readAnsibleInventory } from '../../src/inventory/read-inventory.js';
import { resolveConnection } from '../../src/inventory/resolve-connection.js';
import { attachValues } from '../../src/inventory/var-value.js';
import { ANSIBLE_PYTHON } from './ansible/run-python.js';

/** A private folder with an empty ansible.cfg, to be HOME and cwd; the environment both sides see (lookup('env', …) reads it); `done()` removes it. */
export interface AnsibleHome {
  dir: string;
  env: Record<string, string>;
  done(): void;
}

/** The environment for `dir`; `enabled`: ANSIBLE_INVENTORY_ENABLED (the default: every plugin Ansible enables by default). */
export function ansibleEnv(dir: string, enabled?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: dir,
    ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
    ...(enabled ? { ANSIBLE_INVENTORY_ENABLED: enabled } : {}),
    ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
    ANSIBLE_NOCOLOR: '1',
  };
}

export function ansibleHome(): AnsibleHome {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-ansible-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  return { dir, env: ansibleEnv(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An Ansible home made before the tests of the calling file and removed after them (its fields are there from beforeAll on); the tests write their inventories inside it. */
export function useAnsibleHome(): Omit<AnsibleHome, 'done'> {
  let home: AnsibleHome | undefined;
  beforeAll(() => {
    home = ansibleHome();
  });
  afterAll(() => home?.done());
  return {
    get dir() {
      return home!.dir;
    },
    get env() {
      return home!.env;
    },
  };
}

const argv = (files: string[], args: string[]) => [...files.flatMap((f) => ['-i', f]), ...args];

/** `ansible-inventory -i FILE… ARGS`: its stdout (the JSON text); throws when it fails. */
export function ansibleInventory(files: string[], args: string[], dir: string, enabled?: string): string {
  return execFileSync('ansible-inventory', argv(files, args), {
    cwd: dir,
    env: ansibleEnv(dir, enabled),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

export interface InventoryRun {
  failed: boolean;
  stdout: string;
  stderr: string;
}

/** The same, run in the background (many at once: each takes most of a second to start Python); a failure is a result, with what it said. */
export function ansibleInventoryAsync(files: string[], args: string[], dir: string, enabled?: string): Promise<InventoryRun> {
  return new Promise((done, fail) => {
    execFile(
      'ansible-inventory',
      argv(files, args),
      { cwd: dir, env: ansibleEnv(dir, enabled), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') fail(err);
        else done({ failed: err !== null, stdout, stderr });
      },
    );
  });
}

/** Ansible's refusal as one line: the last line it wrote to stderr. */
export const refusal = (run: InventoryRun): string => `refused: ${run.stderr.trim().split('\n').at(-1)}`;

export interface Conn {
  address: unknown;
  port: unknown;
  user: unknown;
  key: unknown;
  connection: unknown;
}

export type AnsibleConnections = Record<string, { hosts?: Record<string, Conn>; error?: string }>;

/** Each host's connection as Ansible's variable manager and templar decide it (ansible-connection.py), for many files in one run. */
export function ansibleConnections({ dir, env }: Omit<AnsibleHome, 'done'>, paths: string[]): Promise<AnsibleConnections> {
  const script = fileURLToPath(new URL('./ansible-connection.py', import.meta.url));
  return new Promise((done, fail) => {
    execFile(ANSIBLE_PYTHON, [script, ...paths], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? fail(new Error(`ansible-connection.py: ${stderr || err.message}`)) : done(JSON.parse(stdout) as AnsibleConnections),
    );
  });
}

/** One reading of an inventory: every host, each group's hosts (through children), each host's variables. */
export interface Reading {
  hosts: Set<string>;
  groups: Map<string, Set<string>>;
  vars: Map<string, Record<string, unknown>>;
}

/** The reading of `ansible-inventory --list` output. */
export function readingOfList(text: string): Reading {
  const { _meta, ...raw } = JSON.parse(text) as AnsibleListJson;
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

/** Ansible's reading of one inventory (default plugins), or its refusal. */
export function ansibleReading({ dir }: { dir: string }, file: string): Reading | string {
  try {
    return readingOfList(ansibleInventory([file], ['--list'], dir));
  } catch (err) {
    return `refused: ${String((err as { stderr?: string }).stderr ?? err)
      .trim()
      .split('\n')
      .at(-1)}`;
  }
}

/** Our reading of these files, as the CLI reads them (readAnsibleInventory), or why we refuse them. */
export function ourFlat(files: string | string[]): FlatInventory | string {
  try {
    return readAnsibleInventory(typeof files === 'string' ? [files] : files).flat;
  } catch (err) {
    if (err instanceof InventoryError) return `refused: ${formatIssue(err.issues[0]!)}`;
    throw err;
  }
}

export function ourReading(flat: FlatInventory): Reading {
  // hash_behaviour=replace: each layer, lowest first, replaces a top-level variable whole
  const merged = (layers: VarLayer[]) => JSON.parse(JSON.stringify(Object.assign({}, ...layers.map((l) => l.vars)))) as Record<string, unknown>;
  return { hosts: new Set(flat.hosts.map((h) => h.name)), groups: flat.groups, vars: new Map(flat.hosts.map((h) => [h.name, merged(h.layers)])) };
}

/** Each host's connection as we resolve it, or the issue that refuses it. */
export function ourConnections({ dir, env }: Omit<AnsibleHome, 'done'>, flat: FlatInventory): Map<string, Conn | string> {
  const values = attachValues(flat, { env });
  const out = new Map<string, Conn | string>();
  for (const h of flat.hosts) {
    const before = values.issues.length;
    const { connection, issues } = resolveConnection(h, { cwd: dir });
    const problem = [...issues, ...values.issues.slice(before)][0];
    if (problem || !connection) out.set(h.name, `refused: ${problem ? formatIssue(problem) : '?'}`);
    else
      out.set(h.name, {
        address: connection.address,
        port: connection.port ?? null,
        user: connection.user ?? null,
        key: connection.privateKeyFile ?? null,
        connection: connection.kind ?? null,
      });
  }
  return out;
}

/** Ansible's connection in our terms: a key file as ssh finds it, ssh-like types as none. */
function theirConnection(dir: string, c: Conn): Conn | 'refuse' {
  if (Object.values(c).some((v) => typeof v === 'object' && v !== null)) return 'refuse';
  // no address, one no resolver takes, a port that is no number, a connection type we do not have: Ansible fails that host too
  if (typeof c.address !== 'string' || c.address === '' || /\s/.test(c.address)) return 'refuse';
  if (c.port !== null && !/^\d+$/.test(String(c.port))) return 'refuse';
  if (c.connection !== null && !['ssh', 'smart', 'paramiko', 'local', 'ansible.builtin.ssh', 'ansible.builtin.local'].includes(String(c.connection)))
    return 'refuse';
  const key = typeof c.key === 'string' ? (c.key.startsWith('~/') ? join(homedir(), c.key.slice(2)) : isAbsolute(c.key) ? c.key : resolve(dir, c.key)) : null;
  const port = typeof c.port === 'string' && /^\d+$/.test(c.port) ? Number(c.port) : c.port;
  const connection = c.connection === 'local' || c.connection === 'ansible.builtin.local' ? 'local' : null;
  return { ...c, key, port, connection };
}

const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
const list = (s: Iterable<string>) =>
  [...s]
    .sort()
    .map((x) => JSON.stringify(x))
    .join(', ') || '(none)';

function setDifference(what: string, theirs: Set<string>, ours: Set<string>): string | undefined {
  const onlyTheirs = [...theirs].filter((x) => !ours.has(x));
  const onlyOurs = [...ours].filter((x) => !theirs.has(x));
  if (onlyTheirs.length + onlyOurs.length === 0) return undefined;
  return `${what}: only Ansible has ${list(onlyTheirs)}; only we have ${list(onlyOurs)}`;
}

/** The first difference between the two readings, or undefined when they agree. */
export function readingDifference(theirs: Reading, ours: Reading): string | undefined {
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

/** The first host whose connection differs (ansibleConnections' against ourConnections'), or undefined when all agree. */
export function connectionDifference(dir: string, theirs: Record<string, Conn>, ours: Map<string, Conn | string>): string | undefined {
  for (const [h, c] of Object.entries(theirs).sort()) {
    const want = theirConnection(dir, c);
    const got = ours.get(h);
    if (want === 'refuse') {
      if (typeof got !== 'string') return `${h}: Ansible cannot connect (${JSON.stringify(c)}), we would: ${JSON.stringify(got)}`;
      continue;
    }
    if (typeof got === 'string') return `${h}: ${got}`;
    for (const k of Object.keys(want) as (keyof Conn)[]) {
      if (!isDeepStrictEqual(want[k], got?.[k])) return `${h}: connection ${k}: Ansible ${show(want[k])}, we ${show(got?.[k])}`;
    }
  }
  return undefined;
}
