/**
 * OpenSSH certificates (PROTOCOL.certkeys): parsing a certificate blob, checking the CA's
 * signature, and the checks `ssh` makes of a host certificate (sshkey.c cert_parse,
 * sshkey_cert_check_authority, sshkey_cert_check_host, as in OpenSSH 9.2). Pure: no I/O.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { showText } from '../../shown.js';

/** certificate blob type → the type of the key it certifies */
const CERT_KEY_TYPES: Readonly<Record<string, string>> = {
  'ssh-ed25519-cert-v01@openssh.com': 'ssh-ed25519',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': 'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': 'ecdsa-sha2-nistp521',
  'ssh-rsa-cert-v01@openssh.com': 'ssh-rsa',
};

/** ssh's default CASignatureAlgorithms (OpenSSH 9.2 myproposal.h SSH_ALLOWED_CA_SIGALGS, without the FIDO ones): no ssh-rsa (SHA-1) */
export const DEFAULT_CA_SIGNATURE_ALGORITHMS: readonly string[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
];

/** sshkey.h SSHKEY_CERT_MAX_PRINCIPALS */
const MAX_PRINCIPALS = 256;
/** ssh-rsa.c: OpenSSH refuses smaller RSA keys (SSH_RSA_MINIMUM_MODULUS_SIZE) */
const RSA_MIN_BITS = 1024;
const FOREVER = 0xffffffffffffffffn;

const CURVES: Readonly<Record<string, { name: string; crv: string; bytes: number }>> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', crv: 'P-256', bytes: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', crv: 'P-384', bytes: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', crv: 'P-521', bytes: 66 },
};

export interface CertificateOption {
  name: string;
  /** the option's data as in the certificate (for most options itself a length-prefixed string; empty for a flag) */
  data: Buffer;
}

export interface OpenSshCertificate {
  /** the whole certificate blob */
  blob: Buffer;
  /** e.g. `ssh-ed25519-cert-v01@openssh.com` */
  certType: string;
  nonce: Buffer;
  /** the certified key as a plain SSH public key blob (e.g. `ssh-ed25519` + key) */
  publicKey: Buffer;
  /** its type, e.g. `ssh-ed25519` */
  keyType: string;
  serial: bigint;
  type: 'user' | 'host';
  keyId: string;
  principals: string[];
  /** seconds since the epoch; 0 = always */
  validAfter: bigint;
  /** seconds since the epoch; 2^64-1 = forever */
  validBefore: bigint;
  criticalOptions: CertificateOption[];
  extensions: CertificateOption[];
  /** the CA's public key blob */
  signatureKey: Buffer;
  /** the signature blob: string algorithm, string signature */
  signature: Buffer;
  /** the signature's algorithm, e.g. `ssh-ed25519`, `rsa-sha2-512` */
  signatureType: string;
  /** how many bytes of `blob` the signature covers (everything before the signature field) */
  signedLength: number;
}

/** Is this a certificate key type (blob type or host key / publickey algorithm name, e.g. `rsa-sha2-512-cert-v01@openssh.com`)? */
export function isCertificateType(keyType: string): boolean {
  return keyType.endsWith('-cert-v01@openssh.com');
}

/** A bounded reader of SSH wire data: every length is checked against what is left. */
class Reader {
  pos = 0;
  constructor(
    private buf: Buffer,
    private what: string,
  ) {}
  get left(): number {
    return this.buf.length - this.pos;
  }
  private fail(msg: string): never {
    throw new Error(`malformed ${this.what}: ${msg}`);
  }
  uint32(field: string): number {
    if (this.left < 4) this.fail(`${field} is cut short`);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint64(field: string): bigint {
    if (this.left < 8) this.fail(`${field} is cut short`);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(field: string): Buffer {
    const len = this.uint32(field);
    if (len > this.left) this.fail(`${field} claims ${len} bytes, ${this.left} are left`);
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }
  /** a string without NUL bytes (sshbuf_get_cstring), as UTF-8 */
  text(field: string): string {
    const b = this.bytes(field);
    if (b.includes(0)) this.fail(`${field} holds a NUL byte`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return this.fail(`${field} is not UTF-8`);
    }
  }
  end(field: string): void {
    if (this.left !== 0) this.fail(`${this.left} bytes after ${field}`);
  }
}

function options(data: Buffer, what: string): CertificateOption[] {
  const r = new Reader(data, what);
  const out: CertificateOption[] = [];
  while (r.left > 0) out.push({ name: r.text('option name'), data: Buffer.from(r.bytes('option data')) });
  return out;
}

function sshString(...parts: (Buffer | string)[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const b = typeof p === 'string' ? Buffer.from(p) : p;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return [len, b];
    }),
  );
}

/** An mpint's magnitude: positive, without leading zeros. */
function unsignedInt(b: Buffer, field: string, what: string): Buffer {
  if (b.length > 0 && (b[0]! & 0x80) !== 0) throw new Error(`malformed ${what}: ${field} is negative`);
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

/** The certified key's fields, read from `r`, as a plain public key blob. */
function readPlainKey(r: Reader, keyType: string, what: string): Buffer {
  const curve = CURVES[keyType];
  if (keyType === 'ssh-ed25519') {
    const pk = r.bytes('ed25519 key');
    if (pk.length !== 32) throw new Error(`malformed ${what}: ed25519 key of ${pk.length} bytes`);
    return sshString(keyType, pk);
  }
  if (curve) {
    const name = r.text('curve name');
    if (name !== curve.name) throw new Error(`malformed ${what}: curve ${name} in a ${keyType} key`);
    const q = r.bytes('ecdsa point');
    if (q.length !== 1 + 2 * curve.bytes || q[0] !== 4) throw new Error(`malformed ${what}: not an uncompressed ${curve.name} point`);
    return sshString(keyType, name, q);
  }
  if (keyType === 'ssh-rsa') {
    const e = r.bytes('rsa exponent');
    const n = r.bytes('rsa modulus');
    const bits = unsignedInt(n, 'rsa modulus', what);
    unsignedInt(e, 'rsa exponent', what);
    const size = bits.length === 0 ? 0 : (bits.length - 1) * 8 + (32 - Math.clz32(bits[0]!));
    if (size < RSA_MIN_BITS) throw new Error(`malformed ${what}: RSA key of ${size} bits (OpenSSH refuses fewer than ${RSA_MIN_BITS})`);
    return sshString(keyType, e, n);
  }
  throw new Error(`malformed ${what}: unsupported key type ${keyType}`);
}

/**
 * Parse an OpenSSH certificate blob (`*-cert-v01@openssh.com`). Every length is checked; a
 * malformed blob, an unknown certificate type, a CA key that is itself a certificate, or bytes
 * after the signature throw an Error saying what is wrong. The signature is not checked here
 * (verifyCertificateSignature).
 */
export function parseCertificate(blob: Buffer): OpenSshCertificate {
  const what = 'OpenSSH certificate';
  const r = new Reader(blob, what);
  const certType = r.text('key type');
  const keyType = CERT_KEY_TYPES[certType];
  if (!keyType) throw new Error(`not a supported OpenSSH certificate: key type ${showText(certType.slice(0, 80))}`);
  const nonce = Buffer.from(r.bytes('nonce'));
  const publicKey = readPlainKey(r, keyType, what);
  const serial = r.uint64('serial');
  const typeCode = r.uint32('certificate type');
  const keyId = r.text('key id');
  const principalsData = r.bytes('principals');
  const validAfter = r.uint64('valid after');
  const validBefore = r.uint64('valid before');
  const critical = r.bytes('critical options');
  const exts = r.bytes('extensions');
  r.bytes('reserved');
  const signatureKey = Buffer.from(r.bytes('signature key'));
  const signedLength = r.pos;
  const signature = Buffer.from(r.bytes('signature'));
  r.end('the signature');
  if (typeCode !== 1 && typeCode !== 2) throw new Error(`malformed ${what}: certificate type ${typeCode} is neither user (1) nor host (2)`);
  const pr = new Reader(principalsData, `${what} principals`);
  const principals: string[] = [];
  while (pr.left > 0) {
    if (principals.length >= MAX_PRINCIPALS) throw new Error(`malformed ${what}: more than ${MAX_PRINCIPALS} principals`);
    principals.push(pr.text('principal'));
  }
  const ca = new Reader(signatureKey, `${what} signature key`);
  const caType = ca.text('key type');
  if (isCertificateType(caType)) throw new Error(`malformed ${what}: the signature key is itself a certificate`);
  const sr = new Reader(signature, `${what} signature`);
  const signatureType = sr.text('signature type');
  return {
    blob: Buffer.from(blob),
    certType,
    nonce,
    publicKey,
    keyType,
    serial,
    type: typeCode === 1 ? 'user' : 'host',
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions: options(critical, `${what} critical options`),
    extensions: options(exts, `${what} extensions`),
    signatureKey,
    signature,
    signatureType,
    signedLength,
  };
}

const b64url = (b: Buffer) => b.toString('base64url');

/** A plain SSH public key blob as a node KeyObject, with the signature algorithms it may sign with. */
function caKey(blob: Buffer): { key: KeyObject; type: string; curveBytes?: number; modulusBytes?: number } {
  const what = 'certificate signature key';
  const r = new Reader(blob, what);
  const type = r.text('key type');
  const curve = CURVES[type];
  if (type === 'ssh-ed25519') {
    const pk = r.bytes('ed25519 key');
    r.end('the key');
    if (pk.length !== 32) throw new Error(`malformed ${what}: ed25519 key of ${pk.length} bytes`);
    return { type, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(pk) }, format: 'jwk' }) };
  }
  if (curve) {
    const name = r.text('curve name');
    const q = r.bytes('ecdsa point');
    r.end('the key');
    if (name !== curve.name || q.length !== 1 + 2 * curve.bytes || q[0] !== 4) throw new Error(`malformed ${what}: bad ${type} key`);
    const x = q.subarray(1, 1 + curve.bytes);
    const y = q.subarray(1 + curve.bytes);
    return { type, curveBytes: curve.bytes, key: createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64url(x), y: b64url(y) }, format: 'jwk' }) };
  }
  if (type === 'ssh-rsa') {
    readPlainKey(r, type, what);
    r.end('the key');
    const again = new Reader(blob, what);
    again.text('key type');
    const e = unsignedInt(again.bytes('rsa exponent'), 'rsa exponent', what);
    const n = unsignedInt(again.bytes('rsa modulus'), 'rsa modulus', what);
    return { type, modulusBytes: n.length, key: createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' }) };
  }
  throw new Error(`certificate signed by an unsupported CA key type ${showText(type.slice(0, 80))}`);
}

/** Which signature algorithms a CA key of `type` makes, and the hash each uses. */
function signatureHash(caType: string, sigType: string): string | null | undefined {
  if (caType === 'ssh-ed25519') return sigType === 'ssh-ed25519' ? null : undefined;
  if (caType === 'ssh-rsa') return ({ 'ssh-rsa': 'sha1', 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' } as Record<string, string>)[sigType];
  if (sigType !== caType) return undefined;
  return ({ 'ecdsa-sha2-nistp256': 'sha256', 'ecdsa-sha2-nistp384': 'sha384', 'ecdsa-sha2-nistp521': 'sha512' } as Record<string, string>)[caType];
}

/**
 * Does the CA's signature cover the certificate (everything before the signature field)? As ssh
 * does: the signature algorithm must fit the CA key and be one of `allowed` (CASignatureAlgorithms;
 * OpenSSH 9.2 refuses ssh-rsa, SHA-1, by default). `undefined` when it holds, else the reason.
 */
export function verifyCertificateSignature(cert: OpenSshCertificate, allowed: readonly string[] = DEFAULT_CA_SIGNATURE_ALGORITHMS): string | undefined {
  let ca: ReturnType<typeof caKey>;
  try {
    ca = caKey(cert.signatureKey);
  } catch (err) {
    return (err as Error).message;
  }
  const hash = signatureHash(ca.type, cert.signatureType);
  if (hash === undefined) return `the certificate's signature (${cert.signatureType.slice(0, 80)}) does not fit its ${ca.type} CA key`;
  const sr = new Reader(cert.signature, 'certificate signature');
  let sig: Buffer;
  try {
    sr.text('signature type');
    sig = sr.bytes('signature');
    sr.end('the signature');
    if (ca.curveBytes !== undefined) {
      const inner = new Reader(sig, 'ecdsa signature');
      const parts = [inner.bytes('r'), inner.bytes('s')].map((v) => unsignedInt(v, 'ecdsa signature', 'ecdsa signature'));
      inner.end('s');
      const size = ca.curveBytes;
      if (parts.some((p) => p.length > size)) return 'malformed certificate signature: ecdsa value too long';
      sig = Buffer.concat(parts.map((p) => Buffer.concat([Buffer.alloc(size - p.length), p])));
    }
    if (ca.modulusBytes !== undefined) {
      // ssh-rsa.c: a signature shorter than the modulus is left-padded with zeros, a longer one refused
      if (sig.length > ca.modulusBytes) return 'malformed certificate signature: longer than the RSA modulus';
      sig = Buffer.concat([Buffer.alloc(ca.modulusBytes - sig.length), sig]);
    }
  } catch (err) {
    return (err as Error).message;
  }
  const signed = cert.blob.subarray(0, cert.signedLength);
  let ok: boolean;
  try {
    ok = verify(hash, signed, ca.curveBytes !== undefined ? { key: ca.key, dsaEncoding: 'ieee-p1363' } : ca.key, sig);
  } catch {
    ok = false;
  }
  if (!ok) return 'the CA signature on the certificate does not verify (the certificate was altered, or not signed by its CA key)';
  if (!allowed.includes(cert.signatureType)) {
    return `the certificate is signed with ${cert.signatureType}${cert.signatureType === 'ssh-rsa' ? ' (SHA-1)' : ''}, which ssh refuses by default (CASignatureAlgorithms: ${allowed.join(',')}); re-sign it with ssh-keygen -s CA -t rsa-sha2-512`;
  }
  return undefined;
}

/** `YYYY-MM-DDTHH:MM:SS` (UTC) or always/forever, for messages. */
export function formatCertificateTime(t: bigint): string {
  if (t === 0n) return 'always';
  if (t === FOREVER) return 'forever';
  const ms = t * 1000n;
  if (ms > 8_640_000_000_000_000n) return `${t}`;
  return new Date(Number(ms)).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * The checks `ssh` makes of a host certificate once its CA is trusted (sshkey_cert_check_host,
 * OpenSSH 9.2): the CA signature holds, it is a host certificate, valid at `now`, `name` is one of
 * its principals (an empty list is valid for every name, as ssh has it: require_principal is 0
 * for host certificates; names are compared exactly, no wildcards), and it has no critical option
 * (ssh knows none for hosts). `undefined` when acceptable, else the reason.
 */
export function checkHostCertificate(cert: OpenSshCertificate, { name, now }: { name: string; now: Date }): string | undefined {
  const bad = verifyCertificateSignature(cert);
  if (bad) return bad;
  if (cert.type !== 'host') return 'it is a user certificate, not a host certificate';
  const t = BigInt(Math.floor(now.getTime() / 1000));
  if (t < cert.validAfter) return `the certificate is not yet valid (valid from ${formatCertificateTime(cert.validAfter)})`;
  if (t >= cert.validBefore) return `the certificate has expired (valid until ${formatCertificateTime(cert.validBefore)})`;
  if (cert.principals.length > 0 && !cert.principals.includes(name)) {
    const listed = cert.principals.slice(0, 8).map(showText).join(', ');
    return `${showText(name)} is not among the certificate's principals (${listed}${cert.principals.length > 8 ? ', …' : ''})`;
  }
  if (cert.criticalOptions.length > 0) {
    return `the certificate has critical options (${cert.criticalOptions.map((o) => showText(o.name)).join(', ')}) and ssh knows none for a host certificate`;
  }
  return undefined;
}
