/**
 * YAML read as Ansible's loader reads it (PyYAML's YAML 1.1 resolver and Ansible's constructor),
 * compared value by value with the real one: each text of the table is loaded by ours
 * (parseSource) and by ansible.parsing.yaml.loader.AnsibleLoader in one python run.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../../src/inventory/source.js';

const SCALARS = [
  'yes',
  'no',
  'Yes',
  'NO',
  'on',
  'Off',
  'y',
  'n',
  'Y',
  'true',
  'False',
  'TRUE',
  'tRue',
  '0',
  '7',
  '-7',
  '+7',
  '0755',
  '08',
  '0b101',
  '0x1F',
  '1_000',
  '1:20',
  '-1:20:30',
  '190:20:30',
  '1.5',
  '1.',
  '.5',
  '1.5e3',
  '1.5e+3',
  '1e3',
  '1.0e3',
  'e1',
  'E0',
  '-e5',
  '.e5',
  '.inf',
  '-.Inf',
  '.nan',
  '6.8523015e+5',
  '1:20.5',
  '~',
  'null',
  'Null',
  '',
  '2001-12-14',
  '2001-12-14 21:59:43.10 -5',
  '2001-12-14t21:59:43.10-05:00',
  '12:30',
  '0o17',
  '1__0',
  'abc',
  '"yes"',
  "'0755'",
  '10.0.0.1',
  '10.0',
  '1.2.3',
  'fe80::1',
  '22/tcp',
];

/** AnsibleLoader's value of each `v: TEXT`, as JSON (dates and times as str(): what ansible-inventory shows of a date) */
const PY = String.raw`
import json, math, sys
from ansible.parsing.yaml.loader import AnsibleLoader
out = []
for text in json.load(sys.stdin):
    v = AnsibleLoader('v: ' + text + '\n').get_single_data()['v']
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        out.append({'float': repr(v)})
    else:
        out.append(v if isinstance(v, (str, int, float, bool, type(None))) else {'str': str(v)})
print(json.dumps(out))
`;
import { ANSIBLE_PYTHON } from './run-python.js';

describe('plain scalars typed as Ansible reads YAML (PyYAML 1.1)', () => {
  const theirs = JSON.parse(execFileSync(ANSIBLE_PYTHON, ['-c', PY], { input: JSON.stringify(SCALARS), encoding: 'utf8' })) as unknown[];

  it.each(SCALARS.map((s, i) => [s, i] as const))('v: %s', (text, i) => {
    let ours = (parseSource('t.yml', `v: ${text}\n`).data as { v: unknown }).v;
    if (typeof ours === 'number' && !Number.isFinite(ours)) ours = { float: Number.isNaN(ours) ? 'nan' : ours > 0 ? 'inf' : '-inf' };
    const want = theirs[i] as unknown;
    // a date or time stamp: PyYAML's datetime, kept as its text here
    if (typeof want === 'object' && want !== null && 'str' in want) expect(typeof ours).toBe('string');
    else expect(ours).toEqual(want);
  });
});
