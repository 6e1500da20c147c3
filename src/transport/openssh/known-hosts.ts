/**
 * OpenSSH known_hosts files for the ssh2 transport: parsing (plain, wildcard, negated and hashed
 * host fields, `@revoked` / `@cert-authority` markers), looking a name up with OpenSSH's
 * semantics, and appending new keys as ssh does. What to trust is host-key-policy.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { INPUT_KINDS, InputFileError, readInputText } from '../../files/read-input-file.js';
import { lowercaseAscii, matchPatternEntries } from './pattern.js';
import { checkHostCertificateKey, isCertificateBlob, principalOf } from './host-certificate.js';

export type KnownHostMarker = 'revoked' | 'cert-authority';

/** The host field of a known_hosts line. */
export type KnownHostPatterns =
  /** comma-separated patterns, e.g. `web1,10.0.0.5`, `[web1]:2222`, `*.lab`, `!bad.lab` */
  | { kind: 'patterns'; patterns: string[] }
  /** `|1|base64salt|base64hash`: HMAC-SHA1(key = salt, data = lookup name) */
  | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  /** 1-based line number in the text it was parsed from */
  line: number;
  marker?: KnownHostMarker;
  /** the host field as written */
  hostField: string;
  hosts: KnownHostPatterns;
  keyType: string;
  /** the decoded public key blob (SSH wire format) */
  key: Buffer;
  comment?: string;
}

export type HostKeyCheck =
  | { status: 'match' }
  | { status: 'unknown' }
  | { status: 'changed'; knownFingerprints: string[] }
  | { status: 'revoked' }
  /** a host certificate not trusted, and its plain key not known either (host-certificate.ts) */
  | { status: 'cert-refused'; reason: string };

const HASH_MAGIC = '|1|';
const SHA1_LEN = 20;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

/** OpenSSH fingerprint: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('malformed SSH public key blob: too short');
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 256 || 4 + len > keyBlob.length) {
    throw new Error('malformed SSH public key blob: bad key type length');
  }
  const type = keyBlob.toString('latin1', 4, 4 + len);
  if (!/^[\x21-\x7e]+$/.test(type)) throw new Error('malformed SSH public key blob: bad key type');
  return type;
}

/** The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` otherwise (lowercased). */
export function knownHostsName(host: string, port: number): string {
  const h = lowercaseAscii(host);
  return port === 22 ? h : `[${h}]:${port}`;
}

function decodeBase64Strict(s: string): Buffer | undefined {
  if (!BASE64_RE.test(s) || s.length % 4 === 1) return undefined;
  const buf = Buffer.from(s, 'base64');
  return buf.length > 0 ? buf : undefined;
}

function parseHostField(field: string): KnownHostPatterns | undefined {
  if (field.startsWith('|')) {
    if (!field.startsWith(HASH_MAGIC)) return undefined;
    const parts = field.slice(HASH_MAGIC.length).split('|');
    if (parts.length !== 2) return undefined;
    const salt = decodeBase64Strict(parts[0] ?? '');
    const hash = decodeBase64Strict(parts[1] ?? '');
    if (!salt || !hash || salt.length !== SHA1_LEN || hash.length !== SHA1_LEN) return undefined;
    return { kind: 'hashed', salt, hash };
  }
  const patterns = field.split(',').filter((p) => p !== '' && p !== '!');
  if (patterns.length === 0) return undefined;
  return { kind: 'patterns', patterns };
}

/** Split off the next whitespace-delimited field; `rest` keeps the remainder verbatim. */
function nextField(s: string): { field: string; rest: string } {
  const m = /^[ \t]*([^ \t]+)(.*)$/.exec(s);
  if (!m) return { field: '', rest: '' };
  return { field: m[1] ?? '', rest: m[2] ?? '' };
}

function parseLine(raw: string, lineNo: number): KnownHostEntry | undefined {
  const line = raw.replace(/\r$/, '');
  const trimmed = line.replace(/^[ \t]+/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;

  let { field, rest } = nextField(trimmed);
  let marker: KnownHostMarker | undefined;
  if (field.startsWith('@')) {
    if (field === '@revoked') marker = 'revoked';
    else if (field === '@cert-authority') marker = 'cert-authority';
    else return undefined; // unknown marker: OpenSSH skips the line
    ({ field, rest } = nextField(rest));
  }
  const hostField = field;
  const hosts = parseHostField(hostField);
  if (!hosts) return undefined;

  const typeF = nextField(rest);
  const keyF = nextField(typeF.rest);
  const keyType = typeF.field;
  if (keyType === '' || keyF.field === '') return undefined;
  const key = decodeBase64Strict(keyF.field);
  if (!key) return undefined;
  let blobType: string;
  try {
    blobType = keyTypeOf(key);
  } catch {
    return undefined;
  }
  if (blobType !== keyType) return undefined;

  const comment = keyF.rest.trim();
  const entry: KnownHostEntry = { line: lineNo, hostField, hosts, keyType, key };
  if (marker) entry.marker = marker;
  if (comment !== '') entry.comment = comment;
  return entry;
}

/** Parse known_hosts text. Comments, blank and malformed lines are skipped; never throws. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = parseLine(lines[i] ?? '', i + 1);
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Does this entry's host field cover `name` (as knownHostsName makes it, or a HostKeyAlias)?
 * OpenSSH semantics: case-insensitive; a matching negated pattern (`!pattern`) excludes the name
 * whatever else matches. Markers are ignored here.
 */
export function matchHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.kind === 'hashed') {
    const digest = createHmac('sha1', entry.hosts.salt).update(name).digest();
    return digest.equals(entry.hosts.hash);
  }
  // hostfile.c: match_hostname() on the field (the name is already lowercase)
  return matchPatternEntries(name, entry.hosts.patterns, true) === 1;
}

/**
 * Look the offered key up. `revoked` wins over everything; then `match` if any plain entry for
 * the host has this exact key; `changed` if the host has known keys but none is this one;
 * otherwise `unknown`. `@cert-authority` entries never match a plain host key.
 */
export function checkHostKey(entries: KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyCheck {
  if (isCertificateBlob(keyBlob)) return checkHostCertificateKey(entries, name, principalOf(name), keyBlob, new Date());
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && matchHost(e, name));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob))) return { status: 'revoked' };
  const known = forHost.filter((e) => e.marker === undefined);
  if (known.some((e) => e.key.equals(keyBlob))) return { status: 'match' };
  if (known.length === 0) return { status: 'unknown' };
  const knownFingerprints = [...new Set(known.map((e) => hostKeyFingerprint(e.key)))];
  return { status: 'changed', knownFingerprints };
}

/**
 * Whether ssh records a new key under this name: never one with a character that would make a
 * pattern or another field (sshconnect.c refuses `@?*#[]|'"\\` in the host name before adding its port).
 */
export function recordableName(host: string): boolean {
  return host !== '' && !/[\s,@?*#[\]|'"\\!]/.test(host);
}

/** The unhashed line ssh appends for these names (`host` or `host,ip`, as knownHostsName makes them), without newline. */
export function knownHostsLine(names: string[], keyBlob: Buffer): string {
  for (const name of names) {
    if (name === '' || /[\s,#]/.test(name) || /^[@|!]/.test(name)) throw new Error(`cannot write a known_hosts line for host ${JSON.stringify(name)}`);
  }
  return `${names.join(',')} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}

/** A known_hosts file's text; a missing file is empty. InputFileError for one that is not a regular file, or too big. */
function knownHostsText(file: string): string {
  try {
    return readInputText(file, INPUT_KINDS.knownHosts);
  } catch (err) {
    if (err instanceof InputFileError && err.code === 'ENOENT') return '';
    throw err;
  }
}

/** Read and parse a known_hosts file; a missing file is empty. */
export function readKnownHosts(file: string): KnownHostEntry[] {
  return parseKnownHosts(knownHostsText(file));
}

/**
 * Append the host's key to known_hosts (unhashed). Creates the directory (0700) and the file
 * (0600) when missing, and adds a newline first if the file does not end with one. Skips the
 * write when the file already holds this exact key for the host, so concurrent connections to
 * one new host add one line. Entirely synchronous, hence atomic within this process.
 * Returns whether a line was added.
 */
export function appendKnownHost(file: string, names: string[], keyBlob: Buffer): boolean {
  const line = knownHostsLine(names, keyBlob);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = knownHostsText(file);
  const entries = parseKnownHosts(text);
  if (names.every((name) => checkHostKey(entries, name, keyBlob).status === 'match')) return false;
  const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${prefix}${line}\n`, { mode: 0o600 });
  return true;
}
