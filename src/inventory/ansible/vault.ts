import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { CnetError } from '../../errors.js';
import { escapeUnshown, showText } from '../../shown.js';

/**
 * Ansible Vault decryption, as Ansible's lib/ansible/parsing/vault/__init__.py (ansible-core 2.14)
 * reads it. A vault text is an ASCII envelope: a header line `$ANSIBLE_VAULT;1.1;AES256` (or
 * `$ANSIBLE_VAULT;1.2;AES256;<vault id>`), then hex wrapped at 80 columns. The hex decodes to three
 * lines of hex: a 32-byte salt, an HMAC-SHA256, the ciphertext. PBKDF2-HMAC-SHA256 (10000
 * iterations) of the password and salt gives 80 bytes: the AES-256 key, the HMAC key, the CTR
 * counter block. The HMAC of the ciphertext is checked (in constant time) before anything is
 * decrypted; the plaintext is PKCS#7-padded to 16 bytes.
 *
 * Tolerated as Ansible tolerates it: spaces around the header and around each of its fields, any
 * line ends (LF, CRLF, CR), blank lines and any wrapping of the hex, upper-case hex, any version
 * (Ansible reads none differently). Refused as Ansible refuses it: anything before the header,
 * anything but hex digits on the hex lines (an indentation kept, trailing spaces, a value folded
 * onto one line), a cipher other than AES256.
 */

export const VAULT_HEADER = '$ANSIBLE_VAULT';

/** The largest vault text read: the size of the largest vars file we read (a whole-file vault). */
export const MAX_VAULT_TEXT = 64 * 1024 * 1024;

const PBKDF2_ITERATIONS = 10000;
const KEY_BYTES = 32;
const IV_BYTES = 16;
const BLOCK = 16;
const HEX = /^[0-9A-Fa-f]*$/;
const NOT_HEX = /[^0-9A-Fa-f]/;
const NOT_ASCII = /[^\x00-\x7f]/;

/** The vault id a vault text without one (format 1.1) belongs to, and a secret's id when none is given. */
export const DEFAULT_VAULT_ID = 'default';

/** Why a vault text could not be decrypted. */
export type VaultProblem = 'no-secret' | 'wrong-secret' | 'malformed';

export class VaultError extends CnetError {
  constructor(
    readonly problem: VaultProblem,
    message: string,
  ) {
    super(message);
  }
}

/** A vault password and where it came from. */
export interface VaultSecret {
  /** the vault id (label) it is for: 'default' when none was given */
  id: string;
  password: Buffer;
  /** where it came from, for messages ("--vault-password-file ~/.vault_pass"): never the password */
  source: string;
}

/** Whether `text` is a vault text, as Ansible's is_encrypted decides: ASCII only, beginning with $ANSIBLE_VAULT. */
export function isVaultText(text: string): boolean {
  return text.startsWith(VAULT_HEADER) && !NOT_ASCII.test(text);
}

interface Envelope {
  /** the header's vault id, when it has one (format 1.2) */
  vaultId: string | undefined;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

function malformed(what: string): VaultError {
  return new VaultError('malformed', `malformed vault text: ${what}`);
}

const HEADER_FORMS = `${VAULT_HEADER};1.1;AES256 or ${VAULT_HEADER};1.2;AES256;<vault id>`;

/** Where the first character that is not a hex digit is, in the lines after the header. */
function whereNotHex(lines: readonly string[]): string {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const at = line.search(NOT_HEX);
    if (at < 0) continue;
    const c = line[at] as string;
    const hint =
      at === 0 && (c === ' ' || c === '\t')
        ? ': the hex lines are not indented (was the value indentation of a YAML block scalar kept?)'
        : c === ' ' || c === '\t'
          ? ': only hex digits may stand on the lines after the header'
          : '';
    return `line ${i + 1}, column ${at + 1} holds ${showText(c)}, not a hexadecimal digit${hint}`;
  }
  return 'it holds a character that is not a hexadecimal digit';
}

function hexBytes(hex: string, part: string): Buffer {
  if (!HEX.test(hex)) throw malformed(`its ${part} is not hexadecimal: the vault text is damaged`);
  if (hex.length % 2 !== 0) throw malformed(`its ${part} has an odd number of hex digits: the vault text is damaged`);
  return Buffer.from(hex, 'hex');
}

/** The envelope and the salt, HMAC and ciphertext inside it; a VaultError ('malformed') saying what is wrong otherwise. */
function parseVaultText(text: string): Envelope {
  if (text.length > MAX_VAULT_TEXT) {
    throw malformed(`it is ${text.length} characters long, over the ${MAX_VAULT_TEXT} a vault text may be`);
  }
  if (!text.startsWith(VAULT_HEADER)) {
    const start = text.trimStart().startsWith(VAULT_HEADER) ? ': it has blank space before it' : '';
    throw malformed(`it does not begin with ${VAULT_HEADER}${start}`);
  }
  const nonAscii = text.search(NOT_ASCII);
  if (nonAscii >= 0) {
    const line = text.slice(0, nonAscii).split(/\r\n|\r|\n/).length;
    throw malformed(`line ${line} holds ${showText(String.fromCodePoint(text.codePointAt(nonAscii) as number))}: a vault text is ASCII only`);
  }
  // Python's bytes.splitlines: LF, CRLF, CR
  const lines = text.split(/\r\n|\r|\n/);
  const header = (lines[0] as string).trim();
  const fields = header.split(';').map((f) => f.trim());
  if (fields.length < 3) {
    throw malformed(`its header ${showText(header)} has ${fields.length} field${fields.length === 1 ? '' : 's'}: it should be ${HEADER_FORMS}`);
  }
  const cipher = fields[2] as string;
  if (cipher !== 'AES256') {
    const folded = /^AES256\s+[0-9A-Fa-f]/.test(cipher)
      ? ': the header and the hex are on one line; they must be on lines of their own (write the value as a YAML block scalar, `!vault |`)'
      : `: only AES256 vaults exist since Ansible 2.0 (${HEADER_FORMS})`;
    throw malformed(`its cipher is ${showText(cipher.length > 40 ? `${cipher.slice(0, 40)}…` : cipher)}${folded}`);
  }
  const vaultId = fields[3] || undefined;

  const body = lines.slice(1).join('');
  if (body === '') throw malformed('it has no hex after its header: the vault text is cut short');
  if (NOT_HEX.test(body)) throw malformed(whereNotHex(lines));
  if (body.length % 2 !== 0) {
    throw malformed(`its hex is ${body.length} digits long, an odd number: the vault text was cut short or a digit was lost`);
  }
  // the hex decodes to "salt hex\nhmac hex\nciphertext hex" (split at the first two newlines, as Ansible does)
  const inner = Buffer.from(body, 'hex').toString('latin1');
  const first = inner.indexOf('\n');
  const second = first < 0 ? -1 : inner.indexOf('\n', first + 1);
  if (second < 0) {
    throw malformed(
      `its hex should decode to three lines (salt, HMAC, ciphertext) but decodes to ${first < 0 ? 1 : 2}: the vault text is cut short or damaged`,
    );
  }
  return {
    vaultId,
    salt: hexBytes(inner.slice(0, first), 'salt'),
    hmac: hexBytes(inner.slice(first + 1, second), 'HMAC'),
    ciphertext: hexBytes(inner.slice(second + 1), 'ciphertext'),
  };
}

function unpad(padded: Buffer): Buffer {
  const n = padded.length > 0 ? (padded[padded.length - 1] as number) : 0;
  const ok = padded.length % BLOCK === 0 && n >= 1 && n <= BLOCK && n <= padded.length && padded.subarray(padded.length - n).every((b) => b === n);
  // the HMAC was right, so whoever encrypted it padded it wrong
  if (!ok) throw malformed('its HMAC is right but its padding is not PKCS#7: it was not written by Ansible Vault');
  return padded.subarray(0, padded.length - n);
}

/** The plaintext, when `password` is the one: its HMAC matches. */
function decryptWith(envelope: Envelope, password: Buffer): Buffer | undefined {
  const derived = pbkdf2Sync(password, envelope.salt, PBKDF2_ITERATIONS, 2 * KEY_BYTES + IV_BYTES, 'sha256');
  const key = derived.subarray(0, KEY_BYTES);
  const hmacKey = derived.subarray(KEY_BYTES, 2 * KEY_BYTES);
  const iv = derived.subarray(2 * KEY_BYTES);
  try {
    const mac = createHmac('sha256', hmacKey).update(envelope.ciphertext).digest();
    if (mac.length !== envelope.hmac.length || !timingSafeEqual(mac, envelope.hmac)) return undefined;
    const decipher = createDecipheriv('aes-256-ctr', key, iv);
    return unpad(Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]));
  } finally {
    derived.fill(0); // key, HMAC key and IV are views of it
  }
}

/**
 * The order secrets are tried in: those of the text's vault id first (the header's, or 'default'
 * for a text without one), then the others in their order. Ansible (DEFAULT_VAULT_ID_MATCH=false)
 * tries every secret whatever its id, so the order changes only how soon the right one is found.
 */
function trialOrder(secrets: readonly VaultSecret[], vaultId: string): VaultSecret[] {
  return [...secrets.filter((s) => s.id === vaultId), ...secrets.filter((s) => s.id !== vaultId)];
}

function describe(secret: VaultSecret): string {
  return `${escapeUnshown(secret.source)} (vault id ${showText(secret.id)})`;
}

/** The decrypted bytes, and the secret that decrypted them. */
export function decryptVaultWith(text: string, secrets: readonly VaultSecret[]): { plaintext: Buffer; secret: VaultSecret } {
  const envelope = parseVaultText(text);
  const idText = envelope.vaultId === undefined ? 'without a vault id' : `of vault id ${showText(envelope.vaultId)}`;
  if (secrets.length === 0) {
    throw new VaultError(
      'no-secret',
      `cannot decrypt a vault text ${idText}: no vault password was given: pass --vault-password-file FILE, --ask-vault-pass or set ANSIBLE_VAULT_PASSWORD_FILE`,
    );
  }
  for (const secret of trialOrder(secrets, envelope.vaultId ?? DEFAULT_VAULT_ID)) {
    const plaintext = decryptWith(envelope, secret.password);
    if (plaintext !== undefined) return { plaintext, secret };
  }
  const give = envelope.vaultId === undefined ? '--vault-password-file FILE' : `--vault-id ${escapeUnshown(envelope.vaultId)}@FILE`;
  throw new VaultError(
    'wrong-secret',
    `cannot decrypt a vault text ${idText}: no vault password given decrypts it (tried ${secrets.map(describe).join(', ')}): ` +
      `give the password it was encrypted with (${give}), or check that the text was not changed`,
  );
}

/** The decrypted bytes of a vault text, trying the secrets as Ansible does; a VaultError otherwise. */
export function decryptVault(text: string, secrets: readonly VaultSecret[]): Buffer {
  return decryptVaultWith(text, secrets).plaintext;
}
