import type { NftChainFacts } from './types.js';

/** Splits one `iptables -S` line into words, honouring the double quotes iptables puts around comments. */
export function tokenizeRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** `iptables -S CHAIN` → the rules' words after `-A CHAIN`. */
export function parseChainRules(text: string, chain: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`-A ${chain} `))
    .map((l) => tokenizeRule(l).slice(2));
}

/** `iptables -t nat -S POSTROUTING` → the rules' words after `-A POSTROUTING`. */
export function parseNatRules(text: string): string[][] {
  return parseChainRules(text, 'POSTROUTING');
}

/** `iptables -S FORWARD` → the chain's policy (`-P FORWARD DROP`) and rules. */
export function parseForwardChain(text: string): { policy: string; rules: string[][] } {
  const policy = /^-P FORWARD (\S+)/m.exec(text)?.[1] ?? 'ACCEPT';
  return { policy, rules: parseChainRules(text, 'FORWARD') };
}

/** iptables-nft keeps its own tables in nftables; they are read through `iptables -S` instead. */
const IPTABLES_TABLES = new Set(['ip filter', 'ip nat', 'ip mangle', 'ip raw', 'ip security']);

/** `nft -j list chains` → the base chains (those hooked into the kernel) of native nftables tables. */
export function parseNftChains(text: string): NftChainFacts[] {
  if (text.trim() === '') return [];
  const doc = JSON.parse(text) as { nftables?: { chain?: Partial<NftChainFacts> }[] };
  return (doc.nftables ?? [])
    .flatMap((e) => (e.chain?.hook ? [e.chain] : []))
    .filter((c) => !IPTABLES_TABLES.has(`${c.family} ${c.table}`))
    .map((c) => ({ family: c.family ?? '', table: c.table ?? '', name: c.name ?? '', hook: c.hook ?? '', policy: c.policy ?? 'accept' }));
}
