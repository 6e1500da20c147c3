import { checkInterfaceName, checkNamespaceName } from '../inventory/names.js';
import { parseCidr } from '../inventory/ipv4.js';

/**
 * Ownership. Every interface cnet-remote creates carries the alias TAG, every NAT rule a comment
 * starting with TAG, and each host keeps a record of what `up` created, one line per object,
 * appended right after the object is made. `down` removes what the record lists — even when the
 * inventory changed since — and nothing else. The record lives under /run: like the objects it
 * lists (namespaces, links, rules, ip_forward), it does not survive a reboot.
 */
export const TAG = 'cnet-remote';
export const RECORD_DIR = '/run/cnet-remote';
export const RECORD_FILE = `${RECORD_DIR}/owned`;

export type OwnedObject =
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  | { kind: 'nat'; subnet: string; bridge: string }
  /** ip_forward was `from` before `up` set it */
  | { kind: 'forward'; from: '0' };

export function natComment(bridge: string): string {
  return `${TAG}:${bridge}`;
}

export function formatOwned(o: OwnedObject): string {
  switch (o.kind) {
    case 'netns':
    case 'link':
      return `${o.kind} ${o.name}`;
    case 'nat':
      return `nat ${o.subnet} ${o.bridge}`;
    case 'forward':
      return `forward ${o.from}`;
  }
}

/** Parses the record; lines that do not validate are ignored (never trusted into a command). */
export function parseRecord(text: string): OwnedObject[] {
  const out: OwnedObject[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [kind, a, b, ...rest] = line.trim().split(/\s+/);
    if (rest.length > 0) continue;
    let obj: OwnedObject | undefined;
    if (kind === 'netns' && a && !b && !checkNamespaceName(a)) obj = { kind, name: a };
    else if (kind === 'link' && a && !b && !checkInterfaceName(a)) obj = { kind, name: a };
    else if (kind === 'nat' && a && b && typeof parseCidr(a) !== 'string' && !checkInterfaceName(b)) obj = { kind, subnet: a, bridge: b };
    else if (kind === 'forward' && a === '0' && !b) obj = { kind, from: '0' };
    if (!obj) continue;
    const key = formatOwned(obj);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(obj);
    }
  }
  return out;
}
