import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { InventoryError } from '../../errors.js';
import { canExecute } from '../../files/path-probe.js';
import { INPUT_KINDS, readInputText } from '../../files/read-input-file.js';
import { escapeUnshown } from '../../shown.js';
import { parseSource, type InventorySource } from '../source.js';
import { parseJsonInventory } from './json-inventory.js';

/**
 * Dynamic inventories: files Ansible does not read but runs. cnet-remote does not run them itself:
 * the real `ansible-inventory -i FILE --list` does (with the user's environment and ansible.cfg,
 * so cloud plugins find their collections and credentials), and its JSON is read as a JSON
 * inventory (json-inventory.ts).
 *
 * - 'plugin': a `.yml`/`.yaml` file whose top level names a `plugin:` (Ansible's auto plugin,
 *   the way cloud inventories are written: `plugin: amazon.aws.aws_ec2`);
 * - 'script': a file starting with `#!`, or an executable program (ELF) (Ansible's script
 *   plugin). An executable YAML or INI file without `#!` is not one: Ansible tries to run it, fails,
 *   and reads it as YAML or INI, which is what the loader does.
 */
export type DynamicKind = 'plugin' | 'script';

/** The first bytes of a regular file (no FIFO, no device is opened), or '' when it cannot be read. */
function head(file: string, n: number): Buffer {
  try {
    if (!statSync(file).isFile()) return Buffer.alloc(0);
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(n);
      return buf.subarray(0, readSync(fd, buf, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** The `plugin:` a YAML file names at its top level, if it is a plugin configuration. */
export function pluginOf(file: string): string | undefined {
  const ext = extname(file);
  if (ext !== '.yml' && ext !== '.yaml') return undefined;
  let text: string;
  try {
    text = readInputText(file, INPUT_KINDS.inventory);
  } catch {
    return undefined; // the loader says why it cannot read it
  }
  // parsed only when a line starts with `plugin` (a static inventory of 100k hosts is not parsed twice)
  if (!/^\{?\s*["']?plugin["']?\s*:/m.test(text)) return undefined;
  try {
    const data = parseSource(file, text).data as Record<string, unknown> | null;
    const plugin = typeof data === 'object' && data !== null && !Array.isArray(data) ? data.plugin : undefined;
    return plugin ? String(plugin) : undefined;
  } catch {
    return undefined; // a YAML error: the loader reports it
  }
}

/** Whether `file` is a dynamic inventory, and which kind (see DynamicKind); undefined for a static file. */
export function isDynamicInventory(file: string): DynamicKind | undefined {
  const start = head(file, 4);
  if (start.subarray(0, 2).toString('latin1') === '#!') return 'script';
  if (start.toString('latin1') === '\x7fELF' && canExecute(file)) return 'script';
  return pluginOf(file) === undefined ? undefined : 'plugin';
}

/** A source read through `ansible-inventory`: `via` is the command that was run, for -v. */
export interface DynamicSource extends InventorySource {
  via: string;
}

export interface DynamicOptions {
  /** the environment ansible-inventory runs in (default: this process's) */
  env?: NodeJS.ProcessEnv;
  /** the program to run (default: `ansible-inventory`, looked up on PATH) */
  command?: string;
  /** how long it may take (default: 5 minutes: a cloud inventory lists many regions) */
  timeoutMs?: number;
  /** how much it may print on stdout (default: what an inventory file may hold) */
  maxBytes?: number;
}

const STDERR_LINES = 10;

/** The last lines of `text`, each shown as written (escaped: it is another program's output). */
function lastLines(text: string): string {
  const lines = text.trimEnd().split('\n');
  const shown = lines.slice(-STDERR_LINES).map((l) => `  ${escapeUnshown(l.trimEnd())}`);
  return [...(lines.length > STDERR_LINES ? ['  …'] : []), ...shown].join('\n');
}

/**
 * Runs `ansible-inventory -i FILE --list --export` (no shell; bounded output; a timeout) and reads
 * its JSON. `--export` keeps each group's variables in the group (and a host's own in `_meta`),
 * so they keep their place among the other sources' variables (without it, every group variable
 * would come back as a host variable, above a later file's group variables).
 * ANSIBLE_INVENTORY_UNPARSED_FAILED=1: a source Ansible cannot read fails the run (by default it
 * only warns, and prints an empty inventory). The JSON's issues are located at FILE, by path (the
 * output is not a file anyone sees). InventoryError when it cannot run or fails.
 */
export function readDynamicInventory(file: string, opts: DynamicOptions = {}): DynamicSource {
  const command = opts.command ?? 'ansible-inventory';
  const plugin = pluginOf(file);
  const what = plugin !== undefined ? `plugin: ${escapeUnshown(plugin)}` : 'an inventory script';
  const fail = (message: string): never => {
    throw new InventoryError([{ loc: { file, line: 0, col: 0, path: '' }, message }]);
  };
  const save = `save \`ansible-inventory -i ${file} --list > inv.json\` and pass that`;
  if (plugin !== undefined && /^(ansible\.builtin\.)?constructed$/.test(plugin)) {
    fail(
      `is a dynamic inventory (${what}), which builds groups from the inventory sources before it; cnet-remote reads each source alone: ${save.replace('-i ', '-i SOURCES… -i ')}`,
    );
  }
  // ansible-inventory takes an -i value holding a comma as a list of host names
  if (file.includes(','))
    fail(`is a dynamic inventory (${what}) whose path holds a comma, which ansible-inventory reads as a list of hosts: rename it or its folder`);
  const maxBytes = opts.maxBytes ?? INPUT_KINDS.inventory.maxBytes;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const via = `${command} -i ${file} --list --export`;
  let stdout: string;
  try {
    stdout = execFileSync(command, ['-i', file, '--list', '--export'], {
      // only the plugin that reads this kind of file: its error is then the one ansible-inventory shows
      // (else every other plugin's attempt is shown too); the auto plugin loads any plugin by name
      env: {
        ...(opts.env ?? process.env),
        ANSIBLE_INVENTORY_ENABLED: plugin !== undefined ? 'auto' : 'script',
        ANSIBLE_INVENTORY_UNPARSED_FAILED: '1',
        ANSIBLE_NOCOLOR: '1',
      },
      encoding: 'utf8',
      maxBuffer: maxBytes,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; signal?: string | null; stderr?: string };
    if (e.code === 'ENOENT') {
      return fail(
        `is a dynamic inventory (${what}): cnet-remote reads it through ansible-inventory, which is not installed: apt-get install ansible-core (or pip install ansible-core), or ${save}`,
      );
    }
    if (e.code === 'ENOBUFS') return fail(`${via} printed more than ${maxBytes} bytes: is this the right inventory?`);
    if (e.code === 'ETIMEDOUT' || (e.signal === 'SIGKILL' && e.status === null)) return fail(`${via} did not finish in ${Math.round(timeoutMs / 1000)} s`);
    const why = e.stderr?.trim() ? `:\n${lastLines(e.stderr)}` : e.signal ? ` (killed by ${e.signal})` : '';
    return fail(`${via} failed${typeof e.status === 'number' ? ` (exit ${e.status})` : ''}${why}`);
  }
  let source: InventorySource;
  try {
    source = parseJsonInventory(file, stdout);
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
    return fail(
      `${via} printed what is not an inventory's JSON: ${err.issues.map((i) => `${i.loc.path ? `${escapeUnshown(i.loc.path)}: ` : ''}${i.message}`).join('; ')}`,
    );
  }
  return { ...source, locate: (path) => ({ ...source.locate(path), file, line: 0, col: 0 }), via };
}
