import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIpv6 } from '../../src/address/ipv6.js';
import { inSandbox, put, sandboxProblem } from '../remote/sandbox.js';

/**
 * formatIpv6(parseIpv6(x)) against the real `ip` (iproute2 prints addresses with glibc's
 * inet_ntop): a few hundred addresses of every shape are added to bridges in a scratch network
 * namespace (the sandbox: its own network and mount namespace), read back with `ip -6 -j addr`,
 * and each must be written as ip writes it. The table ip printed is kept as a fixture
 * (test/fixtures/facts/ipv6/ip-addresses.json: rewritten by `CNET_RECORD=1 npx vitest run
 * test/address/ipv6-ip.test.ts`), so the comparison runs where no namespace can be made too.
 */
const FIXTURE = new URL('../fixtures/facts/ipv6/ip-addresses.json', import.meta.url);

interface Case {
  input: string;
  /** the slot it is added in, which tells ip's output apart: bridge dev, prefix length */
  dev: string;
  prefixlen: number;
}

/** a small deterministic generator (mulberry32) */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** group values with and without leading zeros to drop */
const VALUES = [0x1, 0x7, 0xa, 0x10, 0x18, 0xab, 0xfe, 0x100, 0xabc, 0xdb8, 0x1000, 0x2001, 0x8000, 0xabcd, 0xfd00, 0xffff];

type Groups = number[];
const hex = (g: number) => g.toString(16);
/** the zero runs of groups: [start, length] */
function zeroRuns(groups: Groups): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    runs.push([i, j - i]);
    i = j;
  }
  return runs;
}
/** groups written with the zero run at `run` as `::` (any run, even of one group) */
function compressAt(groups: Groups, run: [number, number] | undefined, g: (n: number) => string = hex): string {
  if (!run) return groups.map(g).join(':');
  const [at, len] = run;
  return `${groups.slice(0, at).map(g).join(':')}::${groups
    .slice(at + len)
    .map(g)
    .join(':')}`;
}
const dotted = (groups: Groups) => [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');

/** ways to write an address ip accepts, none of them necessarily canonical */
const STYLES: ((groups: Groups) => string)[] = [
  // all eight groups, lower case, no leading zeros
  (g) => g.map(hex).join(':'),
  // four digits a group, upper case
  (g) => g.map((x) => x.toString(16).toUpperCase().padStart(4, '0')).join(':'),
  // the last of the longest zero runs compressed (not the first, as inet_ntop picks on ties)
  (g) => {
    const runs = zeroRuns(g);
    const max = Math.max(0, ...runs.map(([, l]) => l));
    return compressAt(g, runs.filter(([, l]) => l === max).at(-1));
  },
  // the first zero run compressed, however short (a single zero group too)
  (g) => compressAt(g, zeroRuns(g)[0]),
  // mixed case, the last zero run compressed
  (g) => compressAt(g, zeroRuns(g).at(-1), (x) => (x % 2 ? hex(x).toUpperCase() : hex(x))),
  // the last 32 bits dotted
  (g) => `${g.slice(0, 6).map(hex).join(':')}:${dotted(g)}`,
];

/** Every zero/non-zero pattern of the eight groups (but all zero: ::, which no device takes), each in two styles. */
function cases(): Case[] {
  const rnd = random(18);
  const groupsOf = (pattern: number): Groups => {
    const g = Array.from({ length: 8 }, (_, i) => (pattern & (128 >> i) ? VALUES[Math.floor(rnd() * VALUES.length)]! : 0));
    // no multicast (ff00::/8) and no loopback (::1): a bridge takes neither
    if (g[0]! >= 0xff00) g[0] = 0xfd00;
    if (pattern === 1 && g[7] === 1) g[7] = 2;
    return g;
  };
  const inputs: string[] = [];
  const patterns = Array.from({ length: 255 }, (_, i) => [i + 1, groupsOf(i + 1)] as const);
  for (const round of [0, 1]) for (const [p, g] of patterns) inputs.push(STYLES[(p + round * 3) % STYLES.length]!(g));
  // the shapes inet_ntop writes specially, and the ties and all-zero host parts spelt out
  inputs.push(
    ...[
      '::ffff:10.1.2.3',
      '::FFFF:192.168.0.1',
      '0:0:0:0:0:ffff:1.2.3.4',
      '::ffff:0:0',
      '::ffff:1:2',
      '::ffff:0:1.2.3.4',
      '::10.1.2.3',
      '::0.0.0.2',
      '::1:0',
      '::2',
      '::100',
      '::ffff',
      '0::ffff:0',
      'fd00:18::',
      'FD00:0018:0000:0000:0000:0000:0000:0000',
      '2001:db8:0:1::',
      '2001:db8::1:0:0:1',
      '2001:0:0:1:0:0:0:1',
      '1:0:0:2:0:0:3:4',
      '1:0:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:0',
      '0:1:2:3:4:5:6:7',
      '1:2:3:4:5:6:0:0',
      '0:0:1:2:3:4:5:6',
      'fe80::1',
      'FE80::ABCD:EF01',
      'fd00::1.2.3.4',
      'fd00:18::ffff:0:0',
    ],
  );
  // each slot once; a bridge holds an address once (a second spelling of it goes to another bridge)
  const devs: { values: Set<bigint>; used: number }[] = [];
  return inputs.map((input) => {
    const value = urlValue(input);
    let k = devs.findIndex((d) => d.used < 128 && !d.values.has(value));
    if (k < 0) k = devs.push({ values: new Set(), used: 0 }) - 1;
    const d = devs[k]!;
    d.values.add(value);
    return { input, dev: `b${k}`, prefixlen: ++d.used };
  });
}

/** the address's value read by an independent parser: the WHATWG URL host parser (V8's), no inet_ntop in it */
function urlValue(input: string): bigint {
  const host = new URL(`http://[${input}]/`).hostname.slice(1, -1);
  const [head = '', tail] = host.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** every case's formatIpv6(parseIpv6(input)) that is not what ip printed */
function disagreements(rows: readonly (readonly [string, string])[]): { input: string; ip: string; formatIpv6: string }[] {
  return rows.flatMap(([input, ip]) => {
    const ours = formatIpv6(parseIpv6(input));
    return ours === ip ? [] : [{ input, ip, formatIpv6: ours }];
  });
}

const CASES = cases();

describe('the cases', () => {
  it('cover every zero/non-zero pattern, in several spellings, and the special shapes; each slot once', () => {
    expect(CASES.length).toBeGreaterThan(500);
    expect(new Set(CASES.map((c) => `${c.dev} ${c.prefixlen}`)).size).toBe(CASES.length);
    expect(CASES.some((c) => /[A-F]/.test(c.input))).toBe(true);
    expect(CASES.some((c) => /\d+\.\d+\.\d+\.\d+$/.test(c.input))).toBe(true);
  });

  it('parseIpv6 reads each as the URL parser does', () => {
    for (const { input } of CASES) expect(parseIpv6(input), input).toBe(urlValue(input));
  });
});

describe('formatIpv6(parseIpv6(x)) writes what ip printed (the recorded table)', () => {
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { iproute2: string; rows: [string, string][] };

  it('holds a row for every case, in order', () => {
    expect(recorded.rows.map(([input]) => input)).toEqual(CASES.map((c) => c.input));
  });

  it('agrees on every row', () => {
    expect(disagreements(recorded.rows)).toEqual([]);
  });
});

describe.skipIf(sandboxProblem !== undefined)('formatIpv6(parseIpv6(x)) against the real ip (a scratch network namespace)', () => {
  it('agrees on every address ip takes', async () => {
    const devs = [...new Set(CASES.map((c) => c.dev))];
    const batch = [
      // no link-local address of their own: every address listed is a case's
      ...devs.flatMap((d) => [`link add ${d} type bridge`, `link set ${d} addrgenmode none`, `link set ${d} up`]),
      ...CASES.map((c) => `addr add ${c.input}/${c.prefixlen} dev ${c.dev} nodad noprefixroute`),
    ].join('\n');
    // -force: a line ip refuses is named on stderr, its case then not listed
    const r = await inSandbox(`${put('/run/t/batch', batch)}ip -force -batch /run/t/batch\necho '==addrs'\nip -6 -j addr show\n`, 60_000);
    expect(r.stderr).toBe('');
    const links = JSON.parse(r.sec.addrs!) as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[];
    const printed = new Map(links.flatMap((l) => l.addr_info.map((a) => [`${l.ifname} ${a.prefixlen}`, a.local] as const)));
    const rows = CASES.map((c) => [c.input, printed.get(`${c.dev} ${c.prefixlen}`) ?? '(not listed)'] as const);
    expect(rows.filter(([, ip]) => ip === '(not listed)')).toEqual([]);
    // nothing else listed (lo is down in a new namespace: no ::1)
    expect(printed.size).toBe(CASES.length);
    if (process.env.CNET_RECORD === '1') {
      const iproute2 = execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim();
      writeFileSync(FIXTURE, `${JSON.stringify({ recorded: new Date().toISOString(), iproute2, rows }, null, 1)}\n`);
    }
    expect(disagreements(rows)).toEqual([]);
    // and ip prints today what it printed when recorded
    const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { rows: [string, string][] };
    expect(rows).toEqual(recorded.rows);
  });
});
