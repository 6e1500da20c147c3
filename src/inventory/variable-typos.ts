import { showText } from '../shown.js';
import { ANSIBLE_VARIABLES } from './ansible/variable-names.js';
import { knownVarSchemas } from './schema.js';
import { closest } from './zod-issues.js';

/** The connection variables cnet-remote reads. */
const CONNECTION_VARS = Object.keys(knownVarSchemas).filter((k) => k.startsWith('ansible_'));

/**
 * A variable that looks like a misspelt connection variable: named `ansible_…`, read neither by
 * Ansible nor by cnet-remote, and at most two edits from one cnet-remote reads. Ansible takes any
 * variable name, so this is a warning (the variable is kept and ignored), never an error.
 */
export function connectionVarTypo(key: string): string | undefined {
  if (!key.startsWith('ansible_') || Object.hasOwn(knownVarSchemas, key) || ANSIBLE_VARIABLES.has(key)) return undefined;
  const meant = closest(key, CONNECTION_VARS, 2);
  return meant && `variable ${showText(key)} is read neither by Ansible nor by cnet-remote, so it changes nothing: did you mean "${meant}"?`;
}
