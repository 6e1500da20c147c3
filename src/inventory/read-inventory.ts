import { InventoryError, type InventoryIssue } from '../errors.js';
import { groupNames } from './ansible/group-names.js';
import { readSource } from './ansible/read-source.js';
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

/**
 * Inventory files as Ansible reads them (several merge in order, as repeated -i; the group_vars/
 * and host_vars/ beside each apply): every issue of every file in one InventoryError.
 */
export function readAnsibleInventory(files: readonly string[], opts: ValueOptions = {}): AnsibleInventory {
  const secrets = opts.secrets ?? [];
  const sources: InventorySource[] = [];
  const via: AnsibleInventory['via'] = [];
  const issues: InventoryIssue[] = [];
  for (const file of files) {
    try {
      const { source } = readSource(file, secrets, new Set(sources.flatMap((s) => [...groupNames(s.data)])));
      sources.push(source);
      if ('via' in source && typeof source.via === 'string') via.push({ file, command: source.via });
    } catch (err) {
      if (err instanceof InventoryError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length > 0) throw new InventoryError(issues);
  const { flat, issues: found, warnings } = flatten(sources, varsDirsOf(files), secrets);
  if (found.length > 0) throw new InventoryError(found);
  attachValues(flat, opts);
  return { sources, flat, via, warnings };
}
