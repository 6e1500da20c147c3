import { UsageError } from '../../errors.js';
import { INPUT_KINDS, InputFileError, readInputFile } from '../../files/read-input-file.js';
import { escapeUnshown } from '../../shown.js';
import { findAnsibleCfg, type CfgPlace } from './ansible-cfg-find.js';
import { iniGet, parseAnsibleIni, type IniFile } from './ansible-cfg-ini.js';
import { decodeUtf8Escaped, type PathContext } from './ansible-cfg-python.js';
import { convert, type CfgType, type CfgTypes, type RawValue } from './ansible-cfg-types.js';

/**
 * The settings of ansible.cfg and the ANSIBLE_* environment that decide how Ansible 2.14 reaches
 * hosts, read as it reads them: the file found where it looks (ansible-cfg-find.ts), parsed as
 * its configparser does (ansible-cfg-ini.ts), each setting from the last of its environment
 * variables that is set, else from the last of its file keys that is written, converted to its
 * type (ansible-cfg-types.ts). The keys and variables are those of config/base.yml and of the
 * ssh connection and sudo become plugins' documentation; where Ansible's run uses another
 * source than the plugin documents (the connect timeout), we read what the run uses, checked
 * against `ansible -vvv`'s ssh command line.
 */

/** A setting's value and where it was written: "ANSIBLE_REMOTE_USER" or "/p/ansible.cfg:12 [defaults] remote_user". */
export interface Setting<T> {
  value: T;
  origin: string;
}

export interface AnsibleSettings {
  /** the ansible.cfg read, if any */
  file?: string;
  /** how it was found */
  fileFrom?: CfgPlace;
  /** what a user may want to know: a file passed over, a setting Ansible does not use */
  notes: string[];
  /** DEFAULT_HOST_LIST ([defaults] inventory, ANSIBLE_INVENTORY): absolute, `~` and `$VAR` expanded */
  inventory?: Setting<string[]>;
  remoteUser?: Setting<string>;
  /** absolute, `~` and `$VAR` expanded */
  privateKeyFile?: Setting<string>;
  hostKeyChecking?: Setting<boolean>;
  /** the ssh connect timeout, seconds: [defaults] timeout / ANSIBLE_TIMEOUT, as `ansible` and `ansible-playbook` use it */
  timeout?: Setting<number>;
  forks?: Setting<number>;
  become?: Setting<boolean>;
  /** sudo's user when the method is sudo ([sudo_become_plugin] user and ANSIBLE_SUDO_USER too) */
  becomeUser?: Setting<string>;
  becomeMethod?: Setting<string>;
  sshArgs?: Setting<string>;
  sshCommonArgs?: Setting<string>;
  sshExtraArgs?: Setting<string>;
  /** Ansible 2.14 takes one file here ([defaults] vault_password_file); absolute */
  vaultPasswordFiles?: Setting<string[]>;
  /** entries as written ("dev@~/pass", "prompt") */
  vaultIdentityList?: Setting<string[]>;
}

/** What Ansible 2.14 uses when a setting is not set (config/base.yml, the ssh and sudo plugins). */
export const ANSIBLE_DEFAULTS = {
  inventory: ['/etc/ansible/hosts'],
  hostKeyChecking: true,
  timeout: 10,
  forks: 5,
  become: false,
  becomeUser: 'root',
  becomeMethod: 'sudo',
  sshArgs: '-C -o ControlMaster=auto -o ControlPersist=60s',
  sshCommonArgs: '',
  sshExtraArgs: '',
} as const;

interface Def<T extends CfgType> {
  type: T;
  /** [section, key], lowest precedence first: the last one written wins */
  ini: [string, string][];
  /** lowest precedence first: the last one set wins */
  env: string[];
}

const def = <T extends CfgType>(type: T, ini: [string, string][], env: string[]): Def<T> => ({ type, ini, env });

const DEFS = {
  inventory: def('pathlist', [['defaults', 'inventory']], ['ANSIBLE_INVENTORY']),
  remoteUser: def('string', [['defaults', 'remote_user']], ['ANSIBLE_REMOTE_USER']),
  // the run takes DEFAULT_PRIVATE_KEY_FILE (a path) through --private-key's default, not the plugin's plain string
  privateKeyFile: def('path', [['defaults', 'private_key_file']], ['ANSIBLE_PRIVATE_KEY_FILE']),
  hostKeyChecking: def(
    'boolean',
    [
      ['defaults', 'host_key_checking'],
      ['ssh_connection', 'host_key_checking'],
    ],
    ['ANSIBLE_HOST_KEY_CHECKING', 'ANSIBLE_SSH_HOST_KEY_CHECKING'],
  ),
  // the ssh plugin documents [ssh_connection] timeout and ANSIBLE_SSH_TIMEOUT too, but the run
  // passes --timeout's default (DEFAULT_TIMEOUT) to it as a keyword, which wins
  timeout: def('integer', [['defaults', 'timeout']], ['ANSIBLE_TIMEOUT']),
  forks: def('integer', [['defaults', 'forks']], ['ANSIBLE_FORKS']),
  become: def('boolean', [['privilege_escalation', 'become']], ['ANSIBLE_BECOME']),
  becomeMethod: def('string', [['privilege_escalation', 'become_method']], ['ANSIBLE_BECOME_METHOD']),
  becomeUser: def('string', [['privilege_escalation', 'become_user']], ['ANSIBLE_BECOME_USER']),
  sshArgs: def('string', [['ssh_connection', 'ssh_args']], ['ANSIBLE_SSH_ARGS']),
  sshCommonArgs: def('string', [['ssh_connection', 'ssh_common_args']], ['ANSIBLE_SSH_COMMON_ARGS']),
  sshExtraArgs: def('string', [['ssh_connection', 'ssh_extra_args']], ['ANSIBLE_SSH_EXTRA_ARGS']),
  vaultPasswordFile: def('path', [['defaults', 'vault_password_file']], ['ANSIBLE_VAULT_PASSWORD_FILE']),
  vaultIdentityList: def('list', [['defaults', 'vault_identity_list']], ['ANSIBLE_VAULT_IDENTITY_LIST']),
} as const;

/** The sudo become plugin's become_user (plugins/become/sudo.py): its own section and variable come last, and win. */
const SUDO_USER = def(
  'string',
  [
    ['privilege_escalation', 'become_user'],
    ['sudo_become_plugin', 'user'],
  ],
  ['ANSIBLE_BECOME_USER', 'ANSIBLE_SUDO_USER'],
);

/** Keys the ssh plugin documents that the run does not use. */
const UNUSED_TIMEOUT = def('integer', [['ssh_connection', 'timeout']], ['ANSIBLE_SSH_TIMEOUT']);

/** Our settings' keys written where Ansible does not look for them. */
const MISPLACED: [string, string, string][] = [
  ['defaults', 'become', 'privilege_escalation'],
  ['defaults', 'become_user', 'privilege_escalation'],
  ['defaults', 'become_method', 'privilege_escalation'],
  ['defaults', 'ssh_args', 'ssh_connection'],
  ['defaults', 'ssh_common_args', 'ssh_connection'],
  ['defaults', 'ssh_extra_args', 'ssh_connection'],
  ['ssh_connection', 'remote_user', 'defaults'],
  ['ssh_connection', 'private_key_file', 'defaults'],
  ['privilege_escalation', 'remote_user', 'defaults'],
];

function iniOrigin(ini: IniFile, v: { line: number; section: string; key: string }): string {
  return `${ini.file}:${v.line} [${escapeUnshown(v.section)}] ${escapeUnshown(v.key)}`;
}

/** get_config_value_and_origin: the environment first (its last variable set), then the file (its last key written). */
function rawOf(d: Def<CfgType>, env: NodeJS.ProcessEnv, ini: IniFile | undefined): RawValue | undefined {
  let raw: RawValue | undefined;
  for (const name of d.env) {
    const text = env[name];
    if (text !== undefined) raw = { text, origin: name };
  }
  if (raw !== undefined || ini === undefined) return raw;
  for (const [section, key] of d.ini) {
    const v = iniGet(ini, section, key);
    if (v !== undefined) raw = { text: v.value, origin: iniOrigin(ini, v), file: ini.file };
  }
  return raw;
}

function readSetting<T extends CfgType>(
  d: Def<T>,
  env: NodeJS.ProcessEnv,
  ini: IniFile | undefined,
  ctx: PathContext,
  notes: string[],
): Setting<CfgTypes[T]> | undefined {
  const raw = rawOf(d, env, ini);
  if (raw === undefined) return undefined;
  // an empty variable of a type '' is not is Ansible's default (ensure_type's ValueError path)
  if (d.type === 'integer' && raw.file === undefined && raw.text === '') {
    notes.push(`${raw.origin} is empty: Ansible's default is used`);
    return undefined;
  }
  return { value: convert(d.type, raw, ctx), origin: raw.origin };
}

function readIni(file: string): IniFile {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file, INPUT_KINDS.ansibleCfg);
  } catch (err) {
    // Ansible would stop at it too (or hang on a FIFO): one error type for everything in this file
    throw err instanceof InputFileError ? new UsageError(err.message, undefined, { cause: err }) : err;
  }
  return parseAnsibleIni(decodeUtf8Escaped(bytes), file);
}

/**
 * The settings as Ansible 2.14 would read them here. `env` is the environment to read (ANSIBLE_*,
 * and the $VARs paths may name); `cwd` the current folder (absolute, as process.cwd()); `home`
 * what `~` means (os.homedir(): $HOME, as Python takes it); `etcFile` replaces
 * /etc/ansible/ansible.cfg for tests. A setting that is not set is left out (ANSIBLE_DEFAULTS has
 * Ansible's defaults). A UsageError names the file:line or the variable of a value Ansible would
 * refuse, or that we refuse where Ansible would quietly read it otherwise than written.
 */
export function readAnsibleSettings(opts: { env: NodeJS.ProcessEnv; cwd: string; home: string; etcFile?: string }): AnsibleSettings {
  const notes: string[] = [];
  const ctx: PathContext = {
    env: opts.env,
    cwd: opts.cwd,
    home: opts.home,
    unexpanded: (name) =>
      notes.push(`~${escapeUnshown(name)} is not expanded: only ~ and the current user's ~name are (Ansible looks any user up): write the folder`),
  };
  const found = findAnsibleCfg(ctx, opts.etcFile);
  notes.push(...found.notes);
  const ini = found.file === undefined ? undefined : readIni(found.file);
  const env = opts.env;
  const read = <T extends CfgType>(d: Def<T>) => readSetting(d, env, ini, ctx, notes);

  const out: AnsibleSettings = { notes };
  if (found.file !== undefined) {
    out.file = found.file;
    out.fileFrom = found.place;
  }
  const set = <K extends keyof AnsibleSettings>(key: K, value: AnsibleSettings[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('inventory', read(DEFS.inventory));
  set('remoteUser', read(DEFS.remoteUser));
  set('privateKeyFile', read(DEFS.privateKeyFile));
  set('hostKeyChecking', read(DEFS.hostKeyChecking));
  set('timeout', read(DEFS.timeout));
  set('forks', read(DEFS.forks));
  set('become', read(DEFS.become));
  const method = read(DEFS.becomeMethod);
  set('becomeMethod', method);
  const sudo = method === undefined || method.value === 'sudo' || method.value === 'ansible.builtin.sudo';
  set('becomeUser', read(sudo ? SUDO_USER : DEFS.becomeUser));
  set('sshArgs', read(DEFS.sshArgs));
  set('sshCommonArgs', read(DEFS.sshCommonArgs));
  set('sshExtraArgs', read(DEFS.sshExtraArgs));
  const vault = read(DEFS.vaultPasswordFile);
  set('vaultPasswordFiles', vault && { value: [vault.value], origin: vault.origin });
  set('vaultIdentityList', read(DEFS.vaultIdentityList));

  const unusedTimeout = rawOf(UNUSED_TIMEOUT, env, ini);
  if (unusedTimeout !== undefined) {
    notes.push(
      `${unusedTimeout.origin} is not used: Ansible 2.14 connects with [defaults] timeout or ANSIBLE_TIMEOUT (its --timeout default wins over the ssh plugin's own)`,
    );
  }
  if (ini !== undefined) {
    for (const [section, key, right] of MISPLACED) {
      const v = ini.sections.get(section)?.get(key);
      if (v !== undefined && iniGet(ini, right, key) === undefined) {
        notes.push(`${iniOrigin(ini, v)} is not read by Ansible: ${key} belongs under [${right}]`);
      }
    }
  }
  return out;
}
