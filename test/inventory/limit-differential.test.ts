/**
 * --limit against the real Ansible (Debian's ansible-core 2.14): each expression of the table is
 * given to `ansible -i INV all --limit EXPR --list-hosts` and to selectHosts, and the outcomes
 * compared: the set of hosts; an error or not (and which: "no hosts" or a refused pattern); the
 * patterns Ansible warns it could not match and ignores. Our inventory is built from Ansible's
 * own reading (ansible-dump.ts: each group's own hosts and children, the hosts in the order
 * added) through groupHostsInOrder, so this checks the limit's semantics, not our loader.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { groupHostsInOrder } from '../../src/inventory/group-order.js';
import { selectHosts, type LimitInventory } from '../../src/inventory/limit.js';
import { ansibleWarnings, dumpInventories, inParallel, listedHosts, runAnsible } from './ansible-dump.js';

const CORPUS = fileURLToPath(new URL('../fixtures/inventory-corpus/', import.meta.url));

/** Host names a limit has trouble with: an IPv4 and an IPv6 address, a host named as a group, a range. */
const MIXED_INI = `alpha
10.0.0.5
2001:db8::10
web

[web]
w3.example.com
w1.example.com
w2.example.com

[db]
db-2
db-1
w1.example.com

[edge]
e[1:3]

[web:children]
edge

[prod:children]
web
db

[staging]
w2.example.com
db-1

[empty]
`;

const RETRY = 'w1.example.com\n\ndb-2\nnope\n';

const MIXED = 'mixed.ini';
const MORTIS = '10-mortis-configs.yml';
const ADFC = '09-adfc-ansible.yml';

/** [inventory, --limit expression, what it exercises] */
const TABLE: [string, string, string][] = [
  [MIXED, 'web', 'a name that is a host and a group: the host'],
  [MIXED, 'web[0]', 'a subscript counts in Group.get_hosts() order, not name order'],
  [MIXED, 'web[-1]', 'negative index'],
  [MIXED, 'web[1:3]', 'inclusive range'],
  [MIXED, 'web[2:]', 'open range'],
  [MIXED, 'web[1-2]', 'the deprecated dash range, warned of'],
  [MIXED, 'web[10]', 'an index past the end: an error'],
  [MIXED, 'web[10:]', 'a range past the end: nothing, so no hosts'],
  [MIXED, 'web[2:0]', '[start:0] is [start]'],
  [MIXED, 'web[0:1],db[0]', 'subscripts in a comma list'],
  [MIXED, 'db,nope', 'a pattern that matches nothing is warned of and ignored'],
  [MIXED, 'nope,zilch*', 'nothing matches: warnings, then no hosts'],
  [MIXED, 'web:&staging', 'colon list; the host web, not the group, intersected'],
  [MIXED, 'prod:&staging:!db-1', 'union, intersection, exclusion'],
  [MIXED, '!db-1,&staging,prod', 'written order does not matter'],
  [MIXED, '2001:db8::10', 'an IPv6 address is one pattern'],
  [MIXED, '2001:db8::10,alpha', 'with a comma, only commas separate'],
  [MIXED, 'alpha:10.0.0.5', 'a colon list of hosts'],
  [MIXED, 'w1.example.com:22', 'host:port-like is one pattern (it matches nothing)'],
  [MIXED, 'alpha db', 'blanks separate without a comma'],
  [MIXED, '*.example.com', 'glob over host names'],
  [MIXED, 'w?.example.com[1]', 'subscript over hosts, in the order the inventory added them'],
  [MIXED, 'e*[4]', 'subscript over groups then hosts, repeats counted'],
  [MIXED, '~w[12]\\.', 'regex over host names'],
  [MIXED, '~e', 'regex over group names and host names, from the start'],
  [MIXED, 'al*', 'a glob matches the group all'],
  [MIXED, '[!w]*', 'a negated class, which matches all'],
  [MIXED, 'ungrouped', 'ungrouped by name'],
  [MIXED, 'ungr*:!web', '!web excludes the group web only, not the host web'],
  [MIXED, 'empty', 'an empty group: no warning, no hosts'],
  [MIXED, 'empty,alpha', 'an empty group beside a host'],
  [MIXED, 'localhost', 'an implicit localhost: no warning, no hosts'],
  [MIXED, 'localhost,alpha', 'an implicit localhost beside a host'],
  [MIXED, 'e[1:2]', 'a range-like name without comma is one pattern: e, subscripted'],
  [MIXED, 'db-[', 'an unclosed bracket without a comma'],
  [MIXED, '~', 'an empty regex matches everything'],
  [MIXED, 'prod:!~', 'excluding everything'],
  [MIXED, '&staging', 'only an intersection starts from all'],
  [MIXED, '!prod', 'only an exclusion starts from all'],
  [MIXED, 'Web', 'names are case-sensitive'],
  [MIXED, '~(', 'an invalid regex: an error'],
  [MIXED, 'w[z-a]*', 'a backwards range never matches'],
  [MIXED, 'db-?', 'one-character wildcard'],
  [MIXED, 'nope[0],nope[1]', 'one warning for the same pattern'],
  [MIXED, '@retry.txt', 'an @file: one pattern per line'],
  [MIXED, '@retry.txt,!db', 'an @file beside other patterns'],
  [MORTIS, 'pi[0]', 'first host of a group with children'],
  [MORTIS, 'pi[-1]', 'last host of a group with children'],
  [MORTIS, 'pirack:!dns', 'a group minus its child'],
  [MORTIS, 'cluster[2:4]', 'a range in a big group'],
  [MORTIS, '127.0.0.1', 'a localhost-like name that is a host'],
  [MORTIS, 'control:&localarch', 'an empty intersection: no hosts'],
  [MORTIS, 'localarch:&cluster[1:2]', 'intersection with a range'],
  [MORTIS, '*.wl.mort.is:!pi*', 'glob minus glob'],
  [MORTIS, '~cluster-[0-9]\\.wl', 'regex with a class'],
  [MORTIS, 'pi*[1]', 'glob subscript over two groups and hosts'],
  [MORTIS, 'pi*[7]', 'glob subscript into the second group'],
  [ADFC, 'gsthh[0]', 'subscript through two levels of children'],
  [ADFC, 'gsthh[-1]', 'last host through children'],
  [ADFC, 'gsthh_server[3:]', 'the children part of a group'],
  [ADFC, 'hcloud_server,!loadbalancer', 'a group of groups minus one'],
  [ADFC, '*.adfc-intern.de', 'glob over hosts'],
  [ADFC, 'save_with_borg:&gsthh_server', 'intersection across branches'],
  [ADFC, 'haproxy*', 'glob over a group name'],
  [ADFC, 'rocket_chat', 'an empty group'],
  [ADFC, 'rocket_chat,hetzner,nope', 'an empty group, a group, a miss'],
];

/**
 * Where we refuse on purpose what Ansible takes: [inventory, expression, what Ansible does: the
 * same as this other expression, or "crash"]. Each is input Ansible turns into more hosts than
 * written, or a Python error.
 */
const REFUSED: [string, string, string][] = [
  [MIXED, '', 'all'],
  [MIXED, ' , ', 'all'],
  [MIXED, '@empty.txt', 'all'],
  // "@retry.txt" taken as a host name, matching nothing: nothing excluded
  [MIXED, 'prod,!@retry.txt', 'prod'],
  [MIXED, 'prod,!', 'crash'],
];

interface Outcome {
  /** undefined: an error */
  hosts?: string[];
  /** 'no hosts' (the run refused for selecting none), or 'refused' (the pattern refused) */
  error?: 'no hosts' | 'refused';
  /** the patterns warned of as matching nothing */
  unmatched: string[];
  /** the deprecated [x-y] warned of */
  dashed: boolean;
}

describe('--limit against ansible --limit … --list-hosts (ansible-core 2.14)', () => {
  let dir: string;
  const inventories = new Map<string, { path: string; inv: LimitInventory<{ name: string }> }>();
  const theirs = new Map<string, Outcome>();
  const agreed: string[] = [];
  const key = (inv: string, expr: string) => `${inv} ${JSON.stringify(expr)}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cnet-limit-diff-'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
    writeFileSync(join(dir, MIXED), MIXED_INI);
    writeFileSync(join(dir, 'retry.txt'), RETRY);
    writeFileSync(join(dir, 'empty.txt'), '');
    const paths = new Map([
      [MIXED, join(dir, MIXED)],
      [MORTIS, join(CORPUS, MORTIS)],
      [ADFC, join(CORPUS, ADFC)],
    ]);
    const dumped = dumpInventories(dir, [...paths.values()], 0);
    for (const [name, path] of paths) {
      const reading = dumped.get(path)!;
      inventories.set(name, { path, inv: { hosts: reading.hosts.map((h) => ({ name: h })), groups: groupHostsInOrder(reading.parsed) } });
    }
    const sameAs = REFUSED.filter(([, , same]) => same !== 'crash').map(([inv, , same]): [string, string, string] => [inv, same, '']);
    const rows = [...new Map([...TABLE, ...REFUSED, ...sameAs].map((row) => [key(row[0], row[1]), row])).values()];
    const runs = await inParallel(rows, 2, ([inv, expr]) => runAnsible(dir, ['-i', paths.get(inv)!, 'all', `--limit=${expr}`, '--list-hosts']));
    rows.forEach(([inv, expr], i) => {
      const r = runs[i]!;
      const warnings = ansibleWarnings(r.stderr);
      const unmatched = warnings
        .filter((w) => w.startsWith('Could not match supplied host pattern, ignoring: '))
        .map((w) => w.slice('Could not match supplied host pattern, ignoring: '.length));
      const dashed = warnings.some((w) => w.startsWith('Use [x:y] inclusive subscripts'));
      const outcome: Outcome =
        r.code === 0
          ? { hosts: listedHosts(r.stdout), unmatched, dashed }
          : { error: r.stderr.includes('leaves us with no hosts to target') ? 'no hosts' : 'refused', unmatched, dashed };
      theirs.set(key(inv, expr), outcome);
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `--limit: ${agreed.length}/${TABLE.length} expressions agree with ansible --list-hosts; ${REFUSED.length} refused on purpose where Ansible selects more than written or crashes`,
    );
  });

  function ours(inv: string, expr: string): Outcome {
    const { inv: inventory } = inventories.get(inv)!;
    const read = (path: string) => readFileSync(join(dir, path), 'utf8');
    try {
      const r = selectHosts(inventory, expr, read);
      const unmatched = r.warnings.filter((w) => w.kind === 'no-match').map((w) => w.pattern);
      const dashed = r.warnings.some((w) => w.kind === 'dashed-range');
      return r.hosts.length === 0 ? { error: 'no hosts', unmatched, dashed } : { hosts: r.hosts.map((h) => h.name), unmatched, dashed };
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      return { error: 'refused', unmatched: [], dashed: false };
    }
  }

  it.each(TABLE)('%s --limit %j (%s)', (inv, expr) => {
    const them = theirs.get(key(inv, expr))!;
    const us = ours(inv, expr);
    // Ansible lists hosts in its `all` order, we in ours: the set is what --limit decides
    const norm = (o: Outcome) => ({
      ...o,
      hosts: o.hosts && [...o.hosts].sort(),
      // a refused pattern stops Ansible part way: what it warned of before is not compared
      unmatched: o.error === 'refused' ? [] : [...o.unmatched].sort(),
      dashed: o.error === 'refused' ? false : o.dashed,
    });
    expect(norm(us)).toEqual(norm(them));
    agreed.push(key(inv, expr));
  });

  it.each(REFUSED)('refused on purpose: %s --limit %j (Ansible: as %j)', (inv, expr, same) => {
    const them = theirs.get(key(inv, expr))!;
    if (same === 'crash') expect(them.error).toBe('refused');
    else expect(them.hosts?.sort()).toEqual(theirs.get(key(inv, same))!.hosts!.sort());
    expect(ours(inv, expr).error).toBe('refused');
  });
});
