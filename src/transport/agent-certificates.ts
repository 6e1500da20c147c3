import ssh2 from 'ssh2';
import type { OpenSshCertificate } from './openssh/certificate.js';

type ParsedKey = ssh2.ParsedKey;
type SignCallback = ssh2.SignCallback;

/**
 * `key` presented as the certificate: ssh2 takes it as a parsed key (it inherits the key, its
 * private half if it has one) whose type and public blob are the certificate's; the patched ssh2
 * (patches/ssh2+1.17.0.patch) signs as the plain key and names the signature after it.
 */
export function presentedAs(key: ParsedKey, cert: OpenSshCertificate): ParsedKey {
  const blob = cert.blob;
  return Object.create(key, { type: { value: cert.certType }, getPublicSSH: { value: () => blob } }) as ParsedKey;
}

/**
 * The ssh-agent at `socket`, seen as ssh sees it for CertificateFile certificates whose private
 * key only the agent holds (sshconnect2.c sign_and_send_pubkey: the certificate is sent, the
 * agent's plain key signs): it lists those certificates, each for a key the agent has, and signs
 * for them with that key.
 */
export class AgentCertificates extends ssh2.OpenSSHAgent {
  private presented = new WeakMap<object, ParsedKey>();

  constructor(
    socket: string,
    private certificates: OpenSshCertificate[],
  ) {
    super(socket);
  }

  override getIdentities(cb: ssh2.IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) => {
      if (err || !keys) return cb(err ?? new Error('the ssh-agent listed no keys'));
      // OpenSSHAgent lists parsed keys
      const parsed = keys.filter((k): k is ParsedKey => 'getPublicSSH' in k);
      const out: ParsedKey[] = [];
      for (const cert of this.certificates) {
        const key = parsed.find((k) => k.getPublicSSH().equals(cert.publicKey));
        if (!key) continue;
        const shown = presentedAs(key, cert);
        this.presented.set(shown, key);
        out.push(shown);
      }
      cb(null, out);
    });
  }

  override sign(pubKey: ParsedKey | Buffer | string, data: Buffer, options?: ssh2.SigningRequestOptions | SignCallback, cb?: SignCallback): boolean {
    const plain = typeof pubKey === 'object' && !Buffer.isBuffer(pubKey) ? this.presented.get(pubKey) : undefined;
    if (typeof options === 'function') return super.sign(plain ?? pubKey, data, options);
    return super.sign(plain ?? pubKey, data, options, cb);
  }
}
