import { readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { CnetError, InventoryError, type InventoryIssue } from '../errors.js';
import { decryptVault, isVaultText, type VaultSecret } from './ansible/vault.js';
import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import type { VarLayer } from './flatten.js';
import { parseSource, type InventorySource } from './source.js';

/**
 * Ansible's `group_vars/` and `host_vars/` folders beside an inventory file (the host_group_vars
 * vars plugin). Where their layers go in the precedence order is decided in flatten.ts.
 */
export type VarsKind = 'group_vars' | 'host_vars';

/** Ansible's YAML_FILENAME_EXTENSIONS; a file without extension is read as well. */
const EXTENSIONS = ['.yml', '.yaml', '.json'];

/**
 * The folders whose vars folders apply, in the order they apply: each inventory file's folder.
 * Ansible consults a folder again for every inventory file in it; since every variable (and every
 * `cnet` field) is decided by the last layer setting it, applying a folder once, at its last
 * place, gives the same result without reading or reporting anything twice.
 */
export function varsDirsOf(inventoryFiles: readonly string[]): string[] {
  const last = new Map<string, string>();
  for (const f of inventoryFiles) {
    const dir = dirname(f);
    const key = resolve(dir);
    last.delete(key);
    last.set(key, dir);
  }
  return [...last.values()];
}

function readError(file: string, err: unknown): InventoryIssue {
  const code = (err as NodeJS.ErrnoException).code;
  const why = err instanceof InputFileError ? err.problem : code === 'EACCES' ? 'permission denied' : String(err);
  return { loc: { file, line: 0, col: 0, path: '' }, message: `cannot read group_vars/host_vars: ${why}` };
}

/** undefined when the path does not exist */
function statOf(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

/**
 * Files of a vars folder in name order, going into sub-folders without extension where they
 * stand. A folder met again (a symbolic link to a folder above) is not read again: the walk went
 * round until the path had too many links (ELOOP), and the host's vars failed to load.
 */
function dirFiles(dir: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  // paths still to look at, the next one last
  const todo: { path: string; folder: boolean }[] = [{ path: dir, folder: true }];
  for (let next = todo.pop(); next; next = todo.pop()) {
    if (!next.folder) {
      found.push(next.path);
      continue;
    }
    const st = statOf(next.path);
    const id = `${st?.dev}:${st?.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const here: { path: string; folder: boolean }[] = [];
    for (const entry of readdirSync(next.path).sort()) {
      if (entry.startsWith('.') || entry.endsWith('~')) continue; // hidden files and backups
      const ext = extname(entry);
      const full = join(next.path, entry);
      const est = statOf(full);
      if (est?.isDirectory() && !ext) here.push({ path: full, folder: true });
      else if (est?.isFile() && (!ext || EXTENSIONS.includes(ext))) here.push({ path: full, folder: false });
    }
    todo.push(...here.reverse());
  }
  return found;
}

/** Each `dir/kind/` folder's entries, listed once per load (not stat'ed once per host); undefined: no such folder. */
export type VarsFolders = Map<string, Set<string> | undefined>;

function entriesOf(base: string, folders: VarsFolders): Set<string> | undefined {
  if (!folders.has(base)) {
    let entries: Set<string> | undefined;
    try {
      // Ansible warns about a file there and skips it
      entries = statOf(base)?.isDirectory() ? new Set(readdirSync(base)) : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    folders.set(base, entries);
  }
  return folders.get(base);
}

/**
 * The files holding `name`'s variables in `dir/kind/`, lowest precedence first: the first of
 * `name`, `name.yml`, `name.yaml`, `name.json` that exists; a folder is read whole (as Ansible's
 * DataLoader.find_vars_files).
 */
export function findVarsFiles(dir: string, kind: VarsKind, name: string, folders: VarsFolders = new Map()): string[] {
  const base = join(dir, kind);
  const entries = entriesOf(base, folders);
  for (const ext of ['', ...EXTENSIONS]) {
    if (!entries?.has(name + ext)) continue;
    const path = join(base, name + ext);
    const st = statOf(path);
    if (!st) continue;
    return st.isDirectory() ? dirFiles(path) : [path];
  }
  return [];
}

function describe(data: unknown): string {
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'string') return 'a string';
  return `a ${typeof data}`;
}

/**
 * One vars file → one layer at the file's top level (`path: []`). Relative file paths in its
 * values are taken from the inventory folder `inventoryDir`, as for the inventory file itself.
 */
export function loadVarsFile(file: string, inventoryDir: string, secrets: readonly VaultSecret[] = []): { layer?: VarLayer; issues: InventoryIssue[] } {
  let text: string;
  try {
    text = readInputText(file, INPUT_KINDS.vars);
  } catch (err) {
    return { issues: [readError(file, err)] };
  }
  if (isVaultText(text)) {
    // encrypted whole, as Ansible's loader reads it: decrypted with the vault passwords given
    try {
      text = decryptVault(text, secrets).toString('utf8');
    } catch (err) {
      if (!(err instanceof CnetError)) throw err;
      return { issues: [{ loc: { file, line: 1, col: 1, path: '' }, message: `the file is encrypted with ansible-vault: ${err.message}` }] };
    }
  }
  let src: InventorySource;
  try {
    src = { ...parseSource(file, text), baseDir: inventoryDir };
  } catch (err) {
    if (err instanceof InventoryError) return { issues: err.issues };
    throw err;
  }
  const data = src.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { issues: [{ loc: src.locate([]), message: `a vars file must hold a mapping of variable names to values, not ${describe(data)}` }] };
  }
  return { layer: { vars: data as Record<string, unknown>, src, path: [] }, issues: [] };
}

/** Every layer for group or host `name` from `dir/kind/`, lowest precedence first. */
export function readVars(
  dir: string,
  kind: VarsKind,
  name: string,
  folders: VarsFolders = new Map(),
  secrets: readonly VaultSecret[] = [],
): { layers: VarLayer[]; issues: InventoryIssue[] } {
  let files: string[];
  try {
    files = findVarsFiles(dir, kind, name, folders);
  } catch (err) {
    return { layers: [], issues: [readError(join(dir, kind, name), err)] };
  }
  const layers: VarLayer[] = [];
  const issues: InventoryIssue[] = [];
  for (const file of files) {
    const one = loadVarsFile(file, dir, secrets);
    issues.push(...one.issues);
    if (one.layer) layers.push(one.layer);
  }
  return { layers, issues };
}
