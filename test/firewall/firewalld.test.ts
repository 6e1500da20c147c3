import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/address/family.js';
import type { Ipv4Cidr } from '../../src/address/family.js';
import { firewalldForward, parseFirewalld, trustedZoneFix, zoneWords } from '../../src/firewall/firewalld.js';
import { parseNftChains } from '../../src/firewall/nft-chains.js';
import { readFirewallFacts } from '../../src/firewall/read-facts.js';
import type { FirewalldFacts } from '../../src/firewall/types.js';
import { fixture, gathered } from './helpers.js';

/**
 * parseFirewalld and firewalldForward on what a real firewalld 1.3.3 (Debian 12, nftables
 * backend) printed in a scratch namespace (test/fixtures/firewalld/record.sh): eth0 the uplink,
 * br0 and br1 bridges, the zones changed step by step; and on hostile JSON.
 */

const STATES = [
  '01-no-zones',
  '02-eth0-public-br0-none',
  '03-br0-trusted',
  '04-br0-public-forward',
  '05-br0-public-no-forward',
  '06-br0-internal-public-masquerade',
  '07-source-and-br1-trusted',
  '08-default-trusted',
  '09-fix-applied',
  '10-reloaded',
] as const;
type State = (typeof STATES)[number];
const recorded = (s: State): FirewalldFacts => parseFirewalld(fixture(`firewalld/${s}.table.json`));
const cidr = (t: string) => parseCidr(t) as Ipv4Cidr;
const BR0 = { name: 'br0', subnet: cidr('10.10.0.0/24') };
const BR1 = { name: 'br1', subnet: cidr('10.11.0.0/24') };
const UP = { out: 'eth0' };
const BRIDGED0 = { out: 'br0', dst: BR0.subnet };

/** firewall-cmd --get-active-zones, as recorded beside each table: interface → zone */
function activeZones(s: State): Record<string, string> {
  const out: Record<string, string> = {};
  let zone = '';
  for (const line of fixture(`firewalld/${s}.zones.txt`).split('\n')) {
    if (/^\S/.test(line) && !line.startsWith('#')) zone = line.trim();
    const m = /^\s+interfaces: (.*)$/.exec(line);
    for (const i of m?.[1]?.split(' ') ?? []) out[i] = zone;
  }
  return out;
}

describe('parseFirewalld on the recordings', () => {
  it.each(STATES)('%s: the interfaces bound are those firewall-cmd --get-active-zones lists, the default zone its --get-default-zone', (s) => {
    const fw = recorded(s);
    const bound = Object.fromEntries(fw.bindings.flatMap((b) => ('interface' in b ? [[b.interface, b.zone]] : [])));
    expect(bound).toEqual(activeZones(s));
    const def = /^# default zone: (\S+)/m.exec(fixture(`firewalld/${s}.zones.txt`))?.[1];
    expect(fw.defaultZone).toBe(def);
    expect(fw.policies).toBe(false);
  });

  it('01: nothing bound, public the default, forwarding to no interface, ending in reject', () => {
    expect(recorded('01-no-zones')).toEqual({
      bindings: [],
      defaultZone: 'public',
      zones: [{ name: 'public', verdict: 'reject', forwardTo: { interfaces: [], sources: [] }, other: 0 }],
      policies: false,
    });
  });

  it('07: a source binding first, then the interfaces; trusted accepts, forwarding to its interface and source', () => {
    const fw = recorded('07-source-and-br1-trusted');
    expect(fw.bindings).toEqual([
      { zone: 'trusted', source: '10.11.0.0/24' },
      { zone: 'trusted', interface: 'br1' },
      { zone: 'internal', interface: 'br0' },
      { zone: 'public', interface: 'eth0' },
    ]);
    expect(fw.zones.find((z) => z.name === 'trusted')).toEqual({
      name: 'trusted',
      verdict: 'accept',
      forwardTo: { interfaces: ['br1'], sources: ['10.11.0.0/24'] },
      other: 0,
    });
    expect(fw.zones.find((z) => z.name === 'internal')).toMatchObject({ verdict: 'reject', forwardTo: { interfaces: ['br0'] } });
  });

  it('05: public without --add-forward forwards nowhere', () => {
    expect(recorded('05-br0-public-no-forward').zones).toEqual([{ name: 'public', verdict: 'reject', forwardTo: { interfaces: [], sources: [] }, other: 0 }]);
  });
});

describe('firewalldForward: br0 to the outside (by eth0) and between its containers (br_netfilter)', () => {
  const cases: [State, string, string, boolean | undefined, boolean | undefined][] = [
    // state, zone, how, out passes, bridged passes
    ['01-no-zones', 'public', 'default', false, false],
    ['02-eth0-public-br0-none', 'public', 'default', true, false], // public forwards to its eth0, whoever enters it
    ['03-br0-trusted', 'trusted', 'interface', true, true],
    ['04-br0-public-forward', 'public', 'interface', true, true],
    ['05-br0-public-no-forward', 'public', 'interface', false, false],
    ['06-br0-internal-public-masquerade', 'internal', 'interface', false, true], // public's masquerade opens nothing from internal
    ['08-default-trusted', 'internal', 'interface', false, true],
    ['09-fix-applied', 'trusted', 'interface', true, true], // the fix trustedZoneFix names, run for real
    ['10-reloaded', 'trusted', 'interface', true, true],
  ];
  it.each(cases)('%s: judged in %s (by %s), out %s, bridged %s', (s, zone, by, out, bridged) => {
    const fw = recorded(s);
    expect(firewalldForward(fw, BR0, UP)).toEqual({ zone, by, passes: out });
    expect(firewalldForward(fw, BR0, BRIDGED0)).toEqual({ zone, by, passes: bridged });
  });

  it('07: br1 is bound by its subnet first (a source binding), and trusted accepts it; a subnet only partly bound is not judged', () => {
    const fw = recorded('07-source-and-br1-trusted');
    expect(firewalldForward(fw, BR1, UP)).toEqual({ zone: 'trusted', by: 'source', passes: true });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('10.11.0.0/25') }, UP)).toEqual({ zone: 'trusted', by: 'source', passes: true });
    // 10.11.0.0/16 is only partly the trusted source: judged in public (which forwards to eth0), a reject would not be certain
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('10.11.0.0/16') }, UP)).toEqual({ zone: 'public', by: 'default', passes: true });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('10.11.0.0/16') }, { out: 'eth9' })).toEqual({ zone: 'public', by: 'default' });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('10.12.0.0/24') }, { out: 'eth9' })).toEqual({ zone: 'public', by: 'default', passes: false });
    expect(firewalldForward(fw, { name: 'br9', subnet: cidr('10.12.0.0/24') }, UP)).toEqual({ zone: 'public', by: 'default', passes: true });
  });

  it('08: a bridge in no zone falls to the default zone trusted and passes', () => {
    expect(firewalldForward(recorded('08-default-trusted'), { name: 'br9', subnet: cidr('10.12.0.0/24') }, UP)).toEqual({
      zone: 'trusted',
      by: 'default',
      passes: true,
    });
  });

  it('the way out unknown (no default route): rejected only when the zone forwards nowhere', () => {
    expect(firewalldForward(recorded('01-no-zones'), BR0, {})?.passes).toBe(false);
    expect(firewalldForward(recorded('02-eth0-public-br0-none'), BR0, {})?.passes).toBeUndefined();
    expect(firewalldForward(recorded('03-br0-trusted'), BR0, {})?.passes).toBe(true);
  });
});

describe('the words and the fix', () => {
  it('names the zone or "no zone", and adds the bridge to trusted (changing it when it is bound elsewhere)', () => {
    const none = firewalldForward(recorded('01-no-zones'), BR0, UP)!;
    const internal = firewalldForward(recorded('06-br0-internal-public-masquerade'), BR0, UP)!;
    expect(zoneWords('br0', none)).toBe('br0 is in no zone (it falls to the default zone public)');
    expect(zoneWords('br0', internal)).toBe('br0 is in zone internal');
    expect(zoneWords('br1', { zone: 'dmz', by: 'source' })).toBe("br1's subnet is bound to zone dmz");
    expect(trustedZoneFix('br0', none)).toBe('firewall-cmd --zone=trusted --add-interface=br0 && firewall-cmd --permanent --zone=trusted --add-interface=br0');
    expect(trustedZoneFix('br0', internal)).toBe(
      'firewall-cmd --zone=trusted --change-interface=br0 && firewall-cmd --permanent --zone=trusted --change-interface=br0',
    );
  });
});

describe('the gather reads firewalld only where its table is', () => {
  it('the recorded `nft -j list chains` holds the exact text gather.sh looks for, and its base chains drop nothing', () => {
    const chains = fixture('firewalld/chains.json');
    expect(chains).toContain('"family": "inet", "table": "firewalld"');
    const forward = parseNftChains(chains).filter((c) => c.hook === 'forward');
    expect(forward).toEqual([{ family: 'inet', table: 'firewalld', name: 'filter_FORWARD', hook: 'forward', policy: 'accept' }]);
  });

  it('readFirewallFacts: a "firewalld" section → facts.firewalld; none (or empty) → absent', () => {
    const base = '@@iptables\n@@iptables-failed\n@@nft\n';
    const table = fixture('firewalld/01-no-zones.table.json');
    expect(readFirewallFacts(gathered(`${base}@@firewalld\n${table}`)).firewalld).toEqual(recorded('01-no-zones'));
    expect(readFirewallFacts(gathered(base)).firewalld).toBeUndefined();
    expect(readFirewallFacts(gathered(`${base}@@firewalld\n\n`)).firewalld).toBeUndefined();
  });
});

describe('hostile input', () => {
  type Json = ReturnType<typeof JSON.parse>;
  const doc = (s: State): { nftables: Json[] } => JSON.parse(fixture(`firewalld/${s}.table.json`));
  const zonesRule = (d: { nftables: Json[] }, i: number) => d.nftables.filter((e) => e.rule?.chain === 'filter_FORWARD_ZONES')[i].rule;

  it('a rule of another table, a rule this reader does not know, policies: counted as not judged, never an accept', () => {
    const d = doc('05-br0-public-no-forward');
    // the same rules in another table are not firewalld's
    d.nftables.push({
      rule: {
        family: 'inet',
        table: 'other',
        chain: 'filter_FWD_public_allow',
        expr: [{ match: { op: '==', left: { meta: { key: 'oifname' } }, right: 'eth0' } }, { accept: null }],
      },
    });
    // a rich rule in public's allow: not judged, so the reject is no longer certain
    d.nftables.push({
      rule: {
        family: 'inet',
        table: 'firewalld',
        chain: 'filter_FWD_public_allow',
        expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 80 } }, { accept: null }],
      },
    });
    const fw = parseFirewalld(JSON.stringify(d));
    expect(fw.zones[0]).toMatchObject({ forwardTo: { interfaces: [], sources: [] }, other: 1 });
    expect(firewalldForward(fw, BR0, UP)).toEqual({ zone: 'public', by: 'interface' });
    const p = doc('01-no-zones');
    p.nftables.push({
      rule: { family: 'inet', table: 'firewalld', chain: 'filter_FORWARD_POLICIES_pre', expr: [{ jump: { target: 'filter_FWD_policy_x' } }] },
    });
    expect(firewalldForward(parseFirewalld(JSON.stringify(p)), BR0, UP)).toEqual({ zone: 'public', by: 'default' });
  });

  it('a binding by ipset or by a match it cannot read makes what follows uncertain', () => {
    const d = doc('01-no-zones');
    const def = zonesRule(d, 0);
    d.nftables.push({
      rule: {
        ...def,
        expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '@myset' } }, { goto: { target: 'filter_FWD_trusted' } }],
      },
    });
    // listed after the default goto: nft order is the chain's, and a rule after a plain goto is never reached
    expect(parseFirewalld(JSON.stringify(d)).bindings).toEqual([]);
    d.nftables.splice(d.nftables.indexOf(d.nftables.find((e: Json) => e.rule === def)), 1);
    d.nftables.push({ rule: def });
    const fw = parseFirewalld(JSON.stringify(d));
    expect(fw.bindings).toEqual([{ zone: 'trusted', other: true }]);
    expect(firewalldForward(fw, BR0, UP)).toEqual({ zone: 'public', by: 'default' });
  });

  it('wildcard interfaces bind by prefix; a literal star does not', () => {
    const d = doc('01-no-zones');
    const def = zonesRule(d, 0);
    const bind = (name: string, zone: string) => ({
      rule: { ...def, expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: name } }, { goto: { target: `filter_FWD_${zone}` } }] },
    });
    d.nftables.splice(d.nftables.indexOf(d.nftables.find((e: Json) => e.rule === def)), 0, bind('br\\*', 'block'), bind('br*', 'trusted'));
    const fw = parseFirewalld(JSON.stringify(d));
    expect(firewalldForward(fw, BR0, UP)).toMatchObject({ zone: 'trusted', by: 'interface' });
    expect(firewalldForward(fw, { name: 'br*', subnet: BR0.subnet }, UP)).toMatchObject({ zone: 'block', by: 'interface' });
    // a zone whose chains are not in the table: no verdict
    expect(firewalldForward(fw, BR0, UP)?.passes).toBeUndefined();
  });

  it('names with quotes, dollars, control characters: kept as data; __proto__ as a zone is just a name', () => {
    const d = doc('02-eth0-public-br0-none');
    const rule = zonesRule(d, 0);
    rule.expr[0].match.right = 'br0";$(reboot)\u001b[2J';
    rule.expr[1].goto.target = 'filter_FWD___proto__';
    const fw = parseFirewalld(JSON.stringify(d));
    expect(fw.bindings).toEqual([{ zone: '__proto__', interface: 'br0";$(reboot)\u001b[2J' }]);
    expect(fw.zones.map((z) => z.name)).toEqual(['__proto__', 'public']);
    expect(firewalldForward(fw, BR0, UP)).toEqual({ zone: 'public', by: 'default', passes: true });
  });

  it('whatever JSON it is given, it returns facts or throws a SyntaxError for text that is not JSON, and never a verdict without a zone', () => {
    expect(parseFirewalld('{}')).toEqual({ bindings: [], zones: [], policies: false });
    expect(parseFirewalld('{"nftables": "x"}')).toEqual({ bindings: [], zones: [], policies: false });
    expect(() => parseFirewalld('not json')).toThrow(SyntaxError);
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 4 }), (v, expr) => {
        const text = JSON.stringify({ nftables: [v, { rule: { family: 'inet', table: 'firewalld', chain: 'filter_FORWARD_ZONES', expr } }] });
        const fw = parseFirewalld(text);
        const verdict = firewalldForward(fw, BR0, UP);
        if (verdict) expect(fw.zones.map((z) => z.name)).toContain(verdict.zone);
      }),
    );
  });
});
