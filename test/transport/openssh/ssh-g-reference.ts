/**
 * The real `ssh -G` beside our ssh -G view (src/transport/openssh/ssh-g-view.ts), for
 * ssh-g-differential.test.ts: the corpus (test/fixtures/ssh-config-corpus/, its README says how
 * ssh -G is run on it), ssh -G's lines read into the compared fields, and both sides' values put
 * in one form.
 *
 * ssh -G prints IdentityFile, CertificateFile and ProxyJump/ProxyCommand as written (`~`,
 * `%` tokens and `${VAR}` not expanded: ssh expands them when it uses them) and
 * UserKnownHostsFile expanded. Here the written ones are expanded as ssh_config(5) TOKENS says,
 * from ssh -G's own printed hostname, port, user and hostkeyalias, so they compare with the
 * paths cnet-remote opens. `~` and `%d` are the passwd home for ssh (whatever $HOME says), the
 * private HOME for us (where the config's Includes are): both are written `~` before comparing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SSH_G_FIELDS, type SshGField } from '../../../src/transport/openssh/ssh-g-view.js';

export const CORPUS = fileURLToPath(new URL('../../fixtures/ssh-config-corpus/', import.meta.url));

export type Fields = Map<SshGField, string[]>;

/** One config of the corpus and the names ALIASES.tsv lists for it. */
export interface CorpusConfig {
  /** as ALIASES.tsv names it, relative to the corpus */
  config: string;
  path: string;
  folder: string;
  /** where the folder is linked in the private HOME: `~/.ssh` or `~/.config/ssh` */
  link: string;
  /** `ENV: K=V` in its notes: variables the config expands */
  env: Record<string, string>;
  aliases: { alias: string; from: string; recordedExit: number }[];
}

function tsv(file: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
}

/** Every config with its aliases, in ALIASES.tsv's order. */
export function corpusConfigs(): CorpusConfig[] {
  const env = new Map<string, Record<string, string>>();
  for (const [sources, prefix] of [
    [join(CORPUS, 'SOURCES.tsv'), ''],
    [join(CORPUS, 'openssh-regress/SOURCES.tsv'), 'openssh-regress/'],
  ] as const) {
    for (const r of tsv(sources)) {
      if (r.notes!.startsWith('included by')) continue;
      env.set(prefix + r.file, Object.fromEntries([...r.notes!.matchAll(/ENV: (\S+?)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
    }
  }
  const byConfig = new Map<string, CorpusConfig>();
  for (const r of tsv(join(CORPUS, 'ALIASES.tsv'))) {
    const config = r.config!;
    let c = byConfig.get(config);
    if (!c) {
      const path = join(CORPUS, config);
      c = { config, path, folder: dirname(path), link: r.home_link!, env: env.get(config) ?? {}, aliases: [] };
      byConfig.set(config, c);
    }
    c.aliases.push({ alias: r.alias!, from: r.from!, recordedExit: Number(r.ssh_g_exit) });
  }
  return [...byConfig.values()];
}

export interface SshGRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The `-o` options Ansible 2.14's ssh plugin gives ssh before the config for a host with no
 * variables that touch a compared field: its `timeout` (10) as ConnectTimeout (ssh.py
 * _build_command). The rest of its command line (ControlMaster, PreferredAuthentications, …)
 * changes no compared field.
 */
export const ANSIBLE_SSH_OPTIONS = ['-o', 'ConnectTimeout=10'];

/** `ssh -G -F CONFIG [ANSIBLE_SSH_OPTIONS] ALIAS` with only PATH, HOME and the config's variables in its environment. */
export function sshG(config: string, alias: string, env: Record<string, string>): Promise<SshGRun> {
  return new Promise((resolve) => {
    const child = execFile('ssh', ['-G', '-F', config, ...ANSIBLE_SSH_OPTIONS, alias], { env, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({
        code,
        stdout,
        stderr: stderr
          .split('\n')
          .filter((l) => l && !l.startsWith('Pseudo-terminal'))
          .join('\n'),
      });
    });
    child.stdin?.end();
  });
}

/** The compared keywords' values, in the order printed (empty fields left out). */
export function fieldsOf(lines: readonly string[]): Fields {
  const out: Fields = new Map();
  for (const line of lines) {
    const sp = line.indexOf(' ');
    const key = (sp < 0 ? line : line.slice(0, sp)) as SshGField;
    if (!(SSH_G_FIELDS as readonly string[]).includes(key)) continue;
    out.set(key, [...(out.get(key) ?? []), sp < 0 ? '' : line.slice(sp + 1)]);
  }
  return out;
}

const me = userInfo();
const LOCAL_HOST = hostname();
/** ssh's `~` and `%d`: the passwd home, not $HOME */
export const PASSWD_HOME = me.homedir;

/** `%x` from `values`; an unknown token stays as written (it then differs, as it should). */
function percent(text: string, values: Record<string, string>): string {
  return text.replace(/%(.)/g, (all, k: string) => (k === '%' ? '%' : (values[k] ?? all)));
}

/** `~` → home, when the path starts with it */
function tilde(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? home + path.slice(1) : path;
}

/** A path under `home` written from `~`, so both sides' homes read the same. */
export function homeAsTilde(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/**
 * ssh -G's fields, expanded as ssh expands them when connecting (see the top of this file), paths
 * under the passwd home written with `~`.
 */
export function sshGFields(stdout: string, alias: string, env: Record<string, string>): Fields {
  const f = fieldsOf(stdout.split('\n'));
  const one = (k: SshGField) => f.get(k)?.[0] ?? '';
  const h = one('hostname');
  const p = one('port');
  const r = one('user');
  const all: Record<string, string> = {
    h,
    n: alias,
    p,
    r,
    u: me.username,
    d: PASSWD_HOME,
    l: LOCAL_HOST,
    L: LOCAL_HOST.split('.')[0]!,
    i: String(me.uid),
    k: f.get('hostkeyalias')?.[0] ?? alias,
    C: createHash('sha1').update(`${LOCAL_HOST}${h}${p}${r}`).digest('hex'),
  };
  const proxy = { h, n: alias, p, r };
  const envVars = (s: string) => s.replace(/\$\{([^}]*)\}/g, (all, k: string) => env[k] ?? all);
  const path = (v: string) => homeAsTilde(envVars(percent(tilde(v, PASSWD_HOME), all)), PASSWD_HOME);
  for (const k of ['identityfile', 'certificatefile'] as const) mapField(f, k, path);
  mapField(f, 'userknownhostsfile', eachPathAsTilde(PASSWD_HOME));
  // ssh -G prints a ProxyCommand as written (ssh expands its tokens only when it runs it), as our view does
  mapField(f, 'proxyjump', (v) => percent(v, proxy));
  return f;
}

/** Each value of field `k` through `fn`, when the fields have it. */
function mapField(f: Fields, k: SshGField, fn: (v: string) => string): void {
  const values = f.get(k);
  if (values) f.set(k, values.map(fn));
}

/** A space-separated list of paths (UserKnownHostsFile), those under `home` written with `~`. */
const eachPathAsTilde = (home: string) => (v: string) =>
  v
    .split(' ')
    .map((w) => homeAsTilde(w, home))
    .join(' ');

/** Our view's fields, paths under the private HOME written with `~`. */
export function ourFields(lines: readonly string[], home: string): Fields {
  const f = fieldsOf(lines);
  for (const k of ['identityfile', 'certificatefile'] as const) mapField(f, k, (v) => homeAsTilde(v, home));
  mapField(f, 'userknownhostsfile', eachPathAsTilde(home));
  return f;
}

/** ssh's IdentityFile list when none is configured (readconf.c fill_default_options), as ssh -G prints it. */
export const SSH_DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `~/.ssh/${k}`);
