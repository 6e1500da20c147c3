import { InventoryError, type InventoryIssue } from '../errors.js';
import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import { isDynamicInventory, readDynamicInventory, type DynamicOptions } from './ansible/dynamic-inventory.js';
import { isListJson, listJsonSource } from './ansible/json-inventory.js';
import { flatten, type FlatInventory } from './flatten.js';
import { groupTree, type GroupTree } from './group-tree.js';
import { parseSource, type InventorySource } from './source.js';
import { varsDirsOf } from './vars-dirs.js';

/**
 * One inventory file, in whichever form it is written:
 * - a dynamic inventory (a `plugin:` configuration, a script): through `ansible-inventory --list`;
 * - JSON in the `--list` form (holding `_meta`, or groups whose `hosts` or `children` are lists,
 *   whatever the file's name): json-inventory.ts; JSON in the YAML shape is YAML, and read so;
 * - else YAML.
 * `via` says when another program was run to read it (for -v).
 */
export function readInventorySource(file: string, opts: DynamicOptions = {}): InventorySource & { via?: string } {
  if (isDynamicInventory(file)) return readDynamicInventory(file, opts);
  let text: string;
  try {
    text = readInputText(file, INPUT_KINDS.inventory);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new InventoryError([{ loc: { file, line: 0, col: 0, path: '' }, message: `cannot read inventory: ${err.problem}` }]);
  }
  const src = parseSource(file, text);
  return isListJson(src.data) ? listJsonSource(src) : src;
}

export interface AnsibleInventory {
  sources: InventorySource[];
  flat: FlatInventory;
  tree: GroupTree;
  /** for each file read through another program, the command run */
  via: { file: string; command: string }[];
}

/**
 * Inventory files as Ansible reads them (several merge in order, as repeated -i; the group_vars/
 * and host_vars/ beside each apply): every issue of every file in one InventoryError.
 */
export function readAnsibleInventory(files: readonly string[], opts: DynamicOptions = {}): AnsibleInventory {
  const sources: InventorySource[] = [];
  const via: AnsibleInventory['via'] = [];
  const issues: InventoryIssue[] = [];
  for (const file of files) {
    try {
      const src = readInventorySource(file, opts);
      sources.push(src);
      if (src.via !== undefined) via.push({ file, command: src.via });
    } catch (err) {
      if (err instanceof InventoryError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (issues.length > 0) throw new InventoryError(issues);
  const { flat, issues: found } = flatten(sources, varsDirsOf(files));
  if (found.length > 0) throw new InventoryError(found);
  return { sources, flat, tree: groupTree(sources), via };
}
