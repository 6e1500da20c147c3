/**
 * Property-based tests (fast-check) of bad input: whatever an inventory holds, it either resolves
 * to names and addresses that are safe to build commands from, or it is refused with an
 * InventoryError that says where and what; and no secret ever comes out.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, InventoryError } from '../../src/errors.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { formatPath, parseSource } from '../../src/inventory/source.js';
import type { Inventory } from '../../src/inventory/types.js';
import { planUp } from '../../src/plan/plan.js';
import { quoteArgv } from '../../src/shell/quote.js';
import { escapeUnshown } from '../../src/shown.js';
import { withEnv } from '../support/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const emptyFacts = parseFacts(readFileSync(join(ROOT, 'test/fixtures/facts/empty.txt'), 'utf8'));

/** A YAML double-quoted scalar: JSON's string syntax is YAML's. */
const q = (s: string) => JSON.stringify(s);

/** Parses and resolves one text as `inv.yaml`; returns the inventory or the InventoryError; anything else is thrown. */
function attempt(text: string): Inventory | InventoryError {
  try {
    return resolveInventory([parseSource('inv.yaml', text)]);
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  }
}

/** Raw characters an error message must never carry: controls, format characters (bidi, zero-width), line separators. */
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** A cheap assertion for the hot paths of the properties (expect() costs more than the code under test). */
function must(ok: boolean, what: () => string): asserts ok {
  if (!ok) throw new Error(what());
}

/**
 * Every InventoryError: issues, each with a position and a message that shows every name as
 * written (no raw control, bidi or separator character); the error's message is its issues.
 */
function expectWellFormed(err: InventoryError): void {
  must(err.issues.length > 0, () => 'an InventoryError without issues');
  must(err.message === err.issues.map(formatIssue).join('\n'), () => `the message is not its issues:\n${err.message}`);
  for (const issue of err.issues) {
    const { file, line, col } = issue.loc;
    must(file === 'inv.yaml' && line >= 1 && col >= 1 && issue.message.length > 0, () => `no position or no message: ${JSON.stringify(issue)}`);
    must(!RAW_UNSAFE.test(issue.message), () => `a raw control, bidi or separator character in ${JSON.stringify(issue.message)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// generators

const STRICT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED_NAMES = new Set(['all', 'default', 'lo']);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const SAFE_CHARS = [...'abcxyzABCXYZ0189_.-'];
const META_CHARS = [...';|&$()`\'"\\<>*?[]{}~!#%^=,:@/+'];
const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f'];
const UNICODE = [
  'é',
  'ß',
  'К',
  '中',
  '😀',
  'ﬁ',
  '\u0301',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202e',
  '\u2066',
  '\ufeff',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u009b',
  '\u007f',
  '\u001b',
  '\0',
];

const unit = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SAFE_CHARS) },
  { weight: 2, arbitrary: fc.constantFrom(...META_CHARS) },
  { weight: 1, arbitrary: fc.constantFrom(...WHITESPACE) },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE) },
);

/**
 * Any code point (lone surrogates included), and any well-formed one. (fast-check's own 'binary'
 * and 'grapheme' units build a table of all of Unicode first: close to a second, for nothing.)
 */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));
const wellFormedCodePoint = anyCodePoint.filter((c) => !/\p{Cs}/u.test(c));

/** Names that pass the alphabet; some are too long. */
const plainName = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);

/** Names of exactly the lengths around the limits, in one-byte and multi-byte characters. */
const boundaryName = fc
  .tuple(fc.constantFrom(14, 15, 16, 17, 63, 64, 65, 66), fc.constantFrom('a', 'Z', '9', '_', 'é', '中'))
  .map(([n, c]) => (bytes(c) === 1 ? c.repeat(n) : c.repeat(Math.ceil(n / bytes(c)))));

const specialName = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  '-',
  '-x',
  '.x',
  '..x',
  '--help',
  '-rf',
  './x',
  '../x',
  'a/b',
  '/',
  'lo',
  'all',
  'default',
  'LO',
  'Lo',
  'lo0',
  'br0',
  'eth0',
  'foreign0',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x'.repeat(15),
  'x'.repeat(16),
  'x'.repeat(64),
  'x'.repeat(65),
  `${'é'.repeat(7)}a`,
  'é'.repeat(8),
  '😀'.repeat(4),
  '$(reboot)',
  '`id`',
  "'; rm -rf / #",
  '"quoted"',
  "it's",
  'a\nb',
  'x\n',
  '\n',
  'a\0b',
  '\0',
  'a\tb',
  'a b',
  '~root',
  '*',
  '?',
  '[a]',
  '{a,b}',
  '!x',
  '#x',
  'a\u202eb',
  '\u200b',
  'a\u200bb',
  'a\u001b[2Jb',
  'a\u009bb',
  'x\u2028y',
  '<<',
  '&anchor',
  '*alias',
  'null',
  'true',
  '0x1F',
  '1e3',
  '10',
);

/** Prefixes the kernel or a shell would read specially, in front of a valid name. */
const prefixedName = fc.tuple(fc.constantFrom('-', '.', '..', './', '--', ' ', '\t', '\n'), plainName).map(([p, n]) => p + n);

/** What the issue asks for: names biased toward the dangerous. */
const dangerousName = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit, maxLength: 70 }) },
  { weight: 2, arbitrary: specialName },
  { weight: 2, arbitrary: boundaryName },
  { weight: 1, arbitrary: prefixedName },
  { weight: 2, arbitrary: plainName },
  { weight: 1, arbitrary: fc.string({ unit: anyCodePoint, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: wellFormedCodePoint, maxLength: 24 }) },
);

// ---------------------------------------------------------------------------------------------
// 1. names

type Role = 'bridge' | 'namespace' | 'host_if' | 'ns_if';

/** One bridge, one namespace on it; `role` is the name put under test, written by `write` (quoted, or bare). */
function namesInventory(role: Role, name: string, withHostIf: boolean, write = q) {
  const n = { bridge: 'br0', namespace: 'ns1', host_if: 'veth1', ns_if: 'eth0', [role]: name };
  const hostIf = withHostIf || role === 'host_if' ? `, host_if: ${write(n.host_if)}` : '';
  const text = `all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        ${write(n.bridge)}: { subnet: 10.0.0.0/24 }
      namespaces:
        ${write(n.namespace)}: { bridge: ${write(n.bridge)}${hostIf}, ns_if: ${write(n.ns_if)} }
`;
  const base = ['all', 'vars', 'cnet'];
  const path = {
    bridge: [...base, 'bridges', name],
    namespace: [...base, 'namespaces', name],
    host_if: [...base, 'namespaces', n.namespace, 'host_if'],
    ns_if: [...base, 'namespaces', n.namespace, 'ns_if'],
  }[role];
  return { text, names: n, path: formatPath(path) };
}

function expectValidName(name: string, max: number): void {
  must(STRICT.test(name) && bytes(name) <= max && !RESERVED_NAMES.has(name), () => `accepted the name ${JSON.stringify(name)}`);
}

/** Runs each step's quoted text through a real shell; what the shell passes on must be the argv. */
function shellRoundTrip(shell: string, argvs: readonly (readonly string[])[]): void {
  if (argvs.length === 0) return;
  const script = argvs.map((argv) => `printf '%s\\0' ${quoteArgv(argv)}`).join('\n');
  const out = execFileSync(shell, ['-c', script], { encoding: 'utf8' });
  expect(out.split('\0').slice(0, -1)).toEqual(argvs.flat());
}

/** Always tried, in every role: the names a random draw may miss. */
const namesExamples: [Role, string, boolean][] = (['bridge', 'namespace', 'host_if', 'ns_if'] as const).flatMap((role) =>
  [
    '__proto__',
    'constructor',
    '',
    '.',
    '..',
    '-x',
    '.x',
    'lo',
    'all',
    'default',
    'a\nb',
    'a\0b',
    'x'.repeat(15),
    'x'.repeat(16),
    'x'.repeat(64),
    'x'.repeat(65),
    'é'.repeat(8),
    '$(reboot)',
    'a\u202eb',
  ].map((name): [Role, string, boolean] => [role, name, false]),
);

describe('1. names: refused with where and what, or safe in every command', () => {
  const outcome = { resolved: 0, refused: 0, yaml: 0, shellChecked: 0 };
  let run = 0;

  it('bridge, namespace, host_if and ns_if names', () => {
    fc.assert(
      fc.property(fc.constantFrom<Role>('bridge', 'namespace', 'host_if', 'ns_if'), dangerousName, fc.boolean(), (role, name, withHostIf) => {
        const { text, names, path } = namesInventory(role, name, withHostIf);
        const result = attempt(text);
        if (result instanceof InventoryError) {
          outcome.refused++;
          expectWellFormed(result);
          const yaml = result.issues.find((i) => i.message.startsWith('YAML error:'));
          if (yaml) {
            outcome.yaml++;
            return;
          }
          const issue = result.issues.find((i) => i.loc.path === path);
          must(issue !== undefined, () => `no issue at ${path} in:\n${result.message}`);
          must(/not allowed|bytes long|is empty|reserved|already used/.test(issue.message), () => `says not what is wrong: ${issue.message}`);
          must(
            result.message.includes(`inv.yaml:${issue.loc.line}:${issue.loc.col} ${escapeUnshown(path)}: `),
            () => `no position for ${path} in:\n${result.message}`,
          );
          return;
        }
        outcome.resolved++;
        const { network } = result.hosts[0]!;
        const ns = network.namespaces[0]!;
        must(
          network.bridges.length === 1 && network.bridges[0]!.name === names.bridge && network.namespaces.length === 1,
          () => `not as written: ${JSON.stringify(network)}`,
        );
        must(ns.name === names.namespace && ns.nsIf === names.ns_if, () => `not as written: ${JSON.stringify(ns)}`);
        if (withHostIf || role === 'host_if') must(ns.hostIf === names.host_if, () => `host_if not as written: ${JSON.stringify(ns)}`);
        for (const b of network.bridges) expectValidName(b.name, 15);
        expectValidName(ns.name, 64);
        expectValidName(ns.hostIf, 15);
        expectValidName(ns.nsIf, 15);

        const plan = planUp(network, emptyFacts);
        must(plan.steps.length > 0, () => 'no steps');
        for (const step of plan.steps) {
          must(step.argv.length > 0 && step.argv.every((w) => !/[\0\n]/.test(w)), () => `a bad argv: ${JSON.stringify(step.argv)}`);
        }
        // a real shell reads back exactly the argv: one run in 20, under sh and under bash
        if (run++ % 20 === 0) {
          outcome.shellChecked++;
          shellRoundTrip(
            'sh',
            plan.steps.map((s) => s.argv),
          );
          shellRoundTrip(
            'bash',
            plan.steps.map((s) => s.argv),
          );
        }
      }),
      { numRuns: 800, examples: namesExamples },
    );
    // both ways were taken, and the shell was asked
    expect(outcome.resolved).toBeGreaterThan(100);
    expect(outcome.refused).toBeGreaterThan(500);
    expect(outcome.shellChecked).toBeGreaterThan(5);
  });

  it('names written bare, which YAML may read as anything or not at all: an InventoryError, or valid names', () => {
    const yamlish = fc.constantFrom(
      '*x',
      '&x a',
      '&x',
      '!!binary aGk=',
      '!!str',
      '!!int 1',
      '!tag a',
      '? a',
      '- a',
      '[a]',
      '{a: b}',
      '|',
      '>',
      '%YAML',
      '@a',
      '"a',
      "'a",
      'a: b',
      'a:b',
      '#a',
      'a #b',
      '~',
      'null',
      '<<',
      'a, b',
      'a}',
      '1e3',
      '0o17',
      '.inf',
      'yes',
      '2001-01-01',
    );
    const outcome = { resolved: 0, yaml: 0, other: 0 };
    fc.assert(
      fc.property(fc.constantFrom<Role>('bridge', 'namespace', 'host_if', 'ns_if'), fc.oneof(dangerousName, yamlish), (role, name) => {
        const result = attempt(namesInventory(role, name, false, (s) => s).text);
        if (result instanceof InventoryError) {
          expectWellFormed(result);
          if (result.issues.some((i) => i.message.startsWith('YAML error:'))) outcome.yaml++;
          else outcome.other++;
          return;
        }
        outcome.resolved++;
        for (const h of result.hosts) {
          for (const b of h.network.bridges) expectValidName(b.name, 15);
          for (const ns of h.network.namespaces) {
            expectValidName(ns.name, 64);
            expectValidName(ns.hostIf, 15);
            expectValidName(ns.nsIf, 15);
          }
          planUp(h.network, emptyFacts);
        }
      }),
      // what it found: yaml's own messages quote the source raw (a BOM after `*`, a control after `>`)
      {
        numRuns: 500,
        examples: [
          ['bridge', '*\ufeff'],
          ['namespace', '>\u0007'],
          ['host_if', '&\u202e'],
          ['ns_if', '"\u2028'],
        ],
      },
    );
    expect(outcome.yaml).toBeGreaterThan(10);
    expect(outcome.other).toBeGreaterThan(10);
    expect(outcome.resolved).toBeGreaterThan(10);
  });

  it('a namespace on an undefined bridge with a dangerous name is refused, in one clean line', () => {
    fc.assert(
      fc.property(dangerousName, (ref) => {
        fc.pre(ref !== 'br0');
        const result = attempt(`all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
        ns1: { bridge: ${q(ref)} }
`);
        expect(result).toBeInstanceOf(InventoryError);
        const err = result as InventoryError;
        expectWellFormed(err);
        if (err.issues.some((i) => i.message.startsWith('YAML error:'))) return;
        // a name that opens a Jinja2 block ({{, {%, {#) makes cnet a template, which it cannot hold: said of cnet
        if (/\{[{%#]/.test(ref)) {
          expect(err.issues.map((i) => [i.loc.path, i.message.includes('cnet holds a template')])).toContainEqual(['all.vars.cnet', true]);
          return;
        }
        expect(err.issues.map((i) => i.loc.path)).toEqual(['all.vars.cnet.namespaces.ns1.bridge']);
        expect(err.issues[0]!.message).toContain('which is not defined under cnet.bridges');
      }),
      { numRuns: 300, examples: [['{#'], ['{{ x'], ['a{%b']] },
    );
  });

  // formatIssue escapes the path: a key holding a newline or a bidi control stays one readable line
  it('every line of the message is one issue, with no raw control or bidi character', () => {
    for (const name of ['a\nb', 'a\u202eb', 'x\u001b[2Jy']) {
      const result = attempt(namesInventory('bridge', name, false).text);
      expect(result).toBeInstanceOf(InventoryError);
      const lines = (result as InventoryError).message.split('\n');
      expect(lines).toHaveLength((result as InventoryError).issues.length);
      for (const line of lines) expect(line).not.toMatch(RAW_UNSAFE);
    }
  });

  it('quoteArgv: any argv (no NUL) is read back exactly by sh and bash', () => {
    const word = fc.oneof(dangerousName, fc.string({ unit: wellFormedCodePoint, maxLength: 12 })).filter((w) => !w.includes('\0') && !/\p{Cs}/u.test(w));
    // 20 commands a run, all in one script: each shell is started once a run
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 20 }), (batch) => {
        const script = batch.map((words) => quoteArgv(['printf', '%s\\0', ...words])).join('\n');
        for (const shell of ['sh', 'bash']) {
          const out = execFileSync(shell, ['-c', script], { encoding: 'utf8' });
          expect(out.split('\0').slice(0, -1)).toEqual(batch.flat());
        }
      }),
      {
        numRuns: 25,
        examples: [
          [
            [
              [
                "it's",
                '$(id)',
                '`id`',
                '"',
                '\\',
                '\n',
                '',
                ' ',
                '*',
                '~',
                '-n',
                'a=b',
                'if',
                '!',
                '#',
                '$HOME',
                'a$1b',
                '$$',
                '%s',
                '--',
                'a,b',
                'x:y',
                '@all',
                '+1',
              ],
            ],
          ],
        ],
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. addresses and subnets

const U32 = 2 ** 32;
const maskOf = (p: number) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);
const ipText = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
/** The test's own strict IPv4 reading: four decimal octets 0-255, no leading zeros. */
function ipValue(t: string): number | undefined {
  const parts = t.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((a, p) => a * 256 + Number(p), 0);
}
interface Net {
  network: number;
  prefix: number;
}
const size = (c: Net) => 2 ** (32 - c.prefix);
const inside = (c: Net, a: number) => (a & maskOf(c.prefix)) >>> 0 === c.network;
const isHost = (c: Net, a: number) => inside(c, a) && a !== c.network && a !== c.network + size(c) - 1;
/** The test's own reading of a subnet: a.b.c.d/len, len 8-30, no host bits. */
function netValue(t: string): Net | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(t);
  const a = m ? ipValue(m[1]!) : undefined;
  if (a === undefined) return undefined;
  const prefix = Number(m![2]);
  if (prefix < 8 || prefix > 30 || (a & maskOf(prefix)) >>> 0 !== a) return undefined;
  return { network: a, prefix };
}

const validNet = fc
  .tuple(fc.integer({ min: 0, max: U32 - 1 }), fc.integer({ min: 8, max: 30 }))
  .map(([a, p]) => ({ network: (a & maskOf(p)) >>> 0, prefix: p }));
const octetText = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 255 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('256', '999', '-1', '00', '010', '1e1', ' 1', '0x1', '', '+1', '1.') },
);
const garbage = fc.oneof(
  fc.string({ unit, maxLength: 20 }),
  specialName,
  fc.array(octetText, { minLength: 0, maxLength: 6 }).map((o) => o.join('.')),
  fc.constantFrom(
    '10.0.0.0/24\n',
    ' 10.0.0.0/24',
    '10.0.0.0/24 ',
    '10.0.0.0 /24',
    '10.0.0.0/',
    '/24',
    '10.0.0.0/24/24',
    '10.0.0.0\\24',
    '10.0.0.0/2４',
    '١٠.0.0.0/24',
    '::1/64',
    '10.0.0.0/8.5',
  ),
);

/** A subnet as written, and the network addresses below are taken from. */
const subnetCase = fc.oneof(
  { weight: 4, arbitrary: validNet.map((c) => ({ text: `${ipText(c.network)}/${c.prefix}`, base: c })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: U32 - 1 }), fc.integer({ min: 0, max: 40 }), fc.boolean()).map(([a, p, zero]) => ({
      text: `${ipText(a)}/${zero && p < 10 ? `0${p}` : p}`,
      base: { network: (a & maskOf(Math.min(p, 32))) >>> 0, prefix: Math.min(Math.max(p, 8), 30) },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(octetText, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }))
      .map(([o, p]) => ({ text: `${o.join('.')}/${p}`, base: { network: 0x0a000000, prefix: 24 } })),
  },
  { weight: 1, arbitrary: garbage.map((text) => ({ text, base: { network: 0x0a000000, prefix: 24 } })) },
);

/** An address relative to the subnet: near its start, near its end, anywhere, or not an address. */
const addrCase = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 5 }).map((off) => ({ kind: 'start' as const, off })) },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 1 }).map((off) => ({ kind: 'end' as const, off })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: U32 - 1 }).map((n) => ({ kind: 'raw' as const, n })) },
  { weight: 1, arbitrary: garbage.map((text) => ({ kind: 'text' as const, text })) },
);
type AddrCase = typeof addrCase extends fc.Arbitrary<infer T> ? T : never;
function addrText(c: AddrCase, base: Net): string {
  if (c.kind === 'text') return c.text;
  if (c.kind === 'raw') return ipText(c.n);
  const n = c.kind === 'start' ? base.network + c.off : base.network + size(base) - 1 + c.off;
  return ipText(((n % U32) + U32) % U32);
}

/** The test's own verdict: is this inventory valid? */
function expectedValid(subnet: string, bridgeAddr: string | undefined, nsAddrs: (string | undefined)[]): boolean {
  const net = netValue(subnet);
  if (!net) return false;
  let gateway = net.network + 1;
  if (bridgeAddr !== undefined) {
    const a = ipValue(bridgeAddr);
    if (a === undefined || !isHost(net, a)) return false;
    gateway = a;
  }
  const used = new Set([gateway]);
  for (const t of nsAddrs) {
    if (t === undefined) continue;
    const a = ipValue(t);
    if (a === undefined || !isHost(net, a) || used.has(a)) return false;
    used.add(a);
  }
  const pending = nsAddrs.filter((t) => t === undefined).length;
  return size(net) - 2 - used.size >= pending;
}

describe('2. addresses and subnets', () => {
  it('are refused with a position, or resolve to a valid network', () => {
    const outcome = { resolved: 0, refused: 0 };
    fc.assert(
      fc.property(
        subnetCase,
        fc.option(addrCase, { nil: undefined }),
        fc.array(fc.option(addrCase, { nil: undefined }), { maxLength: 4 }),
        (subnet, bAddr, nsCases) => {
          const bridgeAddr = bAddr && addrText(bAddr, subnet.base);
          const nsAddrs = nsCases.map((c) => c && addrText(c, subnet.base));
          const namespaces = nsAddrs.map((a, i) => `        ns${i}: { bridge: br0${a === undefined ? '' : `, address: ${q(a)}`} }\n`).join('');
          const text = `all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        br0: { subnet: ${q(subnet.text)}${bridgeAddr === undefined ? '' : `, address: ${q(bridgeAddr)}`} }
      namespaces:
${namespaces || '        {}\n'}`;
          const result = attempt(text);
          const valid = expectedValid(subnet.text, bridgeAddr, nsAddrs);
          if (result instanceof InventoryError) {
            outcome.refused++;
            expectWellFormed(result);
            must(!valid, () => `refused a valid inventory:\n${text}\n${result.message}`);
            for (const issue of result.issues) {
              // a generated text holding `{{` is a template, which cnet refuses where cnet is written
              const template = issue.loc.path === 'all.vars.cnet' && issue.message.startsWith('cnet holds a template');
              must(
                template || /^all\.vars\.cnet\.(bridges\.br0|namespaces\.ns\d)(\.subnet|\.address)?$/.test(issue.loc.path),
                () => `an issue elsewhere: ${issue.loc.path}`,
              );
            }
            return;
          }
          outcome.resolved++;
          must(valid, () => `accepted an invalid inventory:\n${text}`);
          const { bridges, namespaces: nss } = result.hosts[0]!.network;
          const bad = (what: string) => () => `${what}: ${JSON.stringify(result.hosts[0]!.network)}\nfrom:\n${text}`;
          // an IPv4-only inventory: one net per bridge, one address per namespace
          must(bridges[0]!.nets.length === 1, bad('not one net'));
          const b = { ...bridges[0]!.nets[0]!, subnet: bridges[0]!.nets[0]!.subnet as Net };
          const net = netValue(subnet.text.replace(/\/0(\d)$/, '/$1'));
          must(b.subnet.prefix >= 8 && b.subnet.prefix <= 30, bad('prefix out of range'));
          must((b.subnet.network & maskOf(b.subnet.prefix)) >>> 0 === b.subnet.network, bad('host bits in the subnet'));
          must(net !== undefined && net.network === b.subnet.network && net.prefix === b.subnet.prefix, bad('not the subnet written'));
          const gw = ipValue(b.address);
          must(gw !== undefined && isHost(b.subnet, gw), bad('the gateway is no host address'));
          must(bridgeAddr === undefined || b.address === bridgeAddr, bad('not the gateway written'));
          must(nss.length === nsAddrs.length, bad('a namespace went missing'));
          const all = [gw];
          for (const ns of nss) {
            must(ns.addresses.length === 1, bad(`${ns.name}: not one address`));
            const address = ns.addresses[0]!;
            const a = ipValue(address);
            must(a !== undefined && isHost(b.subnet, a) && a !== gw, bad(`${ns.name}: not a free host address`));
            all.push(a);
            const given = nsAddrs[Number(ns.name.slice(2))];
            must(given === undefined || address === given, bad(`${ns.name}: not the address written`));
          }
          must(new Set(all).size === all.length, bad('two equal addresses'));
          planUp(result.hosts[0]!.network, emptyFacts);
        },
      ),
      { numRuns: 800 },
    );
    expect(outcome.resolved).toBeGreaterThan(50);
    expect(outcome.refused).toBeGreaterThan(200);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. overlapping subnets

/** Two distinct valid interface names, neither reserved. */
const twoBridgeNames = fc
  .uniqueArray(
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/).filter((n) => !RESERVED_NAMES.has(n)),
    { minLength: 2, maxLength: 2 },
  )
  .map(([a, b]) => [a!, b!] as const);

const twoBridges = (names: readonly [string, string], a: Net, b: Net) => `all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        ${q(names[0])}: { subnet: ${ipText(a.network)}/${a.prefix} }
        ${q(names[1])}: { subnet: ${ipText(b.network)}/${b.prefix} }
`;

describe('3. overlapping subnets', () => {
  it('two bridges whose subnets overlap are always refused, naming both', () => {
    fc.assert(
      fc.property(twoBridgeNames, validNet, fc.integer({ min: 8, max: 30 }), fc.integer({ min: 0, max: U32 - 1 }), (names, a, qPrefix, bits) => {
        // b: a's network with random host bits, cut to its own prefix: inside a, or a inside it
        const b = { network: (((a.network | (bits & ~maskOf(a.prefix))) >>> 0) & maskOf(qPrefix)) >>> 0, prefix: qPrefix };
        const result = attempt(twoBridges(names, a, b));
        expect(result).toBeInstanceOf(InventoryError);
        const err = result as InventoryError;
        expectWellFormed(err);
        const overlap = err.issues.filter((i) => i.message.includes(' overlaps '));
        expect(overlap, err.message).toHaveLength(1);
        expect(overlap[0]!.message).toContain(`bridge ${q(names[0])}`);
        expect(overlap[0]!.message).toContain(`bridge ${q(names[1])}`);
        expect(overlap[0]!.loc.path).toMatch(/^all\.vars\.cnet\.bridges\..*\.subnet$/);
        expect(err.issues).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });

  it('two bridges whose subnets do not overlap are accepted', () => {
    fc.assert(
      fc.property(
        twoBridgeNames,
        validNet,
        fc.integer({ min: 8, max: 30 }),
        fc.nat(),
        fc.integer({ min: 0, max: U32 - 1 }),
        (names, a, qPrefix, pick, bits) => {
          // b differs from a in one of the bits both prefixes cover: disjoint
          const bit = pick % Math.min(a.prefix, qPrefix);
          const b = { network: (((a.network ^ (1 << (31 - bit))) | (bits & ~maskOf(a.prefix))) & maskOf(qPrefix)) >>> 0, prefix: qPrefix };
          const result = attempt(twoBridges(names, a, b));
          if (result instanceof InventoryError) throw new Error(result.message);
          const bridges = result.hosts[0]!.network.bridges;
          const byName = new Map(bridges.map((x) => [x.name, x.nets.map((net) => net.subnet)]));
          expect(byName.get(names[0])).toEqual([a]);
          expect(byName.get(names[1])).toEqual([b]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 4. duplicate addresses

describe('4. duplicate addresses', () => {
  it('two equal explicit addresses, or one equal to the gateway, are refused; else all distinct', () => {
    const outcome = { resolved: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: U32 - 1 }),
        fc.integer({ min: 20, max: 28 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        fc.uniqueArray(
          fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).filter((n) => !RESERVED_NAMES.has(n)),
          { minLength: 1, maxLength: 8 },
        ),
        fc.array(fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined, freq: 4 }), { minLength: 8, maxLength: 8 }),
        (seed, prefix, gwOff, names, offs) => {
          const net = (seed & maskOf(prefix)) >>> 0;
          const gateway = net + (gwOff ?? 1);
          const explicit = names.map((_, i) => (offs[i] === undefined ? undefined : net + offs[i]!));
          const text = `all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        br0: { subnet: ${ipText(net)}/${prefix}${gwOff === undefined ? '' : `, address: ${ipText(gateway)}`} }
      namespaces:
${names.map((n, i) => `        ${n}: { bridge: br0${explicit[i] === undefined ? '' : `, address: ${ipText(explicit[i]!)}`} }\n`).join('')}`;
          const given = explicit.filter((a): a is number => a !== undefined);
          const clash = new Set(given).size !== given.length || given.includes(gateway);
          const result = attempt(text);
          if (result instanceof InventoryError) {
            outcome.refused++;
            expectWellFormed(result);
            must(clash, () => `refused without a clash:\n${text}\n${result.message}`);
            for (const issue of result.issues) {
              must(
                /is already used by (namespace|bridge) "|is the gateway \(the address of bridge "br0"\)/.test(issue.message),
                () => `not a clash: ${issue.message}`,
              );
              must(/^all\.vars\.cnet\.namespaces\.[a-z0-9]+\.address$/.test(issue.loc.path), () => `not at an address: ${issue.loc.path}`);
            }
            return;
          }
          outcome.resolved++;
          must(!clash, () => `accepted a clash:\n${text}`);
          const network = result.hosts[0]!.network;
          const bad = (what: string) => () => `${what}: ${JSON.stringify(network)}\nfrom:\n${text}`;
          // an IPv4-only inventory: one net, one address per namespace
          must(network.bridges[0]!.nets.length === 1 && network.namespaces.every((n) => n.addresses.length === 1), bad('not IPv4 only'));
          const all = [network.bridges[0]!.nets[0]!.address, ...network.namespaces.map((n) => n.addresses[0]!)].map((a) => ipValue(a)!);
          must(all[0] === gateway && network.namespaces.length === names.length, bad('not as written'));
          must(new Set(all).size === all.length, bad('two equal addresses'));
          must(
            all.every((a) => isHost({ network: net, prefix }, a)),
            bad('an address outside the subnet'),
          );
          for (const ns of network.namespaces) {
            const i = names.indexOf(ns.name);
            must(explicit[i] === undefined || ns.addresses[0] === ipText(explicit[i]!), bad(`${ns.name}: not the address written`));
          }
        },
      ),
      { numRuns: 600 },
    );
    expect(outcome.resolved).toBeGreaterThan(100);
    expect(outcome.refused).toBeGreaterThan(100);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. huge counts

function manyNamespaces(count: number, subnet: string): string {
  const lines = Array.from({ length: count }, (_, i) => `        ns${String(i).padStart(4, '0')}: { bridge: br0 }\n`);
  return `all:
  hosts:
    h1: { ansible_host: 192.0.2.10 }
  vars:
    cnet:
      bridges:
        br0: { subnet: ${subnet} }
      namespaces:
${lines.join('')}`;
}

describe('5. huge counts', () => {
  it('1000 namespaces on a /16 resolve to distinct addresses, and plan', () => {
    const result = attempt(manyNamespaces(1000, '172.20.0.0/16'));
    if (result instanceof InventoryError) throw new Error(result.message);
    const { network } = result.hosts[0]!;
    expect(network.namespaces).toHaveLength(1000);
    expect(network.namespaces.every((n) => n.addresses.length === 1)).toBe(true);
    expect(network.bridges[0]!.nets).toHaveLength(1);
    const [br0] = network.bridges[0]!.nets;
    const addrs = network.namespaces.map((n) => ipValue(n.addresses[0]!)!);
    expect(new Set([...addrs, ipValue(br0!.address)]).size).toBe(1001);
    expect(addrs.every((a) => isHost(br0!.subnet as Net, a))).toBe(true);
    expect(new Set(network.namespaces.map((n) => n.hostIf)).size).toBe(1000);
    const plan = planUp(network, emptyFacts);
    expect(plan.steps.length).toBeGreaterThan(1000);
  });

  it('300 namespaces on a /24 (253 free addresses) are refused: "no free address" for the 47 left over', () => {
    const result = attempt(manyNamespaces(300, '10.1.2.0/24'));
    expect(result).toBeInstanceOf(InventoryError);
    const err = result as InventoryError;
    expectWellFormed(err);
    expect(err.issues).toHaveLength(47);
    for (const issue of err.issues) {
      expect(issue.message).toContain('subnet 10.1.2.0/24 has no free address left for namespace');
      expect(issue.loc.path).toMatch(/^all\.vars\.cnet\.namespaces\.ns0(2(5[3-9]|[6-9]\d))$/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 6. secrets

/** A secret: a marker no message would hold by chance, then characters a quoting or escaping might change. */
const secretArb = fc
  .tuple(
    fc.constantFrom('pw', 'become', 'key'),
    fc.string({ unit: fc.constantFrom(...'abcXYZ0189'), minLength: 10, maxLength: 16 }),
    fc.string({ unit: fc.constantFrom(...`!#$%&'()*+,-./:;<=>?@[]^_{|}~ "\\`), maxLength: 6 }),
  )
  .map(([kind, core, tail]) => `S3CR3T-${kind}-${core}${tail}`);

/**
 * A password holding `{{`, `{%` or `{#` is a template to Ansible (it renders every variable): an
 * unterminated one is an error for the host, at the variable, as Ansible fails the host.
 */
const TEMPLATE_START = /\{[{%#]/;

/** Every form a secret could be printed in: as is, JSON-escaped, XML/HTML-escaped, and its distinctive core alone. */
function forms(secret: string): string[] {
  const html = secret.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
  return [secret, JSON.stringify(secret).slice(1, -1), html, /^S3CR3T-\w+-[a-zA-Z0-9]+/.exec(secret)![0]];
}

function expectNoSecret(what: string, text: string, secrets: readonly string[]): void {
  for (const s of secrets) for (const f of forms(s)) expect(text.includes(f), `${what} holds a secret (${JSON.stringify(f)}):\n${text}`).toBe(false);
}

/** An inventory with both passwords, and optionally one mistake elsewhere. */
const ERRORS = {
  none: '',
  subnet: '10.0.0.1/24',
  prefix: '10.0.0.0/33',
  name: 'bad name',
  unknownVar: 'unknown',
  duplicate: 'dup',
} as const;
type Mistake = keyof typeof ERRORS;

function secretInventory(pw: string, become: string, mistake: Mistake, address = '127.0.0.1', extra = ''): string {
  return `all:
  hosts:
    h1:
      ansible_host: ${address}
      ansible_port: 1
      ansible_user: root
      ansible_password: ${q(pw)}
      ansible_become: true
      ansible_become_password: ${q(become)}${mistake === 'unknownVar' ? `\n      cnet_passwrd: ${q(pw)}` : ''}${mistake === 'duplicate' ? `\n      ansible_password: ${q(become)}` : ''}${extra}
  vars:
    cnet:
      bridges:
        br0: { subnet: ${mistake === 'subnet' || mistake === 'prefix' ? ERRORS[mistake] : '10.9.0.0/24'} }
      namespaces:
        ${mistake === 'name' ? q('a;b') : 'ns1'}: { bridge: br0 }
`;
}

// The CLI runs (a few node processes, one after the other) start before the first test and run beside the properties.

const cliDir = mkdtempSync(join(tmpdir(), 'cnet-props-'));
afterAll(() => rmSync(cliDir, { recursive: true, force: true }));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SSH_AUTH_SOCK|CNET_)/.test(k))) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(
      'node',
      [join(ROOT, 'bin', 'cnet-remote.js'), ...args],
      { env: { ...base, HOME: cliDir, CI: 'true', NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

function startCliRuns() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: `npm run build` first (npm test does)');
  // no template in the inventory's passwords: good.yaml must resolve (templates are the property's, above)
  const secrets = fc.sample(
    fc.uniqueArray(
      secretArb.filter((s) => !TEMPLATE_START.test(s)),
      { minLength: 5, maxLength: 5, selector: (s) => forms(s)[3] },
    ),
    1,
  )[0]!;
  const [pw, become, passphrase, envPw, envBecome] = secrets as [string, string, string, string, string];
  const file = (n: string) => join(cliDir, n);
  // an encrypted key whose passphrase is the third secret
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', '', '-f', file('id_ed25519')]);
  writeFileSync(file('ssh_config'), '');
  const keyVar = `\n      ansible_ssh_private_key_file: ${q(file('id_ed25519'))}`;
  // only ever 127.0.0.1, port 1: nothing listens, the host is unreachable
  writeFileSync(file('good.yaml'), secretInventory(pw, become, 'none', '127.0.0.1', keyVar));
  writeFileSync(file('bad.yaml'), secretInventory(pw, become, 'name', '127.0.0.1', keyVar));
  const env = { CNET_SSH_KEY_PASSPHRASE: passphrase, CNET_SSH_PASSWORD: envPw, CNET_BECOME_PASSWORD: envBecome };
  const common = ['-F', file('ssh_config'), '--timeout', '5', '--deadline', '20'];
  const runs = [
    { args: ['plan', ...common, file('good.yaml')], code: 4 },
    { args: ['verify', ...common, '--json', '--junit', file('b.xml'), '--html', file('b.html'), file('good.yaml')], code: 4 },
    { args: ['verify', ...common, '-v', '--probe', '--junit', file('a.xml'), '--html', file('a.html'), file('good.yaml')], code: 4 },
    { args: ['plan', ...common, '--json', file('bad.yaml')], code: 1 },
  ];
  // two at a time: a core is left for the properties
  const chain = (part: typeof runs) =>
    part.reduce<Promise<CliResult[]>>((done, r) => done.then(async (results) => [...results, await cli(r.args, env)]), Promise.resolve([]));
  const all = Promise.all([chain(runs.slice(0, 2)), chain(runs.slice(2))]).then(([a, b]) => [...a, ...b]);
  return all.then((results) => ({ secrets, runs, results, file }));
}

let cliRuns: ReturnType<typeof startCliRuns>;
beforeAll(() => {
  cliRuns = startCliRuns();
});

describe('6. secrets', () => {
  it('never appear in an InventoryError, nor in the resolved inventory as JSON', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 5, maxLength: 5, selector: (s) => forms(s)[3] }),
        fc.constantFrom<Mistake>(...(Object.keys(ERRORS) as Mistake[])),
        (secrets, mistake) => {
          const [pw, become, passphrase, envPw, envBecome] = secrets as [string, string, string, string, string];
          const env = { CNET_SSH_KEY_PASSPHRASE: passphrase, CNET_SSH_PASSWORD: envPw, CNET_BECOME_PASSWORD: envBecome };
          withEnv(env, () => {
            const result = attempt(secretInventory(pw, become, mistake));
            const templated = [pw, become].some((s) => TEMPLATE_START.test(s));
            if (result instanceof InventoryError) {
              if (mistake === 'none') {
                // the only mistake is a password Ansible would render as a template: refused there
                expect(templated).toBe(true);
                for (const issue of result.issues) expect(issue.loc.path).toMatch(/^all\.hosts\.h1\.(ansible_password|ansible_become_password)$/);
              }
              expectWellFormed(result);
              expectNoSecret('the error message', result.message, secrets);
              expectNoSecret('String(err)', String(result), secrets);
              expectNoSecret('the issues as JSON', JSON.stringify(result.issues), secrets);
              expectNoSecret('the error as JSON', JSON.stringify(result), secrets);
              return;
            }
            expect(mistake).toBe('none');
            // the secrets are there to be used (as written, unless one is a template that renders, e.g. `{##}`) …
            if (!TEMPLATE_START.test(pw)) expect(result.hosts[0]!.connection.password).toBe(pw);
            if (!TEMPLATE_START.test(become)) expect(result.hosts[0]!.connection.become?.password).toBe(become);
            // … but never written out
            expectNoSecret('the resolved inventory as JSON', JSON.stringify(result), secrets);
            expectNoSecret('the host as JSON', JSON.stringify(result.hosts[0]), secrets);
          });
          // the environment from the inventory's defaults: only env secrets
          withEnv(env, () => {
            const inv = attempt(`all:\n  hosts:\n    h1: { ansible_host: 192.0.2.10, ansible_become: true }\n`);
            if (inv instanceof InventoryError) throw new Error(inv.message);
            expect(inv.hosts[0]!.connection.password).toBe(envPw);
            expectNoSecret('the resolved inventory as JSON', JSON.stringify(inv), secrets);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the CLI, against 127.0.0.1:1 where nothing listens: plan and verify, --json or not, --junit and --html, and an inventory error', async () => {
    const { secrets, runs, results, file } = await cliRuns;
    results.forEach((res, i) => {
      const what = runs[i]!.args.join(' ');
      expect(res.code, `${what}\n${res.stdout}\n${res.stderr}`).toBe(runs[i]!.code);
      expectNoSecret(`stdout of ${what}`, res.stdout, secrets);
      expectNoSecret(`stderr of ${what}`, res.stderr, secrets);
      if (runs[i]!.code === 4) expect(res.stdout + res.stderr).toMatch(/unreachable/i);
      if (runs[i]!.code === 1) {
        // refused: the name is named, and no command is built from it
        expect(res.stderr + res.stdout).toContain('is not allowed');
        expect(res.stdout).not.toMatch(/ip (netns|link|addr)/);
      }
    });
    for (const n of ['a.xml', 'a.html', 'b.xml', 'b.html']) {
      expect(existsSync(file(n)), n).toBe(true);
      expectNoSecret(n, readFileSync(file(n), 'utf8'), secrets);
    }
  });
});
