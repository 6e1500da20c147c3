import { showLine } from '../shown.js';

/**
 * Names from an inventory end up in shell commands and in file names under /run/netns, so they
 * are held to a strict alphabet: letters, digits, `_`, `.`, `-`; not starting with `-` or `.`.
 */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED = new Set(['all', 'default', 'lo']);

export const IFNAME_MAX = 15;
export const NSNAME_MAX = 64;

/** `text` with every character a terminal does not show as itself escaped (see shown.ts): for text quoted from the file, as YAML's errors do. */
export function escapeUnshown(text: string): string {
  return showLine(text);
}

/**
 * A name or value from the inventory as a message shows it: double-quoted, JSON-escaped, and with
 * every character in UNSHOWN escaped too, so a message stays on one line and reads as written.
 */
export function showText(text: string): string {
  return escapeUnshown(JSON.stringify(text));
}

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
