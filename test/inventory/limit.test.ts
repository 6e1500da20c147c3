import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { groupHostsInOrder, type GroupMembers } from '../../src/inventory/group-order.js';
import { applyLimit, selectHosts, type LimitInventory } from '../../src/inventory/limit.js';
import { applySubscript, compileNameMatcher, orderTerms, parseSubscript, parseTerm, pythonRegExp, splitLimit } from '../../src/inventory/limit-pattern.js';
import { fnmatchSource } from '../../src/inventory/fnmatch.js';
import { resolve } from './helpers.js';

/** An inventory as Ansible orders it: groups with own hosts and children (in the order written), hosts in the order first named. */
function build(groups: Record<string, Partial<GroupMembers>>): LimitInventory<{ name: string }> {
  const input = new Map(Object.entries(groups).map(([name, g]) => [name, { hosts: g.hosts ?? [], children: g.children ?? [] }]));
  const hosts = [...new Set(Object.values(groups).flatMap((g) => g.hosts ?? []))].map((name) => ({ name }));
  return { hosts, groups: groupHostsInOrder(input) };
}

// --- with our loader: what a group selects ------------------------------------------------------

const inv = resolve(`all:
  hosts:
    solo.example.com:
  children:
    web:
      hosts:
        w1.example.com:
        w2.example.com:
      children:
        edge:
          hosts:
            e1.example.com:
    db:
      hosts:
        d1.example.com:
        w1.example.com:
    empty: {}
`);

const names = (limit: string | undefined) => applyLimit(inv, limit).map((h) => h.name);
const sorted = (limit: string) => names(limit).sort();

describe('applyLimit on a loaded inventory', () => {
  it('no limit: every host', () => {
    expect(names(undefined)).toEqual(inv.hosts.map((h) => h.name));
  });

  it('a host, a group with its child groups, all and ungrouped', () => {
    expect(names('w2.example.com')).toEqual(['w2.example.com']);
    expect(sorted('web')).toEqual(['e1.example.com', 'w1.example.com', 'w2.example.com']);
    expect(sorted('all')).toEqual(names(undefined).sort());
    expect(names('ungrouped')).toEqual(['solo.example.com']);
  });

  it('unions without duplicates, in inventory order', () => {
    expect(sorted('solo.example.com,db')).toEqual(['d1.example.com', 'solo.example.com', 'w1.example.com']);
    expect(sorted(' edge , d1.example.com ')).toEqual(['d1.example.com', 'e1.example.com']);
  });

  it('a group without hosts limits to nothing, without a warning', () => {
    expect(selectHosts(inv, 'empty')).toEqual({ hosts: [], warnings: [] });
  });

  it('an unknown name is warned of and ignored; alone it selects nothing', () => {
    const r = selectHosts(inv, 'web,w3.example.com');
    expect(r.hosts.map((h) => h.name).sort()).toEqual(['e1.example.com', 'w1.example.com', 'w2.example.com']);
    expect(r.warnings).toEqual([{ kind: 'no-match', pattern: 'w3.example.com', message: '--limit: "w3.example.com" matches no host or group: ignored' }]);
    expect(selectHosts(inv, 'nope').hosts).toEqual([]);
    expect(selectHosts(inv, 'WEB').warnings.map((w) => w.pattern)).toEqual(['WEB']);
  });
});

// --- Ansible's host-pattern grammar ------------------------------------------------------------

/** Ansible's documentation example; hosts written out of name order, so order shows. */
const fleet = build({
  all: { hosts: ['mail.example.com'], children: ['webservers', 'dbservers', 'staging', 'production', 'phoenix', 'nobody'] },
  webservers: { hosts: ['web3.example.org', 'web1.example.com', 'web2.example.com'] },
  dbservers: { hosts: ['db2.example.com', 'db1.example.com'] },
  staging: { hosts: ['web1.example.com', 'web2.example.com', 'db1.example.com'] },
  production: { hosts: ['web3.example.org', 'db2.example.com'] },
  phoenix: { hosts: ['web2.example.com'] },
  nobody: {},
});

const pick = (limit: string, readFile?: (path: string) => string) =>
  selectHosts(fleet, limit, readFile)
    .hosts.map((h) => h.name)
    .sort();
const warned = (limit: string) => selectHosts(fleet, limit).warnings.map((w) => w.pattern);
const ALL = ['db1.example.com', 'db2.example.com', 'mail.example.com', 'web1.example.com', 'web2.example.com', 'web3.example.org'];

describe('splitLimit (split_host_pattern)', () => {
  it('with a comma, only commas separate; blanks around terms go, empty terms too', () => {
    expect(splitLimit('a,b:c , d')).toEqual(['a', 'b:c', 'd']);
    expect(splitLimit(',a,, b ,')).toEqual(['a', 'b']);
    expect(splitLimit('fe80::1,web')).toEqual(['fe80::1', 'web']);
    // not even a [...] protects a comma
    expect(splitLimit('h[,:]x')).toEqual(['h[', ':]x']);
  });

  it('without a comma, what reads as a host address is one term', () => {
    expect(splitLimit('fe80::1')).toEqual(['fe80::1']);
    expect(splitLimit('web1.example.com:22')).toEqual(['web1.example.com:22']);
    expect(splitLimit('[::1]:22')).toEqual(['[::1]:22']);
    expect(splitLimit('web[1:3]')).toEqual(['web[1:3]']);
  });

  it('else at colons and blanks, a [...] kept whole', () => {
    expect(splitLimit('webservers:dbservers:&staging:!phoenix')).toEqual(['webservers', 'dbservers', '&staging', '!phoenix']);
    expect(splitLimit('web[0]:db[1:]')).toEqual(['web[0]', 'db[1:]']);
    expect(splitLimit('web db')).toEqual(['web', 'db']);
    expect(splitLimit('web[0:1')).toEqual(['web', '0', '1']);
    expect(splitLimit(' : ')).toEqual([]);
  });
});

describe('parseTerm and parseSubscript (_split_subscript)', () => {
  it('reads one operator character; the rest is the pattern', () => {
    expect(parseTerm('web')).toEqual({ op: 'union', expr: 'web', pattern: 'web', text: 'web' });
    expect(parseTerm('&web')).toMatchObject({ op: 'intersect', expr: 'web' });
    expect(parseTerm('!~w.*')).toMatchObject({ op: 'exclude', expr: '~w.*' });
    expect(parseTerm('!&web')).toMatchObject({ op: 'exclude', expr: '&web' });
  });

  it('an operator alone, &@file and !@file are refused', () => {
    expect(() => parseTerm('!')).toThrow('--limit: "!" has no pattern after its operator');
    expect(() => parseTerm('&')).toThrow(UsageError);
    expect(() => parseTerm('!@failed.retry')).toThrow(/"!@failed\.retry": an @file is read only as a term of its own/);
  });

  it('index, negative index, inclusive ranges, open end, the old dash form', () => {
    expect(parseSubscript('web[0]')).toEqual({ base: 'web', subscript: { kind: 'index', index: 0 } });
    expect(parseSubscript('web[-1]')).toEqual({ base: 'web', subscript: { kind: 'index', index: -1 } });
    expect(parseSubscript('web[1:3]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 1, end: 3 } });
    expect(parseSubscript('web[1:]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 1 } });
    expect(parseSubscript('web[1-2]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 1, end: 2 }, dashed: true });
    expect(parseSubscript('w*[0]')).toEqual({ base: 'w*', subscript: { kind: 'index', index: 0 } });
  });

  it('no subscript on a regex, nor [:2], nor a character class', () => {
    expect(parseSubscript('~web[0]')).toEqual({ base: '~web[0]' });
    expect(parseSubscript('web[:2]')).toEqual({ base: 'web[:2]' });
    expect(parseSubscript('web[ab]')).toEqual({ base: 'web[ab]' });
  });
});

describe('applySubscript (_apply_subscript)', () => {
  const t = parseTerm('g[0]');
  const of = (sub: string) => applySubscript(['a', 'b', 'c'], parseSubscript(`g${sub}`).subscript, t);

  it('ranges are inclusive and stop at the end; [start:0] is [start]', () => {
    expect(of('[1:2]')).toEqual(['b', 'c']);
    expect(of('[1:9]')).toEqual(['b', 'c']);
    expect(of('[5:]')).toEqual([]);
    expect(of('[2:1]')).toEqual([]);
    expect(of('[2:0]')).toEqual(['c']);
    expect(of('[-3]')).toEqual(['a']);
  });

  it('an index past either end is an error; nothing to subscript is nothing', () => {
    expect(() => of('[3]')).toThrow('--limit: "g[0]": there is no host at index 3: the pattern matches 3 (counting from 0)');
    expect(() => of('[-4]')).toThrow(UsageError);
    expect(() => of('[5:0]')).toThrow(UsageError);
    expect(applySubscript([], { kind: 'index', index: 7 }, t)).toEqual([]);
  });
});

describe('fnmatchSource (Python 3.11 fnmatch.translate)', () => {
  const g = (glob: string, name: string) => new RegExp(fnmatchSource(glob), 'su').test(name);

  it('* ? and the whole name; other characters literal', () => {
    expect(g('web*', 'web1.example.com')).toBe(true);
    expect(g('web*', 'aweb1')).toBe(false);
    expect(g('db?.example.com', 'db1.example.com')).toBe(true);
    expect(g('db?.example.com', 'db12.example.com')).toBe(false);
    expect(g('web1.example.com', 'web1xexample.com')).toBe(false);
    expect(g('a+b(c)', 'a+b(c)')).toBe(true);
  });

  it('[abc], [a-c], [!abc], a leading ], an unclosed [', () => {
    expect(g('web[12].*', 'web2.example.com')).toBe(true);
    expect(g('web[1-2]*', 'web3')).toBe(false);
    expect(g('web[!12]*', 'web3.example.org')).toBe(true);
    expect(g('[]a]', ']')).toBe(true);
    expect(g('[!]a]', 'b')).toBe(true);
    expect(g('[-a]', '-')).toBe(true);
    expect(g('a[b', 'a[b')).toBe(true);
    expect(g('[\\]', '\\')).toBe(true);
  });

  it('a backwards range is dropped; an empty class never matches; [!] alone is literal', () => {
    expect(g('w[z-a]', 'wz')).toBe(false);
    expect(fnmatchSource('w[z-a]')).toBe('^(?:w(?!))$');
    expect(g('[a-cz-x]', 'b')).toBe(true);
    expect(g('[!]', '[!]')).toBe(true);
  });
});

describe('compileNameMatcher and pythonRegExp', () => {
  it('a regex matches at the start of the name, like re.match, not necessarily to its end', () => {
    const m = compileNameMatcher('~web\\d');
    expect(m.test('web1.example.com')).toBe(true);
    expect(m.test('web1.example.com')).toBe(true); // no state left between calls
    expect(m.test('aweb1')).toBe(false);
  });

  it("Python's spellings: (?P<n>), (?P=n), \\A, \\Z, leading flags", () => {
    expect(pythonRegExp('(?P<d>w)(?P=d)').test('ww')).toBe(true);
    expect(pythonRegExp('(?i)WEB').test('web')).toBe(true);
    expect(pythonRegExp('\\Aweb\\Z').test('web1')).toBe(false);
  });

  it('a bad regex is a usage error', () => {
    expect(() => compileNameMatcher('~(web')).toThrow(/--limit: "~\(web" is not a valid regular expression/);
  });
});

describe('orderTerms (order_patterns)', () => {
  const order = (limit: string) => orderTerms(splitLimit(limit).map((p) => parseTerm(p))).map((t) => t.text);

  it('unions, then intersections, then exclusions; without a union, all first', () => {
    expect(order('!phoenix:&staging:webservers:dbservers')).toEqual(['webservers', 'dbservers', '&staging', '!phoenix']);
    expect(order('&staging:!phoenix')).toEqual(['all', '&staging', '!phoenix']);
  });
});

describe('selectHosts: host patterns', () => {
  it('&, ! and the documented combination, whatever the written order', () => {
    expect(pick('webservers:&staging')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(pick('webservers:!phoenix')).toEqual(['web1.example.com', 'web3.example.org']);
    expect(pick('webservers:dbservers:&staging:!phoenix')).toEqual(['db1.example.com', 'web1.example.com']);
    expect(pick('!phoenix,&staging,dbservers,webservers')).toEqual(['db1.example.com', 'web1.example.com']);
    expect(pick('webservers:!phoenix:phoenix')).toEqual(['web1.example.com', 'web3.example.org']);
  });

  it('only & or ! terms start from all', () => {
    expect(pick('!phoenix')).toEqual(ALL.filter((h) => h !== 'web2.example.com'));
    expect(pick('&production')).toEqual(['db2.example.com', 'web3.example.org']);
  });

  it('globs and regexes match group names (all and ungrouped too) and host names', () => {
    expect(pick('*.org')).toEqual(['web3.example.org']);
    expect(pick('stag*')).toEqual(['db1.example.com', 'web1.example.com', 'web2.example.com']);
    expect(pick('al*')).toEqual(ALL);
    expect(pick('~ungr')).toEqual(['mail.example.com']);
    expect(pick('~prod')).toEqual(['db2.example.com', 'web3.example.org']);
    expect(pick('~')).toEqual(ALL);
  });

  it('group[i] counts in the order Ansible lists the group, not name order', () => {
    expect(pick('webservers[0]')).toEqual(['web3.example.org']);
    expect(pick('webservers[-1]')).toEqual(['web2.example.com']);
    expect(pick('webservers[1:]')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(pick('all[0]')).toEqual(['mail.example.com']);
    // `db*` matches the group dbservers, then the hosts db1 and db2 in the order first named: db2, db1
    expect(pick('db*[2]')).toEqual(['db2.example.com']);
    expect(pick('db*[3]')).toEqual(['db1.example.com']);
  });

  it('[x-y] works and is warned of', () => {
    expect(pick('webservers[1-2]')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(selectHosts(fleet, 'webservers[1-2]').warnings).toMatchObject([{ kind: 'dashed-range', pattern: 'webservers' }]);
  });

  it('a subscript past the end of the group is a usage error', () => {
    expect(() => pick('webservers[3]')).toThrow('--limit: "webservers[3]": there is no host at index 3: the pattern matches 3 (counting from 0)');
    expect(pick('nobody[0]')).toEqual([]);
  });

  it('a pattern that matches nothing is warned of once and ignored, wherever it stands', () => {
    expect(pick('webservers:&nope')).toEqual([]);
    expect(pick('webservers:!nope')).toEqual(['web1.example.com', 'web2.example.com', 'web3.example.org']);
    expect(warned('webservers,!nope,zz*,~zz,nope[0]')).toEqual(['zz*', '~zz', 'nope']);
    expect(warned('nobody')).toEqual([]);
  });

  it('an implicit localhost: no warning, no host', () => {
    expect(selectHosts(fleet, 'localhost')).toEqual({ hosts: [], warnings: [] });
  });

  it('a term that is a host name is that host, even where a group has the name', () => {
    const clash = build({ ungrouped: { hosts: ['app'] }, app: { hosts: ['app1'] } });
    expect(selectHosts(clash, 'app').hosts.map((h) => h.name)).toEqual(['app']);
    // an exclusion is matched against groups first: the group app goes, the host app stays
    expect(selectHosts(clash, '!app').hosts.map((h) => h.name)).toEqual(['app']);
  });

  it('an empty limit is refused (Ansible would select every host)', () => {
    expect(() => pick('')).toThrow('--limit: no host pattern given');
    expect(() => pick(' , ')).toThrow(UsageError);
  });
});

describe('selectHosts: @file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-limit-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads host names one per line, as --retry-file writes them', () => {
    const retry = write('failed.retry', 'web2.example.com\ndb1.example.com\n');
    expect(pick(`@${retry}`)).toEqual(['db1.example.com', 'web2.example.com']);
  });

  it('skips blank lines and # comments; lines may carry & and ! and are not split', () => {
    const f = write('patterns.txt', '# retry after the outage\n\n  webservers  \n\r\n&staging\n!phoenix\n# db1.example.com\n');
    expect(pick(`@${f}`)).toEqual(['web1.example.com']);
  });

  it('combines with terms on the command line', () => {
    const retry = write('combo.retry', 'web1.example.com\nweb2.example.com\ndb2.example.com\n');
    expect(pick(`@${retry}:!phoenix`)).toEqual(['db2.example.com', 'web1.example.com']);
    expect(pick(`dbservers,@${retry},&staging`)).toEqual(['db1.example.com', 'web1.example.com', 'web2.example.com']);
  });

  it('an unknown host in the file is warned of, naming the file and line', () => {
    const retry = write('gone.retry', 'web1.example.com\n\nweb9.example.com\n');
    const r = selectHosts(fleet, `@${retry}`);
    expect(r.hosts.map((h) => h.name)).toEqual(['web1.example.com']);
    expect(r.warnings.map((w) => w.message)).toEqual([`--limit: "web9.example.com" matches no host or group: ignored (line 3 of ${retry})`]);
  });

  it('a missing file, a directory, an empty file, a nested @file are errors', () => {
    expect(() => pick(`@${join(dir, 'absent.retry')}`)).toThrow(`--limit: cannot read "${join(dir, 'absent.retry')}"`);
    expect(() => pick(`@${dir}`)).toThrow(UsageError);
    const empty = write('empty.retry', '\n# nothing failed\n\n');
    expect(() => pick(`@${empty}`)).toThrow(`--limit: "${empty}" holds no host pattern`);
    const nested = write('nested.txt', `@${empty}\n`);
    expect(() => pick(`@${nested}`)).toThrow(/an @file is read only as a term of its own.*\(line 1 of /);
    expect(() => pick('@')).toThrow('--limit: "@" names no file');
  });

  it('a FIFO or a device is refused at once, with the path (a FIFO hung, /dev/zero ate memory)', () => {
    const fifo = join(dir, 'failed.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => pick(`@${fifo}`)).toThrow(`--limit: cannot read "${fifo}": is a FIFO (named pipe), not a regular file: give the path of a regular file`);
    expect(() => pick('@/dev/zero')).toThrow('--limit: cannot read "/dev/zero": is a character device, not a regular file');
  });

  it('the reader is a parameter', () => {
    const seen: string[] = [];
    const read = (path: string) => {
      seen.push(path);
      return 'mail.example.com\n';
    };
    expect(pick('@virtual.retry,db1.example.com', read)).toEqual(['db1.example.com', 'mail.example.com']);
    expect(seen).toEqual(['virtual.retry']);
  });
});
