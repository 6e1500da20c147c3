import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FactsError } from '../../src/errors.js';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { splitSections } from '../../src/remote/markers.js';
import { parseIpShow, parseRootBatch } from '../../src/facts/parse-ip.js';
import { findLink, type HostFacts, type LinkFact } from '../../src/facts/types.js';

/** a random MAC, as the kernel gives a new device (recorded values change when fixtures are re-recorded) */
const MAC = expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);

const text = (name: string): string => readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8');
const facts = (name: string): HostFacts => parseFacts(text(name));

/** The veth pairs of the two seeds: namespace, host end, namespace end, bridge. */
const PAIRS = [
  { ns: 'container1', host: 'veth1', inner: 'ceth1', bridge: 'br0' },
  { ns: 'container2', host: 'veth2', inner: 'ceth2', bridge: 'br0' },
  { ns: 'jelly', host: 'bread-j-veth', inner: 'veth-jelly', bridge: 'brd1' },
  { ns: 'pb', host: 'bread-pb-veth', inner: 'veth-pb', bridge: 'brd1' },
];

function link(f: HostFacts, name: string, ns?: string): LinkFact {
  const l = findLink(ns === undefined ? f.root : f.namespaces.get(ns), name);
  if (!l) throw new Error(`no link ${name} in ${ns ?? 'root'}`);
  return l;
}

/** Replaces the body of one section of a recorded output. */
function withSection(t: string, name: string, body: string): string {
  const lines = t.split('\n');
  const start = lines.indexOf(`@@${name}`);
  if (start < 0) throw new Error(`no section ${name}`);
  let end = start + 1;
  while (end < lines.length && !lines[end]!.startsWith('@@')) end++;
  return [...lines.slice(0, start + 1), ...(body === '' ? [] : body.split('\n')), ...lines.slice(end)].join('\n');
}

function factsError(fn: () => unknown): FactsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FactsError);
    return err as FactsError;
  }
  throw new Error('expected a FactsError');
}

describe('splitSections', () => {
  it('maps each @@ marker to the lines after it, ignoring text before the first marker', () => {
    const s = splitSections('noise\n@@a\n1\n2\n@@b c\n@@d\nx\n');
    expect([...s]).toEqual([
      ['a', '1\n2'],
      ['b c', ''],
      ['d', 'x\n'],
    ]);
  });
});

describe('parseFacts on converged.txt', () => {
  const f = facts('converged');

  it('reads the root links with their kinds, masters, aliases and state', () => {
    expect(f.root.links.map((l) => l.name)).toEqual(['lo', 'eth0', 'foreign0', 'br0', 'brd1', 'veth1', 'veth2', 'bread-j-veth', 'bread-pb-veth']);
    expect(link(f, 'lo')).toEqual({
      ifindex: 1,
      name: 'lo',
      up: true,
      operstate: 'UNKNOWN',
      mac: '00:00:00:00:00:00',
      mtu: 65536,
      addresses: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }],
    });
    expect(link(f, 'foreign0')).toEqual({ ifindex: 9, name: 'foreign0', kind: 'bridge', up: false, operstate: 'DOWN', mac: MAC, mtu: 1500, addresses: [] });
    expect(link(f, 'br0')).toEqual({
      ifindex: 10,
      name: 'br0',
      kind: 'bridge',
      up: true,
      operstate: 'UP',
      alias: 'cnet-remote',
      mac: MAC,
      mtu: 1500,
      addresses: [{ family: 'inet', local: '172.18.0.1', prefixlen: 16, scope: 'global' }],
    });
    expect(link(f, 'brd1')).toMatchObject({
      kind: 'bridge',
      alias: 'cnet-remote',
      up: true,
      addresses: [{ family: 'inet', local: '172.19.0.1', prefixlen: 24, scope: 'global' }],
    });
    expect(link(f, 'veth1')).toEqual({
      ifindex: 12,
      name: 'veth1',
      kind: 'veth',
      master: 'br0',
      up: true,
      operstate: 'UP',
      alias: 'cnet-remote',
      mac: MAC,
      peerIfindex: 2,
      peerNetnsId: 1,
      mtu: 1500,
      addresses: [],
    });
    for (const p of PAIRS) {
      expect(link(f, p.host)).toMatchObject({ kind: 'veth', master: p.bridge, alias: 'cnet-remote', up: true });
      expect(link(f, p.inner, p.ns)).toMatchObject({ kind: 'veth', alias: 'cnet-remote', up: true, peerNetnsId: 0 });
      expect(link(f, p.inner, p.ns).master).toBeUndefined();
    }
    // the VM's own uplink is a veth too, but not ours
    expect(link(f, 'eth0').alias).toBeUndefined();
  });

  it('cross-matches each veth pair by ifindex, and the peer nsid with `ip netns list`', () => {
    for (const p of PAIRS) {
      const host = link(f, p.host);
      const inner = link(f, p.inner, p.ns);
      expect(host.peerIfindex, p.host).toBe(inner.ifindex);
      expect(inner.peerIfindex, p.inner).toBe(host.ifindex);
      expect(host.peerNetnsId, p.host).toBe(f.netns.get(p.ns));
    }
  });

  it('reads the namespace list with nsids', () => {
    expect([...f.netns]).toEqual([
      ['pb', 4],
      ['jelly', 3],
      ['container2', 2],
      ['container1', 1],
    ]);
    expect([...f.namespaces.keys()].sort()).toEqual(['container1', 'container2', 'jelly', 'pb']);
  });

  it('reads each namespace: lo up, the inner end addressed', () => {
    const want = { container1: '172.18.0.2/16', container2: '172.18.0.3/16', jelly: '172.19.0.3/24', pb: '172.19.0.2/24' };
    for (const p of PAIRS) {
      const ns = f.namespaces.get(p.ns)!;
      expect(ns.links.map((l) => l.name)).toEqual(['lo', p.inner]);
      expect(link(f, 'lo', p.ns).up).toBe(true);
      expect(link(f, p.inner, p.ns).addresses.map((a) => `${a.local}/${a.prefixlen}`)).toEqual([want[p.ns as keyof typeof want]]);
    }
  });

  it('reads routes of every table with their type', () => {
    expect(f.root.routes[0]).toEqual({ family: 'inet', dst: 'default', gateway: '10.249.0.2', dev: 'eth0', table: 'main', type: 'unicast', protocol: 'boot' });
    expect(f.root.routes).toContainEqual({ family: 'inet', dst: '172.18.0.0/16', dev: 'br0', table: 'main', type: 'unicast', protocol: 'kernel' });
    expect(f.root.routes).toContainEqual({ family: 'inet', dst: '172.18.0.1', dev: 'br0', table: 'local', type: 'local', protocol: 'kernel' });
    expect(f.root.routes).toContainEqual({ family: 'inet', dst: '172.19.0.255', dev: 'brd1', table: 'local', type: 'broadcast', protocol: 'kernel' });
    expect(f.root.routes).toHaveLength(13);
    expect(new Set(f.root.routes.map((r) => r.table))).toEqual(new Set(['main', 'local']));
    expect(f.namespaces.get('container1')!.routes).toEqual([
      { family: 'inet', dst: 'default', gateway: '172.18.0.1', dev: 'ceth1', table: 'main', type: 'unicast', protocol: 'boot' },
      { family: 'inet', dst: '172.18.0.0/16', dev: 'ceth1', table: 'main', type: 'unicast', protocol: 'kernel' },
      { family: 'inet', dst: '127.0.0.0/8', dev: 'lo', table: 'local', type: 'local', protocol: 'kernel' },
      { family: 'inet', dst: '127.0.0.1', dev: 'lo', table: 'local', type: 'local', protocol: 'kernel' },
      { family: 'inet', dst: '127.255.255.255', dev: 'lo', table: 'local', type: 'broadcast', protocol: 'kernel' },
      { family: 'inet', dst: '172.18.0.2', dev: 'ceth1', table: 'local', type: 'local', protocol: 'kernel' },
      { family: 'inet', dst: '172.18.255.255', dev: 'ceth1', table: 'local', type: 'broadcast', protocol: 'kernel' },
    ]);
  });

  it('reads ip_forward, the NAT rules tokenized and the record', () => {
    expect(f.ipForward).toBe(true);
    expect(f.nat).toEqual({
      available: true,
      rules: [
        ['-s', '10.77.0.0/16', '-j', 'MASQUERADE'],
        ['-s', '172.18.0.0/16', '!', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'],
        ['-s', '172.19.0.0/24', '!', '-o', 'brd1', '-m', 'comment', '--comment', 'cnet-remote:brd1', '-j', 'MASQUERADE'],
      ],
    });
    expect(f.record).toEqual([
      { kind: 'netns', name: 'container1' },
      { kind: 'netns', name: 'container2' },
      { kind: 'netns', name: 'jelly' },
      { kind: 'netns', name: 'pb' },
      { kind: 'link', name: 'br0' },
      { kind: 'link', name: 'brd1' },
      { kind: 'link', name: 'veth1' },
      { kind: 'link', name: 'veth2' },
      { kind: 'link', name: 'bread-j-veth' },
      { kind: 'link', name: 'bread-pb-veth' },
      { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' },
      { kind: 'nat', subnet: '172.19.0.0/24', bridge: 'brd1' },
      { kind: 'forward', from: '0' },
    ]);
  });

  it('keeps IPv4 addresses only', () => {
    for (const ns of [f.root, ...f.namespaces.values()]) {
      for (const l of ns.links) for (const a of l.addresses) expect(a.local).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
  });
});

describe('parseFacts on empty.txt', () => {
  const f = facts('empty');

  it('has no namespaces, and every asked-about namespace is absent', () => {
    expect(f.netns.size).toBe(0);
    expect(f.namespaces.size).toBe(0);
  });

  it('has nothing of ours: no record, no tagged link, only the foreign NAT rule; ip_forward off', () => {
    expect(f.record).toEqual([]);
    expect(f.root.links.map((l) => l.name)).toEqual(['lo', 'eth0', 'foreign0']);
    expect(f.root.links.filter((l) => l.alias !== undefined)).toEqual([]);
    expect(f.nat).toEqual({ available: true, rules: [['-s', '10.77.0.0/16', '-j', 'MASQUERADE']] });
    expect(f.ipForward).toBe(false);
  });
});

describe('parseFacts on drifted.txt', () => {
  const f = facts('drifted');

  it('sees container2 gone (and veth2 with it), the others present', () => {
    expect([...f.netns]).toEqual([
      ['pb', 4],
      ['jelly', 3],
      ['container1', 1],
    ]);
    expect([...f.namespaces.keys()].sort()).toEqual(['container1', 'jelly', 'pb']);
    expect(findLink(f.root, 'veth2')).toBeUndefined();
  });

  it('sees brd1 administratively down', () => {
    expect(link(f, 'brd1')).toMatchObject({ up: false, operstate: 'DOWN', alias: 'cnet-remote' });
    expect(link(f, 'br0').up).toBe(true);
  });

  it('sees no default route in pb', () => {
    expect(f.namespaces.get('pb')!.routes.filter((r) => r.dst === 'default')).toEqual([]);
    expect(f.namespaces.get('jelly')!.routes.filter((r) => r.dst === 'default')).toHaveLength(1);
  });

  it('sees the extra address on veth-jelly', () => {
    expect(link(f, 'veth-jelly', 'jelly').addresses).toEqual([
      { family: 'inet', local: '172.19.0.3', prefixlen: 24, scope: 'global' },
      { family: 'inet', local: '172.19.0.99', prefixlen: 24, scope: 'global' },
    ]);
  });

  it('sees the br0 rule gone and ip_forward off, the record unchanged', () => {
    expect(f.nat.rules.map((r) => r.join(' '))).toEqual([
      '-s 10.77.0.0/16 -j MASQUERADE',
      '-s 172.19.0.0/24 ! -o brd1 -m comment --comment cnet-remote:brd1 -j MASQUERADE',
    ]);
    expect(f.ipForward).toBe(false);
    expect(f.record).toEqual(facts('converged').record);
  });
});

describe('parseFacts on foreign.txt', () => {
  const f = facts('foreign');

  it('sees the foreign bridge named veth1, untagged', () => {
    expect(link(f, 'veth1')).toEqual({ ifindex: 16, name: 'veth1', kind: 'bridge', up: false, operstate: 'DOWN', mac: MAC, mtu: 1500, addresses: [] });
  });

  it('sees the foreign namespace pb holding a foreign veth-pb paired with x1 in the root namespace', () => {
    expect([...f.netns]).toEqual([['pb', 1]]);
    expect([...f.namespaces.keys()]).toEqual(['pb']);
    const pb = f.namespaces.get('pb')!;
    expect(pb.routes).toEqual([]);
    const inner = link(f, 'veth-pb', 'pb');
    const x1 = link(f, 'x1');
    expect(inner).toEqual({
      ifindex: 2,
      name: 'veth-pb',
      kind: 'veth',
      up: false,
      operstate: 'DOWN',
      mac: MAC,
      peerIfindex: 17,
      peerNetnsId: 0,
      mtu: 1500,
      addresses: [],
    });
    expect(x1.peerIfindex).toBe(inner.ifindex);
    expect(inner.peerIfindex).toBe(x1.ifindex);
    expect(x1.peerNetnsId).toBe(f.netns.get('pb'));
    expect(link(f, 'lo', 'pb').up).toBe(false);
  });

  it('has no record', () => {
    expect(f.record).toEqual([]);
  });
});

describe('parseIpShow', () => {
  const links = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], operstate: 'UNKNOWN' },
    { ifindex: 5, ifname: 'x', flags: ['UP'], operstate: 'UP' },
  ]);
  const addrs = JSON.stringify([
    {
      ifindex: 5,
      ifname: 'x',
      addr_info: [
        { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
        { family: 'inet', local: '10.0.0.2', prefixlen: 24, scope: 'global' },
        { family: 'inet', local: '169.254.1.1', prefixlen: 16, scope: 'link' },
        { family: 'inet6', local: '2001:db8::1', prefixlen: 64, scope: 'global' },
      ],
    },
  ]);

  it('from an older gather (`ip -4`: three arrays) keeps IPv4 addresses only (no link-local or global v6)', () => {
    const ns = parseIpShow(`${links}\n${addrs}\n[]\n`);
    expect(ns.links[1]!.addresses).toEqual([
      { family: 'inet', local: '10.0.0.2', prefixlen: 24, scope: 'global' },
      { family: 'inet', local: '169.254.1.1', prefixlen: 16, scope: 'link' },
    ]);
    expect(ns.links[0]!.addresses).toEqual([]);
    expect(ns.routes).toEqual([]);
  });

  it('fills defaults for fields ip leaves out', () => {
    const ns = parseIpShow(`[{"ifindex":3,"ifname":"y"}]\n[]\n[{"dst":"10.1.0.0/16","dev":"y"},{"gateway":"10.1.0.1"}]\n`);
    expect(ns.links).toEqual([{ ifindex: 3, name: 'y', up: false, operstate: 'UNKNOWN', addresses: [] }]);
    expect(ns.routes).toEqual([
      { family: 'inet', dst: '10.1.0.0/16', dev: 'y', table: 'main', type: 'unicast' },
      { family: 'inet', dst: 'default', gateway: '10.1.0.1', table: 'main', type: 'unicast' },
    ]);
  });

  it('wants exactly three arrays', () => {
    expect(() => parseIpShow(`${links}\n${addrs}\n`)).toThrow(/expected 3 JSON arrays from ip -batch, got 2/);
    expect(() => parseIpShow('')).toThrow(/got 0/);
    expect(() => parseIpShow('{}\n[]\n[]')).toThrow(/expected a JSON array of links/);
  });
});

describe('parseRootBatch', () => {
  const three = '[{"ifindex":1,"ifname":"lo"}]\n[]\n[]\n';

  it('maps names to nsids, undefined when none is assigned', () => {
    expect([...parseRootBatch(`${three}[{"name":"a","id":0},{"name":"b"}]\n`).netns]).toEqual([
      ['a', 0],
      ['b', undefined],
    ]);
    expect(parseRootBatch(`${three}[]\n`).netns.size).toBe(0);
  });

  it('reads the device of `route get CONTROLLER` when the batch asked it, and the links before', () => {
    const r = parseRootBatch(`${three}[]\n[{"dst":"10.0.0.1","dev":"eth0","prefsrc":"10.0.0.10"}]\n`);
    expect(r.mgmtDev).toBe('eth0');
    expect(r.root.links.map((l) => l.name)).toEqual(['lo']);
    expect(parseRootBatch(`${three}[]\n`).mgmtDev).toBeUndefined();
  });

  it('a host that never had a namespace (no /run/netns: `netns list` prints nothing): no namespaces, and the route to the controller still read as one', () => {
    // recorded: `ip -j -batch -` on a host without /run/netns prints nothing for `netns list`
    const r = parseRootBatch(`${three}[{"dst":"10.0.0.1","dev":"eth0","prefsrc":"10.0.0.10"}]\n`);
    expect(r.mgmtDev).toBe('eth0');
    expect(r.netns.size).toBe(0);
    expect(parseRootBatch(three).netns.size).toBe(0);
  });

  it('wants three to five arrays', () => {
    expect(() => parseRootBatch('[]\n[]\n')).toThrow(/expected 3 to 5 JSON arrays from ip -batch, got 2/);
    expect(() => parseRootBatch(`${three}[]\n[]\n[]\n`)).toThrow(/got 6/);
    expect(() => parseRootBatch(`${three}{}\n`)).toThrow(/expected a JSON array of namespaces/);
  });
});

describe('parseFacts on malformed or truncated output', () => {
  const full = text('converged');

  it('names the missing end when the output was cut short', () => {
    for (const cut of [0, 10, full.indexOf('@@root') + 20, full.indexOf('@@ns pb') + 3, full.indexOf('@@record') + 12, full.length - 6]) {
      const err = factsError(() => parseFacts(full.slice(0, cut), 'vm1'));
      expect(err.message).toContain('no "end" section');
      expect(err.host).toBe('vm1');
    }
  });

  it('names a missing section', () => {
    for (const name of ['root', 'forward', 'iptables', 'record']) {
      const t = full.replace(new RegExp(`^@@${name}$`, 'm'), '@@renamed');
      const err = factsError(() => parseFacts(t, 'vm1'));
      expect(err.message).toBe(`facts output has no "${name}" section (the gather script did not finish)`);
    }
  });

  it('names the section whose JSON is truncated or missing an array', () => {
    const rootBody = splitSections(full).get('root')!;
    const cutRoot = withSection(full, 'root', rootBody.slice(0, 200));
    expect(factsError(() => parseFacts(cutRoot)).message).toMatch(/"root".*truncated JSON/);

    const twoArrays = withSection(full, 'ns pb', splitSections(full).get('ns pb')!.split('\n').slice(0, 2).join('\n'));
    expect(factsError(() => parseFacts(twoArrays)).message).toMatch(/"ns pb".*expected 3 JSON arrays from ip -batch, got 2/);

    const badNetns = withSection(full, 'root', `${rootBody}\nError: something went wrong`);
    expect(factsError(() => parseFacts(badNetns)).message).toMatch(/"root".*unexpected text outside JSON/);

    const errorInRoot = withSection(full, 'root', 'sh: 1: ip: not found');
    expect(factsError(() => parseFacts(errorInRoot, 'vm1')).message).toMatch(/"root".*outside JSON.*ip: not found/);
  });

  it('keeps the cause of a parse error', () => {
    const err = factsError(() => parseFacts(withSection(full, 'root', '[1]]')));
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('reports iptables failing as NAT unavailable, with its message', () => {
    const t = withSection(full, 'iptables', 'sh: 1: iptables-save: not found\n@@iptables-failed');
    const f = parseFacts(t);
    expect(f.nat).toEqual({ available: false, rules: [], error: 'sh: 1: iptables-save: not found' });
    expect(f.forwardChain).toBeUndefined();
  });

  it('ignores record lines that do not validate', () => {
    const t = withSection(full, 'record', 'netns ok1\nlink a;rm -rf /\nnat 1.2.3.4/40 br0\nforward 1\ngarbage\nlink br0 extra\nnetns ok1');
    expect(parseFacts(t).record).toEqual([{ kind: 'netns', name: 'ok1' }]);
  });

  it('reads ip_forward 0/1 with surrounding whitespace', () => {
    expect(parseFacts(withSection(full, 'forward', ' 1 ')).ipForward).toBe(true);
    expect(parseFacts(withSection(full, 'forward', '0')).ipForward).toBe(false);
  });
});

describe('parseFacts on what iproute2 6.1 prints for hostile names and aliases (recorded: record-hostile.sh)', () => {
  const f = facts('hostile');

  it('reads the host: every interface, its name and alias exactly (invalid UTF-8 as U+FFFD)', () => {
    expect(f.root.links.map((l) => l.name)).toEqual(['lo', 'a\u001bb', 'q\u007fx', 'ué', 'v\ufffdw', 'q"b\\c', 'c\u0001d', 'plain0', 'h\u001bx']);
    expect(link(f, 'a\u001bb')).toMatchObject({
      kind: 'bridge',
      up: true,
      alias: '\u001b[2J\u001b]52;c;aGk=\u0007',
      addresses: [{ family: 'inet', local: '10.9.0.1', prefixlen: 24, scope: 'global' }],
    });
    expect(link(f, 'plain0').alias).toBe('esc\u001b]0;pwned\u0007 nl\nx del\u007f hi\ufffd\ufffd q"b\\c tab\tz cr\rend');
    expect(f.root.routes).toContainEqual(expect.objectContaining({ dst: '10.9.5.0/24', gateway: '10.9.0.2', dev: 'a\u001bb' }));
  });

  it('reads a namespace whose interface is named with ESC, and the NAT rules with their comments', () => {
    expect(link(f, 'i\u001by', 'c1')).toMatchObject({ kind: 'veth' });
    expect(f.nat.rules.map((r) => r[r.indexOf('--comment') + 1])).toEqual(['x\u001b]0;t\u0007y "q" b\\s', 'nl\nx', 'hi\ufffd\ufffd']);
  });

  it('an interface that still cannot be read fails the host naming it, not "Bad control character"', () => {
    const broken = text('hostile').replace('"ifname":"i\u001by","flags":', '"ifname":"i\u001by","flags":,');
    const err = factsError(() => parseFacts(broken, 'vm1'));
    expect(err.message).toMatch(/^cannot parse facts: the "ns c1" section: interface "i\\u001by": /);
    expect(err.host).toBe('vm1');
  });
});

describe('parseFacts: the user the gather ran as (@@uid)', () => {
  /** a recorded output with a uid section after mgmt (the recordings are older than it) */
  const withUid = (name: string, uid: string) => text(name).replace('@@root\n', `@@uid\n${uid}\n@@root\n`);

  it('reads the effective uid; a recording from before the section has none', () => {
    expect(parseFacts(withUid('converged', '0')).uid).toBe(0);
    expect(parseFacts(withUid('converged', '2001')).uid).toBe(2001);
    expect(facts('converged').uid).toBeUndefined();
    expect(parseFacts(withUid('converged', 'x1')).uid).toBeUndefined();
  });

  it("keeps the state folder's finding as root, drops it for another user (root's folder is not theirs, and they change nothing)", () => {
    const found = '/run/cnet-remote owner root mode 755 type d';
    const t = (uid: string) => withUid('converged', uid).replace('@@root\n', `@@state-dir\n${found}\n@@root\n`);
    expect(parseFacts(t('0')).untrustedState).toBe(found);
    expect(parseFacts(t('2001')).untrustedState).toBeUndefined();
  });
});
