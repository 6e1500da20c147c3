/**
 * Where vault passwords come from, against the real implementation (Debian's ansible-core 2.14):
 * each case is given to ansible's own CLI.setup_vault_secrets (what ansible-playbook runs, with
 * its --vault-password-file paths made absolute as its argument parser does, and
 * ANSIBLE_VAULT_IDENTITY_LIST, ANSIBLE_VAULT_PASSWORD_FILE, ANSIBLE_ASK_VAULT_PASS read from the
 * case's environment) in one python3 run, and to loadVaultSecrets: the same ids and password
 * bytes, in the same order, and the same prompts. Sources Ansible cannot read are refused by us
 * (Ansible refuses them too, or warns and goes on when another source gave a password).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { decryptVault } from '../../../src/inventory/ansible/vault.js';
import { loadVaultSecrets, type VaultSecretOptions } from '../../../src/inventory/ansible/vault-secrets.js';
import { ANSIBLE_PYTHON } from './run-python.js';

let dir: string;
let baseEnv: NodeJS.ProcessEnv;
const at = (name: string) => join(dir, name);

/** ansible-playbook's secret set-up (lib/ansible/cli/__init__.py run → setup_vault_secrets), per case. */
const SETUP = `
import json, os, sys
from ansible import constants as C
from ansible.cli import CLI
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.utils.display import Display
from ansible.utils.path import unfrackpath
display = Display()
state = {}
def prompt(msg, private=False):
    state['prompts'].append(msg)
    return state['answers'].pop(0)
display.prompt = prompt
display.warning = lambda msg, formatted=False: state['warnings'].append(msg)
VARS = ('ANSIBLE_VAULT_IDENTITY_LIST', 'ANSIBLE_VAULT_PASSWORD_FILE', 'ANSIBLE_ASK_VAULT_PASS')
out = []
for case in json.load(sys.stdin):
    state.update(prompts=[], warnings=[], answers=list(case.get('answers', [])))
    for v in VARS:
        os.environ.pop(v, None)
    os.environ.update(case.get('env', {}))
    C.DEFAULT_VAULT_PASSWORD_FILE = C.config.get_config_value('DEFAULT_VAULT_PASSWORD_FILE')
    ids = C.config.get_config_value('DEFAULT_VAULT_IDENTITY_LIST') + case.get('vaultIds', [])
    files = [f if f == '-' else unfrackpath(f, follow=False) for f in case.get('passwordFiles', [])]
    ask = case.get('askVaultPass', False) or C.config.get_config_value('DEFAULT_ASK_VAULT_PASS')
    try:
        secrets = CLI.setup_vault_secrets(DataLoader(), vault_ids=ids, vault_password_files=files, ask_vault_pass=ask, auto_prompt=False)
        out.append({'secrets': [[i, s.bytes.hex()] for i, s in secrets]})
    except AnsibleError as e:
        out.append({'error': str(e)})
    out[-1].update(prompts=state['prompts'], warnings=state['warnings'])
print(json.dumps(out))
`;

interface Case {
  name: string;
  vaultIds?: string[];
  passwordFiles?: string[];
  askVaultPass?: boolean;
  env?: Record<string, string>;
  answers?: string[];
}
interface Theirs {
  secrets?: [string, string][];
  error?: string;
  prompts: string[];
  warnings: string[];
}

const script = (body: string) => `#!/bin/sh\n${body}\n`;

function makeFiles(): void {
  const files: Record<string, string | Buffer> = {
    'one.pass': 'pw-one\n',
    'blank.pass': '  \t pw-two \r\n\r\n',
    'inner-spaces.pass': 'a b\tc\n',
    'prod.pass': 'Prod:$ecret\n',
    'stage.pass': 'pw-stage',
    'qa.pass': 'pw-qa\n',
    'env.pass': 'pw-env\n',
    'utf8.pass': 'pässwörd ✓\n',
    'binary.pass': Buffer.from([0xff, 0x00, 0x80, 0x0a]),
    'empty.pass': '',
    'spaces-only.pass': ' \t\r\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(at(name), text);
  const scripts: Record<string, string> = {
    'plain.sh': script(`printf ' pw from script \\r\\n'`),
    'vault-client.sh': script(`[ "$2" = unknown ] && { echo "no such id: $2" >&2; exit 2; }\nprintf 'pw-for-%s\\n' "\${2:-none}"`),
    'vault-client': script(`printf 'pw-noext-%s:%s\\n' "$#" "$2"`),
    'get-client-pass.sh': script(`printf 'plain-args-%s\\n' "$#"`),
    'fails.sh': script('echo "backend down" >&2; exit 3'),
    'silent.sh': script('exit 0'),
  };
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(at(name), text);
    chmodSync(at(name), 0o755);
  }
  writeFileSync(at('executable.pass'), 'echo RAN-AS-SHELL\n');
  chmodSync(at('executable.pass'), 0o755);
  mkdirSync(at('a-dir'));
}

let encrypted = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-vault-secrets-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  baseEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };
  makeFiles();
  // a password file that is itself vault-encrypted (with one.pass's password)
  writeFileSync(at('encrypted.pass'), 'pw-from-vault\n');
  execFileSync('ansible-vault', ['encrypt', '--vault-password-file', at('one.pass'), at('encrypted.pass')], { cwd: dir, env: baseEnv, stdio: 'ignore' });
  encrypted = readFileSync(at('encrypted.pass'), 'utf8');
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function theirSecrets(cases: Case[]): Theirs[] {
  const out = execFileSync(ANSIBLE_PYTHON, ['-c', SETUP], {
    cwd: dir,
    env: baseEnv,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as Theirs[];
}

async function ours(c: Case): Promise<{ secrets?: [string, string][]; error?: unknown; prompts: string[]; sources?: string[] }> {
  const prompts: string[] = [];
  const answers = [...(c.answers ?? [])];
  const opts: VaultSecretOptions = {
    ...(c.vaultIds ? { vaultIds: c.vaultIds } : {}),
    ...(c.passwordFiles ? { passwordFiles: c.passwordFiles } : {}),
    ...(c.askVaultPass ? { askVaultPass: true } : {}),
    env: { ...baseEnv, ...c.env },
    prompt: async (q) => {
      prompts.push(q);
      return answers.shift() ?? '';
    },
  };
  try {
    const secrets = await loadVaultSecrets(opts);
    return { secrets: secrets.map((s) => [s.id, s.password.toString('hex')]), prompts, sources: secrets.map((s) => s.source) };
  } catch (error) {
    return { error, prompts };
  }
}

/** Sources both read: the same secrets. */
const AGREE = (): Case[] => [
  { name: '--vault-password-file', passwordFiles: [at('one.pass')] },
  { name: 'blank space and CRLF around the password', passwordFiles: [at('blank.pass')] },
  { name: 'blank space inside the password is kept', passwordFiles: [at('inner-spaces.pass')] },
  { name: 'no final newline', passwordFiles: [at('stage.pass')] },
  { name: 'UTF-8 password', passwordFiles: [at('utf8.pass')] },
  { name: 'binary password', passwordFiles: [at('binary.pass')] },
  { name: '--vault-id label@file', vaultIds: [`prod@${at('prod.pass')}`] },
  { name: '--vault-id file (no label)', vaultIds: [at('prod.pass')] },
  { name: '--vault-id @file (empty label)', vaultIds: [`@${at('prod.pass')}`] },
  { name: '--vault-id with an @ in the path', vaultIds: [`x@${at('one.pass')}`, `y@${at('prod.pass')}`] },
  {
    name: 'order: identity list, --vault-id, --vault-password-file, ANSIBLE_VAULT_PASSWORD_FILE',
    vaultIds: [`dev@${at('one.pass')}`, `prod@${at('prod.pass')}`],
    passwordFiles: [at('blank.pass'), at('utf8.pass')],
    env: { ANSIBLE_VAULT_IDENTITY_LIST: ` stage@${at('stage.pass')} ,qa@${at('qa.pass')}`, ANSIBLE_VAULT_PASSWORD_FILE: at('env.pass') },
  },
  { name: 'the same file under two ids', vaultIds: [`a@${at('one.pass')}`, `b@${at('one.pass')}`] },
  { name: 'a plain script: only CR/LF stripped', passwordFiles: [at('plain.sh')] },
  { name: 'a plain script by --vault-id', vaultIds: [`ops@${at('plain.sh')}`] },
  { name: 'a client script with a label gets --vault-id', vaultIds: [`prod@${at('vault-client.sh')}`] },
  { name: 'a client script as --vault-password-file gets --vault-id default', passwordFiles: [at('vault-client.sh')] },
  { name: 'a client script without a label gets nothing', vaultIds: [at('vault-client.sh')] },
  { name: 'a client script without an extension', vaultIds: [`qa@${at('vault-client')}`] },
  { name: 'a name with -client inside is a plain script', vaultIds: [`qa@${at('get-client-pass.sh')}`] },
  { name: '~ and $HOME expanded', vaultIds: ['x@$HOME/one.pass'], passwordFiles: ['${HOME}/prod.pass'], env: { ANSIBLE_VAULT_PASSWORD_FILE: '~/env.pass' } },
  { name: 'an unset $VAR is left as written', vaultIds: [`x@${dir}/$NOT_SET_ANYWHERE/../one.pass`] },
  { name: 'a vault-encrypted password file, after the password that decrypts it', vaultIds: [`a@${at('one.pass')}`], passwordFiles: [at('encrypted.pass')] },
  { name: '--ask-vault-pass: blank space stripped', askVaultPass: true, answers: ['  typed pw \t'] },
  { name: '--vault-id label@prompt', vaultIds: ['dev@prompt', 'prompt'], answers: ['pw-dev', 'pw-default'] },
  { name: 'ANSIBLE_ASK_VAULT_PASS', env: { ANSIBLE_ASK_VAULT_PASS: 'Yes' }, answers: ['pw-asked'] },
  { name: 'ANSIBLE_ASK_VAULT_PASS=0', env: { ANSIBLE_ASK_VAULT_PASS: '0' } },
  { name: 'prompt after the files', passwordFiles: [at('one.pass')], askVaultPass: true, answers: ['typed'] },
  { name: 'nothing given', env: {} },
];

/** Sources Ansible refuses (or warns about and skips): ours refuses, saying what is wrong. */
const REFUSE = (): [Case, RegExp][] => [
  [{ name: 'a missing file', passwordFiles: [at('missing.pass')] }, /--vault-password-file .*missing\.pass: the file was not found: check the path/],
  [{ name: 'an empty file', passwordFiles: [at('empty.pass')] }, /--vault-password-file .*empty\.pass: the vault password is empty/],
  [{ name: 'a file of blank space', vaultIds: [`x@${at('spaces-only.pass')}`] }, /--vault-id x@.*: the vault password is empty/],
  [{ name: 'a script that fails', passwordFiles: [at('fails.sh')] }, /fails\.sh: the vault password script exited with status 3/],
  [
    { name: 'a client script without the id', vaultIds: [`unknown@${at('vault-client.sh')}`] },
    /vault-client\.sh: the vault password client script found no secret for vault id "unknown" \(exit status 2\): no such id: unknown/,
  ],
  [{ name: 'a script that prints nothing', vaultIds: [`x@${at('silent.sh')}`] }, /the vault password is empty/],
  [{ name: 'an executable password file (no #!)', passwordFiles: [at('executable.pass')] }, /has no #! line.*chmod a-x/],
  [
    { name: 'a missing file under ~', env: { ANSIBLE_VAULT_PASSWORD_FILE: '~/missing.pass' } },
    /ANSIBLE_VAULT_PASSWORD_FILE=~\/missing\.pass: \/.*\/missing\.pass was not found/,
  ],
  [{ name: 'a directory', passwordFiles: [at('a-dir')] }, /a-dir: the file is a directory/],
  [
    { name: 'an encrypted password file with no password before it', passwordFiles: [at('encrypted.pass')] },
    /encrypted\.pass: the file is vault-encrypted, and no password given before it decrypts it: give that password first/,
  ],
  [
    { name: 'a missing file beside a good one (Ansible warns and goes on)', passwordFiles: [at('one.pass'), at('missing.pass')] },
    /missing\.pass: the file was not found/,
  ],
];

describe('loadVaultSecrets agrees with ansible-playbook (CLI.setup_vault_secrets)', () => {
  it('the same ids and passwords, in the same order, with the same prompts', async () => {
    const cases = AGREE();
    const theirs = theirSecrets(cases);
    const disagreements: string[] = [];
    for (const [i, c] of cases.entries()) {
      const them = theirs[i]!;
      const us = await ours(c);
      expect(them.error, `${c.name}: Ansible refused: ${them.error}`).toBeUndefined();
      expect(them.warnings, c.name).toEqual([]);
      if (us.error !== undefined) {
        disagreements.push(`${c.name}: ours refused: ${String(us.error)}`);
        continue;
      }
      const same = JSON.stringify([us.secrets, us.prompts]) === JSON.stringify([them.secrets, them.prompts]);
      if (!same) disagreements.push(`${c.name}: Ansible ${JSON.stringify([them.secrets, them.prompts])}; ours ${JSON.stringify([us.secrets, us.prompts])}`);
    }
    expect(disagreements).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it('refuses what Ansible cannot read, naming the source', async () => {
    const cases = REFUSE();
    const theirs = theirSecrets(cases.map(([c]) => c));
    for (const [i, [c, message]] of cases.entries()) {
      const them = theirs[i]!;
      expect(them.error !== undefined || them.warnings.length > 0, `${c.name}: Ansible neither refused nor warned`).toBe(true);
      const us = await ours(c);
      expect(us.error, c.name).toBeInstanceOf(UsageError);
      expect((us.error as Error).message, c.name).toMatch(message);
    }
  });
});

describe('loadVaultSecrets', () => {
  it('says where each secret came from, and never holds a password in that', async () => {
    const us = await ours({
      name: 'sources',
      vaultIds: [`prod@${at('prod.pass')}`],
      passwordFiles: [at('one.pass')],
      env: { ANSIBLE_VAULT_PASSWORD_FILE: at('env.pass'), ANSIBLE_VAULT_IDENTITY_LIST: `qa@${at('qa.pass')}` },
      askVaultPass: true,
      answers: ['typed-secret'],
    });
    expect(us.sources).toEqual([
      `ANSIBLE_VAULT_IDENTITY_LIST entry qa@${at('qa.pass')}`,
      `--vault-id prod@${at('prod.pass')}`,
      `--vault-password-file ${at('one.pass')}`,
      `ANSIBLE_VAULT_PASSWORD_FILE=${at('env.pass')}`,
      '--ask-vault-pass',
    ]);
    expect(us.sources!.join(' ')).not.toMatch(/pw-|Prod:|typed-secret/);
  });

  it('a prompt with no way to ask is an error that says what to use instead', async () => {
    const err = await loadVaultSecrets({ askVaultPass: true, env: baseEnv }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/--ask-vault-pass: asks for the vault password, but there is no terminal to ask on: use --vault-password-file FILE/);
  });

  it('an empty answer at the prompt is an error', async () => {
    const us = await ours({ name: 'empty answer', vaultIds: ['dev@prompt'], answers: ['   '] });
    expect(us.error).toBeInstanceOf(UsageError);
    expect((us.error as Error).message).toMatch(/--vault-id dev@prompt: the vault password is empty/);
  });

  it('--vault-id label@ names no source', async () => {
    const us = await ours({ name: 'no source', vaultIds: ['dev@'] });
    expect((us.error as Error).message).toMatch(/--vault-id dev@: names no password source/);
  });

  it('a password file that is a pipe (--vault-password-file <(pass show vault))', async () => {
    const fifo = at('pipe.pass');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'printf "pw-through-pipe\\n" > "$1"', 'sh', fifo], { stdio: 'ignore' });
    const written = new Promise((resolve) => writer.on('close', resolve));
    const secrets = await loadVaultSecrets({ passwordFiles: [fifo], env: baseEnv });
    await written;
    expect(secrets.map((s) => s.password.toString())).toEqual(['pw-through-pipe']);
  });

  it('the secrets decrypt what ansible-vault encrypted with those sources', async () => {
    const secrets = await loadVaultSecrets({ vaultIds: [`x@${at('one.pass')}`], env: baseEnv });
    expect(decryptVault(encrypted, secrets).toString()).toBe('pw-from-vault\n');
  });
});
