import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherScript } from '../../src/remote/gather.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { splitSections } from '../../src/remote/markers.js';
import { RECORD_FILE, STATE_DIR } from '../../src/remote/paths.js';
import { quoteWord } from '../../src/shell/quote.js';
import { parseFirewalld } from '../../src/firewall/firewalld.js';
import { readFileSync } from 'node:fs';
import { inSandbox, put, sandboxProblem } from './sandbox.js';

/** the markers a program writes, in order (`mark NAME …` in its text) */
const markers = (script: string): string[] => [...script.matchAll(/\bmark ([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
/** the lines of a table (a shell function) of a program */
const table = (text: string, name: string) => {
  const all = text.split('\n');
  const from = all.indexOf(`${name}() {`);
  return all.slice(from + 1, all.indexOf('}', from)).map((l) => l.trim());
};

/**
 * the gather's sections, in the order it prints them (`ns`: one a namespace; `iptables-failed` only when iptables-save fails;
 * `ip6tables` only when IPv6 is asked for or the record lists an IPv6 object, `ip6tables-failed` then when ip6tables-save fails;
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
  'ipv6',
  'iptables',
  'iptables-failed',
  'ip6tables',
  'ip6tables-failed',
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

  it('asks ip for both families, with details, in JSON, in one batch per namespace: the routes as two lists, IPv4 then IPv6 (the root one also lists namespaces and the route to the controller)', () => {
    const script = gatherScript(['pb']);
    expect(script).not.toContain('IP_FAMILY');
    expect(script).toContain(
      'ip -d -j -batch - << CNET_EOF\nlink show\naddr show\nroute show table all root 0.0.0.0/0\nroute show table all root ::/0\nnetns list\n$r\nCNET_EOF',
    );
    expect(script).toContain(
      `ip -n "$1" -d -j -batch - << 'CNET_EOF'\nlink show\naddr show\nroute show table all root 0.0.0.0/0\nroute show table all root ::/0\nCNET_EOF`,
    );
    // the route back to an IPv6 client too: hex digits, dots and colons only reach ip
    expect(script).toContain(`case "$1" in *[!0-9A-Fa-f.:]* | '') ;; *) r="route get $1" ;; esac`);
    expect(script).toContain('\nFORWARDING=/proc/sys/net/ipv4/ip_forward\nFORWARDING6=/proc/sys/net/ipv6/conf/all/forwarding\n');
    expect(script).toContain('iptables-save 2>&1 || ');
    // one process each for ip (the function each namespace's, and the root's), iptables-save, ip6tables-save (where asked), nft (other firewalls' chains; cnet-remote's table and firewalld's where they are), and bridge per VXLAN device: the rest (the IPv6 sysctls among them) are builtins
    const commands = script.split('\n').filter((l) => /^\s*(\w+=\$\()?(ip|iptables-save|ip6tables-save|nft|bridge) /.test(l));
    expect(
      commands.map(
        (l) =>
          l
            .trim()
            .replace(/^\w+=\$\(/, '')
            .split(' ')[0],
      ),
    ).toEqual(['ip', 'ip', 'iptables-save', 'ip6tables-save', 'nft', 'nft', 'nft']);
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
    expect(facts.root.links.find((l) => l.name === 'lo')!.addresses).toContainEqual({ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' });
    expect(facts.root.routes.some((r) => r.table === 'local' && r.type === 'local' && r.dst === '127.0.0.1')).toBe(true);
    expect(facts.namespaces.size).toBe(0);
    expect(facts.netns).toBeInstanceOf(Map);
    expect(typeof facts.ipForward).toBe('boolean');
    expect(Array.isArray(facts.record)).toBe(true);
    const sections = splitSections(out);
    // this machine runs no firewalld (test/firewall/firewalld.test.ts reads its recorded table through the gather)
    // IPv6 was not asked for (nor does a record list an IPv6 object here): no ip6tables
    expect([...sections.keys()].filter((k) => !k.endsWith('-failed'))).toEqual(
      SECTIONS.filter((k) => k !== 'ns' && k !== 'firewalld' && k !== 'ip6tables' && !k.endsWith('-failed')),
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

describe('gatherScript and IPv6', () => {
  it('reads ip6tables only when asked (IPV6=1) or when the record lists an IPv6 object (a line with a colon), after iptables', () => {
    expect(gatherScript(['pb'])).toContain("\nIPV6=''\n");
    expect(gatherScript(['pb'], [], { ipv6: true })).toContain('\nIPV6=1\n');
    const script = gatherScript([]);
    expect(script).toContain('\nv6=$IPV6\n');
    expect(script).toContain('  while read -r k n rest; do\n    case "$k" in nft-table) table_in_record=1 ;; esac\n    case "$n $rest" in *:*) v6=1 ;; esac\n');
    expect(script).toContain(
      'iptables-save 2>&1 || mark iptables-failed\nif [ -n "$v6" ]; then\n  mark ip6tables\n  ip6tables-save 2>&1 || mark ip6tables-failed\nfi\n',
    );
  });

  it.skipIf(sandboxProblem !== undefined)(
    'run for real (a sandbox: its own network namespace): both families of a dual-stack namespace, IPv6 switches, the route to an IPv6 client, ip6tables where asked or recorded',
    async () => {
      const plain = gatherScript(['c1']);
      const asked = gatherScript(['c1'], [], { ipv6: true });
      const r = await inSandbox(
        [
          'ip link set lo up',
          'ip link add br0 type bridge && ip link set br0 up',
          'ip addr add 172.18.0.1/16 dev br0 && ip addr add fd00:18::1/64 dev br0 nodad',
          'ip link add up0 type bridge && sysctl -qw net.ipv6.conf.up0.accept_ra=2',
          'sysctl -qw net.ipv6.conf.all.forwarding=1',
          'ip netns add c1',
          'ip link add veth1 type veth peer name ceth1 netns c1 && ip link set veth1 master br0 && ip link set veth1 up',
          'ip -n c1 link set lo up && ip -n c1 link set ceth1 up',
          'ip -n c1 addr add 172.18.0.2/16 dev ceth1 && ip -n c1 addr add fd00:18::2/64 dev ceth1 nodad',
          'ip -n c1 route add default via 172.18.0.1 && ip -n c1 -6 route add default via fd00:18::1',
          put('/run/t/plain.sh', plain),
          put('/run/t/asked.sh', asked),
          `echo '==plain'\nSSH_CONNECTION='fd00:18::2 40000 fd00:18::1 22' sh /run/t/plain.sh`,
          `echo '==asked'\nsh /run/t/asked.sh`,
          `mkdir -p ${STATE_DIR}; printf 'nat fd00:18::/64 br0\\n' > ${RECORD_FILE}`,
          `echo '==recorded'\nsh /run/t/plain.sh`,
        ].join('\n'),
      );
      expect(r.code, r.stderr).toBe(0);
      const plainOut = splitSections(r.sec.plain!);
      expect(plainOut.has('ip6tables')).toBe(false);
      expect(splitSections(r.sec.asked!).has('ip6tables')).toBe(true);
      expect(splitSections(r.sec.recorded!).has('ip6tables')).toBe(true);
      const f = parseFacts(r.sec.plain!);
      expect(f.ip6Forward).toBe(true);
      expect(f.ipv6Disabled).toBe(false);
      expect(f.acceptRa?.get('up0')).toBe(2);
      expect(f.acceptRa?.has('br0')).toBe(true);
      expect(f.acceptRa?.has('all')).toBe(false);
      expect(f.mgmt).toEqual({ client: 'fd00:18::2', server: 'fd00:18::1', dev: 'br0' });
      const br0 = f.root.links.find((l) => l.name === 'br0')!;
      expect(br0.addresses.filter((a) => a.scope === 'global')).toEqual([
        { family: 'inet', local: '172.18.0.1', prefixlen: 16, scope: 'global' },
        { family: 'inet6', local: 'fd00:18::1', prefixlen: 64, scope: 'global' },
      ]);
      const c1 = f.namespaces.get('c1')!;
      expect(c1.routes.filter((r) => r.table === 'main' && r.dst === 'default')).toEqual([
        { family: 'inet', dst: 'default', gateway: '172.18.0.1', dev: 'ceth1', table: 'main', type: 'unicast', protocol: 'boot' },
        { family: 'inet6', dst: 'default', gateway: 'fd00:18::1', dev: 'ceth1', table: 'main', type: 'unicast', protocol: 'boot' },
      ]);
      // the two lists are exactly each family's: no IPv6 route in IPv4's, none left out
      expect(c1.routes.every((r) => (r.family === 'inet6') === (r.dst.includes(':') || (r.gateway ?? '').includes(':')))).toBe(true);
      expect(c1.routes.filter((r) => r.family === 'inet6').map((r) => r.dst)).toEqual(
        expect.arrayContaining(['fd00:18::/64', 'fe80::/64', 'default', 'fd00:18::2']),
      );
    },
  );
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
