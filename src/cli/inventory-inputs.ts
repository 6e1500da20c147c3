import { homedir } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { readAnsibleSettings, type AnsibleSettings } from '../inventory/ansible/ansible-cfg.js';
import { loadVaultSecrets } from '../inventory/ansible/vault-secrets.js';
import type { LoadOptions } from '../inventory/load-inventory.js';
import type { ConnectionDefaults } from '../inventory/resolve-connection.js';
import { askHidden, canAsk } from './ask-hidden.js';

/** The flags that say which inventory to read and how (every command that reads one). */
export interface InventoryFlags {
  inventory?: string[];
  vaultPasswordFile?: string[];
  vaultId?: string[];
  askVaultPass?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds ansible-playbook's inventory and vault options to `cmd`. */
export function addInventoryOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --inventory <source>',
      'an inventory (file, folder entry or "host1,host2,"), as ansible-playbook -i; repeatable, merged in order after the positional ones',
      collect,
    )
    .option('--vault-password-file <file>', 'the vault password, from this file (or the executable that prints it); repeatable', collect)
    .option('--vault-id <id>', 'a vault id and where its password comes from: label@file, label@prompt; repeatable', collect)
    .addOption(new Option('-J, --ask-vault-pass', 'ask for the vault password'));
}

/** ansible.cfg / ANSIBLE_* as defaults for every host's connection. */
function connectionDefaults(s: AnsibleSettings): ConnectionDefaults {
  // as Ansible's ssh command line: ssh_args, then ssh_common_args, then ssh_extra_args
  const sshArgs = [s.sshArgs?.value, s.sshCommonArgs?.value, s.sshExtraArgs?.value].filter(Boolean).join(' ');
  return {
    ...(s.remoteUser ? { remoteUser: s.remoteUser.value } : {}),
    ...(s.privateKeyFile ? { privateKeyFile: s.privateKeyFile.value } : {}),
    ...(s.hostKeyChecking ? { hostKeyChecking: s.hostKeyChecking.value } : {}),
    ...(s.timeout ? { timeout: s.timeout.value } : {}),
    ...(s.become ? { become: s.become.value } : {}),
    ...(s.becomeUser ? { becomeUser: s.becomeUser.value } : {}),
    ...(sshArgs ? { sshArgs } : {}),
  };
}

/**
 * What to read and how, as ansible-playbook decides it: the inventories named (positional, then
 * -i), else ansible.cfg's / ANSIBLE_INVENTORY's; the config's connection defaults; the vault
 * passwords. Notes (which config was read) go to `note`.
 */
export async function inventoryInputs(
  positional: readonly string[],
  flags: InventoryFlags,
  note: (text: string) => void,
): Promise<{ files: string[]; load: Omit<LoadOptions, 'sshHostKnown'>; settings: AnsibleSettings }> {
  const settings = readAnsibleSettings({ env: process.env, cwd: process.cwd(), home: homedir() });
  for (const n of settings.notes) note(n);
  if (flags.verbose)
    note(
      settings.file ? `read ansible config ${settings.file}` : 'no ansible.cfg found (ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg)',
    );
  if (settings.becomeMethod && settings.becomeMethod.value !== 'sudo') {
    throw new UsageError(
      `become_method ${JSON.stringify(settings.becomeMethod.value)} (${settings.becomeMethod.origin}) is not supported: cnet-remote becomes root through sudo only`,
    );
  }
  let files = [...positional, ...(flags.inventory ?? [])];
  if (files.length === 0 && settings.inventory) {
    files = settings.inventory.value;
    if (flags.verbose) note(`inventory from ${settings.inventory.origin}: ${files.join(', ')}`);
  }
  if (files.length === 0)
    throw new UsageError('no inventory: name one (cnet-remote up inventory.yaml, or -i FILE), or set inventory in ansible.cfg [defaults]');
  // ansible.cfg's vault_password_file / vault_identity_list (or their ANSIBLE_* variables, which the settings already hold), then the flags
  const { ANSIBLE_VAULT_PASSWORD_FILE: _file, ANSIBLE_VAULT_IDENTITY_LIST: _ids, ...env } = process.env;
  const secrets = await loadVaultSecrets({
    passwordFiles: [...(settings.vaultPasswordFiles?.value ?? []), ...(flags.vaultPasswordFile ?? [])],
    vaultIds: [...(settings.vaultIdentityList?.value ?? []), ...(flags.vaultId ?? [])],
    askVaultPass: Boolean(flags.askVaultPass),
    env,
    // no terminal: no prompt, and vault-secrets says what to pass instead
    ...(canAsk() ? { prompt: askHidden } : {}),
  });
  return { files, load: { secrets, env: process.env, defaults: connectionDefaults(settings) }, settings };
}
