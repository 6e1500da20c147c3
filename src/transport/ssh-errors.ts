import { errorMessage } from '../errors.js';
import type { AuthTrail } from './auth.js';

/**
 * Every method failed: what the server refused. A password it refused is said (not "no key"); a
 * password it never asked for, because it takes none, is said too.
 */
function authFailure(target: string, trail: AuthTrail | undefined): string {
  const keys = trail?.keyOffered ? ' (and no key was accepted)' : '';
  if (trail?.passwordRefused)
    return `${target}: authentication failed: the password was refused${keys}; check ansible_password (or ansible_ssh_pass) for this user`;
  const offers = trail?.serverMethods?.length ? ` (the server offers: ${trail.serverMethods.join(', ')})` : '';
  if (trail?.passwordGiven && trail.serverMethods && !trail.serverMethods.some((m) => m === 'password' || m === 'keyboard-interactive'))
    return `${target}: authentication failed: no key was accepted, and the server takes no password${offers}`;
  return `${target}: authentication failed (no key was accepted)${offers}`;
}

/** ssh2 / socket errors → one clear line (`trail`: what authentication came to, when it failed). */
export function describeSshError(err: unknown, target: string, trail?: AuthTrail): string {
  const e = err as { code?: string; level?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `${target}: connection refused (is sshd running and listening on that port?)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target}: no route to host`;
    case 'ETIMEDOUT':
      return `${target}: connection timed out`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${target}: cannot resolve the host name`;
    case 'ECONNRESET':
      return `${target}: connection reset by the server`;
  }
  if (e.level === 'client-authentication') return authFailure(target, trail);
  if (e.level === 'client-timeout') return `${target}: timed out during the SSH handshake`;
  return `${target}: ${errorMessage(err)}`;
}
