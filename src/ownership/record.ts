import { checkInterfaceName, checkNamespaceName } from '../inventory/names.js';
import { isAddress, parseCidr } from '../address/family.js';

/**
 * Ownership. Every interface cnet-remote creates carries the alias TAG (a namespace: on its `lo`),
 * every NAT rule a comment starting with TAG, and each host keeps a record of what cnet-remote
 * owns, one line per object, replaced by each transaction's commit (state-dir.ts). `down` removes
 * what is ours by the record and the marks — even when the inventory changed since — and nothing
 * else (see plan/owned.ts). The record lives under /run: like the objects it lists (namespaces,
 * links, rules, ip_forward), it does not survive a reboot.
 */
export const TAG = 'cnet-remote';

export type OwnedObject =
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  /** `except`: the fabric's supernet, which the rule leaves alone */
  | { kind: 'nat'; subnet: string; bridge: string; except?: string }
  /** a route in the main table: to `dst` via a gateway, or on a device */
  | { kind: 'route'; dst: string; via?: string; dev?: string }
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
      return `nat ${o.subnet} ${o.bridge}${o.except ? ` ${o.except}` : ''}`;
    case 'route':
      return `route ${o.dst} ${o.via ? `via ${o.via}` : `dev ${o.dev}`}`;
    case 'forward':
      return `forward ${o.from}`;
  }
}

/** Parses the record; lines that do not validate are ignored (never trusted into a command). */
export function parseRecord(text: string): OwnedObject[] {
  const out: OwnedObject[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [kind, a, b, c, ...rest] = line.trim().split(/\s+/);
    if (rest.length > 0) continue;
    const cidr = (x: string | undefined): x is string => x !== undefined && typeof parseCidr(x) !== 'string';
    let obj: OwnedObject | undefined;
    if (kind === 'netns' && a && !b && !checkNamespaceName(a)) obj = { kind, name: a };
    else if (kind === 'link' && a && !b && !checkInterfaceName(a)) obj = { kind, name: a };
    else if (kind === 'nat' && cidr(a) && b && !checkInterfaceName(b) && (c === undefined || cidr(c)))
      obj = { kind, subnet: a, bridge: b, ...(c ? { except: c } : {}) };
    else if (kind === 'route' && cidr(a) && b === 'via' && c && isAddress(c)) obj = { kind, dst: a, via: c };
    else if (kind === 'route' && cidr(a) && b === 'dev' && c && !checkInterfaceName(c)) obj = { kind, dst: a, dev: c };
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
