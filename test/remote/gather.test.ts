import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherScript } from '../../src/remote/gather.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { splitSections } from '../../src/remote/markers.js';
import { RECORD_FILE } from '../../src/remote/paths.js';
import { quoteWord } from '../../src/shell/quote.js';
import { parseFirewalld } from '../../src/firewall/firewalld.js';
import { readFileSync } from 'node:fs';
import { inSandbox, put, sandboxProblem } from './sandbox.js';

/** the markers a program writes, in order (`mark NAME …` in its text) */
const markers = (script: string): string[] => [...script.matchAll(/\bmark ([a-z-]+)/g)].map((m) => m[1]!);
/** the lines of a table (a shell function) of a program */
const table = (text: string, name: string) => {
  const all = text.split('\n');
  const from = all.indexOf(`${name}() {`);
  return all.slice(from + 1, all.indexOf('}', from)).map((l) => l.trim());
};

/**
 * the gather's sections, in the order it prints them (`ns`: one a namespace; `iptables-failed` only when iptables-save fails;
 * `nft-failed` when cnet-remote's nftables table could not be listed, or nft is not there: two places; `nft-none` when
 * nothing showed the table, so it was not listed; `firewalld` only where firewalld's table `inet firewalld` is)
 */
const SECTIONS = [
  'mgmt',
  'uid',
  'root',
  'state-dir',
  'ns',
  'forward',
  'iptables',
  'iptables-failed',
  'nft',
  'firewalld',
  'nft-table',
  'nft-failed',
  'nft-failed',
  'nft-none',
  'brnf',
  'record',
  'txn',
  'txn-start',
  'end',
];

describe('gatherScript text', () => {
  it('reads the SSH client, the root namespace, whether the state folder is trustworthy, each asked-about namespace (then those the record lists), the VXLAN devices, then forward, iptables, nft, br_netfilter, record, journal and end', () => {
    const script = gatherScript(['container1', 'pb'], ['vx0']);
    const body = script;
    expect(table(script, 'namespaces')).toEqual(['read_ns container1', 'read_ns pb']);
    expect(table(script, 'fdb_devices')).toEqual(['read_fdb vx0']);
    // the program after its functions: the order of its sections
    const main = body.slice(body.indexOf('\ncheck_state_dir\n'));
    expect(markers(main)).toEqual(SECTIONS);
    expect(main.indexOf('\nnamespaces\n')).toBeLessThan(main.indexOf('mark ns'));
    expect(main.indexOf('mark ns')).toBeLessThan(main.indexOf('\nfdb_devices\n'));
    expect(main.indexOf('\nfdb_devices\n')).toBeLessThan(main.indexOf('mark forward'));
    expect(script.endsWith('\n')).toBe(true);
  });

  it('asks ip for IPv4 only, with details, in JSON, in one batch per namespace (the root one also lists namespaces and the route to the controller)', () => {
    const script = gatherScript(['pb']);
    expect(script).toContain('\nIP_FAMILY=-4\n');
    expect(script).toContain('ip "$IP_FAMILY" -d -j -batch - << CNET_EOF\nlink show\naddr show\nroute show table all\nnetns list\n$r\nCNET_EOF');
    expect(script).toContain(`ip -n "$1" "$IP_FAMILY" -d -j -batch - << 'CNET_EOF'\nlink show\naddr show\nroute show table all\nCNET_EOF`);
    expect(script).toContain('iptables-save 2>&1 || ');
    // one process each for ip (the function each namespace's, and the root's), iptables-save, nft (other firewalls' chains; cnet-remote's table and firewalld's where they are), and bridge per VXLAN device: the rest are builtins
    const commands = script.split('\n').filter((l) => /^\s*(\w+=\$\()?(ip|iptables-save|nft|bridge) /.test(l));
    expect(
      commands.map(
        (l) =>
          l
            .trim()
            .replace(/^\w+=\$\(/, '')
            .split(' ')[0],
      ),
    ).toEqual(['ip', 'ip', 'iptables-save', 'nft', 'nft', 'nft']);
    expect(script).toContain(`*'"family": "inet", "table": "firewalld"'*)\n      mark firewalld\n      nft -j list table inet firewalld`);
    expect(script).toContain('nft -j list table "$NFT_FAMILY" "$NFT_TABLE" 2>&1 || mark nft-failed');
    expect(script).toContain('\nNFT_FAMILY=inet\nNFT_TABLE=cnet_remote\n');
    expect(script).toContain('then bridge -j fdb show dev "$1"; else mark absent; fi');
    expect(script).toContain(`done < "$RECORD_FILE"`);
    expect(script).toContain(`\nRECORD_FILE=${RECORD_FILE}\n`);
  });

  it('quotes namespace names through quoteWord wherever they appear (only in its tables)', () => {
    for (const ns of ['pb', 'a b', "it's", '$(touch x)', '`id`', 'x;y']) {
      const script = gatherScript([ns], [ns]);
      expect(script).toContain(`\nnamespaces() {\n  read_ns ${quoteWord(ns)}\n}\n`);
      expect(script).toContain(`\nfdb_devices() {\n  read_fdb ${quoteWord(ns)}\n}\n`);
    }
    // safe names stay readable
    expect(gatherScript(['jelly'])).toContain('\n  read_ns jelly\n');
    expect(gatherScript(["it's"])).toContain("\n  read_ns 'it'\\''s'\n");
  });

  it('asks about no namespace when given none, but those the record lists; about no forwarding database when given no device', () => {
    expect(table(gatherScript([]), 'namespaces')).toEqual([':']);
    expect(table(gatherScript(['db']), 'fdb_devices')).toEqual([':']);
    expect(gatherScript([])).toContain(`case "$asked" in *"/$n/"*) continue ;; esac`);
  });
});

describe('gatherScript run for real under sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnet-gather-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (script: string): string => execFileSync('sh', { input: script, cwd: dir, encoding: 'utf8', timeout: 30_000 });

  it('gatherScript([]) parses with parseFacts', () => {
    const out = run(gatherScript([]));
    const facts = parseFacts(out, 'localhost');
    expect(facts.root.links.find((l) => l.name === 'lo')).toMatchObject({ ifindex: 1, up: true });
    expect(facts.root.links.find((l) => l.name === 'lo')!.addresses).toContainEqual({ local: '127.0.0.1', prefixlen: 8, scope: 'host' });
    expect(facts.root.routes.some((r) => r.table === 'local' && r.type === 'local' && r.dst === '127.0.0.1')).toBe(true);
    expect(facts.namespaces.size).toBe(0);
    expect(facts.netns).toBeInstanceOf(Map);
    expect(typeof facts.ipForward).toBe('boolean');
    expect(Array.isArray(facts.record)).toBe(true);
    const sections = splitSections(out);
    // this machine runs no firewalld (test/firewall/firewalld.test.ts reads its recorded table through the gather)
    expect([...sections.keys()].filter((k) => !k.endsWith('-failed'))).toEqual(
      SECTIONS.filter((k) => k !== 'ns' && k !== 'firewalld' && !k.endsWith('-failed')),
    );
    expect(Array.isArray(facts.nftChains)).toBe(true);
    // nft is there (this machine's): cnet-remote's table is read, or known not to exist
    expect(facts.nft?.available).toBe(true);
    if (facts.nat.available) expect(facts.forwardChain?.policy).toMatch(/^(ACCEPT|DROP)$/);
    if (facts.nat.available) for (const r of facts.nat.rules) expect(r.length).toBeGreaterThan(0);
    else expect(facts.nat.error).toBeTruthy();
  });

  it('reports a namespace or VXLAN device that does not exist as absent, and a hostile name runs nothing', () => {
    const hostile = '$(touch pwned)`touch pwned2`;touch pwned3';
    const out = run(gatherScript(['cnet-test-no-such-ns', hostile], ['cnet-no-such-dev', hostile]));
    const sections = [...splitSections(out).keys()];
    expect(sections).toContain('fdb cnet-no-such-dev');
    expect(sections).toContain(`fdb ${hostile}`);
    expect(sections).toContain('ns cnet-test-no-such-ns');
    expect(sections).toContain(`ns ${hostile}`);
    expect(sections).toContain('absent');
    const facts = parseFacts(out);
    expect(facts.namespaces.has('cnet-test-no-such-ns')).toBe(false);
    expect(facts.namespaces.has(hostile)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});

describe('gatherScript run for real as a user other than root', () => {
  it('says the effective uid it runs as (root: 0; here 65534 through setpriv), and iptables refuses it', () => {
    expect(parseFacts(execFileSync('sh', { input: gatherScript([]), encoding: 'utf8', timeout: 30_000 })).uid).toBe(process.getuid!());
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh'], {
      input: gatherScript([]),
      cwd: '/',
      encoding: 'utf8',
      timeout: 30_000,
    });
    const facts = parseFacts(out);
    expect(facts.uid).toBe(65534);
    expect(facts.nat.available).toBe(false);
    expect(facts.untrustedState).toBeUndefined();
  });
});

describe('gatherScript for a read-back', () => {
  it('leaves out nftables (our steps never touch it: the earlier gather stands), and parses without it', () => {
    const script = gatherScript(['pb'], [], { nft: false });
    expect(script).toContain("\nNFT=''\n");
    expect(gatherScript(['pb'])).toContain('\nNFT=1\n');
  });
});

describe('gatherScript where firewalld runs (its recorded table loaded with the real nft in the sandbox)', () => {
  const recorded = (name: string) => readFileSync(new URL(`../fixtures/firewalld/${name}`, import.meta.url), 'utf8');
  it.skipIf(sandboxProblem !== undefined)(
    'reads table inet firewalld with one more nft, only once that table exists: facts.firewalld as recorded',
    async () => {
      const script = gatherScript([]);
      const r = await inSandbox(
        `${put('/run/t/gather.sh', script)}echo '==before'\nsh /run/t/gather.sh\n` +
          `${put('/run/t/firewalld.nft', recorded('02-eth0-public-br0-none.table.nft'))}nft -f /run/t/firewalld.nft || exit 98\n` +
          `echo '==after'\nsh /run/t/gather.sh\n`,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(splitSections(r.sec.before!).has('firewalld')).toBe(false);
      expect(parseFacts(r.sec.before!).firewalld).toBeUndefined();
      const after = parseFacts(r.sec.after!);
      expect(after.firewalld).toEqual(parseFirewalld(recorded('02-eth0-public-br0-none.table.json')));
      expect(after.firewalld?.bindings).toEqual([{ zone: 'public', interface: 'eth0' }]);
      expect(after.nftChains?.filter((c) => c.table === 'firewalld' && c.hook === 'forward')).toEqual([
        { family: 'inet', table: 'firewalld', name: 'filter_FORWARD', hook: 'forward', policy: 'accept' },
      ]);
    },
  );
});
