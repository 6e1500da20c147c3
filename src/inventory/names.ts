/**
 * Names from an inventory end up in shell commands and in file names under /run/netns, so they
 * are held to a strict alphabet: letters, digits, `_`, `.`, `-`; not starting with `-` or `.`.
 */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED = new Set(['all', 'default', 'lo']);

export const IFNAME_MAX = 15;
export const NSNAME_MAX = 64;

/** Characters a terminal does not show as themselves: controls, format (bidi, zero-width), line separators. */
const UNSHOWN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** `\uXXXX` for each UTF-16 unit of `c` */
const escape = (c: string) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/** `text` with every character in UNSHOWN as `\uXXXX`: for text quoted from the file, as YAML's errors do. */
export function escapeUnshown(text: string): string {
  return text.replace(UNSHOWN, escape);
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
