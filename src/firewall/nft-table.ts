import { familyOfText } from '../address/family.js';
import { NFT_TABLE, natComment } from '../ownership/record.js';
import { type NatRule, natFamily } from './nat-rule.js';
import type { FamilyName, NftTableFacts } from './types.js';

/**
 * Reads cnet-remote's own nftables table from `nft -j list table inet cnet_remote` (the gather's
 * "nft-table" section). The host's output is data: anything not exactly in cnet-remote's shape is
 * a chain without a rule of ours (a drifted chain, which `up` rewrites), never an error and never
 * a command.
 */

/**
 * The table: one base chain per NAT'ed bridge and family, `nat_BRIDGE` (IPv4: the name hosts
 * already have) and `nat6_BRIDGE` (IPv6), hooked on postrouting at srcnat's priority. The two
 * names never meet: `nat_` is never followed by a bridge that makes it `nat6_…` of another (the
 * fourth character tells them apart).
 */
export const TABLE = NFT_TABLE;
export const NAT_PRIORITY = 100;
export const CHAIN_PREFIX: Record<FamilyName, string> = { ipv4: 'nat_', ipv6: 'nat6_' };
export const chainOf = (bridge: string, family: FamilyName = 'ipv4'): string => `${CHAIN_PREFIX[family]}${bridge}`;
/** nft's payload protocol of each family: `ip saddr`, `ip6 saddr` */
export const NFT_PROTOCOL: Record<FamilyName, 'ip' | 'ip6'> = { ipv4: 'ip', ipv6: 'ip6' };

type Json = unknown;
const obj = (v: Json): Record<string, Json> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : undefined);
const str = (v: Json): string | undefined => (typeof v === 'string' ? v : undefined);

/** `ip|ip6 saddr|daddr` compared with a prefix of that family: the family and the CIDR text, when the match is exactly that. */
function prefixMatch(expr: Json, field: 'saddr' | 'daddr', op: '==' | '!='): { family: FamilyName; cidr: string } | undefined {
  const m = obj(obj(expr)?.match);
  const payload = obj(obj(m?.left)?.payload);
  const family = (Object.keys(NFT_PROTOCOL) as FamilyName[]).find((f) => NFT_PROTOCOL[f] === payload?.protocol);
  if (!m || m.op !== op || !family || payload?.field !== field) return undefined;
  const prefix = obj(obj(m.right)?.prefix);
  const addr = str(prefix?.addr);
  return addr && typeof prefix?.len === 'number' && familyOfText(addr).name === family ? { family, cidr: `${addr}/${prefix.len}` } : undefined;
}

/** `oifname != "BRIDGE"`: the bridge. */
function notOif(expr: Json): string | undefined {
  const m = obj(obj(expr)?.match);
  return m?.op === '!=' && obj(obj(m.left)?.meta)?.key === 'oifname' ? str(m.right) : undefined;
}

/**
 * A rule's expressions and comment → the NAT rule, when exactly cnet-remote's shape (nftables.ts
 * natRuleWords): `ip saddr` (and `ip daddr !=`) for IPv4, `ip6 saddr` (and `ip6 daddr !=`) for
 * IPv6, never the two mixed.
 */
export function ourNatRule(expr: Json, comment: Json): NatRule | undefined {
  if (!Array.isArray(expr) || (expr.length !== 3 && expr.length !== 4)) return undefined;
  const subnet = prefixMatch(expr[0], 'saddr', '==');
  const except = expr.length === 4 ? prefixMatch(expr[1], 'daddr', '!=') : undefined;
  const bridge = notOif(expr.at(-2));
  const masquerade = obj(expr.at(-1));
  if (!subnet || (expr.length === 4 && except?.family !== subnet.family)) return undefined;
  if (!bridge || !masquerade || !('masquerade' in masquerade) || masquerade.masquerade !== null) return undefined;
  if (comment !== natComment(bridge)) return undefined;
  return { kind: 'nat', subnet: subnet.cidr, bridge, ...(except ? { except: except.cidr } : {}), nftables: true };
}

/** `nft -j list table inet cnet_remote` → its chains, each with its NAT rule when it is a base chain holding exactly one of ours (named for its bridge and family). */
export function parseNftTable(text: string): NftTableFacts {
  const doc = obj(JSON.parse(text));
  const items = Array.isArray(doc?.nftables) ? doc.nftables : [];
  const ofTable = (e: Record<string, Json> | undefined) => e?.family === TABLE.family && e.table === TABLE.name;
  const chains = items.flatMap((i) => {
    const c = obj(obj(i)?.chain);
    return c && ofTable(c) && str(c.name) ? [c] : [];
  });
  const rules = items.flatMap((i) => {
    const r = obj(obj(i)?.rule);
    return r && ofTable(r) ? [r] : [];
  });
  const others = items.flatMap((i) => {
    const [kind, value] = Object.entries(obj(i) ?? {})[0] ?? [];
    const o = obj(value);
    return kind && !['metainfo', 'table', 'chain', 'rule'].includes(kind) && ofTable(o) ? [`${kind} ${str(o?.name) ?? ''}`] : [];
  });
  return {
    ...(others.length ? { others } : {}),
    chains: chains.map((c) => {
      const name = str(c.name)!;
      const own = rules.filter((r) => r.chain === name);
      const rule = own.length === 1 ? ourNatRule(own[0]!.expr, own[0]!.comment) : undefined;
      const hooked = c.type === 'nat' && c.hook === 'postrouting' && c.prio === NAT_PRIORITY && (c.policy ?? 'accept') === 'accept';
      return { name, empty: own.length === 0, ...(rule && hooked && name === chainOf(rule.bridge, natFamily(rule)) ? { rule } : {}) };
    }),
  };
}
