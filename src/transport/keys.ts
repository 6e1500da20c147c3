import { createPrivateKey } from 'node:crypto';
import ssh2 from 'ssh2';
import { TransportError } from '../errors.js';
import { INPUT_KINDS, InputFileError, readInputFile } from '../files/read-input-file.js';

const { utils } = ssh2;

type ParsedKey = ssh2.ParsedKey;

/** A private key ready for ssh2 (parsed and decrypted once, for every connection), or why it cannot be used. */
export type LoadedKey = { file: string; key: ParsedKey } | { file: string; problem: string; missing?: true };

export type AskPassphrase = (file: string) => Promise<string | undefined>;

function isEncryptedError(err: Error): boolean {
  return /encrypted|passphrase|bad decrypt/i.test(err.message);
}

/**
 * Private keys, each read (and decrypted) once per run, before any connection is made: the
 * passphrase comes from CNET_SSH_KEY_PASSPHRASE, or from `ask` (a prompt, when interactive).
 */
export class KeyStore {
  private keys = new Map<string, LoadedKey>();

  constructor(private ask: AskPassphrase = async () => process.env.CNET_SSH_KEY_PASSPHRASE) {}

  async load(files: string[]): Promise<void> {
    for (const file of files) {
      if (this.keys.has(file)) continue;
      this.keys.set(file, await this.read(file));
    }
  }

  private async read(file: string): Promise<LoadedKey> {
    let key: Buffer;
    try {
      key = readInputFile(file, INPUT_KINDS.privateKey);
    } catch (err) {
      // as ssh, a key file that does not exist is passed over (ssh's default ones mostly do not)
      return { file, problem: (err as Error).message, ...(err instanceof InputFileError && err.code === 'ENOENT' ? { missing: true as const } : {}) };
    }
    const plain = utils.parseKey(key);
    if (!(plain instanceof Error))
      return plain.isPrivateKey() ? { file, key: signsWithKeyObject(plain) } : { file, problem: `${file} is a public key: name the private key file` };
    if (!isEncryptedError(plain)) return { file, problem: `${file} is not a private key ssh2 can read: ${plain.message}` };
    const passphrase = process.env.CNET_SSH_KEY_PASSPHRASE ?? (await this.ask(file));
    if (passphrase === undefined) return { file, problem: `${file} is encrypted: set CNET_SSH_KEY_PASSPHRASE (or run interactively to be asked)` };
    const parsed = utils.parseKey(key, passphrase);
    if (parsed instanceof Error) return { file, problem: `${file}: wrong passphrase` };
    return { file, key: signsWithKeyObject(parsed) };
  }

  get(file: string): LoadedKey {
    const k = this.keys.get(file);
    if (!k) throw new TransportError(`private key ${file} was not loaded`);
    return k;
  }
}

/**
 * ssh2 keeps a parsed key's private half as PEM text and parses it again for every signature (one
 * per connection: ~1.5 ms of the controller's CPU each). Node signs just as well with a KeyObject
 * made once. Left as it is when ssh2 no longer keeps the PEM where it did.
 */
function signsWithKeyObject(k: ParsedKey): ParsedKey {
  const slot = Object.getOwnPropertySymbols(k).find((s) => s.description === 'Private key PEM');
  const fields = k as unknown as Record<symbol, unknown>;
  if (slot && typeof fields[slot] === 'string') fields[slot] = createPrivateKey(fields[slot] as string);
  return k;
}
