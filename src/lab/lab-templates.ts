import { readFileSync } from 'node:fs';
import { LabError } from '../errors.js';

/**
 * The lab's templates (src/lab/templates): the VMs' sshd_config, PAM, sudoers, hosts, the lines
 * of the lab users, and the VM set-up program (vm.sh). Reached by the same relative path from
 * src/lab (the tests run the sources) and from dist/lab (the build): both are two folders down
 * from the package root, and the package ships src/lab/templates ("files" in package.json).
 */
export const TEMPLATES_DIR = new URL('../../src/lab/templates/', import.meta.url);

const PLACEHOLDER = /\{\{([A-Za-z]+)\}\}/g;

/** A template as it is (a program that takes its data as arguments, or a file with nothing to fill). */
export function readTemplate(name: string): string {
  return readFileSync(new URL(name, TEMPLATES_DIR), 'utf8');
}

/**
 * The one way data goes into a lab template: each `{{name}}` is replaced by `data[name]`. Every
 * placeholder must have a value and every value a placeholder; a value is data, one line of
 * printable text (no line break or other control character, no `{{`), so it can never add a
 * line or a keyword to a configuration file.
 */
export function fillTemplate(name: string, data: Record<string, string | number>): string {
  for (const [key, value] of Object.entries(data)) {
    if (/[\u0000-\u001f\u007f]|\{\{/.test(String(value))) throw new LabError(`lab template ${name}: the value of {{${key}}} is not one line of data`);
  }
  const used = new Set<string>();
  const text = readTemplate(name).replace(PLACEHOLDER, (_, key: string) => {
    const value = data[key];
    if (value === undefined) throw new LabError(`lab template ${name}: no value for {{${key}}}`);
    used.add(key);
    return String(value);
  });
  const unused = Object.keys(data).filter((k) => !used.has(k));
  if (unused.length > 0) throw new LabError(`lab template ${name} has no {{${unused.join('}}, {{')}}}`);
  return text;
}
