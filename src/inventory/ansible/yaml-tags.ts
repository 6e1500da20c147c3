import type { Tags } from 'yaml';
import { PYYAML_REPLACED, PYYAML_SCALARS } from './pyyaml-scalars.js';

/**
 * An inline `!vault |` value: ciphertext, decrypted only when cnet-remote uses the variable
 * (src/inventory/var-value.ts). JSON shows it as ansible-inventory --list does, never decrypted.
 */
export class VaultValue {
  constructor(readonly ciphertext: string) {}
  toJSON(): { __ansible_vault: string } {
    return { __ansible_vault: this.ciphertext };
  }
  toString(): string {
    return '(encrypted with ansible-vault)';
  }
}

/** A `!unsafe` string: Ansible never templates it. JSON shows it as ansible-inventory --list does. */
export class UnsafeText {
  constructor(readonly text: string) {}
  toJSON(): { __ansible_unsafe: string } {
    return { __ansible_unsafe: this.text };
  }
  toString(): string {
    return this.text;
  }
}

/**
 * The YAML 1.1 schema as Ansible's loader (PyYAML, and its AnsibleConstructor) reads it: PyYAML's
 * plain scalars (pyyaml-scalars.ts), and Ansible's own tags `!vault` and `!unsafe`.
 */
export function ansibleTags(tags: Tags): Tags {
  return [
    ...tags.filter((t) => typeof t === 'string' || !PYYAML_REPLACED.has(t.tag)),
    ...PYYAML_SCALARS,
    { tag: '!vault', resolve: (text: string) => new VaultValue(text) },
    { tag: '!unsafe', resolve: (text: string) => new UnsafeText(text) },
  ];
}
