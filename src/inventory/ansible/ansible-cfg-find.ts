import { constants, statSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { canRead, isDirectory, pathExists } from '../../files/path-probe.js';
import { escapeUnshown } from '../../shown.js';
import { extension, joinPath, unfrackPath, type PathContext } from './ansible-cfg-python.js';

/** Where the ansible.cfg read was found, in Ansible's order of looking. */
export type CfgPlace = 'ANSIBLE_CONFIG' | './ansible.cfg' | '~/.ansible.cfg' | '/etc/ansible/ansible.cfg';

export interface FoundCfg {
  file?: string;
  place?: CfgPlace;
  notes: string[];
}

export const ETC_ANSIBLE_CFG = '/etc/ansible/ansible.cfg';

/**
 * config/manager.py find_ini_config_file: the first of $ANSIBLE_CONFIG (a folder means its
 * ansible.cfg), ./ansible.cfg (not when the current folder is world-writable), ~/.ansible.cfg
 * and /etc/ansible/ansible.cfg that exists and can be read. A named file that is not there is
 * passed over without a word, as Ansible does; we say so in the notes.
 */
export function findAnsibleCfg(ctx: PathContext, etcFile: string = ETC_ANSIBLE_CFG): FoundCfg {
  const notes: string[] = [];
  const candidates: { path: string; place: CfgPlace }[] = [];

  const fromEnv = ctx.env.ANSIBLE_CONFIG;
  let envPath: string | undefined;
  if (fromEnv !== undefined) {
    envPath = unfrackPath(fromEnv, ctx);
    if (isDirectory(envPath)) envPath = joinPath(envPath, 'ansible.cfg');
    candidates.push({ path: envPath, place: 'ANSIBLE_CONFIG' });
  }

  let skippedCwdCfg: string | undefined;
  try {
    const st = statSync(ctx.cwd);
    const cwdCfg = joinPath(ctx.cwd, 'ansible.cfg');
    if (st.mode & constants.S_IWOTH) {
      if (pathExists(cwdCfg)) skippedCwdCfg = cwdCfg;
    } else {
      candidates.push({ path: cwdCfg, place: './ansible.cfg' });
    }
  } catch {
    // a current folder we cannot stat is no place to look, for Ansible either
  }

  candidates.push({ path: unfrackPath('~/.ansible.cfg', ctx), place: '~/.ansible.cfg' });
  candidates.push({ path: etcFile, place: '/etc/ansible/ansible.cfg' });

  const found = candidates.find((c) => canRead(c.path));
  if (envPath !== undefined && found?.place !== 'ANSIBLE_CONFIG') {
    notes.push(`ANSIBLE_CONFIG names ${escapeUnshown(envPath)}, which does not exist or cannot be read: looked further, as Ansible does`);
  }
  if (skippedCwdCfg !== undefined && found?.place !== 'ANSIBLE_CONFIG') {
    notes.push(
      `ignored ${escapeUnshown(skippedCwdCfg)}: the current folder is world-writable (as Ansible does; see "cfg-in-world-writable-dir" in Ansible's configuration docs)`,
    );
  }
  if (found === undefined) return { notes };

  // config/manager.py get_config_type: Ansible refuses any other name before reading it
  const ext = extension(found.path);
  if (ext === '.yaml' || ext === '.yml') {
    throw new UsageError(
      `${escapeUnshown(found.path)} (from ${found.place}): Ansible 2.14 reads no YAML config file ("Unsupported configuration file type"): use an INI file named *.cfg`,
    );
  }
  if (ext !== '.cfg' && ext !== '.ini') {
    throw new UsageError(
      `${escapeUnshown(found.path)} (from ${found.place}): Ansible reads a config file only when its name ends in .cfg or .ini ("Unsupported configuration file extension"): rename it`,
    );
  }
  return { file: found.path, place: found.place, notes };
}
