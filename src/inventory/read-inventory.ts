import { InventoryError, type InventoryIssue } from '../errors.js';
import { groupNames } from './ansible/group-names.js';
import { readSource, type SourceFormat } from './ansible/read-source.js';
import type { VaultSecret } from './ansible/vault.js';
import { attachValues, type ValueOptions } from './var-value.js';
import { flatten, type FlatInventory } from './flatten.js';
import type { InventorySource } from './source.js';
import { varsDirsOf } from './vars-dirs.js';

export interface AnsibleInventory {
  sources: InventorySource[];
  flat: FlatInventory;
  /** what Ansible would warn of too; reading went on */
  warnings: InventoryIssue[];
  /** for each file read through another program, the command run */
  via: { file: string; command: string }[];
}

/** Inventory files read in order, each in its format (an INI section may name a group an earlier file defines); every issue of every file in one InventoryError. */
export function readSources(
  files: readonly string[],
  secrets: readonly VaultSecret[] = [],
): { sources: InventorySource[]; formats: { file: string; format: SourceFormat }[]; via: AnsibleInventory['via'] } {
  const sources: InventorySource[] = [];
  const formats: { file: string; format: SourceFormat }[] = [];
  const via: AnsibleInventory['via'] = [];
  const issues: InventoryIssue[] = [];
  for (const file of files) {
    try {
      const { source, format } = readSource(file, secrets, new Set(sources.flatMap((s) => [...groupNames(s.data)])));
      sources.push(source);
      formats.push({ file, format });
      if ('via' in source && typeof source.via === 'string') via.push({ file, command: source.via });
    } catch (err) {
      if (err instanceof InventoryError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length > 0) throw new InventoryError(issues);
  return { sources, formats, via };
}

/**
 * Inventory files as Ansible reads them (several merge in order, as repeated -i; the group_vars/
 * and host_vars/ beside each apply), before cnet-remote resolves anything of its own: what
 * `inventory list` and `inventory host` show.
 */
export function readAnsibleInventory(files: readonly string[], opts: ValueOptions = {}): AnsibleInventory {
  const { sources, via } = readSources(files, opts.secrets);
  const { flat, issues, warnings } = flatten(sources, varsDirsOf(files), opts.secrets);
  if (issues.length > 0) throw new InventoryError(issues);
  attachValues(flat, opts);
  return { sources, flat, via, warnings };
}
