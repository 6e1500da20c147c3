import { spawn } from 'node:child_process';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { fileType, systemRefusal } from '../../files/file-refusal.js';
import { escapeUnshown, showText } from '../../shown.js';
import { DEFAULT_VAULT_ID, decryptVault, isVaultText, VAULT_HEADER, VaultError, type VaultSecret } from './vault.js';

/**
 * Where vault passwords come from, as ansible-playbook gathers them (ansible-core 2.14,
 * lib/ansible/cli/__init__.py setup_vault_secrets and lib/ansible/parsing/vault get_file_vault_secret):
 *
 * 1. ANSIBLE_VAULT_IDENTITY_LIST (comma-separated `label@source`), then each --vault-id;
 * 2. each --vault-password-file, then ANSIBLE_VAULT_PASSWORD_FILE (id 'default');
 * 3. --ask-vault-pass (or ANSIBLE_ASK_VAULT_PASS): a prompt "Vault password: " (id 'default').
 *
 * A source is `prompt` ("Vault password (label): "), an executable (run with no shell; one whose
 * name without its extension ends in `-client` is given `--vault-id <label>` when it has a label;
 * its output stripped of CR/LF at both ends), or a file (its text stripped of blank space at both
 * ends; it may itself be vault-encrypted with a password given before it). Paths get $VARS and a
 * leading ~ expanded, as Ansible's unfrackpath does.
 *
 * Unlike Ansible, which warns about a password source it cannot read and goes on when another one
 * was read, every source named must give a password: a mistyped path is an error here, not a
 * warning followed by "Decryption failed".
 */
export interface VaultSecretOptions {
  /** --vault-password-file, in order */
  passwordFiles?: string[];
  /** --vault-id, in order: `label@source` or `source` */
  vaultIds?: string[];
  /** --ask-vault-pass */
  askVaultPass?: boolean;
  env?: NodeJS.ProcessEnv;
  /** asks a person (without echo); absent when there is no terminal to ask on */
  prompt?: (question: string) => Promise<string>;
}

/** A password file or a password script's output is never near this big. */
const MAX_PASSWORD_BYTES = 1024 * 1024;
/** What is kept of a client script's stderr, for the message. */
const MAX_STDERR_SHOWN = 2000;

/** A password source to read, and how the user named it (for messages). */
interface Source {
  /** the vault id label, when given (`label@`) */
  label: string | undefined;
  /** a path, or `prompt` / `prompt_ask_vault_pass` */
  value: string;
  /** "--vault-id prod@/x/pass" */
  named: string;
  /** whether `value` is a path already (a password file: never a prompt) */
  pathOnly: boolean;
}

/** Ansible's split_vault_id: at the first '@'; none: the whole is the source. */
function splitVaultId(slug: string): { label: string | undefined; value: string } {
  const at = slug.indexOf('@');
  return at < 0 ? { label: undefined, value: slug } : { label: slug.slice(0, at), value: slug.slice(at + 1) };
}

/** Ansible's boolean(strict=False) for an environment variable. */
function envBoolean(value: string | undefined): boolean {
  return value !== undefined && ['y', 'yes', 'on', '1', 'true', 't'].includes(value.trim().toLowerCase());
}

/** Python's os.path.expandvars: $NAME and ${NAME}, only those set. */
function expandVars(path: string, env: NodeJS.ProcessEnv): string {
  return path.replace(/\$([A-Za-z0-9_]+|\{[^}]*\})/g, (whole, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    return Object.hasOwn(env, key) && env[key] !== undefined ? (env[key] as string) : whole;
  });
}

/** Python's os.path.expanduser for `~` and `~/…` (HOME, else the account's home); `~user` is left as written. */
function expandUser(path: string, env: NodeJS.ProcessEnv): string {
  if (path !== '~' && !path.startsWith('~/')) return path;
  const home = env.HOME || homedir();
  return home.replace(/\/+$/, '') + path.slice(1) || '/';
}

/** Ansible's unfrackpath(follow=False): variables, then ~, then absolute against the working folder. */
function unfrack(path: string, env: NodeJS.ProcessEnv): string {
  const expanded = expandUser(expandVars(path, env), env);
  return isAbsolute(expanded) ? resolve(expanded) : resolve(process.cwd(), expanded);
}

/** Python's os.path.splitext(...)[0] of the file name: whether a script is a vault client (`*-client`, `*-client.py`). */
function isClientScript(path: string): boolean {
  const name = basename(path);
  const lead = name.length - name.replace(/^\.+/, '').length;
  const dot = name.lastIndexOf('.');
  const stem = dot > lead ? name.slice(0, dot) : name;
  return stem.endsWith('-client');
}

/** Python's bytes.strip(chars): the bytes of `set` removed from both ends. */
function stripBytes(data: Buffer, set: readonly number[]): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && set.includes(data[start] as number)) start++;
  while (end > start && set.includes(data[end - 1] as number)) end--;
  return data.subarray(start, end);
}

/** bytes.strip(): ASCII blank space */
const BLANK = [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c];
/** bytes.strip(b'\r\n') */
const CRLF = [0x0d, 0x0a];

function sourceError(source: Source, problem: string): UsageError {
  return new UsageError(`vault password from ${escapeUnshown(source.named)}: ${problem}`);
}

/** The file, as a message after the source names it: its path only when that is not what the user wrote ($VARS, ~, relative). */
function theFile(source: Source, path: string): string {
  return path === source.value ? 'the file' : escapeUnshown(path);
}

function systemProblem(source: Source, path: string, err: unknown): string {
  return `${theFile(source, path)} ${systemRefusal(err, 'ofTheFile') ?? `cannot be read: ${(err as Error).message}`}`;
}

function notAFile(source: Source, path: string, st: Stats): UsageError {
  return sourceError(source, `${theFile(source, path)} is ${fileType(st)}: give a file that holds the password, or an executable that prints it`);
}

/** A password file's bytes: a regular file or a pipe (`--vault-password-file <(pass show vault)`), at most MAX_PASSWORD_BYTES. */
async function readPasswordFile(source: Source, path: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOCTTY);
  } catch (err) {
    throw sourceError(source, systemProblem(source, path, err));
  }
  try {
    // the path may have been replaced since it was looked at
    const st = await handle.stat();
    if (!st.isFile() && !st.isFIFO()) throw notAFile(source, path, st);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_PASSWORD_BYTES) {
        throw sourceError(source, `${theFile(source, path)} is over ${MAX_PASSWORD_BYTES} bytes, too big for a password file: is this the right file?`);
      }
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    throw err instanceof UsageError ? err : sourceError(source, systemProblem(source, path, err));
  } finally {
    await handle.close();
  }
}

/** A script, as a message after the source names it: its path only when that is not what the user wrote. */
function scriptName(source: Source, path: string): string {
  return path === source.value ? '' : ` ${escapeUnshown(path)}`;
}

/** FileVaultSecret: the text stripped, decrypted when it is a vault text (with the secrets read so far), stripped of CR/LF. */
async function passwordFromFile(source: Source, path: string, before: readonly VaultSecret[]): Promise<Buffer> {
  let data = stripBytes(await readPasswordFile(source, path), BLANK);
  const text = data.toString('latin1');
  if (isVaultText(text)) {
    try {
      data = decryptVault(text, before);
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      const why =
        err.problem === 'malformed'
          ? `begins with ${VAULT_HEADER} but is a ${err.message}`
          : 'is vault-encrypted, and no password given before it decrypts it: give that password first (an earlier --vault-id or --vault-password-file)';
      throw sourceError(source, `${theFile(source, path)} ${why}`);
    }
  }
  return stripBytes(data, CRLF);
}

interface ScriptEnd {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Whether the kernel can run the file itself: a `#!` line or an ELF binary. Without one, execvp
 * (which libuv uses) hands the file to /bin/sh, where Ansible's exec fails with "Exec format
 * error": a password file left executable would be run as shell commands.
 */
async function hasExecFormat(path: string): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch {
    return true; // unreadable (mode --x): the kernel decides, and a script it cannot read fails there
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    const start = head.subarray(0, bytesRead);
    return start.subarray(0, 2).toString('latin1') === '#!' || start.toString('latin1') === '\x7fELF';
  } finally {
    await handle.close();
  }
}

/** Runs a password script with no shell; its stdin (and, unless `captureStderr`, its stderr) are ours, so it may ask a person. */
function runScript(source: Source, path: string, args: string[], captureStderr: boolean): Promise<ScriptEnd> {
  const script = scriptName(source, path);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(path, args, { shell: false, stdio: ['inherit', 'pipe', captureStderr ? 'pipe' : 'inherit'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let tooBig = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_PASSWORD_BYTES) {
        if (!tooBig) child.kill('SIGTERM');
        tooBig = true;
        return;
      }
      out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (err.length < MAX_STDERR_SHOWN) err += chunk.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(sourceError(source, `cannot run the vault password script${script}: ${e.message}. If it is not a script, remove its executable bit (chmod a-x)`));
    });
    child.on('close', (code, signal) => {
      if (tooBig) {
        reject(sourceError(source, `the vault password script${script} printed over ${MAX_PASSWORD_BYTES} bytes: a script prints only the password`));
        return;
      }
      resolvePromise({ stdout: Buffer.concat(out), stderr: err.slice(0, MAX_STDERR_SHOWN), code, signal });
    });
  });
}

/** ScriptVaultSecret / ClientScriptVaultSecret: run, check the exit, stdout stripped of CR/LF. */
async function passwordFromScript(source: Source, path: string, id: string | undefined): Promise<Buffer> {
  if (!(await hasExecFormat(path))) {
    throw sourceError(
      source,
      `cannot run the vault password script${scriptName(source, path)}: it is executable but has no #! line (Exec format error). ` +
        'If it holds the password, remove its executable bit (chmod a-x)',
    );
  }
  // Ansible looks at the name as given (a --vault-password-file is made absolute first)
  const client = isClientScript(source.pathOnly ? path : source.value);
  const args = client && id ? ['--vault-id', id] : [];
  const end = await runScript(source, path, args, client);
  const said = end.stderr.trim() ? `: ${escapeUnshown(end.stderr.trim())}` : '';
  const kind = client ? 'vault password client script' : 'vault password script';
  if (end.signal !== null) throw sourceError(source, `the ${kind}${scriptName(source, path)} was killed by ${end.signal}${said}`);
  if (client && end.code === 2) {
    throw sourceError(source, `the ${kind}${scriptName(source, path)} found no secret for vault id ${showText(id ?? '')} (exit status 2)${said}`);
  }
  if (end.code !== 0) throw sourceError(source, `the ${kind}${scriptName(source, path)} exited with status ${end.code}${said}`);
  return stripBytes(end.stdout, CRLF);
}

async function passwordFromPrompt(source: Source, id: string, prompt: VaultSecretOptions['prompt']): Promise<Buffer> {
  if (prompt === undefined) {
    throw sourceError(source, 'asks for the vault password, but there is no terminal to ask on: use --vault-password-file FILE or --vault-id LABEL@FILE');
  }
  const question = source.value === 'prompt' ? `Vault password (${id}): ` : 'Vault password: ';
  return stripBytes(Buffer.from(await prompt(question), 'utf8'), BLANK);
}

/** The secret a source gives, or a UsageError saying what is wrong with it. */
async function load(source: Source, before: readonly VaultSecret[], opts: VaultSecretOptions, env: NodeJS.ProcessEnv): Promise<VaultSecret> {
  const id = source.label || DEFAULT_VAULT_ID;
  let password: Buffer;
  if (!source.pathOnly && (source.value === 'prompt' || source.value === 'prompt_ask_vault_pass')) {
    password = await passwordFromPrompt(source, id, opts.prompt);
  } else {
    if (source.value === '') throw sourceError(source, "names no password source: give a file, an executable that prints the password, or 'prompt'");
    const path = unfrack(source.value, env);
    let st: Stats;
    try {
      st = await stat(path);
    } catch (err) {
      throw sourceError(source, systemProblem(source, path, err));
    }
    if (!st.isFile() && !st.isFIFO()) throw notAFile(source, path, st);
    // Ansible's is_executable: any execute bit
    const executable = st.isFile() && (st.mode & 0o111) !== 0;
    password = executable ? await passwordFromScript(source, path, source.label) : await passwordFromFile(source, path, before);
  }
  if (password.length === 0) throw sourceError(source, 'the vault password is empty: a vault password cannot be empty');
  return { id, password, source: source.named };
}

/** The vault secrets the options and the environment name, in the order Ansible tries them. */
export async function loadVaultSecrets(opts: VaultSecretOptions): Promise<VaultSecret[]> {
  const env = opts.env ?? process.env;
  const sources: Source[] = [];
  const listed = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const slug of listed) sources.push({ ...splitVaultId(slug), named: `ANSIBLE_VAULT_IDENTITY_LIST entry ${slug}`, pathOnly: false });
  for (const slug of opts.vaultIds ?? []) sources.push({ ...splitVaultId(slug), named: `--vault-id ${slug}`, pathOnly: false });
  // Ansible makes these `default@FILE` (so a client script is given --vault-id default)
  for (const file of opts.passwordFiles ?? []) sources.push({ label: DEFAULT_VAULT_ID, value: file, named: `--vault-password-file ${file}`, pathOnly: true });
  const envFile = env.ANSIBLE_VAULT_PASSWORD_FILE;
  if (envFile) sources.push({ label: DEFAULT_VAULT_ID, value: envFile, named: `ANSIBLE_VAULT_PASSWORD_FILE=${envFile}`, pathOnly: true });
  if (opts.askVaultPass || envBoolean(env.ANSIBLE_ASK_VAULT_PASS)) {
    const named = opts.askVaultPass ? '--ask-vault-pass' : 'ANSIBLE_ASK_VAULT_PASS';
    sources.push({ label: DEFAULT_VAULT_ID, value: 'prompt_ask_vault_pass', named, pathOnly: false });
  }

  const secrets: VaultSecret[] = [];
  // one at a time: a password file may be encrypted with a password read before it, and prompts come in order
  for (const source of sources) secrets.push(await load(source, secrets, opts, env));
  return secrets;
}
