/**
 * A host that offers an OpenSSH host certificate, checked as ssh 9.2's check_host_key() does
 * (sshconnect.c; hostfile.c check_hostkeys_by_key_or_type):
 * - `@revoked` wins: a revoked certified key or a revoked CA key refuses the host;
 * - an `@cert-authority` line for the name holding the certificate's CA key (a plain line does
 *   not count), and the certificate passing sshkey_cert_check_host (certificate.ts): trusted;
 * - otherwise ssh drops the certificate and checks the plain key it certifies as any host key:
 *   known → trusted; another key known → changed. When that key is not known either, ssh would go
 *   on as for a new host (refuse under StrictHostKeyChecking yes; record the plain key under
 *   accept-new). Here ssh2 hands over only the certificate, and the caller records the blob it
 *   was offered, which would write the certificate into known_hosts: so that case is refused,
 *   whatever the mode, with the reason (`cert-refused`), stricter than ssh under accept-new/no.
 */
import { quoteWord } from '../../shell/quote.js';
import { hostKeyFingerprint, keyTypeOf, matchHost, type HostKeyCheck, type KnownHostEntry } from './known-hosts.js';
import { checkHostCertificate, isCertificateType, parseCertificate, type OpenSshCertificate } from './certificate.js';

/** Is this SSH public key blob an OpenSSH certificate? */
export function isCertificateBlob(blob: Buffer): boolean {
  try {
    return isCertificateType(keyTypeOf(blob));
  } catch {
    return false;
  }
}

/** The key a certificate certifies (a plain key blob); a plain key is itself. undefined for a malformed certificate. */
export function certifiedKey(blob: Buffer): Buffer | undefined {
  if (!isCertificateBlob(blob)) return blob;
  try {
    return parseCertificate(blob).publicKey;
  } catch {
    return undefined;
  }
}

/** The principal ssh checks a host certificate for, from the name known_hosts is searched for: `[host]:port` → `host`. */
export function principalOf(lookupName: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(lookupName);
  return m ? m[1]! : lookupName;
}

/**
 * Check a host certificate `certBlob` offered by the host looked up as `lookupName` (as
 * knownHostsName makes it, or a HostKeyAlias) against known_hosts `entries`; `principal` is the
 * name the certificate must list (the host name or HostKeyAlias, without port).
 */
export function checkHostCertificateKey(entries: KnownHostEntry[], lookupName: string, principal: string, certBlob: Buffer, now: Date): HostKeyCheck {
  let cert: OpenSshCertificate;
  try {
    cert = parseCertificate(certBlob);
  } catch (err) {
    // no key to fall back to either: ssh fails to read such a key in the key exchange
    return { status: 'cert-refused', reason: `the host certificate cannot be read: ${(err as Error).message}` };
  }
  const forName = entries.filter((e) => matchHost(e, lookupName));
  const plain = (e: KnownHostEntry) => certifiedKey(e.key);
  if (forName.some((e) => e.marker === 'revoked' && [cert.publicKey, cert.signatureKey].some((k) => plain(e)?.equals(k)))) return { status: 'revoked' };
  const ca = forName.find((e) => e.marker === 'cert-authority' && e.key.equals(cert.signatureKey));
  const caFp = `${safeType(cert.signatureKey)} ${hostKeyFingerprint(cert.signatureKey)}`;
  let why: string;
  if (ca) {
    const bad = checkHostCertificate(cert, { name: principal, now });
    if (bad === undefined) return { status: 'match' };
    why = `its certificate, signed by the CA ${caFp} that known_hosts line ${ca.line} (@cert-authority ${ca.hostField}) trusts, is refused: ${bad}`;
  } else {
    why = `its certificate is signed by the CA ${caFp}, which no @cert-authority line for ${lookupName} in known_hosts lists`;
  }
  // as ssh: the certificate dropped, the plain key it certifies checked as any host key
  const known = forName.filter((e) => e.marker === undefined);
  if (known.some((e) => e.key.equals(cert.publicKey))) return { status: 'match' };
  if (known.length > 0) return { status: 'changed', knownFingerprints: [...new Set(known.map((e) => hostKeyFingerprint(e.key)))] };
  return {
    status: 'cert-refused',
    reason: `${why}; the key it certifies (${cert.keyType} ${hostKeyFingerprint(cert.publicKey)}) is not in known_hosts either`,
  };
}

function safeType(blob: Buffer): string {
  try {
    return keyTypeOf(blob);
  } catch {
    return 'unknown-type';
  }
}

/**
 * The error for a `cert-refused` check: why, and what to do (trust the CA for the name, or
 * re-issue the certificate, or record the host's plain key).
 */
export function hostCertificateRefusal(lookupName: string, reason: string, knownHostsFile: string): string {
  return [
    `host key verification failed for ${lookupName}: ${reason}.`,
    `If the CA is yours, trust it for this host with a line \`@cert-authority ${lookupName} <CA public key>\` in ${knownHostsFile}` +
      ` (or a pattern such as *.example.com); if the certificate is expired or lacks the name, have it re-issued (ssh-keygen -s CA -h -n ${quoteWord(principalOf(lookupName))} -V ...);` +
      ` or record the host's own key after checking its fingerprint.`,
  ].join('\n');
}
