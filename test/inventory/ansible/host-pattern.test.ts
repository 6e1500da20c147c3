/**
 * Host patterns read as Ansible reads them: each pattern of the table, and a few thousand
 * generated ones, against ansible-core 2.14's own `BaseInventoryPlugin._expand_hostpattern`
 * (parse_address + expand_hostname_range), run in the Python that runs `ansible-inventory`.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandHostPattern, MAX_EXPANDED_HOSTS, MAX_RANGES, parseAddress, type HostPattern } from '../../../src/inventory/ansible/host-pattern.js';
import { ANSIBLE_PYTHON } from './run-python.js';

const EXPAND = `
import json, sys
from ansible.plugins.inventory import BaseInventoryPlugin
p = BaseInventoryPlugin()
out = []
for pat in json.load(sys.stdin):
    try:
        hosts, port = p._expand_hostpattern(pat)
        out.append({'hosts': hosts, 'port': port})
    except Exception as e:
        out.append({'error': '%s: %s' % (type(e).__name__, e)})
print(json.dumps(out))
`;

type Theirs = { hosts: string[]; port: number | null } | { error: string };

function ansibleExpand(patterns: string[]): Theirs[] {
  return JSON.parse(
    execFileSync(ANSIBLE_PYTHON, ['-c', EXPAND], { input: JSON.stringify(patterns), encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } }),
  ) as Theirs[];
}

/** Ours in Ansible's terms: Ansible's port 0 sets no ansible_port, so it is no port. */
function same(ours: HostPattern, theirs: Theirs): boolean {
  if ('problem' in ours) return 'error' in theirs;
  if ('error' in theirs) return false;
  return JSON.stringify(ours.hosts) === JSON.stringify(theirs.hosts) && (ours.port ?? 0) === (theirs.port ?? 0);
}

const CASES: [pattern: string, expected: HostPattern | 'refused'][] = [
  ['web1', { hosts: ['web1'] }],
  ['web[01:03].example.com', { hosts: ['web01.example.com', 'web02.example.com', 'web03.example.com'] }],
  ['web[1:3]', { hosts: ['web1', 'web2', 'web3'] }],
  ['web[08:11]', { hosts: ['web08', 'web09', 'web10', 'web11'] }],
  ['db-[a:c]', { hosts: ['db-a', 'db-b', 'db-c'] }],
  ['db-[y:B]', { hosts: ['db-y', 'db-z', 'db-A', 'db-B'] }],
  ['x[1:10:3]', { hosts: ['x1', 'x4', 'x7', 'x10'] }],
  ['x[a:g:2]', { hosts: ['xa', 'xc', 'xe', 'xg'] }],
  ['r[1:2]-[a:b]', { hosts: ['r1-a', 'r1-b', 'r2-a', 'r2-b'] }],
  ['[:2]x', { hosts: ['0x', '1x', '2x'] }],
  ['web[01:03].example.com:2222', { hosts: ['web01.example.com', 'web02.example.com', 'web03.example.com'], port: 2222 }],
  ['host:22', { hosts: ['host'], port: 22 }],
  ['host:0', { hosts: ['host'] }],
  ['10.0.0.1:2200', { hosts: ['10.0.0.1'], port: 2200 }],
  ['10.0.0.[1:3]', { hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] }],
  ['10.0.[0:1].[8:9]:22', { hosts: ['10.0.0.8', '10.0.0.9', '10.0.1.8', '10.0.1.9'], port: 22 }],
  ['fe80::1', { hosts: ['fe80::1'] }],
  ['2001:db8::[a:c]', { hosts: ['2001:db8::a', '2001:db8::b', '2001:db8::c'] }],
  ['[fe80::1]:2222', { hosts: ['fe80::1'], port: 2222 }],
  ['[2001:db8::1]:22', { hosts: ['2001:db8::1'], port: 22 }],
  ['[host:22]:33', { hosts: ['host'], port: 22 }],
  ['host_:22', { hosts: ['host_:22'] }], // not a hostname, so no port is taken off
  ['web[3:1]', { hosts: [] }],
  ['web[1:5:-1]', { hosts: [] }],
  ['h[-1:1]', { hosts: ['h-1', 'h0', 'h1'] }],
  ['h[ 1:2]', { hosts: ['h1', 'h2'] }],
  ['h[1_0:11]', { hosts: ['h10', 'h11'] }],
  ['h[\u0661:\u0663]', { hosts: ['h1', 'h2', 'h3'] }],
  ['[fe80::1]', 'refused'],
  ['h[1:]', 'refused'],
  ['h[01:100]', 'refused'],
  ['h[c:a]', 'refused'],
  ['h[1:a]', 'refused'],
  ['h[1:5:0]', 'refused'],
  ['h[1]', 'refused'],
  ['h[1:2:3:4]', 'refused'],
  ['h[1:2', 'refused'],
  ['a|b[1:2]', 'refused'],
  ['h[a:c:x]', 'refused'],
];

describe('expandHostPattern', () => {
  it.each(CASES)('%s', (pattern, expected) => {
    const ours = expandHostPattern(pattern);
    if (expected === 'refused') expect(ours).toHaveProperty('problem');
    else expect(ours).toEqual(expected);
  });

  it('reads every pattern of the table as ansible-core 2.14 does', () => {
    const theirs = ansibleExpand(CASES.map(([p]) => p));
    const differ = CASES.map(([p], i) => ({ p, ours: expandHostPattern(p), theirs: theirs[i]! })).filter((c) => !same(c.ours, c.theirs));
    expect(differ).toEqual([]);
  });

  it('reads generated patterns as ansible-core 2.14 does (2000 shaped like host names, 2000 of any shape)', () => {
    const odd = (good: string[], bad: string[]) =>
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
    const pair = fc.oneof(
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('0', '1', '3', '9', '10', '12'), fc.constantFrom('0', '2', '3', '9', '11')) },
      { weight: 2, arbitrary: fc.constantFrom<[string, string]>(['01', '03'], ['08', '11'], ['001', '010'], ['00', '02']) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('a', 'c', 'y', 'B'), fc.constantFrom('b', 'd', 'z', 'C')) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', 'ab', '-1', ' 2', '\u0663', '1_0', 'x', '01', '1'), fc.constantFrom('', '3', '100', 'z', '5 ')) },
    );
    const step = odd(['1', '2', '3'], ['0', '-1', '', 'x']);
    const range = fc.oneof(
      pair.map(([b, e]) => `[${b}:${e}]`),
      fc.tuple(pair, step).map(([[b, e], s]) => `[${b}:${e}:${s}]`),
    );
    const label = odd(['web', 'db-', 'a', 'x1', 'é', '', '.', '10.0.0.', 'fe80::', '2001:db8::', '.example.com'], ['h_', '-', 'ffff:', '_', ' ']);
    const port = odd(['', ':22', ':2222', ':022'], [':0', ':', ':x', '::1']);
    const shaped = fc.oneof(
      fc.tuple(label, fc.option(range), label, fc.option(range), port).map((ps) => ps.map((p) => p ?? '').join('')),
      fc.tuple(label, fc.option(range), label, port).map(([a, r, b, p]) => `[${a}${r ?? ''}${b}]${p}`),
    );
    const bound = fc.constantFrom('', '0', '1', '3', '01', '03', '10', '9', 'a', 'c', 'B', 'z', 'ab', '-1', ' 2', '\u0663', '1_0', 'x');
    const piece = fc.oneof(
      fc.constantFrom('web', 'a', 'db-', '-', '.', '_', '1', '01', ':', '::', ':22', ':0', '[', ']', '|', 'fe80', '10.0.0.', 'ffff', ' ', '#', 'é'),
      fc.tuple(bound, bound).map(([b, e]) => `[${b}:${e}]`),
      fc.tuple(bound, bound, fc.constantFrom('0', '1', '2', '-1', '', 'x', '3')).map(([b, e, s]) => `[${b}:${e}:${s}]`),
    );
    const wild = fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => ps.join(''));
    const patterns = [...fc.sample(shaped, { numRuns: 2000, seed: 20261213 }), ...fc.sample(wild, { numRuns: 2000, seed: 20261214 })];
    const theirs = ansibleExpand(patterns);
    // the generators reach every outcome: refusals, ports, ranges, ranges that name no host
    expect(theirs.filter((t) => 'error' in t).length).toBeGreaterThan(400);
    expect(theirs.filter((t) => 'hosts' in t && t.port).length).toBeGreaterThan(200);
    expect(theirs.filter((t) => 'hosts' in t && t.hosts.length > 1).length).toBeGreaterThan(400);
    expect(theirs.filter((t) => 'hosts' in t && t.hosts.length === 0).length).toBeGreaterThan(100);
    const differ = patterns.map((p, i) => ({ p, ours: expandHostPattern(p), theirs: theirs[i]! })).filter((c) => !same(c.ours, c.theirs));
    expect(differ.slice(0, 5)).toEqual([]);

    // A name made from a pattern reads back as itself (a caller may expand an INI file's names
    // again), but where Ansible kept a `:port` in the name: its range was not one parse_address
    // takes (`h[ 1:2]:22` names `h1:22`), so no port was taken off before expanding.
    const changed = patterns.flatMap((p) => {
      const ours = expandHostPattern(p);
      if ('problem' in ours) return [];
      return ours.hosts.filter((h) => JSON.stringify(expandHostPattern(h)) !== JSON.stringify({ hosts: [h] })).map((h) => ({ p, h }));
    });
    expect(changed.filter(({ p, h }) => parseAddress(p) !== undefined || !/:[0-9]+$/.test(h))).toEqual([]);
  });

  it('refuses a range past the bound without making its names', () => {
    const big = expandHostPattern('web[1:99999999]');
    expect(big).toEqual({ problem: expect.stringContaining(`more than ${MAX_EXPANDED_HOSTS} hosts`) });
    expect(expandHostPattern('w[1:1000][1:1000]')).toHaveProperty('problem');
    expect(expandHostPattern(`w[1:${MAX_EXPANDED_HOSTS}]`)).toMatchObject({ hosts: { length: MAX_EXPANDED_HOSTS } });
    expect(expandHostPattern(`w${'[1:1]'.repeat(MAX_RANGES + 1)}`)).toEqual({ problem: expect.stringContaining(`more than ${MAX_RANGES} ranges`) });
  });

  it('reads each name the table makes back as itself', () => {
    for (const [, expected] of CASES) {
      if (expected === 'refused' || !('hosts' in expected)) continue;
      for (const name of expected.hosts) expect(expandHostPattern(name), name).toEqual({ hosts: [name] });
    }
  });
});
