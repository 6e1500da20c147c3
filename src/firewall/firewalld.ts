import { type Cidr, familyOf } from '../address/family.js';
import { isIpv4, parseIpv4 } from '../address/ipv4.js';
import { isIpv6, parseIpv6 } from '../address/ipv6.js';
import { quoteArgv } from '../shell/quote.js';
import type { FirewalldBinding, FirewalldFacts, FirewalldZone } from './types.js';

/**
 * firewalld's nftables backend, read from `nft -j list table inet firewalld` (the gather's
 * "firewalld" section; recordings of a real firewalld 1.3.3 in test/fixtures/firewalld). Only the
 * forward path is read: filter_FORWARD_ZONES (`iifname "IF" goto filter_FWD_ZONE`, `ip saddr CIDR
 * goto …` or `ip6 saddr CIDR goto …`, last a plain `goto filter_FWD_DEFAULT`), and per zone its
 * chain filter_FWD_ZONE (jumps to _pre, _log, _deny, _allow, _post, then `accept` for target
 * ACCEPT, else `reject with icmpx admin-prohibited`) and filter_FWD_ZONE_allow (with forwarding on:
 * `oifname "IF" accept` for each interface of the zone, `ip daddr CIDR accept` or `ip6 daddr CIDR
 * accept` for each source). The table is inet: both families are judged in the same chains, a
 * source binding only for its own family. The host's output is data:
 * whatever else is there is counted as not judged, never an error and never a command.
 */

export const FIREWALLD_TABLE = { family: 'inet', name: 'firewalld' } as const;
const ZONES_CHAIN = 'filter_FORWARD_ZONES';
const POLICY_CHAINS = new Set(['filter_FORWARD_POLICIES_pre', 'filter_FORWARD_POLICIES_post']);
const ZONE_PARTS = ['pre', 'log', 'deny', 'allow', 'post'] as const;
const ZONE_CHAIN = /^filter_FWD_(.+)$/;

type Json = unknown;
const obj = (v: Json): Record<string, Json> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : undefined);
const str = (v: Json): string | undefined => (typeof v === 'string' ? v : undefined);

interface Rule {
  chain: string;
  expr: Json[];
}

/** `KEY == "NAME"` on meta iifname/oifname: the name. */
function metaIs(e: Json, key: 'iifname' | 'oifname'): string | undefined {
  const m = obj(obj(e)?.match);
  return m?.op === '==' && obj(obj(m.left)?.meta)?.key === key ? str(m.right) : undefined;
}

/** An address's family as nft's payload protocol names it, and the prefix length of one address. */
const PROTOCOLS = { ip: { is: isIpv4, bits: 32 }, ip6: { is: isIpv6, bits: 128 } } as const;

/** `ip|ip6 saddr|daddr == CIDR` (or one address): the CIDR text. */
function prefixIs(e: Json, field: 'saddr' | 'daddr'): string | undefined {
  const m = obj(obj(e)?.match);
  const payload = obj(obj(m?.left)?.payload);
  const protocol = payload?.protocol === 'ip' || payload?.protocol === 'ip6' ? PROTOCOLS[payload.protocol] : undefined;
  if (m?.op !== '==' || !protocol || payload?.field !== field) return undefined;
  const right = str(m.right);
  if (right !== undefined) return protocol.is(right) ? `${right}/${protocol.bits}` : undefined;
  const prefix = obj(obj(m.right)?.prefix);
  const addr = str(prefix?.addr);
  return addr && typeof prefix?.len === 'number' ? `${addr}/${prefix.len}` : undefined;
}

/** The rule is exactly one verdict: its name. */
function verdictOf(expr: Json[]): string | undefined {
  if (expr.length !== 1) return undefined;
  const e = obj(expr[0]);
  const keys = e ? Object.keys(e) : [];
  return keys.length === 1 && ['accept', 'drop', 'reject'].includes(keys[0]!) ? keys[0] : undefined;
}

const jumpOf = (e: Json, kind: 'jump' | 'goto'): string | undefined => str(obj(obj(e)?.[kind])?.target);
const zoneOfChain = (chain: string | undefined): string | undefined => (chain ? ZONE_CHAIN.exec(chain)?.[1] : undefined);
/** a rule that only logs (LogDenied) changes no verdict */
const onlyLogs = (expr: Json[]): boolean => expr.length > 0 && expr.every((e) => obj(e)?.log !== undefined || obj(e)?.limit !== undefined);

function rulesOf(text: string): Rule[] {
  const doc = obj(JSON.parse(text));
  const entries = Array.isArray(doc?.nftables) ? doc.nftables : [];
  return entries.flatMap((entry) => {
    const r = obj(obj(entry)?.rule);
    const chain = str(r?.chain);
    const ours = r?.family === FIREWALLD_TABLE.family && r?.table === FIREWALLD_TABLE.name;
    return ours && chain && Array.isArray(r.expr) ? [{ chain, expr: r.expr as Json[] }] : [];
  });
}

/** One rule of filter_FORWARD_ZONES → a binding, or the default zone (a plain `goto`). */
function bindingOf(expr: Json[]): FirewalldBinding | { fallthrough: string } | undefined {
  const zone = zoneOfChain(jumpOf(expr[expr.length - 1], 'goto'));
  if (!zone) return undefined;
  if (expr.length === 1) return { fallthrough: zone };
  const iif = expr.length === 2 ? metaIs(expr[0], 'iifname') : undefined;
  if (iif !== undefined) return { zone, interface: iif };
  const source = expr.length === 2 ? prefixIs(expr[0], 'saddr') : undefined;
  if (source !== undefined) return { zone, source };
  return { zone, other: true };
}

/** A zone's forward chains → how it ends, whom it forwards to, and what is not judged. */
function zoneOf(name: string, byChain: Map<string, Json[][]>): FirewalldZone {
  const zone: FirewalldZone = { name, forwardTo: { interfaces: [], sources: [] }, other: 0 };
  const base = `filter_FWD_${name}`;
  const own = new Set([...ZONE_PARTS.map((p) => `${base}_${p}`), ...POLICY_CHAINS]);
  // a zone bound to but without its chain (a table odd or changing): nothing about it is certain
  if (!byChain.has(base)) zone.other++;
  for (const expr of byChain.get(base) ?? []) {
    const v = verdictOf(expr);
    if (v) {
      zone.verdict ??= v as FirewalldZone['verdict'];
      continue;
    }
    const jumped = expr.length === 1 ? jumpOf(expr[0], 'jump') : undefined;
    if (jumped && own.has(jumped)) continue;
    if (!onlyLogs(expr) && zone.verdict === undefined) zone.other++;
  }
  for (const part of ZONE_PARTS) {
    for (const expr of byChain.get(`${base}_${part}`) ?? []) {
      if (onlyLogs(expr)) continue;
      const accepts = part === 'allow' && expr.length === 2 && verdictOf([expr[1]]) === 'accept';
      const oif = accepts ? metaIs(expr[0], 'oifname') : undefined;
      const daddr = accepts && oif === undefined ? prefixIs(expr[0], 'daddr') : undefined;
      if (oif !== undefined) zone.forwardTo.interfaces.push(oif);
      else if (daddr !== undefined) zone.forwardTo.sources.push(daddr);
      else zone.other++;
    }
  }
  return zone;
}

/** `nft -j list table inet firewalld` → firewalld's forward-path facts. */
export function parseFirewalld(text: string): FirewalldFacts {
  const byChain = new Map<string, Json[][]>();
  for (const r of rulesOf(text)) byChain.set(r.chain, [...(byChain.get(r.chain) ?? []), r.expr]);
  const bindings: FirewalldBinding[] = [];
  let defaultZone: string | undefined;
  for (const expr of byChain.get(ZONES_CHAIN) ?? []) {
    const b = bindingOf(expr);
    if (!b || defaultZone !== undefined) continue;
    if ('fallthrough' in b) defaultZone = b.fallthrough;
    else bindings.push(b);
  }
  const names = [...new Set([...bindings.map((b) => b.zone), ...(defaultZone ? [defaultZone] : [])])];
  return {
    bindings,
    ...(defaultZone ? { defaultZone } : {}),
    zones: names.map((n) => zoneOf(n, byChain)),
    policies: [...POLICY_CHAINS].some((c) => (byChain.get(c) ?? []).length > 0),
  };
}

/** nft's interface match: a trailing `*` is a wildcard (firewalld's `+`), `\*` a star. */
function nameMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith('\\*') || !pattern.endsWith('*')) return pattern.replace(/\\\*$/, '*') === name;
  return name.startsWith(pattern.slice(0, -1));
}

/** An address of either family as a number of its width, or undefined when it is neither. */
function addressOf(text: string): { family: 'ipv4' | 'ipv6'; value: bigint; bits: number } | undefined {
  if (isIpv4(text)) return { family: 'ipv4', value: BigInt(parseIpv4(text)), bits: 32 };
  return isIpv6(text) ? { family: 'ipv6', value: parseIpv6(text), bits: 128 } : undefined;
}

/**
 * Whether the CIDR text `outer` (an `ip saddr` or `ip6 saddr`) holds all of `inner` (true), none
 * of it (false), or a part (undefined). Another family's never holds any of it: an `ip6 saddr`
 * match is false for IPv4 traffic, and the other way round.
 */
function holds(outer: string, inner: Cidr): boolean | undefined {
  const [text = '', len = ''] = outer.split('/');
  const a = addressOf(text);
  const prefix = Number(len);
  if (!a || !/^\d{1,3}$/.test(len) || prefix > a.bits) return undefined;
  if (a.family !== familyOf(inner).name) return false;
  const mask = (p: number) => ((1n << BigInt(p)) - 1n) << BigInt(a.bits - p);
  const network = BigInt(inner.network);
  if (prefix <= inner.prefix) return (network & mask(prefix)) === (a.value & mask(prefix));
  return (a.value & mask(inner.prefix)) === network ? undefined : false;
}

/** How firewalld judges a bridge's forwarded traffic. */
export interface FirewalldVerdict {
  /** the zone it is judged in */
  zone: string;
  /** how it got there: the bridge is bound to the zone, its subnet is, or it falls to the default zone */
  by: 'interface' | 'source' | 'default';
  /** true: accepted; false: rejected; undefined: rules this reader does not judge decide */
  passes?: boolean;
}

/** Where the traffic goes: out by an interface (undefined: not known), to a network (a peer on the bridge: its subnet). */
export interface FirewalldTarget {
  out?: string;
  dst?: Cidr;
}

/**
 * firewalld's verdict on new traffic entering by bridge `net` (from its subnet, of the family
 * judged: a source binding of the other family never takes it) toward `to`:
 * judged in the first zone that binds it, else the default zone; accepted when that zone's target
 * is ACCEPT or it forwards to where the traffic goes, else rejected (unless rules this reader does
 * not judge, or policies between zones, may decide).
 */
export function firewalldForward(fw: FirewalldFacts, net: { name: string; subnet: Cidr }, to: FirewalldTarget): FirewalldVerdict | undefined {
  let unsure = fw.policies;
  let found: Omit<FirewalldVerdict, 'passes'> | undefined;
  for (const b of fw.bindings) {
    const m = 'interface' in b ? nameMatches(b.interface, net.name) : 'source' in b ? holds(b.source, net.subnet) : undefined;
    if (m === undefined) unsure = true;
    if (m) {
      found = { zone: b.zone, by: 'interface' in b ? 'interface' : 'source' };
      break;
    }
  }
  found ??= fw.defaultZone ? { zone: fw.defaultZone, by: 'default' } : undefined;
  const zone = fw.zones.find((z) => z.name === found?.zone);
  if (!found || !zone) return undefined;
  const { out, dst } = to;
  const toOut = out !== undefined && zone.forwardTo.interfaces.some((i) => nameMatches(i, out));
  const toDst = dst !== undefined && zone.forwardTo.sources.some((s) => holds(s, dst) === true);
  if (zone.verdict === 'accept' || toOut || toDst) return { ...found, passes: true };
  const outUnknown = out === undefined && dst === undefined && zone.forwardTo.interfaces.length > 0;
  return unsure || zone.other > 0 || outUnknown ? found : { ...found, passes: false };
}

/** The verdict as words: `br0 is in no zone (it falls to the default zone public)`, `br0 is in zone internal`. */
export function zoneWords(bridge: string, v: FirewalldVerdict): string {
  if (v.by === 'default') return `${bridge} is in no zone (it falls to the default zone ${v.zone})`;
  return v.by === 'source' ? `${bridge}'s subnet is bound to zone ${v.zone}` : `${bridge} is in zone ${v.zone}`;
}

/**
 * The commands that put the bridge in zone trusted now and for good: add it, or move it from the
 * zone it is in. Runtime and permanent apart, not `--reload`, which drops what else was set at
 * runtime only (firewalld 1.3.3 did: test/fixtures/firewalld/README.md).
 */
export function trustedZoneFix(bridge: string, v: FirewalldVerdict): string {
  const how = v.by === 'interface' ? `--change-interface=${bridge}` : `--add-interface=${bridge}`;
  return `${quoteArgv(['firewall-cmd', '--zone=trusted', how])} && ${quoteArgv(['firewall-cmd', '--permanent', '--zone=trusted', how])}`;
}
