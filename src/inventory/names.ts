import { showText } from '../shown.js';

/**
 * Names from an inventory end up in shell commands and in file names under /run/netns, so they
 * are held to a strict alphabet: letters, digits, `_`, `.`, `-`; not starting with `-` or `.`.
 */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED = new Set(['all', 'default', 'lo']);

export const IFNAME_MAX = 15;
export const NSNAME_MAX = 64;

function check(kind: string, name: string, max: number): string | undefined {
  if (name.length === 0) return `${kind} name is empty`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (!NAME.test(name)) {
    return `${kind} name ${showText(name)} is not allowed: use letters, digits, '_', '.', '-', not starting with '-' or '.'`;
  }
  if (bytes > max) return `${kind} name ${showText(name)} is ${bytes} bytes long: at most ${max}`;
  if (RESERVED.has(name)) return `${kind} name ${showText(name)} is reserved by the kernel`;
  return undefined;
}

/** undefined when valid, else what is wrong */
export function checkInterfaceName(name: string): string | undefined {
  return check('interface', name, IFNAME_MAX);
}

export function checkNamespaceName(name: string): string | undefined {
  return check('namespace', name, NSNAME_MAX);
}
