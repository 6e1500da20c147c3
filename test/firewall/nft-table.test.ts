import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NatRule } from '../../src/firewall/nat-rule.js';
import { chainOf, NAT_PRIORITY, ourNatRule, parseNftTable, TABLE } from '../../src/firewall/nft-table.js';
import { natComment } from '../../src/ownership/record.js';
import { fixture } from './helpers.js';

/**
 * parseNftTable on what nft 1.0.6 printed for the commands of nftables.ts (test/fixtures/nft/,
 * recorded by nftables.test.ts in a scratch namespace), and on hostile JSON: whatever the host
 * prints, a rule is cnet-remote's only in exactly the shape cnet-remote writes.
 */

const nat = (subnet: string, bridge: string, except?: string): NatRule => ({ kind: 'nat', subnet, bridge, ...(except ? { except } : {}), nftables: true });
const BR0 = nat('172.18.0.0/16', 'br0');
const CNET0 = nat('172.30.0.0/24', 'cnet0', '172.30.0.0/16');
const DOTTED = nat('10.40.0.0/24', 'br-0.x');
const LONG = nat('10.41.0.0/24', 'br_0-1.2_3-4.5x');
const DIGIT = nat('10.42.0.0/24', '9lives');
const ours = (r: NatRule) => ({ name: chainOf(r.bridge), empty: false, rule: r });

const recorded = (name: string) => parseNftTable(fixture(`nft/${name}.json`));
/** chains by name: nft lists them in the order they were made, which is the recording's history, not the parser's concern */
const byName = <T extends { name: string }>(chains: T[]): T[] => [...chains].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

type Json = ReturnType<typeof JSON.parse>;
/** A recording as JSON, to edit. */
const doc = (name: string): { nftables: Json[] } => JSON.parse(fixture(`nft/${name}.json`));
const chainIn = (d: { nftables: Json[] }, name: string) => d.nftables.find((i) => i.chain?.name === name).chain;
const ruleIn = (d: { nftables: Json[] }, chain: string) => d.nftables.find((i) => i.rule?.chain === chain).rule;

/** How nft 1.0.6 prints a rule of ours (`-j`), as nftables.ts writes it: the oracle the hostile cases are held to. */
function printed(r: NatRule): { expr: Json[]; comment: string } {
  const prefix = (cidr: string) => {
    const slash = cidr.lastIndexOf('/');
    const [addr, len] = [cidr.slice(0, slash), cidr.slice(slash + 1)];
    return { prefix: { addr, len: Number(len) } };
  };
  const ip = (field: string, op: string, cidr: string) => ({ match: { op, left: { payload: { protocol: 'ip', field } }, right: prefix(cidr) } });
  return {
    expr: [
      ip('saddr', '==', r.subnet),
      ...(r.except ? [ip('daddr', '!=', r.except)] : []),
      { match: { op: '!=', left: { meta: { key: 'oifname' } }, right: r.bridge } },
      { masquerade: null },
    ],
    comment: natComment(r.bridge),
  };
}

describe('parseNftTable on recorded tables (nft 1.0.6)', () => {
  it('the table as prepare makes it: no chains', () => {
    expect(recorded('empty-table')).toEqual({ chains: [] });
  });

  it('rules.json: each chain with its rule: plain, with except, names with - and ., 15 characters, a leading digit', () => {
    expect(recorded('rules')).toEqual({ chains: [BR0, CNET0, DOTTED, LONG, DIGIT].map(ours) });
  });

  it('nft prints each rule as `printed` says, comment included (the oracle below is nft’s own)', () => {
    const d = doc('rules');
    for (const r of [BR0, CNET0, DOTTED, LONG, DIGIT]) {
      const { expr, comment } = ruleIn(d, chainOf(r.bridge));
      expect({ expr, comment }).toEqual(printed(r));
      expect(chainIn(d, chainOf(r.bridge))).toMatchObject({
        family: TABLE.family,
        table: TABLE.name,
        type: 'nat',
        hook: 'postrouting',
        prio: NAT_PRIORITY,
        policy: 'accept',
      });
    }
  });

  it('flushed-chain.json: the flushed chain is empty, without a rule', () => {
    expect(byName(recorded('flushed-chain').chains)).toEqual(byName([{ name: 'nat_br0', empty: true }, ...[CNET0, DOTTED, LONG, DIGIT].map(ours)]));
  });

  it('rules-but-br0.json: without nat_br0; rules-br0-last.json: nat_br0 made again, listed last', () => {
    expect(recorded('rules-but-br0').chains).toEqual([CNET0, DOTTED, LONG, DIGIT].map(ours));
    expect(recorded('rules-br0-last').chains.at(-1)).toEqual(ours(BR0));
    expect(byName(recorded('rules-br0-last').chains)).toEqual(byName(recorded('rules').chains));
  });

  it('foreign-rule.json: a counter rule after ours makes the chain another’s (not empty, no rule)', () => {
    expect(byName(recorded('foreign-rule').chains)).toEqual(byName([...[CNET0, DOTTED, LONG, DIGIT].map(ours), { name: 'nat_br0', empty: false }]));
  });

  it('foreign-chain.json, foreign-empty-chain.json: another’s chain is listed, without a rule', () => {
    expect(recorded('foreign-chain').chains.at(-1)).toEqual({ name: 'other', empty: false });
    expect(recorded('foreign-empty-chain').chains.at(-1)).toEqual({ name: 'other', empty: true });
  });

  it('drifted-priority.json: our rule in a chain hooked at priority 0 is not ours', () => {
    expect(recorded('drifted-priority').chains.find((c) => c.name === 'nat_br1')).toEqual({ name: 'nat_br1', empty: false });
  });

  it('foreign-set.json: the chains as they are (the set is not a chain)', () => {
    expect(byName(recorded('foreign-set').chains)).toEqual(byName([CNET0, DOTTED, LONG, DIGIT, BR0].map(ours)));
  });
});

/** nat_br0 of rules.json once edited: the chain as parsed. */
function editedBr0(edit: (rule: Json, chain: Json, d: { nftables: Json[] }) => void) {
  const d = doc('rules');
  edit(ruleIn(d, 'nat_br0'), chainIn(d, 'nat_br0'), d);
  return parseNftTable(JSON.stringify(d)).chains.find((c) => c.name === 'nat_br0');
}
const match = (left: Json, op: string, right: Json) => ({ match: { op, left, right } });
const oif = (op: string, name: Json) => match({ meta: { key: 'oifname' } }, op, name);
const NOT_OURS = { name: 'nat_br0', empty: false };

describe('parseNftTable on hostile input: a rule is ours only in exactly our shape', () => {
  const cases: [string, (rule: Json, chain: Json, d: { nftables: Json[] }) => void][] = [
    // wrong types
    ['prefix length as a string', (r) => void (r.expr[0].match.right.prefix.len = '16')],
    ['prefix address as a number', (r) => void (r.expr[0].match.right.prefix.addr = 2886860800)],
    ['the source a plain address, not a prefix', (r) => void (r.expr[0].match.right = '172.18.0.0')],
    ['the source a set', (r) => void (r.expr[0].match.right = { set: [{ prefix: { addr: '172.18.0.0', len: 16 } }] })],
    ['the bridge name a number', (r) => void (r.expr[1] = oif('!=', 0))],
    ['the comment a number', (r) => void (r.comment = 0)],
    ['the comment an array', (r) => void (r.comment = ['cnet-remote:br0'])],
    ['no comment', (r) => void delete r.comment],
    ['expr an object', (r) => void (r.expr = { 0: r.expr[0], 1: r.expr[1], 2: r.expr[2], length: 3 })],
    ['expr null', (r) => void (r.expr = null)],
    ['masquerade with options (`masquerade random`)', (r) => void (r.expr[2] = { masquerade: { flags: ['random'] } })],
    ['masquerade {}', (r) => void (r.expr[2] = { masquerade: {} })],
    ['a match without its op', (r) => void delete r.expr[1].match.op],
    ['prio as a string', (_r, c) => void (c.prio = '100')],
    // extra or other expressions
    ['a counter after the masquerade', (r) => void r.expr.push({ counter: { packets: 0, bytes: 0 } })],
    ['a counter before the source', (r) => void r.expr.unshift({ counter: { packets: 0, bytes: 0 } })],
    ['a counter where an except would be', (r) => void r.expr.splice(1, 0, { counter: { packets: 0, bytes: 0 } })],
    ['accept, commented as ours (`ip saddr … oifname != "br0" accept comment "cnet-remote:br0"`)', (r) => void (r.expr[2] = { accept: null })],
    ['snat instead of masquerade', (r) => void (r.expr[2] = { snat: { addr: '192.0.2.1' } })],
    ['the masquerade first', (r) => void r.expr.unshift(r.expr.pop())],
    // other matches
    ['source != (all but the subnet)', (r) => void (r.expr[0].match.op = '!=')],
    ['destination instead of source', (r) => void (r.expr[0].match.left.payload.field = 'daddr')],
    ['ip6 instead of ip', (r) => void (r.expr[0].match.left.payload.protocol = 'ip6')],
    ['oifname == (only out of the bridge)', (r) => void (r.expr[1].match.op = '==')],
    ['iifname instead of oifname', (r) => void (r.expr[1].match.left.meta.key = 'iifname')],
    [
      'an except that matches (==) instead of excluding',
      (r) => void r.expr.splice(1, 0, match({ payload: { protocol: 'ip', field: 'daddr' } }, '==', { prefix: { addr: '10.0.0.0', len: 8 } })),
    ],
    // the comment, the bridge and the chain must agree
    ['another bridge’s comment', (r) => void (r.comment = 'cnet-remote:br1')],
    ['the comment with a space after it', (r) => void (r.comment = 'cnet-remote:br0 ')],
    ['another tool’s tag', (r) => void (r.comment = 'docker:br0')],
    [
      'another bridge’s rule, comment and all, in nat_br0',
      (r) => {
        r.expr[1] = oif('!=', 'br1');
        r.comment = 'cnet-remote:br1';
      },
    ],
    ['two rules of ours in the chain', (r, _c, d) => void d.nftables.push({ rule: structuredClone(r) })],
    // the chain must be hooked as ours is
    ['the chain at priority 0', (_r, c) => void (c.prio = 0)],
    ['the chain on prerouting', (_r, c) => void (c.hook = 'prerouting')],
    ['the chain of type filter', (_r, c) => void (c.type = 'filter')],
    ['the chain with policy drop', (_r, c) => void (c.policy = 'drop')],
    [
      'a regular chain (no hook)',
      (_r, c) => {
        for (const k of ['type', 'hook', 'prio', 'policy']) delete c[k];
      },
    ],
  ];

  it.each(cases)('%s: not ours', (_name, edit) => {
    expect(editedBr0(edit)).toEqual(NOT_OURS);
  });

  it('the unedited rule is ours (the cases above each break one thing)', () => {
    expect(editedBr0(() => {})).toEqual(ours(BR0));
  });

  it('a rule of our shape in another table or family is not in ours: the chain is empty', () => {
    expect(editedBr0((r) => void (r.family = 'ip'))).toEqual({ name: 'nat_br0', empty: true });
    expect(editedBr0((r) => void (r.table = 'cnet_remote2'))).toEqual({ name: 'nat_br0', empty: true });
  });

  it('a chain of another table, or without a name, is not listed', () => {
    expect(editedBr0((_r, c) => void (c.table = 'filter'))).toBeUndefined();
    const d = doc('rules');
    delete chainIn(d, 'nat_br0').name;
    expect(parseNftTable(JSON.stringify(d)).chains.map((c) => c.name)).toEqual(['nat_cnet0', 'nat_br-0.x', 'nat_br_0-1.2_3-4.5x', 'nat_9lives']);
  });

  it('JSON of another shape: no chains', () => {
    for (const text of ['{}', '[]', 'null', '1', '"x"', '{"nftables": {}}', '{"nftables": [null, 1, [], {"chain": null}, {"chain": []}]}']) {
      expect(parseNftTable(text), text).toEqual({ chains: [] });
    }
  });

  it('text that is not JSON throws an Error (read-facts.ts makes it a FactsError naming the section)', () => {
    for (const text of ['', 'Error: No such file or directory', '{"nftables": [', 'table inet cnet_remote {}']) {
      expect(() => parseNftTable(text), JSON.stringify(text)).toThrow(Error);
    }
  });

  it('any JSON: never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseNftTable(JSON.stringify(v));
        parseNftTable(JSON.stringify({ nftables: [v] }));
        parseNftTable(JSON.stringify({ nftables: [{ chain: v }, { rule: v }] }));
      }),
    );
  });

  it('a leaf of a rule of ours changed to any JSON: a rule still claimed is exactly what nft prints for it', () => {
    const leaves = (v: Json, at: (string | number)[] = []): (string | number)[][] =>
      v !== null && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, Array.isArray(v) ? Number(k) : k])) : [at];
    const d = doc('rules');
    const targets = [BR0, CNET0].map((r) => ({
      chain: chainOf(r.bridge),
      paths: leaves(ruleIn(d, chainOf(r.bridge))).filter((p) => p[0] === 'expr' || p[0] === 'comment'),
    }));
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.nat(), fc.jsonValue(), ({ chain, paths }, i, value) => {
        const e = doc('rules');
        const path = paths[i % paths.length]!;
        let at: Json = ruleIn(e, chain);
        for (const k of path.slice(0, -1)) at = at[k];
        at[path.at(-1)!] = value;
        const text = JSON.stringify(e);
        const parsed = parseNftTable(text).chains.find((c) => c.name === chain)!;
        if (!parsed.rule) return;
        // as the text has it (JSON has no -0)
        const { expr, comment } = ruleIn(JSON.parse(text), chain);
        expect({ expr, comment }).toEqual(printed(parsed.rule));
        expect(chainOf(parsed.rule.bridge)).toBe(chain);
      }),
    );
  });
});

describe('ourNatRule', () => {
  it('reads the rule from its expressions and comment; anything else is no rule', () => {
    const { expr, comment } = printed(CNET0);
    expect(ourNatRule(expr, comment)).toEqual(CNET0);
    expect(ourNatRule(expr, natComment('br0'))).toBeUndefined();
    expect(ourNatRule(expr.slice(0, 2), comment)).toBeUndefined();
    expect(ourNatRule(undefined, comment)).toBeUndefined();
    expect(ourNatRule('ip saddr 172.30.0.0/24', comment)).toBeUndefined();
  });
});
