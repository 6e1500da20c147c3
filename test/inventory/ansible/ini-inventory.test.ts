/**
 * Differential test of INI inventory reading against the real Ansible (`ansible-inventory
 * --list`, Debian's ansible-core 2.14, the ini plugin alone) over a table of INI texts written
 * here. Compared per text: Ansible refuses it and so do we; or the set of hosts, each group's
 * hosts through its children (a group with no host is no group: --list leaves those out), and each
 * host's variables against `_meta.hostvars`. Ours is parseIniInventory + flatten, each host's
 * layers merged as Ansible's default hash_behaviour=replace does. Where Ansible's message gives a
 * line (`inv.ini:12:`), our refusal must point at the same line.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIssue, InventoryError, type InventoryIssue } from '../../../src/errors.js';
import { MAX_INI_HOST_ENTRIES, parseIniInventory } from '../../../src/inventory/ansible/ini-inventory.js';
import { groupNames } from '../../../src/inventory/ansible/group-names.js';
import { flatten } from '../../../src/inventory/flatten.js';
import { parseSource } from '../../../src/inventory/source.js';
import { mapLimit } from '../../map-limit.js';
import { ansibleInventoryAsync, ourReading, readingDifference, readingOfList, useAnsibleHome, type Reading } from '../ansible-reference.js';

/** Ansible's reading, or its refusal: the reason, and the line when its message gives one. */
type Outcome = Reading | { refused: string; line?: number };

/**
 * Another `-i` source beside the INI file: a YAML inventory, read before it (or after). Ansible is
 * then run with `any_unparsed_is_failed` (its own cfg in the case's folder): by default a source
 * its plugins fail on is only a warning while another source reads, and what the INI plugin added
 * before it failed stays; cnet-remote refuses any source Ansible cannot read.
 */
interface Other {
  yaml: string;
  after?: boolean;
}

/** Ansible's reading of `text` written to `dir`/inv.ini (-v: the ini plugin's own message when it refuses; its other lines go to stdout, so the JSON goes to a file). */
async function ansibleReading(text: string, home: string, dir: string, other?: Other): Promise<Outcome> {
  mkdirSync(dir);
  const file = join(dir, 'inv.ini');
  const out = join(dir, 'out.json');
  writeFileSync(file, text);
  let files = [file];
  if (other) {
    writeFileSync(join(dir, 'other.yml'), other.yaml);
    writeFileSync(join(dir, 'ansible.cfg'), '[inventory]\nany_unparsed_is_failed = True\n');
    files = other.after ? [file, join(dir, 'other.yml')] : [join(dir, 'other.yml'), file];
  }
  const run = await ansibleInventoryAsync(files, ['-v', '--list', '--output', out], other ? dir : home, other ? 'yaml,ini' : 'ini');
  if (run.failed) {
    const line = /inv\.ini:(\d+):/.exec(run.stderr)?.[1];
    const reason = /with ini plugin:\s*\n?(.*)/.exec(run.stderr)?.[1] ?? /ERROR! (.*)/.exec(run.stderr)?.[1] ?? run.stderr;
    return { refused: reason.trim(), line: line === undefined ? undefined : Number(line) };
  }
  return readingOfList(readFileSync(out, 'utf8'));
}

function ourOutcome(text: string, other?: Other): Outcome {
  let issues: InventoryIssue[];
  try {
    const yaml = other && parseSource('other.yml', other.yaml);
    const ini = parseIniInventory('inv.ini', text, yaml && !other.after ? groupNames(yaml.data) : new Set());
    const { flat, issues: found } = flatten(yaml ? (other.after ? [ini, yaml] : [yaml, ini]) : [ini]);
    issues = found;
    if (issues.length === 0) return ourReading(flat);
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
    issues = err.issues;
  }
  return { refused: formatIssue(issues[0]!), line: issues[0]!.loc.line };
}

/** The first difference between the two outcomes, or undefined when they agree. */
function outcomeDifference(theirs: Outcome, ours: Outcome): string | undefined {
  if ('refused' in theirs || 'refused' in ours) {
    if (!('refused' in theirs)) return `we refuse (${(ours as { refused: string }).refused}); Ansible reads it`;
    if (!('refused' in ours)) return `Ansible refuses (${theirs.refused}); we read it`;
    if (theirs.line !== undefined && theirs.line !== ours.line)
      return `Ansible refuses at line ${theirs.line} (${theirs.refused}), we at line ${ours.line} (${ours.refused})`;
    return undefined;
  }
  return readingDifference(theirs, ours);
}

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

/** [name, INI text, whether Ansible refuses it, another -i source] */
const CASES: [string, string, 'reads' | 'refuses', Other?][] = [
  ['hosts before any section are ungrouped', lines('alpha', 'beta ansible_host=10.0.0.2', '[web]', 'web1', 'web2'), 'reads'],
  ['a host named before sections and in a group is not ungrouped', lines('h1', 'h2', '[web]', 'h1'), 'reads'],
  [
    'host-line values typed by literal_eval',
    lines('h i=5 f=1.5 e=1e3 x=0x1F u=1_000 n=-5 t=True fa=False no=None s=yes w=true z=010 m=foo-bar d=1-2 p=+2 dot=.5'),
    'reads',
  ],
  ['a quoted number stays a number (shlex takes the quotes), quoted twice it is text', lines(`h a='5' b="'5'" c='"True"' d="None"`), 'reads'],
  ['quoted values with spaces and escaped quotes', lines(`h a="x y  z" b='it is' c="say \\"hi\\"" d=x\\ y e='"a b"'`), 'reads'],
  ['= in values', lines('h url=http://x/?a=b&c=d eq=== k==v', '[web]', 'h', '[web:vars]', 'conn=host=db;port=5', 'empty='), 'reads'],
  ['lists, dicts, tuples', lines(`h l=[1,2,"x"] d="{'a': [1, {'b': None}], 2: True}" t=1,2 e=[] ed={} tu="(1,)" nested="[[1],[2,[3]]]"`), 'reads'],
  ['a dict written without quotes around it is text (shlex takes the quotes inside)', lines(`h d={'a':1} e={"k":[1,2]}`), 'reads'],
  ['a dict with a space, unquoted, is split into words', lines(`h e={"k": 1}`), 'refuses'],
  ['bytes and string escapes', lines(`h b="b'abc'" nl="'a\\\\nb'" hex="'\\\\x41'" raw="r'\\\\d'" cat="'a' 'b'" tq="'''x'''"`), 'reads'],
  [
    'comments: whole lines, # inline on host lines (even mid-word), quoted #',
    lines('# a comment', '; another', '  # indented', 'h1 a=1 # trailing', 'h2 p=abc#def q=2', `h3 s="a#b" t='#'`),
    'reads',
  ],
  ['section headers with comments and spaces around', lines('[web]   # the web servers', 'w1', '  [db]', 'd1'), 'reads'],
  [
    '[group:vars] values are typed too, comments kept unless the value is a literal',
    lines('[web]', 'w1', '[web:vars]', 'n=23', 'b = True', 'f = FALSE', 's = hello # comment', 'i = 5 # comment', `q = 'x y' # c`, 'l=[1, 2]', 'u=a=b'),
    'reads',
  ],
  ['[all:vars] and [ungrouped:vars]', lines('lonely', '[web]', 'w1', '[all:vars]', 'x=all', 'y=all', '[ungrouped:vars]', 'y=ungrouped'), 'reads'],
  ['a host in several groups, vars from each line, later lines win', lines('[a]', 'h x=1 y=1', '[b]', 'h x=2', '[a]', 'h z=3', '[c]', 'h'), 'reads'],
  [
    'a section written twice adds to the group',
    lines('[web]', 'w1', '[db]', 'd1', '[web]', 'w2', '[web:vars]', 'v=1', '[db]', 'd2', '[web:vars]', 'v=2'),
    'reads',
  ],
  [
    'children defined after the parent names them',
    lines('[all_web:children]', 'web', 'api', '[web]', 'w1', '[api:children]', 'inner', '[inner]', 'i1'),
    'reads',
  ],
  [
    'children defined before the parent names them',
    lines('[web]', 'w1', '[db]', 'd1', '[servers:children]', 'web', 'db', '[servers:vars]', 'role=server'),
    'reads',
  ],
  [
    'group vars by depth: child over parent over all',
    lines(
      '[top:children]',
      'mid',
      '[mid:children]',
      'leaf',
      '[leaf]',
      'h1',
      '[mid]',
      'h2',
      '[all:vars]',
      'v=all',
      'w=all',
      '[top:vars]',
      'v=top',
      'w=top',
      '[mid:vars]',
      'v=mid',
      '[leaf:vars]',
      'v=leaf',
    ),
    'reads',
  ],
  ['[g:vars] before [g] is defined', lines('[web:vars]', 'x=1', '[web]', 'w1'), 'reads'],
  ['a group defined by [g:children] alone, with vars', lines('[parent:children]', 'kid', '[parent:vars]', 'p=1', '[kid]', 'k1'), 'reads'],
  ['hosts listed in [all] and [ungrouped]', lines('[all]', 'a1', '[ungrouped]', 'u1', '[web]', 'w1'), 'reads'],
  ['an empty group, and a group named with -', lines('[empty]', '[web-servers]', 'w1', '[empty:vars]', 'x=1'), 'reads'],
  [
    'ranges: zero padding, plain numbers, steps, letters',
    lines('[web]', 'web[01:03].example.com', 'app[8:10]', 'odd[1:9:4]', 'db-[a:c]', 'mix-[y:B]'),
    'reads',
  ],
  ['several ranges in one name, and ranges in IPv4 addresses', lines('[r]', 'rack[1:2]-node[a:b]', '10.0.[0:1].[1:2]'), 'reads'],
  ['a range with a port and vars', lines('[web]', 'web[1:3]:2222 user=deploy', 'web2 user=other'), 'reads'],
  ['host:port, and a port written again later is ignored', lines('h1:2200', 'h2:2201 ansible_port=33', 'h3', '[web]', 'h1:2300', 'h3:2400'), 'reads'],
  ['IPv6 addresses, with and without a port', lines('[v6]', 'fe80::1', '2001:db8::[a:c]', '[2001:db8::1]:2222 x=1', '10.0.0.1:22'), 'reads'],
  ['a range that names no host', lines('[web]', 'web[3:1]', 'w1'), 'reads'],
  [
    'typical connection variables',
    lines(
      '[web]',
      'web1 ansible_host=192.0.2.10 ansible_user=deploy ansible_port=2222 ansible_become=true',
      '[web:vars]',
      'ansible_ssh_common_args=-o StrictHostKeyChecking=no -o ProxyJump="bastion"',
    ),
    'reads',
  ],
  ['the same key twice on one line', lines('h x=1 x=2 y=3'), 'reads'],
  ['Windows line ends and indented lines', 'h0\r\n[web]\r\n   w1 a=1\r\n\tw2\r\n[web:vars]\r\n  x = 1  \r\n', 'reads'],
  ['Unicode in values', lines(`h name="héllo wörld" emoji='"✓"' u="'\\\\u00e9'"`), 'reads'],
  // refusals
  ['[g:vars] for a group never defined', lines('h', '[ghost:vars]', 'x=1'), 'refuses'],
  ['[g:children] naming a group never defined', lines('[web]', 'w1', '[all_web:children]', 'web', 'nosuch'), 'refuses'],
  ['[g:hosts] is [g]', lines('[web:hosts]', 'w1'), 'reads'],
  ['an unknown section type', lines('[web:host]', 'w1'), 'refuses'],
  ['a section header with a space', lines('[web servers]', 'w1'), 'refuses'],
  ['an unclosed quote', lines('[web]', 'w1 a="b c'), 'refuses'],
  ['a trailing backslash', lines('w1 a=b\\'), 'refuses'],
  ['a host-line word that is not key=value', lines('[web]', 'w1 ansible_host 10.0.0.1'), 'refuses'],
  ['; is not a comment after a host', lines('w1 ; comment'), 'refuses'],
  ['a range with no end', lines('[web]', 'web[1:]'), 'refuses'],
  ['a padded range whose ends differ in length', lines('[web]', 'web[01:100]'), 'refuses'],
  ['a range of a number and a letter', lines('web[1:c]'), 'refuses'],
  ['a host pattern ending in :', lines('[web]', 'web1:'), 'refuses'],
  ['--- in an INI file', lines('---', 'all:'), 'refuses'],
  ['a [g:vars] line without =', lines('[web]', 'w1', '[web:vars]', 'justaword'), 'refuses'],
  ['a [g:children] line with two names', lines('[a]', '[b]', '[p:children]', 'a b'), 'refuses'],
  ['an empty host name', lines(`'' x=1`), 'refuses'],
  ['a group its own child', lines('[a]', 'h', '[a:children]', 'a'), 'refuses'],
  ['groups in a cycle', lines('[a:children]', 'b', '[b:children]', 'a', '[a]', 'h'), 'refuses'],
  ['a dict with a list as a key (unhashable)', lines(`h x="{[1]: 2}"`), 'refuses'],
  ['a set value (JSON cannot hold it)', lines('h x={1,2}'), 'refuses'],
  ['a complex number value', lines('h x=1j'), 'refuses'],
  // two -i sources: Ansible checks a [g:vars] or [p:children] name against every group read so far
  [
    '[g:vars] and [p:children] naming a group an earlier source defines',
    lines('[web:vars]', 'y=ini', '[top:children]', 'web'),
    'reads',
    { yaml: 'web:\n  hosts:\n    w1:\n' },
  ],
  [
    'naming a child group an earlier source defines under children:',
    lines('[db:vars]', 'x=1', '[all_db:children]', 'db', '[db]', 'd2'),
    'reads',
    { yaml: 'all:\n  children:\n    servers:\n      children:\n        db:\n          hosts:\n            d1:\n' },
  ],
  ['[g:vars] naming a group only a later source defines', lines('[web:vars]', 'y=ini'), 'refuses', { yaml: 'web:\n  hosts:\n    w1:\n', after: true }],
  [
    '[p:children] naming a group only a later source defines',
    lines('h', '[top:children]', 'web'),
    'refuses',
    { yaml: 'web:\n  hosts:\n    w1:\n', after: true },
  ],
];

describe('INI inventories read as ansible-inventory reads them (ini plugin)', () => {
  const home = useAnsibleHome();
  const differences = new Map<string, string | undefined>();
  const theirs = new Map<string, Outcome>();
  beforeAll(async () => {
    // ansible-inventory takes most of a second to start: four at a time, each case in a folder of its own
    await mapLimit(
      [...CASES.entries()],
      4,
      async ([i, [name, text, , other]]) => void theirs.set(name, await ansibleReading(text, home.dir, join(home.dir, `case${i}`), other)),
    );
  });
  afterAll(() => {
    const agree = [...differences.values()].filter((d) => d === undefined).length;
    const out = [`${agree}/${differences.size} INI inventories read as ansible-inventory reads them`];
    for (const [name, d] of differences) if (d !== undefined) out.push(`  ${name}: ${d}`);
    console.log(out.join('\n'));
  });

  it.each(CASES)('%s', (name, text, expected, other) => {
    const their = theirs.get(name)!;
    expect('refused' in their ? 'refuses' : 'reads', 'refused' in their ? their.refused : 'Ansible reads it').toBe(expected);
    const d = outcomeDifference(their, ourOutcome(text, other));
    differences.set(name, d);
    expect(d).toBeUndefined();
  });
});

describe('parseIniInventory', () => {
  it('gives the YAML shape, hosts expanded, each host’s vars once at its first group', () => {
    const src = parseIniInventory(
      'inv.ini',
      lines('[web]', 'web[1:2]:2222 a=1', '[db]', 'web1 b=2', 'db1', '[all_servers:children]', 'web', 'db', '[web:vars]', 'x=1'),
    );
    expect(src.data).toEqual({
      web: { hosts: { web1: { ansible_port: 2222, a: 1, b: 2 }, web2: { ansible_port: 2222, a: 1 } }, vars: { x: 1 } },
      db: { hosts: { web1: null, db1: null } },
      all_servers: { children: { web: null, db: null } },
    });
  });

  it('locates data paths where the INI text writes them', () => {
    const text = lines('[web]', 'web[1:2]:2222 a=1', '[db]', 'web1   b=2', '[all_servers:children]', 'web', '  db', '[web:vars]', 'x=1', 'x=2');
    const src = parseIniInventory('inv.ini', text);
    const at = (...path: string[]) => {
      const { line, col } = src.locate(path);
      return `${line}:${col}`;
    };
    expect(at('web')).toBe('1:1');
    expect(at('web', 'hosts', 'web2')).toBe('2:1');
    expect(at('web', 'hosts', 'web1', 'ansible_port')).toBe('2:1');
    expect(at('web', 'hosts', 'web1', 'a')).toBe('2:15');
    expect(at('web', 'hosts', 'web1', 'b')).toBe('4:8'); // a host's vars are one: b is written on line 4
    expect(at('db', 'hosts', 'web1')).toBe('4:1');
    expect(at('all_servers', 'children', 'db')).toBe('7:3');
    expect(at('web', 'vars', 'x')).toBe('10:1'); // the value in effect
    expect(at('web', 'vars', 'x', 'deeper')).toBe('10:1');
    expect(at('web', 'vars')).toBe('8:1');
    expect(src.locate(['web', 'vars', 'x']).path).toBe('web.vars.x');
  });

  it('refuses with file:line:col, the reason in plain words and what to do', () => {
    const issue = (text: string) => {
      try {
        parseIniInventory('inv.ini', text);
      } catch (err) {
        if (err instanceof InventoryError) return formatIssue(err.issues[0]!);
      }
      throw new Error('expected an InventoryError');
    };
    expect(issue(lines('[web]', '  w1 a="b'))).toBe('inv.ini:2:8 the quote opened here is never closed: close it');
    expect(issue(lines('h', '[ghost:vars]', 'x=1'))).toBe(
      'inv.ini:2:1 section [ghost:vars] sets variables of a group that is never defined: add a [ghost] section (it may be empty) or a [ghost:children] section, or give the inventory that defines it before this file',
    );
    // a group an earlier source defines is defined; the same file alone refuses it
    expect(parseIniInventory('inv.ini', lines('[ghost:vars]', 'x=1', '[p:children]', 'ghost'), new Set(['ghost'])).data).toEqual({
      ghost: { vars: { x: 1 } },
      p: { children: { ghost: null } },
    });
    expect(issue(lines('[p:children]', 'kid'))).toMatch(/^inv\.ini:2:1 \[p:children\] names the group "kid", which is never defined: add a \[kid\] section/);
    expect(issue(lines('w[1:]'))).toMatch(/^inv\.ini:1:1 host pattern "w\[1:\]": host range "\[1:\]" has no end/);
    expect(issue(lines('[web]', 'w1 secret'))).toBe(
      'inv.ini:2:4 this word is not key=value: after the host, a host line holds only variables written key=value (quote a value that holds spaces)',
    );
    expect(issue(lines('w1 ansible_password= hunter2'))).toBe(
      'inv.ini:1:22 the word after "ansible_password=" is not key=value: a space ends a value, so quote a value that holds spaces (key="a b")',
    );
    expect(issue(lines('[web:children]', 'hunter 2'))).not.toMatch(/hunter/);
    expect(issue(lines('[web]', '[web:vars]', 'ansible_password hunter2'))).not.toMatch(/hunter/);
    expect(issue(lines('[web:host]'))).toMatch(/^inv\.ini:1:1 section "\[web:host\]" has an unknown type "host"/);
    expect(issue(lines('h x={1,2}'))).toMatch(/^inv\.ini:1:3 the value of "x" is a Python set, which JSON cannot hold: quote the value/);
    expect(issue(lines('h __proto__=1'))).toMatch(/__proto__/);
  });

  it('bounds what one file expands to', () => {
    const text = lines(...Array.from({ length: 11 }, (_, i) => `[g${i}]\nh[1:100000]`));
    expect(() => parseIniInventory('inv.ini', text)).toThrow(`more than ${MAX_INI_HOST_ENTRIES} hosts`);
  });
});

/** the Python that runs ansible-inventory (its `#!` line): the one that can import ansible */
const PYTHON = (() => {
  const bin = execFileSync('sh', ['-c', 'command -v ansible-inventory'], { encoding: 'utf8' }).trim();
  return /^#!\s*(\S+)/.exec(readFileSync(bin, 'utf8'))![1]!;
})();

describe('generated INI files against the ini plugin itself (1000 files)', () => {
  /** The ini plugin in Python on each text: groups' hosts and each host's merged vars, as --list gives them, or the refusal. */
  const HARNESS = `
import json, sys, os, tempfile
from ansible.inventory.data import InventoryData
from ansible.inventory.helpers import get_group_vars
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.inventory.ini import InventoryModule
from ansible.utils.vars import combine_vars
path = os.path.join(tempfile.mkdtemp(), 'inv.ini')
out = []
for text in json.load(sys.stdin):
    with open(path, 'w') as f: f.write(text)
    inv = InventoryData()
    try:
        InventoryModule().parse(inv, DataLoader(), path)
        inv.reconcile_inventory()
        groups = {g.name: [h.name for h in g.get_hosts()] for g in inv.groups.values()}
        hostvars = {}
        for h in inv.hosts.values():
            v = combine_vars(get_group_vars(h.get_groups()), h.get_vars())
            for k in ('inventory_file', 'inventory_dir', 'inventory_hostname', 'inventory_hostname_short', 'group_names'): v.pop(k, None)
            hostvars[h.name] = v
        out.append({'groups': groups, 'hostvars': json.loads(json.dumps(hostvars))})
    except Exception as e:
        out.append({'refused': '%s: %s' % (type(e).__name__, e)})
    os.remove(path)
print(json.dumps(out))
`;
  type Read = { groups: Record<string, string[]>; hostvars: Record<string, Record<string, unknown>> } | { refused: string };

  const toOutcome = (r: Read): Outcome => {
    if ('refused' in r) return { refused: r.refused };
    const groups = new Map(Object.entries(r.groups).map(([g, hs]) => [g, new Set(hs)]));
    const hosts = new Set(Object.keys(r.hostvars));
    return { hosts, groups, vars: new Map(Object.entries(r.hostvars)) };
  };
  /** a group with no host is no group (as --list leaves them out) */
  const nonEmpty = (o: Outcome): Outcome => ('refused' in o ? o : { ...o, groups: new Map([...o.groups].filter(([, m]) => m.size > 0)) });

  it('reads each as the ini plugin does', () => {
    /** mostly one of `good`, at times one of `bad` (Ansible refuses a file for one bad line) */
    const odd = (good: string[], bad: string[]) =>
      fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'all', 'web-1');
    // prettier-ignore
    const pattern = odd(
      ['h1', 'h2', 'h[1:3]', 'h[01:02]:2222', 'w[a:b]', 'h2:22', '10.0.0.[1:2]', "'h3'", 'fe80::1', '[fe80::2]:22', 'h[3:1]', 'h[1:4:2]'],
      ['h[1:]', 'h1:', "''"],
    );
    // not ansible_port: cnet-remote checks its value (Ansible takes any), and ports come from the patterns
    const key = fc.constantFrom('x', 'y', 'z', 'w');
    // prettier-ignore
    const value = odd(
      ['1', 'True', '"a b"', "'5'", '[1,2]', 'x#y', '"#"', '1,2', 'None', '', '=', `"{'k': 1}"`, '0x10', 'yes', `"'q'"`, '-1.5', 'a=b'],
      ['a b', '"open'],
    );
    const hostLine = fc
      .tuple(pattern, fc.array(fc.tuple(key, value), { maxLength: 3 }), odd(['', ' # c'], [' ; c', ' word']))
      .map(([p, kvs, c]) => [p, ...kvs.map(([k, v]) => `${k}=${v}`)].join(' ') + c);
    const varLine = fc.tuple(key, fc.constantFrom('=', ' = '), value, fc.constantFrom('', ' # c')).map(([k, eq, v, c]) => `${k}${eq}${v}${c}`);
    // only a and all have children, so no group is its own ancestor (the table tries cycles)
    const childLine = odd(['b', 'c', 'd', 'b # c'], ['a b', 'e', 'web-1']);
    const filler = fc.constantFrom('', '# comment', '; comment', '  ');
    /**
     * A section: its header and lines of its kind, with now and then a comment, or a host or
     * group line (not key=value: a host named `x=1` Ansible takes, and cnet-remote refuses).
     */
    const section = (suffix: string, own: fc.Arbitrary<string>, names = name) =>
      fc
        .tuple(
          names,
          odd([' # c', ''], [' x']),
          fc.array(fc.oneof({ weight: 80, arbitrary: own }, { weight: 20, arbitrary: filler }, { weight: 1, arbitrary: fc.oneof(hostLine, childLine) }), {
            maxLength: 4,
          }),
        )
        .map(([g, c, ls]) => [c === ' x' ? `[${g} x]` : `[${g}${suffix}]${c}`, ...ls].join('\n'));
    const anySection = fc.oneof(
      { weight: 12, arbitrary: section('', hostLine) },
      { weight: 2, arbitrary: section(':hosts', hostLine) },
      { weight: 8, arbitrary: section(':vars', varLine) },
      { weight: 8, arbitrary: section(':children', childLine, fc.constantFrom('a', 'all')) },
      { weight: 1, arbitrary: section(':other', hostLine) },
    );
    // most files define a-d first, so that children and [g:vars] sections find their groups
    const prelude = fc.constantFrom('', '[a]\n[b]\n[c]\n[d]\n', '[a]\n[b]\n[c]\n[d]\n[web-1]\n', '[b]\n[d]\n[c:children]\n');
    const file = fc
      .tuple(prelude, fc.array(hostLine, { maxLength: 2 }), fc.array(anySection, { minLength: 1, maxLength: 5 }))
      .map(([p, ungrouped, ss]) => `${[...ungrouped, p, ...ss].join('\n')}\n`);
    const texts = fc.sample(file, { numRuns: 1000, seed: 20261216 });
    const theirs = (
      JSON.parse(
        execFileSync(PYTHON, ['-W', 'ignore', '-c', HARNESS], { input: JSON.stringify(texts), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }),
      ) as Read[]
    ).map(toOutcome);
    // the generator reaches both outcomes
    expect(theirs.filter((t) => 'refused' in t).length).toBeGreaterThan(200);
    expect(theirs.filter((t) => !('refused' in t) && t.hosts.size > 0).length).toBeGreaterThan(300);
    const differ = texts.map((text, i) => ({ text, d: outcomeDifference(nonEmpty(theirs[i]!), nonEmpty(ourOutcome(text))) })).filter((c) => c.d !== undefined);
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
