import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeAttr, escapeText, junitTimestamp, seconds, toJUnit, xmlSafe } from '../../src/report/junit.js';
import { mismatch } from '../../src/result/finding.js';
import { summarize, type HostResult, type RunResult } from '../../src/result/result.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCHEMA = join(ROOT, 'test/fixtures/report/junit.xsd');
const fixture = (): RunResult => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/report/result.json'), 'utf8')) as RunResult;
const STAMP = '2026-11-20T02:15:00Z';

function xmllintPath(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v xmllint'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnet-junit-'));
  if (!xmllintPath()) {
    // the project's installer adds libxml2-utils when missing (needs root)
    const r = spawnSync('bash', [join(ROOT, 'scripts/setup-system.sh'), '--test'], { encoding: 'utf8' });
    if (!xmllintPath()) {
      throw new Error(`xmllint is missing and could not be installed (apt-get install libxml2-utils): ${r.stderr || r.stdout}`);
    }
  }
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** xmllint's verdict against the committed schema: exit code 0 and "validates". */
function validate(xml: string): { status: number | null; output: string } {
  const file = join(dir, `run-${n++}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function expectValid(xml: string): void {
  const v = validate(xml);
  expect(v.output).toMatch(/validates/);
  expect(v.status, v.output).toBe(0);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

interface Outcome {
  message?: string;
  type: string;
  '#text'?: string;
}
interface Case {
  classname: string;
  name: string;
  time: string;
  failure?: Outcome;
  error?: Outcome;
}
interface Suite {
  name: string;
  package: string;
  id: string;
  hostname: string;
  timestamp: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  properties: { property?: { name: string; value: string }[] };
  testcase?: Case[];
  'system-out': string;
  'system-err': string;
}

/** Drops the indentation between elements, which the parser keeps as `#text` of mixed content. */
function dropIndentation(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropIndentation);
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v).filter(([k, x]) => !(k === '#text' && typeof x === 'string' && /^\s+$/.test(x) && Object.keys(v).length > 1));
  return Object.fromEntries(entries.map(([k, x]) => [k, dropIndentation(x)]));
}

function parse(xml: string): Suite[] {
  const doc = dropIndentation(parser.parse(xml)) as { testsuites: '' | { testsuite?: Suite[] } };
  expect(doc).toHaveProperty('testsuites');
  return doc.testsuites === '' ? [] : (doc.testsuites.testsuite ?? []);
}

const suiteOf = (suites: Suite[], name: string): Suite => {
  const s = suites.find((x) => x.name === name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
};
const caseOf = (s: Suite, name: string): Case => {
  const c = (s.testcase ?? []).find((x) => x.name === name);
  if (!c) throw new Error(`no testcase ${name} in ${s.name}: ${(s.testcase ?? []).map((x) => x.name).join(', ')}`);
  return c;
};

function run(hosts: HostResult[], command = 'up'): RunResult {
  return { command, hosts, summary: summarize(hosts), durationMs: 1234 };
}

function host(over: Partial<HostResult> & { name: string }): HostResult {
  return { status: 'ok', changes: 0, steps: [], verified: true, mismatches: [], durationMs: 100, ...over };
}

describe('toJUnit against the JUnit schema (xmllint)', () => {
  it('all ok: every checked object and probe a passing test case', () => {
    const r = fixture();
    const node1 = { ...r.hosts[0]!, status: 'ok' as const, changes: 0, steps: [] };
    const xml = toJUnit(run([node1]), { timestamp: STAMP });
    expectValid(xml);

    const [suite, ...rest] = parse(xml);
    expect(rest).toEqual([]);
    expect(suite).toMatchObject({
      name: 'node1',
      package: 'cnet-remote up',
      id: '0',
      hostname: 'node1',
      timestamp: '2026-11-20T02:15:00',
      tests: String(9 + 16),
      failures: '0',
      errors: '0',
      skipped: '0',
      time: '4.212',
    });
    const cases = suite!.testcase ?? [];
    expect(cases.map((c) => c.name).slice(0, 9)).toEqual(node1.checked);
    expect(cases.every((c) => c.classname === 'node1' && !c.failure && !c.error)).toBe(true);
    const peer = caseOf(suite!, 'probe peer container1 -> container2 (172.18.0.3)');
    const p = node1.probes!.find((x) => x.kind === 'peer' && x.from === 'container1')!;
    expect(peer.time).toBe((p.latencyMs! / 1000).toFixed(6));
    expect(suite!['system-out']).toBe('');
    expect(suite!['system-err']).toBe('');
    expect(suite!.properties.property).toContainEqual({ name: 'status', value: 'ok' });
  });

  it('the fixture: a mismatch fails its checked object, a failed probe fails with its cause, warnings go to system-out', () => {
    const r = fixture();
    const xml = toJUnit(r, { timestamp: STAMP });
    expectValid(xml);
    const suites = parse(xml);
    expect(suites.map((s) => [s.name, s.id, s.tests, s.failures, s.errors])).toEqual([
      ['node1', '0', '25', '0', '0'],
      ['node2', '1', '25', '2', '0'],
    ]);
    const node2 = suiteOf(suites, 'node2');

    const jelly = caseOf(node2, 'namespaces.jelly');
    expect(jelly.failure).toEqual({
      type: 'mismatch',
      message: 'namespaces.jelly.mac: desired 02:42:ac:13:00:03, actual 02:42:ac:13:00:63',
      '#text': 'namespaces.jelly.mac: desired 02:42:ac:13:00:03, actual 02:42:ac:13:00:63',
    });
    // the other objects of node2 pass; bridges.br0.nat is its own test case
    for (const name of ['bridges.br0', 'bridges.br0.nat', 'namespaces.pb', 'ip_forward']) expect(caseOf(node2, name).failure).toBeUndefined();

    const up = caseOf(node2, 'probe upstream container1 -> upstream (192.168.56.1)');
    expect(up.failure?.type).toBe('probe');
    expect(up.failure?.message).toBe(r.hosts[1]!.probes!.find((p) => !p.ok)!.cause);
    expect(up.failure?.['#text']).toContain('likely cause: dropped in FORWARD by: -i br0 -s 172.18.0.2/32 -j DROP');
    expect(up.time).toBe('0.000000');

    // the host's error is in system-err; no `apply` case, as the mismatch tells the story
    expect(node2['system-err']).toBe('1 mismatch, 1 of 16 probes failed');
    expect((node2.testcase ?? []).some((c) => c.name === 'apply')).toBe(false);
    expect(node2['system-out']).toBe(
      'warning: the FORWARD chain drops traffic of br0: -i br0 -s 172.18.0.2/32 -j DROP\n  fix: iptables -D FORWARD -i br0 -s 172.18.0.2/32 -j DROP',
    );
    // never the applied steps (shell text)
    expect(xml).not.toContain('ip link add');
    expect(xml).not.toContain('MASQUERADE');
    // the run's name and totals, where the schema leaves room for them
    expect(xml).toContain('<!-- cnet-remote up: 2 hosts (0 ok, 1 changed, 1 failed, 0 unreachable); 50 tests, 2 failures, 0 errors; 5.384 s -->');
  });

  it('several mismatches of one object: one failure, each mismatch on a line of its body', () => {
    const h = host({
      name: 'vm1',
      status: 'failed',
      verified: false,
      checked: ['bridges.br0', 'bridges.br0.nat'],
      mismatches: [
        mismatch({ kind: 'bridge', name: 'br0' }, 'state', 'UP', 'DOWN'),
        mismatch({ kind: 'bridge', name: 'br0' }, 'address', '172.18.0.1/16', 'none'),
        mismatch({ kind: 'nat', name: 'br0' }, '', 'MASQUERADE 172.18.0.0/16', 'absent'),
      ],
      error: '3 mismatches',
    });
    const xml = toJUnit(run([h]), { timestamp: STAMP });
    expectValid(xml);
    const [s] = parse(xml);
    expect(s!.failures).toBe('2');
    expect(caseOf(s!, 'bridges.br0').failure?.['#text']).toBe(
      'bridges.br0.state: desired UP, actual DOWN\nbridges.br0.address: desired 172.18.0.1/16, actual none',
    );
    expect(caseOf(s!, 'bridges.br0').failure?.message).toMatch(/^2 mismatches: bridges\.br0\.state: desired UP, actual DOWN; /);
    expect(caseOf(s!, 'bridges.br0.nat').failure?.message).toBe('bridges.br0.nat: desired MASQUERADE 172.18.0.0/16, actual absent');
  });

  it('failed probes of every kind, with and without a cause', () => {
    const h = host({
      name: 'vm2',
      status: 'failed',
      verified: true,
      checked: ['bridges.br0'],
      probes: [
        { kind: 'peer', from: 'container1', to: 'container2', target: '172.18.0.3', ok: false, cause: 'no ARP reply from 172.18.0.3: container2 is missing' },
        { kind: 'gateway', from: 'container1', to: 'br0', target: '172.18.0.1', ok: false },
        { kind: 'host', from: 'host', to: 'container1', target: '172.18.0.2', ok: true, latencyMs: 0.0000004 },
        { kind: 'upstream', from: 'container1', to: 'upstream', target: '192.168.56.1', ok: true, latencyMs: 12345.6789 },
      ],
      error: '2 of 4 probes failed',
    });
    const xml = toJUnit(run([h], 'verify'), { timestamp: STAMP });
    expectValid(xml);
    const [s] = parse(xml);
    expect(s).toMatchObject({ package: 'cnet-remote verify', tests: '5', failures: '2', errors: '0' });
    expect(caseOf(s!, 'probe peer container1 -> container2 (172.18.0.3)').failure?.message).toBe('no ARP reply from 172.18.0.3: container2 is missing');
    expect(caseOf(s!, 'probe gateway container1 -> br0 (172.18.0.1)').failure).toMatchObject({ type: 'probe', message: 'no reply' });
    expect(caseOf(s!, 'probe host host -> container1 (172.18.0.2)').time).toBe('0.000000');
    expect(caseOf(s!, 'probe upstream container1 -> upstream (192.168.56.1)').time).toBe('12.345679');
    // the probes tell why it failed: no extra `apply` case
    expect((s!.testcase ?? []).map((c) => c.name)).not.toContain('apply');
  });

  it('an unreachable host: one `connect` test case in error', () => {
    const ok = host({ name: 'vm1', checked: ['ip_forward'] });
    const down = host({ name: 'vm3', status: 'unreachable', verified: false, error: 'connect ECONNREFUSED 192.168.56.13:22', durationMs: 3000 });
    const xml = toJUnit(run([ok, down]), { timestamp: STAMP });
    expectValid(xml);
    const s = suiteOf(parse(xml), 'vm3');
    expect(s).toMatchObject({ id: '1', tests: '1', failures: '0', errors: '1', time: '3.000' });
    expect(s.testcase).toEqual([
      {
        classname: 'vm3',
        name: 'connect',
        time: '3.000',
        error: { type: 'unreachable', message: 'connect ECONNREFUSED 192.168.56.13:22', '#text': 'connect ECONNREFUSED 192.168.56.13:22' },
      },
    ]);
    expect(xml).toContain('1 ok, 0 changed, 0 failed, 1 unreachable); 2 tests, 0 failures, 1 errors;');
  });

  it('a failed host with an error and no mismatch: an `apply` failure', () => {
    const h = host({
      name: 'vm4',
      status: 'failed',
      changes: 2,
      verified: false,
      error: 'step 3/9 failed: ip link add veth1 type veth peer name ceth1 netns container1: RTNETLINK answers: File exists',
      durationMs: 812,
    });
    const xml = toJUnit(run([h]), { timestamp: STAMP });
    expectValid(xml);
    const [s] = parse(xml);
    expect(s!.testcase).toEqual([{ classname: 'vm4', name: 'apply', time: '0.812', failure: { type: 'apply', message: h.error, '#text': h.error } }]);
    expect(s!['system-err']).toBe(h.error);
  });

  it('an error that says more than the failing cases is an `apply` failure beside them', () => {
    const h = host({
      name: 'vm7',
      status: 'failed',
      verified: false,
      checked: ['namespaces.pb'],
      mismatches: [mismatch({ kind: 'namespace', name: 'pb' }, 'veth', 'bread-pb-veth <-> veth-pb@pb', 'absent')],
      error: 'step 24/39 failed: ip link add bread-pb-veth type veth peer name veth-pb netns pb: RTNETLINK answers: Operation not permitted',
    });
    const xml = toJUnit(run([h]), { timestamp: STAMP });
    expectValid(xml);
    const [s] = parse(xml);
    expect((s!.testcase ?? []).map((c) => [c.name, c.failure?.type])).toEqual([
      ['namespaces.pb', 'mismatch'],
      ['apply', 'apply'],
    ]);
  });

  it('a failed host with nothing else failing still fails; mismatches under no checked object are kept', () => {
    const quiet = host({ name: 'vm5', status: 'failed', verified: false });
    const legacy = host({
      name: 'vm6',
      status: 'failed',
      verified: false,
      mismatches: [mismatch({ kind: 'leftover-netns', name: 'x' }, '', 'absent', 'namespace x')],
    });
    const xml = toJUnit(run([quiet, legacy]), { timestamp: STAMP });
    expectValid(xml);
    const suites = parse(xml);
    expect(caseOf(suiteOf(suites, 'vm5'), 'apply').failure?.message).toBe('failed (did not verify)');
    expect(caseOf(suiteOf(suites, 'vm6'), 'verify').failure?.message).toBe('leftover.netns.x: desired absent, actual namespace x');
    expect(suiteOf(suites, 'vm6').testcase).toHaveLength(1);
  });

  it('odd characters in error messages, names and warnings are escaped; control characters that XML forbids are not written', () => {
    const nasty = 'boom <&>"\' ]]> \u0007bell \u001b[31mred\u001b[0m \u0000nul \ud800 lone \u{1F600} ok\ttab\r\nnext';
    const h = host({
      name: 'odd<&>"\'\u0001host',
      status: 'failed',
      verified: false,
      error: nasty,
      checked: ['namespaces.a&b'],
      mismatches: [mismatch({ kind: 'namespace', name: 'a&b' }, 'mac', '<x>', '"y"\u0002')],
      warnings: [{ message: 'warn <b>&</b>\u0008', fix: 'echo \'a\' && echo "b" > /dev/null' }],
    });
    const xml = toJUnit(run([h]), { timestamp: STAMP });
    expectValid(xml);
    // no raw forbidden character survives anywhere in the file
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff](?<![\ud800-\udbff][\udc00-\udfff])/u);
    expect(xml).not.toContain('\u001b');

    const [s] = parse(xml);
    const clean = 'boom <&>"\' ]]> \ufffdbell red \ufffdnul \ufffd lone \u{1F600} ok\ttab\r\nnext';
    expect(s!.name).toBe('odd<&>"\'\ufffdhost');
    expect(s!['system-err']).toBe(clean.replace('\r\n', '\n')); // XML parsers normalize CRLF in text
    expect(caseOf(s!, 'apply').failure?.message).toBe(clean); // kept exactly in an attribute (&#13;&#10;)
    expect(caseOf(s!, 'namespaces.a&b').failure?.['#text']).toBe('namespaces.a&b.mac: desired <x>, actual "y"\ufffd');
    expect(s!['system-out']).toBe('warning: warn <b>&</b>\ufffd\n  fix: echo \'a\' && echo "b" > /dev/null');
  });

  it('IPv6 findings and probes: addresses of both families, default_route6, nat6, ip6_forward; control characters not written', () => {
    const h = host({
      name: 'vm1',
      status: 'failed',
      verified: true,
      checked: ['bridges.br0', 'bridges.br0.nat', 'bridges.br0.nat6', 'namespaces.c1', 'ip_forward', 'ip6_forward'],
      mismatches: [
        mismatch({ kind: 'namespace', name: 'c1' }, 'address', '172.18.0.2/16, fd00:18::2/64', '172.18.0.2/16, fd00:18::2/64 (dadfailed)'),
        mismatch({ kind: 'namespace', name: 'c1' }, 'default_route6', 'via fd00:18::1 dev ceth1', 'via fe80::1\u001b[31m\u0007 dev ceth1'),
        mismatch({ kind: 'nat6', name: 'br0' }, '', 'MASQUERADE fd00:18::/64 ! -o br0', 'absent'),
        mismatch({ kind: 'ip6_forward', name: 'ip6_forward' }, '', '1', '0'),
      ],
      probes: [
        { kind: 'gateway', from: 'c1', to: 'br0', target: '172.18.0.1', ok: true, latencyMs: 0.05 },
        { kind: 'gateway', from: 'c1', to: 'br0', target: 'fd00:18::1', ok: false, cause: 'c1 has no IPv6 default route\u0000' },
      ],
      error: '4 mismatches, 1 of 2 probes failed',
    });
    const xml = toJUnit(run([h], 'verify'), { timestamp: STAMP });
    expectValid(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const [s] = parse(xml);
    expect(caseOf(s!, 'namespaces.c1').failure?.['#text']).toBe(
      'namespaces.c1.address: desired 172.18.0.2/16, fd00:18::2/64, actual 172.18.0.2/16, fd00:18::2/64 (dadfailed)\n' +
        'namespaces.c1.default_route6: desired via fd00:18::1 dev ceth1, actual via fe80::1\ufffd dev ceth1',
    );
    expect(caseOf(s!, 'bridges.br0.nat6').failure?.message).toBe('bridges.br0.nat6: desired MASQUERADE fd00:18::/64 ! -o br0, actual absent');
    expect(caseOf(s!, 'bridges.br0.nat').failure).toBeUndefined();
    expect(caseOf(s!, 'ip6_forward').failure?.message).toBe('ip6_forward: desired 1, actual 0');
    // a probe of each family is its own case, named with its target
    expect(caseOf(s!, 'probe gateway c1 -> br0 (172.18.0.1)').failure).toBeUndefined();
    expect(caseOf(s!, 'probe gateway c1 -> br0 (fd00:18::1)').failure).toMatchObject({ type: 'probe', message: 'c1 has no IPv6 default route\ufffd' });
  });

  it('an empty run is a valid, empty report', () => {
    const xml = toJUnit(run([], 'down'), { timestamp: STAMP });
    expectValid(xml);
    expect(parse(xml)).toEqual([]);
  });

  it('rejects a report the schema would reject (the validation has teeth)', () => {
    const xml = toJUnit(fixture(), { timestamp: STAMP });
    expect(validate(xml.replace('<testsuites>', '<testsuites name="x">')).status).not.toBe(0);
    expect(validate(xml.replace(/ time="4\.212"/, ' time="4.2e3"')).status).not.toBe(0);
    expect(validate(xml.replace(/timestamp="[^"]*"/, 'timestamp="2026-11-20T02:15:00Z"')).status).not.toBe(0);
  });
});

describe('junit helpers', () => {
  it('timestamp: UTC, no zone, no fraction; now by default; a bad date throws', () => {
    expect(junitTimestamp('2026-11-20T03:15:00.123+01:00')).toBe('2026-11-20T02:15:00');
    expect(junitTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05');
    expect(junitTimestamp()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(() => junitTimestamp('yesterday')).toThrow(RangeError);
    expect(toJUnit(run([host({ name: 'a' })]))).toMatch(/timestamp="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"/);
  });

  it('seconds: a decimal, never exponent notation, never negative', () => {
    expect(seconds(0.0000001)).toBe('0.000');
    expect(seconds(1e21)).toBe('1000000000000000000.000');
    expect(seconds(-5)).toBe('0.000');
    expect(seconds(Number.NaN)).toBe('0.000');
    expect(seconds(undefined)).toBe('0.000');
    expect(seconds(1500)).toBe('1.500');
    expect(seconds(0.052, 6)).toBe('0.000052');
  });

  it('escaping', () => {
    expect(escapeText('a<b>&c"\'')).toBe('a&lt;b&gt;&amp;c"\'');
    expect(escapeAttr('a<b>&c"\'\t\n\r')).toBe('a&lt;b&gt;&amp;c&quot;&apos;&#9;&#10;&#13;');
    expect(xmlSafe('\u001b[1;31mX\u001b[0m\u001b]0;title\u0007\u000b\ufffe\u0085')).toBe('X\ufffd\ufffd\ufffd');
  });

  it('the schema file names its source and licence', () => {
    const xsd = readFileSync(SCHEMA, 'utf8');
    expect(xsd).toContain('https://github.com/windyroad/JUnit-Schema');
    expect(xsd).toContain('Apache License, Version 2.0');
    expect(existsSync(SCHEMA)).toBe(true);
  });
});
