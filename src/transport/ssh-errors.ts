import { errorMessage } from '../errors.js';

/** ssh2 / socket errors → one clear line. */
export function describeSshError(err: unknown, target: string): string {
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
  if (e.level === 'client-authentication') return `${target}: authentication failed (no key was accepted)`;
  if (e.level === 'client-timeout') return `${target}: timed out during the SSH handshake`;
  return `${target}: ${errorMessage(err)}`;
}
