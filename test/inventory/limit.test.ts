import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { applyLimit } from '../../src/inventory/limit.js';
import { compileNameMatcher, globToRegExp, orderTerms, parseSubscript, parseTerm, splitLimit } from '../../src/inventory/limit-pattern.js';
import { resolve } from './helpers.js';

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

describe('applyLimit', () => {
  it('no limit: every host, in name order', () => {
    expect(names(undefined)).toEqual(['d1.example.com', 'e1.example.com', 'solo.example.com', 'w1.example.com', 'w2.example.com']);
    expect(applyLimit(inv, undefined)).toBe(inv.hosts);
  });

  it('one host', () => {
    expect(names('w2.example.com')).toEqual(['w2.example.com']);
  });

  it('a group includes the hosts of its child groups', () => {
    expect(names('web')).toEqual(['e1.example.com', 'w1.example.com', 'w2.example.com']);
    expect(names('edge')).toEqual(['e1.example.com']);
  });

  it('all and ungrouped', () => {
    expect(names('all')).toEqual(names(undefined));
    expect(names('ungrouped')).toEqual(['solo.example.com']);
  });

  it('a comma list is the union, without duplicates, in inventory order', () => {
    expect(names('solo.example.com,db')).toEqual(['d1.example.com', 'solo.example.com', 'w1.example.com']);
    expect(names('web,db')).toEqual(['d1.example.com', 'e1.example.com', 'w1.example.com', 'w2.example.com']);
  });

  it('a colon list, and blanks around names', () => {
    expect(names('db:edge')).toEqual(['d1.example.com', 'e1.example.com', 'w1.example.com']);
    expect(names(' edge , d1.example.com ')).toEqual(['d1.example.com', 'e1.example.com']);
  });

  it('a group without hosts limits to nothing', () => {
    expect(names('empty')).toEqual([]);
  });

  it('an unknown name is a usage error', () => {
    expect(() => applyLimit(inv, 'nope')).toThrow(UsageError);
    expect(() => applyLimit(inv, 'nope')).toThrow('--limit: "nope" is neither a host nor a group of the inventory');
  });

  it('an unknown name among known ones is still refused', () => {
    expect(() => applyLimit(inv, 'web,w3.example.com')).toThrow('"w3.example.com" is neither a host nor a group');
  });

  it('names are case-sensitive', () => {
    expect(() => applyLimit(inv, 'WEB')).toThrow(UsageError);
  });
});

// --- Ansible's full host-pattern grammar -------------------------------------------------------

const fleet = resolve(`all:
  hosts:
    mail.example.com:
  children:
    webservers:
      hosts:
        web1.example.com:
        web2.example.com:
        web3.example.org:
    dbservers:
      hosts:
        db1.example.com:
        db2.example.com:
    staging:
      hosts:
        web1.example.com:
        web2.example.com:
        db1.example.com:
    production:
      hosts:
        web3.example.org:
        db2.example.com:
    phoenix:
      hosts:
        web2.example.com:
    nobody: {}
`);

const pick = (limit: string, readFile?: (path: string) => string) => applyLimit(fleet, limit, readFile).map((h) => h.name);
const ALL = ['db1.example.com', 'db2.example.com', 'mail.example.com', 'web1.example.com', 'web2.example.com', 'web3.example.org'];

describe('splitLimit', () => {
  it('splits at commas and colons, mixed, and trims', () => {
    expect(splitLimit('a,b:c , d')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitLimit('webservers:dbservers:&staging:!phoenix')).toEqual(['webservers', 'dbservers', '&staging', '!phoenix']);
  });

  it('drops empty terms', () => {
    expect(splitLimit(',a,,:b,')).toEqual(['a', 'b']);
    expect(splitLimit(' , : ')).toEqual([]);
  });

  it('never splits inside [...]', () => {
    expect(splitLimit('web[0:2],db[1:]:h[,:]x')).toEqual(['web[0:2]', 'db[1:]', 'h[,:]x']);
  });

  it('a backslash keeps the next character', () => {
    expect(splitLimit('~a\\:b,c')).toEqual(['~a\\:b', 'c']);
  });

  it('an unclosed [ is a usage error', () => {
    expect(() => splitLimit('web[0:1')).toThrow(UsageError);
    expect(() => splitLimit('web[0:1')).toThrow('--limit: unclosed "[" in "web[0:1"');
  });
});

describe('parseTerm and parseSubscript', () => {
  it('reads the operator', () => {
    expect(parseTerm('web')).toEqual({ op: 'union', expr: 'web', text: 'web' });
    expect(parseTerm('&web')).toMatchObject({ op: 'intersect', expr: 'web' });
    expect(parseTerm('!web')).toMatchObject({ op: 'exclude', expr: 'web' });
    expect(parseTerm('!~w.*')).toMatchObject({ op: 'exclude', expr: '~w.*' });
  });

  it('an operator or ~ alone is an error', () => {
    expect(() => parseTerm('!')).toThrow('--limit: "!" has no pattern');
    expect(() => parseTerm('&')).toThrow(UsageError);
    expect(() => parseTerm('~')).toThrow(UsageError);
  });

  it('refuses &@file and !@file', () => {
    expect(() => parseTerm('!@failed.retry')).toThrow(/"!@failed\.retry": an @file is read only as a term of its own/);
  });

  it('subscripts: index, negative index, inclusive ranges, open ends', () => {
    expect(parseSubscript('web[0]')).toEqual({ base: 'web', subscript: { kind: 'index', index: 0 } });
    expect(parseSubscript('web[-1]')).toEqual({ base: 'web', subscript: { kind: 'index', index: -1 } });
    expect(parseSubscript('web[1:3]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 1, end: 3 } });
    expect(parseSubscript('web[1:]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 1 } });
    expect(parseSubscript('web[:2]')).toEqual({ base: 'web', subscript: { kind: 'range', start: 0, end: 2 } });
    expect(parseSubscript('w*[0]')).toEqual({ base: 'w*', subscript: { kind: 'index', index: 0 } });
  });

  it('no subscript on a regex, nor on a character class', () => {
    expect(parseSubscript('~web[0]')).toEqual({ base: '~web[0]' });
    expect(parseSubscript('web[ab]')).toEqual({ base: 'web[ab]' });
    expect(parseSubscript('web[1-2]')).toEqual({ base: 'web[1-2]' });
  });
});

describe('globToRegExp and compileNameMatcher', () => {
  const g = (glob: string, name: string) => globToRegExp(glob).test(name);

  it('* ? and the whole name', () => {
    expect(g('web*', 'web1.example.com')).toBe(true);
    expect(g('web*', 'aweb1')).toBe(false);
    expect(g('*.org', 'web3.example.org')).toBe(true);
    expect(g('db?.example.com', 'db1.example.com')).toBe(true);
    expect(g('db?.example.com', 'db12.example.com')).toBe(false);
  });

  it('. and other regex characters are literal', () => {
    expect(g('web1.example.com', 'web1xexample.com')).toBe(false);
    expect(g('a+b', 'a+b')).toBe(true);
    expect(g('a+b', 'aab')).toBe(false);
  });

  it('[abc], [a-c], [!abc]; an unclosed [ is literal', () => {
    expect(g('web[12].*', 'web2.example.com')).toBe(true);
    expect(g('web[12].*', 'web3.example.org')).toBe(false);
    expect(g('web[1-2]*', 'web2.example.com')).toBe(true);
    expect(g('web[!12]*', 'web3.example.org')).toBe(true);
    expect(g('web[!12]*', 'web1.example.com')).toBe(false);
    expect(g('[-a]', '-')).toBe(true);
    expect(g('a[b', 'a[b')).toBe(true);
  });

  it('picks the kind of matcher', () => {
    expect(compileNameMatcher('web').kind).toBe('exact');
    expect(compileNameMatcher('w*').kind).toBe('glob');
    expect(compileNameMatcher('w[ab]').kind).toBe('glob');
    expect(compileNameMatcher('~w').kind).toBe('regex');
  });

  it('a regex matches at the start of the name, like re.match, not necessarily to its end', () => {
    const m = compileNameMatcher('~web\\d');
    expect(m.test('web1.example.com')).toBe(true);
    expect(m.test('web1.example.com')).toBe(true); // no state left between calls
    expect(m.test('aweb1')).toBe(false);
    expect(compileNameMatcher('~.*org$').test('web3.example.org')).toBe(true);
  });

  it('a bad regex or glob range is a usage error', () => {
    expect(() => compileNameMatcher('~(web')).toThrow(UsageError);
    expect(() => compileNameMatcher('~(web')).toThrow(/--limit: "~\(web" is not a valid regular expression/);
    expect(() => compileNameMatcher('web[z-a]')).toThrow(/--limit: "web\[z-a\]" is not a valid pattern/);
  });
});

describe('orderTerms', () => {
  const order = (limit: string) => orderTerms(splitLimit(limit).map((p) => parseTerm(p))).map((t) => t.text);

  it('unions, then intersections, then exclusions', () => {
    expect(order('!phoenix:&staging:webservers:dbservers')).toEqual(['webservers', 'dbservers', '&staging', '!phoenix']);
  });

  it('without a union, starts from all', () => {
    expect(order('!phoenix')).toEqual(['all', '!phoenix']);
    expect(order('&staging:!phoenix')).toEqual(['all', '&staging', '!phoenix']);
  });
});

describe('applyLimit: host patterns', () => {
  it('union of groups and hosts', () => {
    expect(pick('webservers:mail.example.com')).toEqual(['mail.example.com', 'web1.example.com', 'web2.example.com', 'web3.example.org']);
  });

  it('&: intersection', () => {
    expect(pick('webservers:&staging')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(pick('webservers,&staging,&phoenix')).toEqual(['web2.example.com']);
  });

  it('!: exclusion', () => {
    expect(pick('webservers:!phoenix')).toEqual(['web1.example.com', 'web3.example.org']);
    expect(pick('webservers:!web1.example.com')).toEqual(['web2.example.com', 'web3.example.org']);
  });

  it('the documented combination', () => {
    expect(pick('webservers:dbservers:&staging:!phoenix')).toEqual(['db1.example.com', 'web1.example.com']);
    expect(pick('webservers,dbservers,&staging,!phoenix')).toEqual(['db1.example.com', 'web1.example.com']);
  });

  it('written order does not matter: unions, then &, then ! (as Ansible does)', () => {
    expect(pick('!phoenix:&staging:dbservers:webservers')).toEqual(pick('webservers:dbservers:&staging:!phoenix'));
    // strictly left to right this would be web1, web2, web3 again
    expect(pick('webservers:!phoenix:phoenix')).toEqual(['web1.example.com', 'web3.example.org']);
  });

  it('only & or ! terms start from all', () => {
    expect(pick('!phoenix')).toEqual(ALL.filter((h) => h !== 'web2.example.com'));
    expect(pick('&production')).toEqual(['db2.example.com', 'web3.example.org']);
  });

  it('an empty group is a valid term that selects nothing', () => {
    expect(pick('nobody')).toEqual([]);
    expect(pick('webservers:&nobody')).toEqual([]);
    expect(pick('webservers:!nobody')).toEqual(['web1.example.com', 'web2.example.com', 'web3.example.org']);
  });

  it('all and * select every host', () => {
    expect(pick('all')).toEqual(ALL);
    expect(pick('*')).toEqual(ALL);
    expect(pick('*:!webservers')).toEqual(['db1.example.com', 'db2.example.com', 'mail.example.com']);
  });

  it('a glob matches host names', () => {
    expect(pick('web*')).toEqual(['web1.example.com', 'web2.example.com', 'web3.example.org']);
    expect(pick('*.org')).toEqual(['web3.example.org']);
    expect(pick('db?.example.com')).toEqual(['db1.example.com', 'db2.example.com']);
    expect(pick('[dm]*')).toEqual(['db1.example.com', 'db2.example.com', 'mail.example.com']);
    expect(pick('web[!1].*')).toEqual(['web2.example.com', 'web3.example.org']);
  });

  it('a glob matches group names, and a matching group brings all its hosts', () => {
    expect(pick('*servers')).toEqual(['db1.example.com', 'db2.example.com', 'web1.example.com', 'web2.example.com', 'web3.example.org']);
    expect(pick('stag*')).toEqual(['db1.example.com', 'web1.example.com', 'web2.example.com']);
    expect(pick('p*:!phoenix')).toEqual(['db2.example.com', 'web3.example.org']);
    // `web[!1]*` also matches the group name `webservers`, which brings web1 back
    expect(pick('web[!1]*')).toEqual(['web1.example.com', 'web2.example.com', 'web3.example.org']);
  });

  it('a glob or regex never selects the built-in groups all and ungrouped', () => {
    expect(() => pick('al*')).toThrow('--limit: "al*" matches no host or group of the inventory');
    expect(() => pick('~ungr')).toThrow(UsageError);
    expect(names('ungrouped')).toEqual(['solo.example.com']);
    expect(() => names('ungr*')).toThrow(UsageError);
  });

  it('~regex on host and group names', () => {
    expect(pick('~(web|db).*\\.example\\.com')).toEqual(['db1.example.com', 'db2.example.com', 'web1.example.com', 'web2.example.com']);
    expect(pick('~db')).toEqual(['db1.example.com', 'db2.example.com']); // hosts db1, db2 and group dbservers
    expect(pick('~prod')).toEqual(['db2.example.com', 'web3.example.org']); // group production only
    expect(pick('~.*\\.org')).toEqual(['web3.example.org']);
    expect(pick('webservers:!~web[12]')).toEqual(['web3.example.org']);
  });

  it('~regex is anchored at the start only', () => {
    expect(() => pick('~example')).toThrow('--limit: "~example" matches no host or group of the inventory');
    expect(pick('~web1')).toEqual(['web1.example.com']);
    expect(pick('~web1.example.com$')).toEqual(['web1.example.com']);
  });

  it('group[i], group[-1], inclusive ranges, in inventory order', () => {
    expect(pick('webservers[0]')).toEqual(['web1.example.com']);
    expect(pick('webservers[-1]')).toEqual(['web3.example.org']);
    expect(pick('webservers[0:1]')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(pick('webservers[1:]')).toEqual(['web2.example.com', 'web3.example.org']);
    expect(pick('webservers[:1]')).toEqual(['web1.example.com', 'web2.example.com']);
    expect(pick('webservers[1:9]')).toEqual(['web2.example.com', 'web3.example.org']);
    expect(pick('db*[1]')).toEqual(['db2.example.com']);
    expect(pick('webservers[0:1]:dbservers[0],!web2.example.com')).toEqual(['db1.example.com', 'web1.example.com']);
  });

  it('a subscript out of range is a usage error', () => {
    expect(() => pick('webservers[3]')).toThrow('--limit: "webservers[3]": index 3 is out of range, it matches 3 host(s)');
    expect(() => pick('webservers[-4]')).toThrow(UsageError);
    expect(() => pick('webservers[3:]')).toThrow('"webservers[3:]": the range selects no host');
    expect(() => pick('nobody[0]')).toThrow(UsageError);
  });

  it('a name that is both a host and a group selects both', () => {
    const clash = resolve(`all:
  hosts:
    app:
      ansible_host: 10.0.0.1
  children:
    app:
      hosts:
        app1:
          ansible_host: 10.0.0.2
`);
    expect(applyLimit(clash, 'app').map((h) => h.name)).toEqual(['app', 'app1']);
  });
});

describe('applyLimit: @file', () => {
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

  it('an unknown host in the file is an error naming the file and line', () => {
    const retry = write('gone.retry', 'web1.example.com\n\nweb9.example.com\n');
    expect(() => pick(`@${retry}`)).toThrow(UsageError);
    expect(() => pick(`@${retry}`)).toThrow(`--limit: "web9.example.com" is neither a host nor a group of the inventory (line 3 of ${retry})`);
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

describe('applyLimit: errors', () => {
  it('each kind of term that matches nothing names itself', () => {
    expect(() => pick('webservers:&nope')).toThrow('--limit: "nope" is neither a host nor a group of the inventory');
    expect(() => pick('webservers:!nope')).toThrow('--limit: "nope" is neither a host nor a group of the inventory');
    expect(() => pick('zz*')).toThrow('--limit: "zz*" matches no host or group of the inventory');
    expect(() => pick('~zz')).toThrow('--limit: "~zz" matches no host or group of the inventory');
  });

  it('an empty limit is refused (it used to select no host)', () => {
    expect(() => pick('')).toThrow('--limit: no host pattern given');
    expect(() => pick(' ,: ')).toThrow(UsageError);
  });

  it('an IPv6-like colon list is split, as Ansible does for a list without commas it cannot parse', () => {
    expect(() => pick('fe80::1')).toThrow('"fe80" is neither a host nor a group');
  });
});
