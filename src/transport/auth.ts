import { existsSync } from 'node:fs';
import type ssh2 from 'ssh2';
import { INPUT_KINDS, readInputText } from '../files/read-input-file.js';
import { AgentCertificates, presentedAs } from './agent-certificates.js';
import type { KeyStore } from './keys.js';
import { hostKeyFingerprint } from './openssh/known-hosts.js';
import { isCertificateType, parseCertificate, type OpenSshCertificate } from './openssh/certificate.js';
import type { Hop } from './target.js';

type KbdPrompt = { prompt: string; echo?: boolean };
export type AuthMethod =
  | { type: 'publickey'; username: string; key: ssh2.ParsedKey }
  | { type: 'agent'; username: string; agent: string | ssh2.BaseAgent }
  | { type: 'password'; username: string; password: string }
  | {
      type: 'keyboard-interactive';
      username: string;
      prompt: (name: string, instructions: string, lang: string, prompts: KbdPrompt[], finish: (answers: string[]) => void) => void;
    };

/** a keyboard-interactive prompt the password answers */
const isPasswordPrompt = (p: KbdPrompt) => /password|passcode/i.test(p.prompt);

/** A user certificate file read once per KeyStore (per run): the certificate, or why it cannot be used. */
type LoadedCertificate = { cert: OpenSshCertificate } | { problem: string };
const certificates = new WeakMap<KeyStore, Map<string, LoadedCertificate>>();

/** A certificate file (`type base64 [comment]`, as ssh-keygen -s writes it), read and parsed. */
function loadCertificate(keys: KeyStore, file: string): LoadedCertificate {
  let cache = certificates.get(keys);
  if (!cache) certificates.set(keys, (cache = new Map()));
  let loaded = cache.get(file);
  if (!loaded) cache.set(file, (loaded = readCertificate(file)));
  return loaded;
}

function readCertificate(file: string): LoadedCertificate {
  try {
    const [type, b64] = readInputText(file, { ...INPUT_KINDS.privateKey, what: 'certificate file' })
      .trim()
      .split(/\s+/);
    if (!type || !isCertificateType(type) || !b64) return { problem: `${file} is not an OpenSSH certificate (ssh-keygen -s writes one)` };
    const cert = parseCertificate(Buffer.from(b64, 'base64'));
    if (cert.certType !== type) return { problem: `${file}: the certificate inside is a ${cert.certType}, the line says ${type}` };
    // as ssh (sshconnect2.c pubkey_prepare): a host certificate is no identity
    if (cert.type !== 'user') return { problem: `${file} is a host certificate, not a user certificate` };
    return { cert };
  } catch (err) {
    return { problem: `${file}: ${(err as Error).message}` };
  }
}

/** ssh's default certificate for an IdentityFile (ssh.c load_public_identity_files): `FILE-cert`, else `FILE-cert.pub`. */
function defaultCertificateFile(identityFile: string): string | undefined {
  return [`${identityFile}-cert`, `${identityFile}-cert.pub`].find((f) => existsSync(f));
}

/**
 * What to try, in order, as ssh 9.2 orders its keys (ssh.c load_public_identity_files,
 * sshconnect2.c pubkey_prepare): the CertificateFile certificates first, each with the
 * IdentityFile key it certifies, else (unless IdentitiesOnly) signed by the ssh-agent's key
 * (agent-certificates.ts, after those with a key file); then the key files (the inventory's
 * first), each followed by its `FILE-cert.pub` when that exists and no CertificateFile is given
 * (ssh offers the plain key, then the certificate); then the ssh-agent's keys and certificates
 * (unless IdentitiesOnly); then the password, and keyboard-interactive answered with it.
 */
export function authMethods(hop: Hop, keys: KeyStore): { methods: AuthMethod[]; problems: string[] } {
  const username = hop.user;
  const methods: AuthMethod[] = [];
  const problems: string[] = [];
  const loadedKeys = hop.identityFiles.map((file) => ({ file, loaded: keys.get(file) }));
  const certificateFiles = hop.certificateFiles ?? [];
  const agent = process.env.SSH_AUTH_SOCK && !hop.identitiesOnly ? process.env.SSH_AUTH_SOCK : undefined;
  const forAgent: OpenSshCertificate[] = [];
  for (const file of certificateFiles) {
    const c = loadCertificate(keys, file);
    if ('problem' in c) {
      problems.push(c.problem);
      continue;
    }
    const id = loadedKeys.find(({ loaded }) => 'key' in loaded && loaded.key.getPublicSSH().equals(c.cert.publicKey));
    if (id && 'key' in id.loaded) methods.push({ type: 'publickey', username, key: presentedAs(id.loaded.key, c.cert) });
    else if (agent) forAgent.push(c.cert);
    else
      problems.push(
        `${file} certifies ${c.cert.keyType} ${hostKeyFingerprint(c.cert.publicKey)}, which no IdentityFile holds${hop.identitiesOnly ? ' (IdentitiesOnly: not the ssh-agent either)' : ', and there is no ssh-agent'}`,
      );
  }
  if (agent && forAgent.length > 0) methods.push({ type: 'agent', username, agent: new AgentCertificates(agent, forAgent) });
  const missing: string[] = [];
  for (const { file, loaded } of loadedKeys) {
    if ('problem' in loaded) {
      if (loaded.missing) missing.push(file);
      else problems.push(loaded.problem);
      continue;
    }
    methods.push({ type: 'publickey', username, key: loaded.key });
    const certFile = certificateFiles.length === 0 ? defaultCertificateFile(file) : undefined;
    if (certFile === undefined) continue;
    const c = loadCertificate(keys, certFile);
    // as ssh: a default certificate that is unreadable, not a user certificate or for another key is passed over
    if ('cert' in c && loaded.key.getPublicSSH().equals(c.cert.publicKey)) methods.push({ type: 'publickey', username, key: presentedAs(loaded.key, c.cert) });
  }
  if (missing.length) problems.push(`no key file: ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist`);
  if (agent) methods.push({ type: 'agent', username, agent });
  if (hop.password !== undefined) {
    const password = hop.password;
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map((p) => (isPasswordPrompt(p) ? password : ''))),
    });
  }
  return { methods, problems };
}

/** What authentication came to, for the message when every method failed (ssh-errors.ts). */
export interface AuthTrail {
  /** the methods the server last said may continue (its last USERAUTH_FAILURE's list) */
  serverMethods?: string[];
  /** a key (a file's, the agent's) was offered */
  keyOffered?: boolean;
  /** there was a password to try */
  passwordGiven?: boolean;
  /** the password was sent (as a password, or as the answer to a keyboard-interactive password prompt) and refused: a failure that still lists the method, not a "not that way" */
  passwordRefused?: boolean;
}

/**
 * ssh2's authentication handler over `methods`, in their order, noting in `trail` what the server
 * answered. As ssh, a method the server does not list (its failure's list) is not tried: no
 * password is sent to a server that takes none. The array is read as it goes, so a method taken
 * out of it before the connection (an untrusted host key: no password) is never tried.
 */
export function authHandler(methods: AuthMethod[], trail: AuthTrail): ssh2.AuthHandlerMiddleware {
  let next = 0;
  let pending: 'password' | 'keyboard-interactive' | undefined;
  return (authsLeft) => {
    trail.passwordGiven ??= methods.some((m) => m.type === 'password');
    if (authsLeft) {
      trail.serverMethods = authsLeft;
      if (pending && authsLeft.includes(pending)) trail.passwordRefused = true;
    }
    pending = undefined;
    while (next < methods.length) {
      const m = methods[next++]!;
      if (authsLeft && !authsLeft.includes(m.type === 'agent' ? 'publickey' : m.type)) continue;
      if (m.type === 'publickey' || m.type === 'agent') trail.keyOffered = true;
      if (m.type === 'password') pending = 'password';
      if (m.type !== 'keyboard-interactive') return m as unknown as ssh2.AuthenticationType;
      const noted: AuthMethod = {
        ...m,
        prompt: (name, instructions, lang, prompts, finish) => {
          if (prompts.some(isPasswordPrompt)) pending = 'keyboard-interactive';
          m.prompt(name, instructions, lang, prompts, finish);
        },
      };
      return noted as unknown as ssh2.AuthenticationType;
    }
    return false;
  };
}
