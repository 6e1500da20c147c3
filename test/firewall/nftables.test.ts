import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirewallObject } from '../../src/firewall/backend.js';
import { iptables } from '../../src/firewall/iptables.js';
import type { NatRule } from '../../src/firewall/nat-rule.js';
import { parseNftTable } from '../../src/firewall/nft-table.js';
import { nftables } from '../../src/firewall/nftables.js';
import { readFirewallFacts } from '../../src/firewall/read-facts.js';
import type { FirewallFacts, NftFacts } from '../../src/firewall/types.js';
import { gatherScript } from '../../src/remote/gather.js';
import { fixture, gathered } from './helpers.js';

/**
 * The nftables backend (nftables.ts) through its interface. Its commands are run with the real
 * `nft` in a scratch network namespace of the test's own (nothing of the machine's firewall is
 * touched), read back with `nft -j list table inet cnet_remote` (what the gather runs) and parsed
 * with parseNftTable: the backend must find exactly what its own commands made, and its removals
 * must leave nothing. Each read-back is compared with its recording in test/fixtures/nft/ (which
 * nft-table.test.ts parses without root); `RECORD_NFT_FIXTURES=1` writes them anew.
 */

const rule = (subnet: string, bridge: string, except?: string): NatRule => nftables.rule({ kind: 'nat', subnet, bridge, ...(except ? { except } : {}) });
const BR0 = rule('172.18.0.0/16', 'br0');
const CNET0 = rule('172.30.0.0/24', 'cnet0', '172.30.0.0/16');
/** `-` and `.` in a bridge's name: in the chain's name too (`nat_br-0.x`) */
const DOTTED = rule('10.40.0.0/24', 'br-0.x');
/** 15 characters (IFNAMSIZ - 1), every character an inventory allows */
const LONG = rule('10.41.0.0/24', 'br_0-1.2_3-4.5x');
/** a name may start with a digit */
const DIGIT = rule('10.42.0.0/24', '9lives');
const RULES = [BR0, CNET0, DOTTED, LONG, DIGIT];

const TABLE: FirewallObject = { kind: 'nft-table', family: 'inet', name: 'cnet_remote' };
const T = ['inet', 'cnet_remote'];

/** Firewall facts with iptables answering and empty, and nftables' as given. */
const withNft = (nft?: NftFacts): FirewallFacts => ({ nat: { available: true, rules: [] }, ...(nft ? { nft } : {}) });
/** The facts when `nft -j list table inet cnet_remote` printed this. */
const listedFacts = (text: string): FirewallFacts => withNft({ available: true, table: parseNftTable(text) });

describe('commands', () => {
  it('natSteps: one nft command makes the chain nat_BRIDGE anew (type nat, hook postrouting, srcnat priority) and adds the rule', () => {
    const chain = [...T, 'nat_br0'];
    expect(nftables.natSteps(BR0)).toEqual({
      add: [
        ...['nft', 'add', 'chain', ...chain, ';', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain, ';'],
        ...['add', 'chain', ...chain, '{ type nat hook postrouting priority 100 ; policy accept ; }', ';'],
        ...['add', 'rule', ...chain, 'ip', 'saddr', '172.18.0.0/16', 'oifname', '!=', '"br0"', 'masquerade', 'comment', '"cnet-remote:br0"'],
      ],
      del: ['nft', 'flush', 'chain', ...chain, ';', 'delete', 'chain', ...chain],
    });
  });

  it('natSteps: `except` is `ip daddr != EXCEPT` after the source; the chain is named after the bridge as it is', () => {
    const add = nftables.natSteps(CNET0).add;
    expect(add.slice(add.indexOf('saddr') - 1)).toEqual([
      ...['ip', 'saddr', '172.30.0.0/24', 'ip', 'daddr', '!=', '172.30.0.0/16'],
      ...['oifname', '!=', '"cnet0"', 'masquerade', 'comment', '"cnet-remote:cnet0"'],
    ]);
    expect(nftables.natSteps(DOTTED).del).toEqual(['nft', 'flush', 'chain', ...T, 'nat_br-0.x', ';', 'delete', 'chain', ...T, 'nat_br-0.x']);
  });

  it('rule: the object is marked as nftables’, whatever it was; iptables’ drops the mark', () => {
    const plain: NatRule = { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' };
    expect(nftables.rule(plain)).toEqual({ ...plain, nftables: true });
    expect(nftables.rule(BR0)).toEqual(BR0);
    expect(iptables.rule(BR0)).toEqual(plain);
  });

  it('prepare: the table, owned and taken back, only when the facts show none', () => {
    expect(nftables.prepare(withNft({ available: true }))).toEqual([
      { argv: ['nft', 'add', 'table', ...T], undo: ['nft', 'delete', 'table', ...T], owns: TABLE },
    ]);
    expect(nftables.prepare(withNft({ available: true, table: { chains: [] } }))).toEqual([]);
  });

  it('removal: a rule goes with its chain (undone by adding it again); the table as a whole', () => {
    expect(nftables.removal(CNET0)).toEqual({ argv: nftables.natSteps(CNET0).del, undo: nftables.natSteps(CNET0).add });
    expect(nftables.removal(TABLE)).toEqual({ argv: ['nft', 'delete', 'table', ...T] });
  });

  it('unusable: only when nft did not answer, saying why and what to do', () => {
    expect(nftables.unusable(withNft({ available: true }))).toBeUndefined();
    expect(nftables.unusable(withNft({ available: false, error: 'nft: not found' }))).toBe(
      'nftables is not usable on the host (nft: not found): install it (apt-get install nftables), or set cnet.firewall: iptables, or nat: false',
    );
    // facts recorded before nftables was read
    expect(nftables.unusable(withNft())).toMatch(/^nftables is not usable on the host \(nft not found\): /);
  });

  it('without: a removed rule takes its chain; the removed table takes everything; iptables’ rules are not nftables’', () => {
    const table = {
      chains: [
        { name: 'nat_br0', empty: false, rule: BR0 },
        { name: 'nat_cnet0', empty: false, rule: CNET0 },
        { name: 'other', empty: true },
      ],
    };
    const f = withNft({ available: true, table });
    expect(nftables.without(f, [BR0]).nft).toEqual({ available: true, table: { chains: table.chains.slice(1) } });
    expect(nftables.without(f, [TABLE]).nft).toEqual({ available: true });
    expect(nftables.without(f, [iptables.rule(BR0)])).toEqual(f);
    expect(nftables.without(withNft({ available: true }), [BR0, TABLE])).toEqual(withNft({ available: true }));
  });
});

describe('has, owned on recorded tables (test/fixtures/nft, nft 1.0.6)', () => {
  const recorded = (name: string) => listedFacts(fixture(`nft/${name}.json`));

  it('rules.json: every rule and the table; flushed-chain.json: the flushed rule is missing, the table still ours', () => {
    expect(nftables.owned(recorded('rules'))).toEqual([...RULES, TABLE]);
    expect(RULES.map((r) => nftables.has(recorded('rules'), r))).toEqual(RULES.map(() => true));
    expect(nftables.owned(recorded('flushed-chain'))).toEqual([CNET0, DOTTED, LONG, DIGIT, TABLE]);
    expect(nftables.owned(recorded('empty-table'))).toEqual([TABLE]);
  });

  it('another’s rule or chain in the table: the table is not ours, our other rules are', () => {
    for (const name of ['foreign-rule', 'foreign-chain', 'drifted-priority']) {
      expect(nftables.has(recorded(name), TABLE), name).toBe(false);
      expect(nftables.owned(recorded(name)), name).toEqual([CNET0, DOTTED, LONG, DIGIT, ...(name === 'foreign-rule' ? [] : [BR0])]);
    }
  });

  // BUGS, see the namespace's tests below: another's empty chain, or set, in the table
  it('foreign-empty-chain.json: the table is not ours', () => expect(nftables.has(recorded('foreign-empty-chain'), TABLE)).toBe(false));
  it('foreign-set.json: the table is not ours', () => expect(nftables.has(recorded('foreign-set'), TABLE)).toBe(false));
});

const isRoot = process.getuid?.() === 0;
const hasNft = spawnSync('nft', ['--version']).status === 0;
const RECORD = process.env.RECORD_NFT_FIXTURES === '1';
const FIXTURES = new URL('../fixtures/nft/', import.meta.url);

describe.skipIf(!isRoot || !hasNft)('against the real nft, in a scratch network namespace', () => {
  const NS = `cnetfwt-${randomBytes(4).toString('hex')}`;
  /** a folder with every command of the machine's but nft: a host without nftables */
  const noNft = mkdtempSync(join(tmpdir(), 'cnetfwt-path-'));

  const run = (argv: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** `nft -j list table inet cnet_remote`, compared with (or recorded as) test/fixtures/nft/NAME.json */
  const listed = (name: string): string => {
    const text = run(['nft', '-j', 'list', 'table', ...T]);
    if (RECORD) writeFileSync(new URL(`${name}.json`, FIXTURES), text);
    const recorded = fixture(`nft/${name}.json`);
    expect(parseNftTable(text), `the read-back is ${name}.json as recorded`).toEqual(parseNftTable(recorded));
    const body = (t: string) => JSON.parse(t).nftables as Record<string, { version?: string }>[];
    // the same nft version prints the same text: each object but the version, handles included
    if (body(text)[0]?.metainfo?.version === body(recorded)[0]?.metainfo?.version) expect(body(text).slice(1)).toEqual(body(recorded).slice(1));
    return text;
  };
  /** the firewall facts as the gather (remote/programs/gather.sh) reads them in the namespace, and its nft-table section(s) as printed */
  const gather = (how: { path?: string; nobody?: true } = {}): { nft: NftFacts | undefined; sections: string } => {
    const nobody = how.nobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = ['ip', 'netns', 'exec', NS, ...nobody, ...(how.path ? ['env', `PATH=${how.path}`] : []), 'sh'];
    const r = spawnSync(argv[0]!, argv.slice(1), { input: gatherScript([]), encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    return { nft: readFirewallFacts(gathered(r.stdout)).nft, sections: /^@@nft-table\n[\s\S]*?(?=^@@brnf\n)/m.exec(r.stdout)?.[0] ?? '' };
  };
  const recordText = (name: string, text: string): string => {
    if (RECORD) writeFileSync(new URL(name, FIXTURES), text);
    return fixture(`nft/${name}`);
  };
  const tables = () => run(['nft', 'list', 'tables']);

  beforeAll(() => {
    const r = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip netns add ${NS}: ${r.stderr}`);
    const linked = new Set(['nft']);
    for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
      for (const name of existsSync(dir) ? readdirSync(dir) : []) {
        if (!linked.has(name)) symlinkSync(join(dir, name), join(noNft, name));
        linked.add(name);
      }
    }
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(noNft, { recursive: true, force: true });
  });

  it('a fresh namespace has no table: the gather reads nft as available, without a table, and lists none (no sign of it in the chains)', () => {
    expect(tables()).toBe('');
    const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-j', 'list', 'table', 'inet', 'nosuch'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(recordText('list-table-nosuch.txt', r.stderr));
    const { nft, sections } = gather();
    expect(sections).toBe(recordText('gather-absent-table.txt', sections));
    expect(sections).toBe('@@nft-table\n@@nft-none\n');
    expect(nft).toEqual({ available: true });
    expect(nftables.owned(withNft(nft))).toEqual([]);
  });

  it('a host without nft: the gather says so, and nftables is unusable', () => {
    const { nft, sections } = gather({ path: noNft });
    expect(sections).toBe(recordText('gather-nft-not-found.txt', sections));
    expect(sections).toBe('@@nft-table\nnft: not found\n@@nft-failed\n');
    expect(nft).toEqual({ available: false, error: 'nft: not found' });
    expect(nftables.unusable(withNft(nft))).toMatch(/^nftables is not usable on the host \(nft: not found\)/);
  });

  it('a user other than root: nft answers, refusing (nftables is unusable, with nft’s first line)', () => {
    const { nft, sections } = gather({ nobody: true });
    expect(sections).toBe(recordText('gather-not-root.txt', sections));
    expect(nft).toEqual({ available: false, error: 'Operation not permitted (you must be root)' });
  });

  it('prepare makes the table: empty, it is ours, and prepare asks for nothing more', () => {
    for (const step of nftables.prepare(withNft({ available: true }))) run(step.argv);
    const f = listedFacts(listed('empty-table'));
    expect(f.nft?.table).toEqual({ chains: [] });
    expect(nftables.owned(f)).toEqual([TABLE]);
    expect(nftables.has(f, TABLE)).toBe(true);
    expect(nftables.prepare(f)).toEqual([]);
    // no chain of it among the chains, no record naming it here: the gather shows no sign of it and lists nothing
    // (after an up that made it, the record names it)
    expect(gather().nft).toEqual({ available: true });
  });

  it('natSteps.add: each rule (plain, with except, names with - and ., 15 characters, a leading digit) is found, exactly', () => {
    for (const r of RULES) run(nftables.natSteps(r).add);
    const f = listedFacts(listed('rules'));
    expect(nftables.owned(f)).toEqual([...RULES, TABLE]);
    for (const r of RULES) expect(nftables.has(f, r), r.bridge).toBe(true);
    // another subnet, another except, no except: other rules
    expect(nftables.has(f, { ...BR0, subnet: '172.18.0.0/24' })).toBe(false);
    expect(nftables.has(f, { ...CNET0, except: '172.30.0.0/17' })).toBe(false);
    expect(nftables.has(f, rule(CNET0.subnet, CNET0.bridge))).toBe(false);
    expect(nftables.has(f, { ...BR0, bridge: 'br1' })).toBe(false);
    expect(gather().nft).toEqual(f.nft);
  });

  it('natSteps.add again rewrites the chain: still one rule, nothing added', () => {
    const before = listedFacts(listed('rules'));
    run(nftables.natSteps(BR0).add);
    const byName = (f: FirewallFacts) => [...(f.nft?.table?.chains ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(byName(listedFacts(run(['nft', '-j', 'list', 'table', ...T])))).toEqual(byName(before));
  });

  it('a chain someone flushed: its rule is missing, the table still ours, and natSteps.del removes the chain', () => {
    run(['nft', 'flush', 'chain', ...T, 'nat_br0']);
    const f = listedFacts(listed('flushed-chain'));
    expect(f.nft?.table?.chains.find((c) => c.name === 'nat_br0')).toEqual({ name: 'nat_br0', empty: true });
    expect(nftables.has(f, BR0)).toBe(false);
    expect(nftables.owned(f)).toEqual([CNET0, DOTTED, LONG, DIGIT, TABLE]);
    run(nftables.natSteps(BR0).del);
    expect(listedFacts(listed('rules-but-br0')).nft?.table?.chains.map((c) => c.name)).toEqual([
      'nat_cnet0',
      'nat_br-0.x',
      'nat_br_0-1.2_3-4.5x',
      'nat_9lives',
    ]);
  });

  it('a foreign rule in a chain of ours: the chain is not ours, nor is the table; natSteps.add makes it ours again', () => {
    run(nftables.natSteps(BR0).add);
    run(['nft', 'add', 'rule', ...T, 'nat_br0', 'counter']);
    const f = listedFacts(listed('foreign-rule'));
    expect(f.nft?.table?.chains.find((c) => c.name === 'nat_br0')).toEqual({ name: 'nat_br0', empty: false });
    expect(nftables.has(f, BR0)).toBe(false);
    expect(nftables.has(f, TABLE)).toBe(false);
    expect(nftables.owned(f)).toEqual([CNET0, DOTTED, LONG, DIGIT]);
    run(nftables.natSteps(BR0).add);
    expect(nftables.owned(listedFacts(listed('rules-br0-last')))).toEqual([CNET0, DOTTED, LONG, DIGIT, BR0, TABLE]);
  });

  it('a foreign chain (holding a rule) in the table keeps the table out of what is ours (its rules stay ours)', () => {
    run(['nft', 'add', 'chain', ...T, 'other']);
    run(['nft', 'add', 'rule', ...T, 'other', 'counter']);
    const f = listedFacts(listed('foreign-chain'));
    expect(nftables.has(f, TABLE)).toBe(false);
    expect(nftables.owned(f)).toEqual([CNET0, DOTTED, LONG, DIGIT, BR0]);
    run(['nft', 'delete', 'chain', ...T, 'other']);
  });

  // BUG (src/firewall/nftables.ts tableIsOurs): any empty chain counts as a flushed one of ours, whatever
  // its name: another's empty chain leaves the table "ours", and `down` deletes it with the table
  it('an empty foreign chain in the table keeps the table out of what is ours', () => {
    run(['nft', 'add', 'chain', ...T, 'other']);
    try {
      expect(nftables.has(listedFacts(listed('foreign-empty-chain')), TABLE)).toBe(false);
    } finally {
      run(['nft', 'delete', 'chain', ...T, 'other']);
    }
  });

  it('a chain of ours hooked otherwise (priority 0) holding our rule: not ours', () => {
    const chain = [...T, 'nat_br1'];
    run(['nft', 'add', 'chain', ...chain, '{ type nat hook postrouting priority 0 ; policy accept ; }']);
    run(['nft', 'add', 'rule', ...chain, 'ip', 'saddr', '172.19.0.0/24', 'oifname', '!=', '"br1"', 'masquerade', 'comment', '"cnet-remote:br1"']);
    const f = listedFacts(listed('drifted-priority'));
    expect(f.nft?.table?.chains.find((c) => c.name === 'nat_br1')).toEqual({ name: 'nat_br1', empty: false });
    expect(nftables.has(f, rule('172.19.0.0/24', 'br1'))).toBe(false);
    expect(nftables.has(f, TABLE)).toBe(false);
    run(nftables.natSteps(rule('172.19.0.0/24', 'br1')).del);
  });

  // BUG (src/firewall/nftables.ts natSteps): `add chain … { type nat hook postrouting priority 100 … }` on
  // a chain of that name hooked otherwise fails ("Operation not supported"): `up` cannot repair it
  it('natSteps.add repairs a chain of ours hooked otherwise', () => {
    const chain = [...T, 'nat_br1'];
    run(['nft', 'add', 'chain', ...chain, '{ type nat hook postrouting priority 0 ; policy accept ; }']);
    try {
      run(nftables.natSteps(rule('172.19.0.0/24', 'br1')).add);
      expect(nftables.has(listedFacts(run(['nft', '-j', 'list', 'table', ...T])), rule('172.19.0.0/24', 'br1'))).toBe(true);
    } finally {
      run(['nft', 'delete', 'chain', ...chain]);
    }
  });

  // BUG (src/firewall/nft-table.ts parseNftTable reads chains and rules only): a set (map, flowtable,
  // stateful object) of another's in the table leaves it "ours", and `down` deletes it with the table
  it('a foreign set in the table keeps the table out of what is ours', () => {
    run(['nft', 'add', 'set', ...T, 'other', '{ type ipv4_addr ; }']);
    try {
      const f = listedFacts(listed('foreign-set'));
      expect(nftables.has(f, TABLE)).toBe(false);
    } finally {
      run(['nft', 'delete', 'set', ...T, 'other']);
    }
  });

  it('natSteps.del of each rule, then removal of the table: nothing is left', () => {
    const f = listedFacts(listed('rules-br0-last'));
    const owned = nftables.owned(f);
    for (const o of owned.filter((o) => o.kind === 'nat')) run(nftables.removal(o).argv);
    const emptied = listedFacts(listed('empty-table'));
    expect(nftables.owned(emptied)).toEqual([TABLE]);
    expect(
      nftables.without(
        f,
        owned.filter((o) => o.kind === 'nat'),
      ).nft,
    ).toEqual(emptied.nft);
    run(nftables.removal(TABLE).argv);
    expect(tables()).toBe('');
    expect(gather().nft).toEqual({ available: true });
    expect(nftables.without(f, owned).nft).toEqual({ available: true });
  });

  it('prepare’s undo removes the table with everything in it (a rule added after it)', () => {
    const [step] = nftables.prepare(withNft({ available: true }));
    run(step!.argv);
    run(nftables.natSteps(CNET0).add);
    run(step!.undo!);
    expect(tables()).toBe('');
  });
});
