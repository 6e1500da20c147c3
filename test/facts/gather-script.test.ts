import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatherScript } from '../../src/facts/gather-script.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { splitSections } from '../../src/remote/markers.js';
import { RECORD_FILE } from '../../src/remote/state-dir.js';
import { quoteWord } from '../../src/shell/quote.js';

const markers = (script: string): string[] => [...script.matchAll(/printf '%s\\n' ('@@[^']*'|@@[^\s;]+)/g)].map((m) => m[1]!);

describe('gatherScript text', () => {
  it('reads the SSH client, the root namespace, whether the state folder is trustworthy, each asked-about namespace (then those the record lists), then forward, iptables, nft, br_netfilter, record, journal and end', () => {
    const script = gatherScript(['container1', 'pb']);
    expect(markers(script)).toEqual([
      '@@mgmt',
      '@@root',
      '@@state-dir',
      "'@@ns container1'",
      '@@absent',
      "'@@ns pb'",
      '@@absent',
      '@@forward',
      '@@iptables',
      '@@iptables-failed',
      '@@nft',
      '@@brnf',
      '@@record',
      '@@txn',
      '@@txn-start',
      '@@end',
    ]);
    expect(script.endsWith('\n')).toBe(true);
  });

  it('asks ip for IPv4 only, with details, in JSON, in one batch per namespace (the root one also lists namespaces and the route to the controller)', () => {
    const script = gatherScript(['pb']);
    expect(script).toContain('ip -4 -d -j -batch - <<CNET_EOF\nlink show\naddr show\nroute show table all\nnetns list\n$r\nCNET_EOF');
    expect(script).toContain("ip -n pb -4 -d -j -batch - <<'CNET_EOF'\nlink show\naddr show\nroute show table all\nCNET_EOF");
    expect(script).toContain('iptables-save 2>&1 || ');
    // one process each for ip (per namespace, and per namespace the record lists), iptables-save and nft: the rest are builtins
    const commands = script.split('\n').filter((l) => /^(ip|iptables-save|nft) /.test(l));
    expect(commands.map((l) => l.split(' ')[0])).toEqual(['ip', 'ip', 'ip', 'iptables-save', 'nft']);
    expect(script).toContain(`ip -n "$n" -4 -d -j -batch - <<'CNET_EOF'\nlink show\naddr show\nroute show table all\nCNET_EOF\ndone < ${RECORD_FILE}`);
    expect(script).toContain(`< ${RECORD_FILE}`);
  });

  it('quotes namespace names through quoteWord wherever they appear', () => {
    for (const ns of ['pb', 'a b', "it's", '$(touch x)', '`id`', 'x;y']) {
      const script = gatherScript([ns]);
      expect(script).toContain(`printf '%s\\n' ${quoteWord(`@@ns ${ns}`)}\n`);
      expect(script).toContain(`if [ -e ${quoteWord(`/run/netns/${ns}`)} ]; then\n`);
      expect(script).toContain(`ip -n ${quoteWord(ns)} -4 -d -j -batch -`);
    }
    // safe names stay readable
    expect(gatherScript(['jelly'])).toContain('if [ -e /run/netns/jelly ]; then\nip -n jelly -4');
    expect(gatherScript(["it's"])).toContain("ip -n 'it'\\''s' -4");
  });

  it('asks about no namespace when given none, but those the record lists', () => {
    expect(markers(gatherScript([]))).not.toContain("'@@ns");
    expect(gatherScript([])).not.toContain("[ -e '/run/netns/");
    expect(gatherScript([])).toContain(`case ' '''' ' in *" $n "*) continue ;; esac`);
    expect(gatherScript(['a', 'b c'])).toContain(`case ' ''a b c'' ' in *" $n "*) continue ;; esac`);
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
    expect([...sections.keys()].filter((k) => !k.endsWith('-failed'))).toEqual([
      'mgmt',
      'root',
      'state-dir',
      'forward',
      'iptables',
      'nft',
      'brnf',
      'record',
      'txn',
      'txn-start',
      'end',
    ]);
    expect(Array.isArray(facts.nftChains)).toBe(true);
    if (facts.nat.available) expect(facts.forwardChain?.policy).toMatch(/^(ACCEPT|DROP)$/);
    if (facts.nat.available) for (const r of facts.nat.rules) expect(r.length).toBeGreaterThan(0);
    else expect(facts.nat.error).toBeTruthy();
  });

  it('reports a namespace that does not exist as absent, and a hostile name runs nothing', () => {
    const hostile = '$(touch pwned)`touch pwned2`;touch pwned3';
    const out = run(gatherScript(['cnet-test-no-such-ns', hostile]));
    const sections = [...splitSections(out).keys()];
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

describe('gatherScript for a read-back', () => {
  it('leaves out nftables (our steps never touch it: the earlier gather stands), and parses without it', () => {
    const script = gatherScript(['pb'], [], { nft: false });
    expect(script).not.toContain('nft ');
    expect(markers(script)).not.toContain('@@nft');
    expect(markers(gatherScript(['pb']))).toContain('@@nft');
  });
});
