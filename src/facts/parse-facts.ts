import { FactsError } from '../errors.js';
import { parseRecord } from '../ownership/record.js';
import { parseIpShow, parseNetnsList } from './parse-ip.js';
import { parseForwardChain, parseNatRules, parseNftChains } from './parse-nat.js';
import type { HostFacts, NetnsFacts } from './types.js';

/** Splits script output into `@@name` sections (section name → body). */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('@@')) {
      if (name !== undefined) out.set(name, body.join('\n'));
      name = line.slice(2);
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  if (name !== undefined) out.set(name, body.join('\n'));
  return out;
}

/** Parses the output of gatherScript() (see gather-script.ts) into facts. */
export function parseFacts(text: string, host?: string): HostFacts {
  const sections = splitSections(text);
  const need = (name: string): string => {
    const s = sections.get(name);
    if (s === undefined) throw new FactsError(`facts output has no "${name}" section (the gather script did not finish)`, host);
    return s;
  };
  need('end');
  /** parses one section, naming it if its text does not parse */
  const parse = <T>(name: string, body: string, fn: (text: string) => T): T => {
    try {
      return fn(body);
    } catch (err) {
      throw new FactsError(`cannot parse facts: the "${name}" section: ${(err as Error).message}`, host, { cause: err });
    }
  };
  try {
    const namespaces = new Map<string, NetnsFacts>();
    for (const [name, body] of sections) {
      if (!name.startsWith('ns ')) continue;
      if (body.trim() !== '' && !body.startsWith('@@')) namespaces.set(name.slice(3), parse(name, body, parseIpShow));
    }
    // an absent namespace prints its own "@@absent" section right after "@@ns NAME"
    const natText = need('nat');
    const natFailed = sections.has('nat-failed');
    const filter = sections.get('filter');
    const brnf = sections.get('brnf')?.trim();
    const nft = sections.get('nft');
    return {
      root: parse('root', need('root'), parseIpShow),
      netns: parse('netns', need('netns'), parseNetnsList),
      namespaces,
      ipForward: need('forward').trim() === '1',
      nat: natFailed ? { available: false, rules: [], error: natText.trim() } : { available: true, rules: parseNatRules(natText) },
      ...(filter !== undefined && !sections.has('filter-failed') ? { forwardChain: parseForwardChain(filter) } : {}),
      ...(brnf === '0' || brnf === '1' ? { brNetfilter: brnf === '1' } : {}),
      ...(nft !== undefined ? { nftChains: parse('nft', nft, parseNftChains) } : {}),
      record: parseRecord(need('record')),
    };
  } catch (err) {
    if (err instanceof FactsError) throw err;
    throw new FactsError(`cannot parse facts: ${(err as Error).message}`, host, { cause: err });
  }
}
