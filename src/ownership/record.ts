import { checkInterfaceName, checkNamespaceName } from '../inventory/names.js';
import { isAddress, parseCidr } from '../address/family.js';

/**
 * Ownership. Every interface cnet-remote creates carries the alias TAG (a namespace: on its `lo`),
 * every NAT rule a comment starting with TAG, and each host keeps a record of what cnet-remote
 * owns, one line per object, replaced by each transaction's commit (state-dir.ts). `down` removes
 * what is ours by the record and the marks — even when the inventory changed since — and nothing
 * else (see plan/owned.ts). The record lives under /run: like the objects it lists (namespaces,
 * links, rules, forwarding and accept_ra switches), it does not survive a reboot.
 */
export const TAG = 'cnet-remote';

export type OwnedObject =
  | { kind: 'netns'; name: string }
  | { kind: 'link'; name: string }
  /** `except`: the fabric's supernet, which the rule leaves alone; `nftables`: in cnet-remote's own nftables table (else in iptables) */
  | { kind: 'nat'; subnet: string; bridge: string; except?: string; nftables?: true }
  /** cnet-remote's own nftables table (firewall/nftables.ts TABLE: the only one a record may name) */
  | { kind: 'nft-table'; family: 'inet'; name: 'cnet_remote' }
  /** a route in the main table: to `dst` via a gateway, or on a device */
  | { kind: 'route'; dst: string; via?: string; dev?: string }
  /** the family's forwarding switch (IPv4's when no family: ip_forward) was `from` before `up` set it */
  | { kind: 'forward'; from: '0'; family?: 'ipv6' }
  /** DEV's net.ipv6.conf.DEV.accept_ra was `from` before `up` raised it to 2 (see plan/assess.ts assessForwarding) */
  | { kind: 'accept-ra'; dev: string; from: '1' };

/** cnet-remote's own nftables table (firewall/nftables.ts): ours by its name; the only table a record may name. */
export const NFT_TABLE = { family: 'inet', name: 'cnet_remote' } as const;

export function natComment(bridge: string): string {
  return `${TAG}:${bridge}`;
}

export function formatOwned(o: OwnedObject): string {
  switch (o.kind) {
    case 'netns':
    case 'link':
      return `${o.kind} ${o.name}`;
    case 'nat':
      return `nat ${o.subnet} ${o.bridge}${o.except ? ` ${o.except}` : ''}${o.nftables ? ' nftables' : ''}`;
    case 'nft-table':
      return `nft-table ${o.family} ${o.name}`;
    case 'route':
      return `route ${o.dst} ${o.via ? `via ${o.via}` : `dev ${o.dev}`}`;
    case 'forward':
      return `forward ${o.from}${o.family ? ` ${o.family}` : ''}`;
    case 'accept-ra':
      return `accept-ra ${o.dev} ${o.from}`;
  }
}

/** Parses the record; lines that do not validate are ignored (never trusted into a command). */
export function parseRecord(text: string): OwnedObject[] {
  const out: OwnedObject[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    // a NAT rule in nftables says so in its last word
    const nftables = words[0] === 'nat' && words.length > 3 && words.at(-1) === 'nftables' ? words.pop() !== undefined : false;
    const [kind, a, b, c, ...rest] = words;
    if (rest.length > 0) continue;
    const cidr = (x: string | undefined): x is string => x !== undefined && typeof parseCidr(x) !== 'string';
    let obj: OwnedObject | undefined;
    if (kind === 'netns' && a && !b && !checkNamespaceName(a)) obj = { kind, name: a };
    else if (kind === 'link' && a && !b && !checkInterfaceName(a)) obj = { kind, name: a };
    else if (kind === 'nat' && cidr(a) && b && !checkInterfaceName(b) && (c === undefined || cidr(c)))
      obj = { kind, subnet: a, bridge: b, ...(c ? { except: c } : {}), ...(nftables ? { nftables } : {}) };
    else if (kind === 'nft-table' && a === NFT_TABLE.family && b === NFT_TABLE.name && !c) obj = { kind, family: a, name: b };
    else if (kind === 'route' && cidr(a) && b === 'via' && c && isAddress(c)) obj = { kind, dst: a, via: c };
    else if (kind === 'route' && cidr(a) && b === 'dev' && c && !checkInterfaceName(c)) obj = { kind, dst: a, dev: c };
    else if (kind === 'forward' && a === '0' && !b) obj = { kind, from: '0' };
    else if (kind === 'forward' && a === '0' && b === 'ipv6' && !c) obj = { kind, from: '0', family: b };
    else if (kind === 'accept-ra' && a && !checkInterfaceName(a) && b === '1' && !c) obj = { kind, dev: a, from: b };
    if (!obj) continue;
    const key = formatOwned(obj);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(obj);
    }
  }
  return out;
}
