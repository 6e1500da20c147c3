/**
 * ansible.cfg and the ANSIBLE_* environment read as Ansible 2.14 reads them: each case is written
 * into a folder of its own (a private HOME, a project folder as the current one) and read by us
 * and by the real `ansible-config dump --only-changed -t all --format json` with the same
 * environment; every setting we read is compared, value and origin (environment variable or
 * file), with the config file chosen, the world-writable warning, and whether the file is refused.
 * Then the same for real ansible.cfg files from public repositories (test/fixtures/ansible-cfg-corpus/,
 * SOURCES.tsv says where each comes from), each as ./ansible.cfg of a project folder.
 * Last, the INI reader alone against Python's configparser set up as Ansible sets it up, on 2000
 * generated texts.
 *
 * Where we differ on purpose: a boolean Ansible does not know ("ture", "") it takes as false, and
 * a value with bytes that are not UTF-8 it passes on; we refuse both. Those cases say so and check
 * both sides of the difference.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { readAnsibleSettings, type AnsibleSettings } from '../../../src/inventory/ansible/ansible-cfg.js';
import { parseAnsibleIni } from '../../../src/inventory/ansible/ansible-cfg-ini.js';
import { randomUnit } from '../../support/mulberry32.js';
import { ANSIBLE_PYTHON } from './run-python.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/ansible-cfg-corpus/', import.meta.url));

interface Case {
  name: string;
  /** files under the case's root folder ({root} in a text is that folder); bytes as given */
  files?: Record<string, string | Buffer>;
  /** folders to make, with their mode */
  dirs?: Record<string, number>;
  /** the current folder, under the root (default "proj") */
  cwd?: string;
  /** environment beside PATH, LANG and HOME; {root} is the case's root folder */
  env?: Record<string, string>;
  /** a difference on purpose: we refuse what Ansible reads (`message`), Ansible shows `entry` as `value` */
  refused?: { entry: string; value: unknown; message: RegExp };
}

const P = 'proj/ansible.cfg';
const H = 'home/.ansible.cfg';

const CASES: Case[] = [
  { name: 'no config file anywhere' },
  {
    name: './ansible.cfg: the basic [defaults] keys',
    files: {
      [P]: '[defaults]\ninventory = hosts.yml\nremote_user = deploy\nprivate_key_file = keys/id_ed25519\nforks = 20\ntimeout = 30\nhost_key_checking = False\n',
    },
  },
  { name: '~/.ansible.cfg when the current folder has none', files: { [H]: '[defaults]\nremote_user = fromhome\ninventory = ~/inv\n' } },
  {
    name: './ansible.cfg before ~/.ansible.cfg',
    files: { [P]: '[defaults]\nremote_user = fromcwd\n', [H]: '[defaults]\nremote_user = fromhome\nforks = 9\n' },
  },
  {
    name: 'ANSIBLE_CONFIG before ./ansible.cfg; relative paths from the file’s folder',
    files: {
      [P]: '[defaults]\nremote_user = fromcwd\n',
      'etc/my.cfg': '[defaults]\nremote_user = fromenv\ninventory = hosts, ../shared/hosts\nprivate_key_file = k\n',
    },
    env: { ANSIBLE_CONFIG: '{root}/etc/my.cfg' },
  },
  {
    name: 'ANSIBLE_CONFIG naming a missing file: Ansible looks further',
    files: { [P]: '[defaults]\nremote_user = fromcwd\n' },
    env: { ANSIBLE_CONFIG: '{root}/nowhere/ansible.cfg' },
  },
  { name: 'ANSIBLE_CONFIG naming a folder: its ansible.cfg', files: { 'conf/ansible.cfg': '[defaults]\nforks = 7\n' }, env: { ANSIBLE_CONFIG: '{root}/conf' } },
  {
    name: 'ANSIBLE_CONFIG relative to the current folder',
    files: { 'proj/sub/a.cfg': '[defaults]\nforks = 3\ninventory = hosts\n' },
    env: { ANSIBLE_CONFIG: 'sub/a.cfg' },
  },
  { name: 'ANSIBLE_CONFIG empty: the current folder', files: { [P]: '[defaults]\nforks = 3\n', [H]: '[defaults]\nforks = 4\n' }, env: { ANSIBLE_CONFIG: '' } },
  { name: 'ANSIBLE_CONFIG with ~', files: { 'home/b.cfg': '[defaults]\nforks = 4\n' }, env: { ANSIBLE_CONFIG: '~/b.cfg' } },
  {
    name: 'a world-writable current folder: its ansible.cfg is ignored (warning), ~/.ansible.cfg read',
    dirs: { proj: 0o777 },
    files: { [P]: '[defaults]\nremote_user = fromcwd\n', [H]: '[defaults]\nremote_user = fromhome\n' },
  },
  {
    name: 'a world-writable current folder named by ANSIBLE_CONFIG: read, no warning',
    dirs: { proj: 0o777 },
    files: { [P]: '[defaults]\nremote_user = fromcwd\n' },
    env: { ANSIBLE_CONFIG: '{root}/proj/ansible.cfg' },
  },
  {
    name: 'the environment beats the file; env paths are relative to the current folder',
    files: { 'etc/ansible.cfg': '[defaults]\nremote_user = file\ntimeout = 30\ninventory = fromfile\nforks = 8\nprivate_key_file = filekey\n' },
    env: {
      ANSIBLE_CONFIG: '{root}/etc/ansible.cfg',
      ANSIBLE_REMOTE_USER: 'envuser',
      ANSIBLE_TIMEOUT: '45',
      ANSIBLE_INVENTORY: 'a.yml,~/b.yml , /abs/c',
      ANSIBLE_PRIVATE_KEY_FILE: 'envkey',
    },
  },
  {
    name: 'booleans: yes/No/TRUE/off',
    files: { [P]: '[defaults]\nhost_key_checking = No\n[privilege_escalation]\nbecome = yes\n' },
  },
  { name: 'booleans: On/FALSE', files: { [P]: '[defaults]\nhost_key_checking = FALSE\n[privilege_escalation]\nbecome = On\n' } },
  { name: 'booleans: y/f', files: { [P]: '[defaults]\nhost_key_checking = f\n[privilege_escalation]\nbecome = Y\n' } },
  { name: 'booleans: 1/0 from the environment, with blanks', env: { ANSIBLE_HOST_KEY_CHECKING: ' 0 ', ANSIBLE_BECOME: '1' } },
  { name: 'booleans: t/n/true/OFF', env: { ANSIBLE_HOST_KEY_CHECKING: 'n', ANSIBLE_BECOME: 'T' }, files: { [P]: '[defaults]\nhost_key_checking = true\n' } },
  {
    name: 'a boolean Ansible does not know (ture)',
    files: { [P]: '[defaults]\nhost_key_checking = ture\n' },
    refused: {
      entry: 'connection ssh host_key_checking',
      value: false,
      message: /:2 \[defaults\] host_key_checking: "ture" is not a boolean: .*Ansible 2\.14 would quietly take it as false/,
    },
  },
  {
    name: 'an empty boolean variable',
    env: { ANSIBLE_BECOME: '' },
    refused: { entry: 'base DEFAULT_BECOME', value: false, message: /^ANSIBLE_BECOME: "" is not a boolean: .*Ansible 2\.14 would quietly take it as false/ },
  },
  { name: 'an empty integer variable: the default', env: { ANSIBLE_TIMEOUT: '', ANSIBLE_FORKS: '' }, files: { [P]: '[defaults]\ntimeout = 30\n' } },
  {
    name: 'a pathlist with ~, relative parts, $VAR and {{CWD}}',
    files: { 'etc/ansible.cfg': '[defaults]\ninventory = ~/inv.yml, ./hosts ,../up/x, $INVDIR/y.yml, ${INVDIR}/z, $UNSET/w, {{CWD}}/here, /abs//a/./b/\n' },
    env: { ANSIBLE_CONFIG: '{root}/etc/ansible.cfg', INVDIR: '/srv/inv' },
  },
  {
    name: '[ssh_connection]: ssh_args over lines, host_key_checking over [defaults], timeout not used',
    files: {
      [P]: '[defaults]\nhost_key_checking = true\ntimeout = 25\n[ssh_connection]\nssh_args = -o ControlMaster=auto\n    -o ControlPersist=60s\n\n    -o ForwardAgent=yes\n\nssh_common_args = "-o ProxyJump=bastion"\nssh_extra_args = -o Foo=bar ; a comment\nhost_key_checking = no\ntimeout = 7\n',
    },
  },
  {
    name: 'ANSIBLE_SSH_HOST_KEY_CHECKING beats ANSIBLE_HOST_KEY_CHECKING; an empty ANSIBLE_SSH_ARGS',
    files: { [P]: '[ssh_connection]\nssh_args = -C\nssh_extra_args = -v\n' },
    env: {
      ANSIBLE_SSH_HOST_KEY_CHECKING: 'yes',
      ANSIBLE_HOST_KEY_CHECKING: 'no',
      ANSIBLE_SSH_ARGS: '',
      ANSIBLE_SSH_COMMON_ARGS: "'-o A=1'",
      ANSIBLE_SSH_TIMEOUT: '3',
    },
  },
  {
    name: '[privilege_escalation]: become, become_user, become_method',
    files: { [P]: '[privilege_escalation]\nbecome = True\nbecome_method = sudo\nbecome_user = admin\nbecome_ask_pass = False\n' },
  },
  {
    name: 'sudo: [sudo_become_plugin] user beats become_user; ANSIBLE_SUDO_USER beats ANSIBLE_BECOME_USER',
    files: { [P]: '[privilege_escalation]\nbecome_user = alice\n[sudo_become_plugin]\nuser = carol\n' },
  },
  {
    name: 'sudo: ANSIBLE_SUDO_USER beats ANSIBLE_BECOME_USER and the file',
    files: { [P]: '[sudo_become_plugin]\nuser = carol\n' },
    env: { ANSIBLE_BECOME_USER: 'erin', ANSIBLE_SUDO_USER: 'dave' },
  },
  {
    name: 'become_method doas: [privilege_escalation] become_user',
    files: { [P]: '[privilege_escalation]\nbecome_method = doas\nbecome_user = op\n[sudo_become_plugin]\nuser = carol\n' },
  },
  {
    name: 'configparser: `:` and `=`, comments, upper-case keys, [DEFAULT]',
    files: {
      [P]: '# a comment\n; another\n[DEFAULT]\nforks: 11\nbecome = yes\n[defaults]\n  # indented comment\nREMOTE_USER : bob # not a comment\nInventory=a;b ; c\nprivate_key_file:k;not a comment\ntimeout = 12\t; a comment\n',
    },
  },
  { name: '[DEFAULT] lends nothing to a section the file lacks', files: { [P]: '[DEFAULT]\nbecome = yes\nssh_args = -x\n[defaults]\n' } },
  { name: 'a section name is not trimmed; text after ] is ignored', files: { [P]: '[ defaults ]\nremote_user = a\n[defaults] trailing words\nforks = 2\n' } },
  {
    name: 'quotes: strings unquoted, paths not',
    files: {
      [P]: '[defaults]\nremote_user = "bob"\nprivate_key_file = "~/k"\nvault_identity_list = dev@~/dev-pass, \'prod@prompt\' ,x\nvault_password_file = ~/.vault_pass\n[privilege_escalation]\nbecome_method = \'sudo\'\n',
    },
  },
  { name: 'ANSIBLE_VAULT_PASSWORD_FILE and ANSIBLE_VAULT_IDENTITY_LIST', env: { ANSIBLE_VAULT_PASSWORD_FILE: 'pass.txt', ANSIBLE_VAULT_IDENTITY_LIST: 'a@b' } },
  { name: 'Python int(): signs, blanks, underscores, leading zeros', files: { [P]: '[defaults]\nforks = +1_0\ntimeout =  030  \n' } },
  { name: 'interpolation is off: %% and %(x)s stay', files: { [P]: '[ssh_connection]\nssh_args = -o ControlPath=%%h-%(directory)s\n' } },
  { name: 'CRLF line ends', files: { [P]: '[defaults]\r\nremote_user = crlf\r\nforks = 4\r\n[ssh_connection]\r\nssh_args = -o A=1\r\n  -o B=2\r\n' } },
  {
    name: 'an indented key continues the value above; keys indented alike do not',
    files: { [P]: '[defaults]\nremote_user = a\n  forks = 3\n[ssh_connection]\n  ssh_args = -x\n  ssh_extra_args = -y\n' },
  },
  { name: 'a pathlist over lines, tab-indented', files: { [P]: '[defaults]\ninventory = a,\n\tb ,\n\t~/c\n' } },
  {
    name: 'a comment line inside a value over lines',
    files: { [P]: '[ssh_connection]\nssh_args = -o A=1\n  # -o B=2\n  -o C=3\n\n\n[defaults]\nforks = 6\n' },
  },
  { name: 'refused: a key twice in a section', files: { [P]: '[defaults]\nforks = 1\nforks = 2\n' } },
  { name: 'refused: a section twice', files: { [P]: '[defaults]\nforks = 1\n[defaults]\ntimeout = 2\n' } },
  { name: 'refused: a key before any section', files: { [P]: 'forks = 1\n[defaults]\n' } },
  { name: 'refused: a line that is not key = value', files: { [P]: '[defaults]\nforks = 1\nhost_key_checking\n' } },
  { name: 'refused: an integer that is not one', files: { [P]: '[defaults]\nforks = ten\n' } },
  { name: 'refused: a float timeout from the environment', env: { ANSIBLE_TIMEOUT: '1.5' } },
  { name: 'refused: a byte-order mark', files: { [P]: '\uFEFF[defaults]\nforks = 3\n' } },
  {
    name: 'Latin-1 in a comment and in a key we do not read',
    files: { [P]: Buffer.from('# caf\xe9\n[defaults]\nremote_user = bob\nlog_path = /tmp/caf\xe9\n', 'latin1') },
  },
  {
    name: 'Latin-1 in a value we read',
    files: { [P]: Buffer.from('[defaults]\nremote_user = caf\xe9\n', 'latin1') },
    refused: { entry: 'connection ssh remote_user', value: 'caf\udce9', message: /:2 \[defaults\] remote_user: the value has bytes that are not UTF-8/ },
  },
  { name: 'refused: a config file named .yml', files: { 'etc/ansible.yml': '[defaults]\nforks = 3\n' }, env: { ANSIBLE_CONFIG: '{root}/etc/ansible.yml' } },
  {
    name: 'refused: a config file without .cfg or .ini',
    files: { 'etc/ansiblerc': '[defaults]\nforks = 3\n' },
    env: { ANSIBLE_CONFIG: '{root}/etc/ansiblerc' },
  },
  { name: 'a config file named .ini', files: { 'etc/a.ini': '[defaults]\nforks = 3\n' }, env: { ANSIBLE_CONFIG: '{root}/etc/a.ini' } },
];

/** Our settings, each beside the entry of `ansible-config dump` it must equal. */
const COMPARED: [keyof AnsibleSettings, string][] = [
  ['inventory', 'base DEFAULT_HOST_LIST'],
  ['remoteUser', 'connection ssh remote_user'],
  ['privateKeyFile', 'base DEFAULT_PRIVATE_KEY_FILE'],
  ['hostKeyChecking', 'connection ssh host_key_checking'],
  ['timeout', 'base DEFAULT_TIMEOUT'],
  ['forks', 'base DEFAULT_FORKS'],
  ['become', 'base DEFAULT_BECOME'],
  ['becomeMethod', 'base DEFAULT_BECOME_METHOD'],
  ['becomeUser', 'become sudo become_user'],
  ['sshArgs', 'connection ssh ssh_args'],
  ['sshCommonArgs', 'connection ssh ssh_common_args'],
  ['sshExtraArgs', 'connection ssh ssh_extra_args'],
  ['vaultPasswordFiles', 'base DEFAULT_VAULT_PASSWORD_FILE'],
  ['vaultIdentityList', 'base DEFAULT_VAULT_IDENTITY_LIST'],
];

interface DumpEntry {
  name: string;
  value: unknown;
  origin: string;
}

/** What `ansible-config dump` says: entries by "base NAME" / "<type> <plugin> <name>", its warnings, or that it failed. */
interface Theirs {
  ok: boolean;
  entries: Map<string, DumpEntry>;
  stderr: string;
}

function ansibleConfigDump(cwd: string, env: NodeJS.ProcessEnv): Theirs {
  const r = spawnSync('ansible-config', ['dump', '--only-changed', '-t', 'all', '--format', 'json'], { cwd, env, encoding: 'utf8' });
  const entries = new Map<string, DumpEntry>();
  if (r.status !== 0) return { ok: false, entries, stderr: r.stderr };
  for (const item of JSON.parse(r.stdout) as (DumpEntry | Record<string, Record<string, DumpEntry[]>[]>)[]) {
    if (typeof item.name === 'string') {
      entries.set(`base ${item.name}`, item as DumpEntry);
      continue;
    }
    for (const [kind, plugins] of Object.entries(item as Record<string, Record<string, DumpEntry[]>[]>)) {
      const type = kind.replace(/_PLUGINS$/, '').toLowerCase();
      for (const p of plugins) for (const [plugin, list] of Object.entries(p)) for (const e of list) entries.set(`${type} ${plugin} ${e.name}`, e);
    }
  }
  return { ok: true, entries, stderr: r.stderr };
}

/** The differences between our reading and Ansible's, one line each (none: they agree). */
function differences(ours: AnsibleSettings | UsageError, theirs: Theirs): string[] {
  if (ours instanceof UsageError || !theirs.ok) {
    if (ours instanceof UsageError && !theirs.ok) return [];
    return ours instanceof UsageError
      ? [`we refuse (${ours.message}); Ansible reads it`]
      : [`Ansible refuses (${theirs.stderr.trim().split('\n').pop()}); we read it`];
  }
  const out: string[] = [];
  const file = theirs.entries.get('base CONFIG_FILE')?.value ?? undefined;
  if (file !== ours.file) out.push(`file: Ansible ${String(file)}, we ${String(ours.file)}`);
  const warned = /world writable/.test(theirs.stderr);
  if (warned !== ours.notes.some((n) => n.includes('world-writable'))) out.push(`world-writable warning: Ansible ${warned}, we ${!warned}`);
  const sudo = ours.becomeMethod === undefined || ours.becomeMethod.value === 'sudo';
  for (const [key, entryName] of COMPARED) {
    const e = theirs.entries.get(key === 'becomeUser' && !sudo ? 'base DEFAULT_BECOME_USER' : entryName);
    const theirValue = e === undefined ? undefined : key === 'vaultPasswordFiles' ? [e.value] : e.value;
    const s = ours[key] as { value: unknown; origin: string } | undefined;
    if (!isDeepStrictEqual(theirValue, s?.value)) {
      out.push(`${key}: Ansible ${JSON.stringify(theirValue)}, we ${JSON.stringify(s?.value)}`);
      continue;
    }
    if (e === undefined || s === undefined) continue;
    const sameOrigin = e.origin.startsWith('env: ') ? s.origin === e.origin.slice(5) : s.origin.startsWith(`${e.origin}:`);
    if (!sameOrigin) out.push(`${key} origin: Ansible ${e.origin}, we ${s.origin}`);
  }
  return out;
}

function ours(opts: Parameters<typeof readAnsibleSettings>[0]): AnsibleSettings | UsageError {
  try {
    return readAnsibleSettings(opts);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

let root: string;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'cnet-ansible-cfg-')));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder for one case: home/ and proj/ and whatever the case writes; the environment both readers get. */
function setUp(id: string, c: Case): { cwd: string; home: string; env: NodeJS.ProcessEnv } {
  const dir = join(root, id);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  mkdirSync(join(dir, 'proj'), { recursive: true });
  for (const [path, text] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof text === 'string' ? text.replaceAll('{root}', dir) : text);
  }
  for (const [path, mode] of Object.entries(c.dirs ?? {})) {
    mkdirSync(join(dir, path), { recursive: true });
    chmodSync(join(dir, path), mode);
  }
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: home };
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = v.replaceAll('{root}', dir);
  return { cwd: join(dir, c.cwd ?? 'proj'), home, env };
}

const tally = new Map<string, { agree: number; total: number; lines: string[] }>();
function count(table: string, name: string, diffs: string[]): void {
  const t = tally.get(table) ?? { agree: 0, total: 0, lines: [] };
  t.total++;
  if (diffs.length === 0) t.agree++;
  else t.lines.push(`  ${name}: ${diffs.join('; ')}`);
  tally.set(table, t);
}
afterAll(() => {
  for (const [table, t] of tally) console.log([`${t.agree}/${t.total} ${table}`, ...t.lines].join('\n'));
});

describe('ansible.cfg and ANSIBLE_* read as ansible-config 2.14 reads them', () => {
  it.each(CASES.map((c, i) => [c.name, i] as const))(
    '%s',
    (_name, i) => {
      const c = CASES[i]!;
      const { cwd, home, env } = setUp(`case${i}`, c);
      const theirs = ansibleConfigDump(cwd, env);
      const mine = ours({ env, cwd, home });
      if (c.refused !== undefined) {
        // a difference on purpose: Ansible reads a value we refuse, and we say why
        expect(mine).toBeInstanceOf(UsageError);
        expect((mine as UsageError).message).toMatch(c.refused.message);
        expect(theirs.entries.get(c.refused.entry)?.value).toEqual(c.refused.value);
        count('cases we refuse on purpose while Ansible reads them (both sides checked)', c.name, []);
        return;
      }
      const diffs = differences(mine, theirs);
      count('cases read as ansible-config dump reads them', c.name, diffs);
      expect(diffs).toEqual([]);
    },
    60_000,
  );
});

const SOURCES = readFileSync(join(CORPUS, 'SOURCES.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t')[0]!);

describe('real ansible.cfg files (test/fixtures/ansible-cfg-corpus) read as ansible-config 2.14 reads them', () => {
  it('every corpus file is listed in SOURCES.tsv', () => {
    expect(
      readdirSync(CORPUS)
        .filter((f) => f.endsWith('.cfg'))
        .sort(),
    ).toEqual([...SOURCES].sort());
  });
  it.each(SOURCES)(
    '%s',
    (file) => {
      const { cwd, home, env } = setUp(`corpus-${file}`, { name: file, files: { [P]: readFileSync(join(CORPUS, file)) } });
      const diffs = differences(ours({ env, cwd, home }), ansibleConfigDump(cwd, env));
      count('real ansible.cfg files read as ansible-config dump reads them', file, diffs);
      expect(diffs).toEqual([]);
    },
    60_000,
  );
});

describe('readAnsibleSettings beyond what ansible-config shows', () => {
  it('reads /etc/ansible/ansible.cfg (injected) last, and says which file it read', () => {
    const { cwd, home, env } = setUp('etc', { name: 'etc', files: { 'etc/ansible/ansible.cfg': '[defaults]\nforks = 13\n' } });
    const etcFile = join(root, 'etc', 'etc/ansible/ansible.cfg');
    const s = readAnsibleSettings({ env, cwd, home, etcFile });
    expect(s.file).toBe(etcFile);
    expect(s.fileFrom).toBe('/etc/ansible/ansible.cfg');
    expect(s.forks).toEqual({ value: 13, origin: `${etcFile}:2 [defaults] forks` });
    writeFileSync(join(home, '.ansible.cfg'), '[defaults]\n');
    expect(readAnsibleSettings({ env, cwd, home, etcFile })).toMatchObject({ file: join(home, '.ansible.cfg'), fileFrom: '~/.ansible.cfg' });
  });

  it('names the file, line, section and key of each value; the variable of each from the environment', () => {
    const { cwd, home, env } = setUp('origins', {
      name: 'origins',
      files: { [P]: '[defaults]\n\nremote_user = a\n[DEFAULT]\nforks = 2\n' },
      env: { ANSIBLE_TIMEOUT: '5' },
    });
    const s = readAnsibleSettings({ env, cwd, home });
    expect(s.remoteUser?.origin).toBe(`${cwd}/ansible.cfg:3 [defaults] remote_user`);
    expect(s.forks?.origin).toBe(`${cwd}/ansible.cfg:5 [DEFAULT] forks`);
    expect(s.timeout).toEqual({ value: 5, origin: 'ANSIBLE_TIMEOUT' });
  });

  it('says what it passed over and what Ansible does not use', () => {
    const { cwd, home, env } = setUp('notes', {
      name: 'notes',
      dirs: { proj: 0o777 },
      files: { [P]: '', [H]: '[defaults]\nbecome = yes\ntimeout = 20\n[ssh_connection]\ntimeout = 5\n' },
      env: { ANSIBLE_CONFIG: '/nonexistent/ansible.cfg' },
    });
    const s = readAnsibleSettings({ env, cwd, home });
    expect(s.file).toBe(join(home, '.ansible.cfg'));
    expect(s.notes).toEqual([
      'ANSIBLE_CONFIG names /nonexistent/ansible.cfg, which does not exist or cannot be read: looked further, as Ansible does',
      `ignored ${cwd}/ansible.cfg: the current folder is world-writable (as Ansible does; see "cfg-in-world-writable-dir" in Ansible's configuration docs)`,
      `${home}/.ansible.cfg:5 [ssh_connection] timeout is not used: Ansible 2.14 connects with [defaults] timeout or ANSIBLE_TIMEOUT (its --timeout default wins over the ssh plugin's own)`,
      `${home}/.ansible.cfg:2 [defaults] become is not read by Ansible: become belongs under [privilege_escalation]`,
    ]);
    expect(s.timeout?.value).toBe(20);
    expect(s.become).toBeUndefined();
  });

  it('refuses with file:line and what to do', () => {
    const cases: [string, RegExp][] = [
      [
        '[defaults]\nhost_key_checking = maybe\n',
        /ansible\.cfg:2 \[defaults\] host_key_checking: "maybe" is not a boolean: use yes\/no, true\/false, on\/off or 1\/0/,
      ],
      ['[defaults]\nforks = 1e3\n', /ansible\.cfg:2 \[defaults\] forks: "1e3" is not a whole number: write digits/],
      [
        '[defaults]\nforks = 1\n\n[x]\nbad line\n',
        /ansible\.cfg:5: this line is not "key = value", a \[section\], a comment or an indented continuation: fix or comment it out/,
      ],
      ['[defaults]\nforks = 1\nFORKS = 2\n', /ansible\.cfg:3: forks is written twice in \[defaults\]: keep one/],
    ];
    cases.forEach(([text, message], i) => {
      const { cwd, home, env } = setUp(`refuse${i}`, { name: 'r', files: { [P]: text } });
      expect(() => readAnsibleSettings({ env, cwd, home })).toThrow(message);
    });
    const { cwd, home, env } = setUp('refuse-env', { name: 'r', env: { ANSIBLE_BECOME: 'sure' } });
    expect(() => readAnsibleSettings({ env, cwd, home })).toThrow(/^ANSIBLE_BECOME: "sure" is not a boolean/);
  });

  it('a FIFO or a folder where the file should be is refused, not waited on', () => {
    const { cwd, home, env } = setUp('fifo', { name: 'fifo' });
    mkdirSync(join(home, '.ansible.cfg'));
    expect(() => readAnsibleSettings({ env, cwd, home })).toThrow(/cannot read ansible\.cfg file .*\.ansible\.cfg: is a directory/);
    rmSync(join(home, '.ansible.cfg'), { recursive: true });
    expect(spawnSync('mkfifo', [join(cwd, 'ansible.cfg')]).status).toBe(0);
    expect(() => readAnsibleSettings({ env, cwd, home })).toThrow(/is a FIFO/);
  });
});

describe('the INI reader against Python 3.11 configparser as Ansible sets it up', () => {
  const LINES = [
    '[defaults]',
    '[DEFAULT]',
    '[x]',
    '[ x ]',
    'a',
    'B',
    'a = 1',
    'b:2',
    'c = x ; y',
    'd = x;y',
    '# c',
    '; c',
    '  ',
    '\t',
    '  e = 3',
    '  cont',
    '\tcont2',
    '',
    'f=',
    '=g',
    'h = "q"',
    '[defaults] z',
    '[]',
    '[]]',
    'k = v # n',
    ' ; c',
    '\x1c',
    '\r',
    'a=\x85b\x85',
    'K : v : w',
  ];

  it('reads 2000 generated texts to the same sections, keys and values, and refuses the same ones', () => {
    const rnd = randomUnit(13);
    const pick = () => LINES[Math.floor(rnd() * LINES.length)]!;
    const texts = Array.from({ length: 2000 }, () => {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 7) }, () => ' '.repeat(rnd() < 0.3 ? Math.floor(rnd() * 3) : 0) + pick());
      return lines.join('\n') + (rnd() < 0.5 ? '\n' : '');
    });
    const script = [
      'import configparser, json, sys',
      'out = []',
      'for t in json.load(sys.stdin):',
      "    p = configparser.ConfigParser(inline_comment_prefixes=(';',))",
      '    try:',
      '        p.read_string(t)',
      "        out.append(dict([('DEFAULT', dict(p._defaults))] + [(s, dict(p._sections[s])) for s in p._sections]))",
      '    except configparser.Error:',
      '        out.append(None)',
      'print(json.dumps(out))',
    ].join('\n');
    const theirs = JSON.parse(
      execFileSync(ANSIBLE_PYTHON, ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 26 }),
    ) as unknown[];
    const differing = texts.filter((t, i) => {
      let ours: Record<string, Record<string, string>> | null;
      try {
        const ini = parseAnsibleIni(t, 'f');
        ours = { DEFAULT: Object.fromEntries([...ini.defaults].map(([k, v]) => [k, v.value])) };
        for (const [name, keys] of ini.sections) ours[name] = Object.fromEntries([...keys].map(([k, v]) => [k, v.value]));
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        ours = null;
      }
      return !isDeepStrictEqual(ours, theirs[i]);
    });
    expect(differing).toEqual([]);
    // the texts are not all refused, nor all read
    expect(theirs.filter((x) => x === null).length).toBeGreaterThan(200);
    expect(theirs.filter((x) => x !== null).length).toBeGreaterThan(200);
  }, 60_000);
});
