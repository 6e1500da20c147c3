import type { ScalarTag, Tags } from 'yaml';

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

const BOOL = 'tag:yaml.org,2002:bool';

/** PyYAML's YAML 1.1 booleans (its resolver): not `y`/`n`, which the yaml library's 1.1 schema also takes. */
const PYYAML_BOOLS: ScalarTag[] = [
  { tag: BOOL, default: true, test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, resolve: () => true, identify: (v) => v === true },
  { tag: BOOL, default: true, test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, resolve: () => false, identify: (v) => v === false },
];

/**
 * The YAML 1.1 schema as Ansible's loader (PyYAML, and its AnsibleConstructor) reads it: PyYAML's
 * booleans, and Ansible's own tags `!vault` and `!unsafe`.
 */
export function ansibleTags(tags: Tags): Tags {
  return [
    ...tags.filter((t) => typeof t === 'string' || t.tag !== BOOL),
    ...PYYAML_BOOLS,
    { tag: '!vault', resolve: (text: string) => new VaultValue(text) },
    { tag: '!unsafe', resolve: (text: string) => new UnsafeText(text) },
  ];
}
