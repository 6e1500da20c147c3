import { FactsError } from '../errors.js';
import type { GatheredSections } from '../firewall/backend.js';
import { readFirewallFacts } from '../firewall/read-facts.js';
import { parseRecord } from '../ownership/record.js';
import { readJournal } from '../remote/journal.js';
import { splitSections } from '../remote/markers.js';
import { parseIpv6Switches } from './ipv6-switches.js';
import { parseFdb, parseIpShow, parseRootBatch } from './parse-ip.js';
import type { FdbEntry, HostFacts, MgmtFacts, NetnsFacts } from './types.js';

/**
 * The SSH connection's addresses and the device back to the client: the one `route get` said, or
 * (an IPv6 link-local client, `fe80::1%eth0`, which the gather does not ask `ip` about) its zone,
 * when a root interface has that name.
 */
function mgmtOf(text: string | undefined, dev: string | undefined, root: NetnsFacts): { mgmt?: MgmtFacts } {
  const [client, server] = (text ?? '').trim().split(/\s+/);
  if (!client || !server) return {};
  const zone = client.includes('%') ? client.slice(client.indexOf('%') + 1) : undefined;
  const via = dev ?? (zone && root.links.some((l) => l.name === zone) ? zone : undefined);
  return { mgmt: { client, server, ...(via ? { dev: via } : {}) } };
}

/** The effective uid the gather ran as, when it said (a number: anything else is no answer). */
function uidOf(text: string | undefined): { uid?: number } {
  const uid = (text ?? '').trim();
  return /^\d+$/.test(uid) ? { uid: Number(uid) } : {};
}

/** Parses the output of the gather program (remote/gather.ts, remote/programs/gather.sh) into facts. */
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
    // a gather that reads IPv6's switches lists both families' addresses and routes (an older one, IPv4's only)
    const ipv6 = sections.get('ipv6');
    const dual = ipv6 !== undefined;
    const namespaces = new Map<string, NetnsFacts>();
    const fdb = new Map<string, FdbEntry[]>();
    for (const [name, body] of sections) {
      if (name.startsWith('ns ') && body.trim() !== '')
        namespaces.set(
          name.slice(3),
          parse(name, body, (t) => parseIpShow(t, dual)),
        );
      if (name.startsWith('fdb ') && body.trim() !== '') fdb.set(name.slice(4), parse(name, body, parseFdb));
    }
    // an absent namespace prints its own "@@absent" section right after "@@ns NAME"
    const { root, netns, mgmtDev } = parse('root', need('root'), (t) => parseRootBatch(t, dual));
    // the firewall's sections ("iptables", "iptables-failed", "ip6tables", "ip6tables-failed", "nft-table", "nft-failed", "nft", "firewalld"): NAT rules, forward chains, firewalld's zones
    const gathered: GatheredSections = { get: (name) => sections.get(name), has: (name) => sections.has(name), need, parse };
    const firewall = readFirewallFacts(gathered);
    // "IPV4 [IPV6]": bridge-nf-call-iptables and (gathers since IPv6) bridge-nf-call-ip6tables
    const [brnf, brnf6] = (sections.get('brnf') ?? '').trim().split(/\s+/);
    const { uid } = uidOf(sections.get('uid'));
    // a user other than root cannot trust root's state folder, nor needs to: it can change nothing (plan/privilege.ts says so)
    const untrusted = uid === undefined || uid === 0 ? sections.get('state-dir')?.trim() : undefined;
    return {
      root,
      netns,
      namespaces,
      ipForward: need('forward').trim() === '1',
      ...(ipv6 !== undefined ? parseIpv6Switches(ipv6) : {}),
      ...firewall,
      ...(brnf === '0' || brnf === '1' ? { brNetfilter: brnf === '1' } : {}),
      ...(brnf6 === '0' || brnf6 === '1' ? { brNetfilter6: brnf6 === '1' } : {}),
      record: parseRecord(need('record')),
      ...(untrusted ? { untrustedState: untrusted } : {}),
      ...(sections.has('txn-start') ? { txnAtStart: sections.get('txn-start')!.split('\n')[0]! } : {}),
      ...(fdb.size ? { fdb } : {}),
      ...readJournal(sections.get('txn')),
      ...mgmtOf(sections.get('mgmt'), mgmtDev, root),
      ...(uid !== undefined ? { uid } : {}),
    };
  } catch (err) {
    if (err instanceof FactsError) throw err;
    throw new FactsError(`cannot parse facts: ${(err as Error).message}`, host, { cause: err });
  }
}
