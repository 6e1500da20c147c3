import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { splitSections } from '../../src/remote/markers.js';
import { parseFdb } from '../../src/facts/parse-ip.js';
import { findLink, type HostFacts } from '../../src/facts/types.js';

// The fabric fixtures: gatherScript(['db', 'web'], vxlan ? ['vxcnet0'] : []) over ssh on vm1 (10.239.0.10) of
// `lab up --name fixrec --net 239 --hosts 3 --bare`; how each was recorded: test/plan/fabric-helpers.ts.
const text = (name: string): string => readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8');
const facts = (name: string): HostFacts => parseFacts(text(name));
const ZERO = '00:00:00:00:00:00';
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

describe('parseFacts on the recorded fabric', () => {
  it('the routed host (fabric-routed.txt): the peers’ routes via their addresses, the bridge’s own route, no FDB', () => {
    const f = facts('fabric-routed');
    const main = f.root.routes.filter((r) => r.table === 'main' && r.type === 'unicast').map((r) => [r.dst, r.gateway, r.dev]);
    expect(main).toEqual([
      ['default', '10.239.0.2', 'eth0'],
      ['10.239.0.0/17', undefined, 'eth0'],
      ['172.30.0.0/24', undefined, 'cnet0'],
      ['172.30.1.0/24', '10.239.0.11', 'eth0'],
      ['172.30.2.0/24', '10.239.0.12', 'eth0'],
    ]);
    expect(f.fdb).toBeUndefined();
    expect([...f.netns.keys()].sort()).toEqual(['db', 'web']);
    expect(findLink(f.namespaces.get('db'), 'eth0')).toMatchObject({
      kind: 'veth',
      up: true,
      mac: '02:42:ac:1e:00:02',
      mtu: 1500,
      addresses: [{ family: 'inet', local: '172.30.0.2', prefixlen: 24, scope: 'global' }],
    });
  });

  it('the session’s addresses, and the device of the route back to the controller (the `route get` answer, not a route of the host)', () => {
    const f = facts('fabric-routed');
    expect(f.mgmt).toEqual({ client: '10.239.0.1', server: '10.239.0.10', dev: 'eth0' });
    expect(f.root.routes.some((r) => r.dst === '10.239.0.1')).toBe(false);
  });

  it('the NAT rule that leaves the supernet alone, tokenized in iptables-save’s order', () => {
    expect(facts('fabric-routed').nat).toEqual({
      available: true,
      rules: [['-s', '172.30.0.0/24', '!', '-d', '172.30.0.0/16', '!', '-o', 'cnet0', '-m', 'comment', '--comment', 'cnet-remote:cnet0', '-j', 'MASQUERADE']],
      variant: 'nf_tables',
    });
  });

  it('the VXLAN device (fabric-vxlan.txt): kind, VNI, port, local address, no underlay device, a port of cnet0 at MTU 1450', () => {
    const f = facts('fabric-vxlan');
    expect(findLink(f.root, 'vxcnet0')).toMatchObject({
      kind: 'vxlan',
      master: 'cnet0',
      up: true,
      mtu: 1450,
      alias: 'cnet-remote',
      vxlan: { id: 42, port: 4789, local: '10.239.0.10' },
    });
    expect(findLink(f.root, 'vxcnet0')?.vxlan).not.toHaveProperty('dev');
    expect(findLink(f.root, 'cnet0')?.mtu).toBe(1450);
    for (const ns of ['db', 'web']) expect(findLink(f.namespaces.get(ns), 'eth0')?.mtu, ns).toBe(1450);
  });

  it('the VXLAN device bound to eth0 (fabric-vxlan-underlay-dev.txt): `link` is the underlay device', () => {
    expect(findLink(facts('fabric-vxlan-underlay-dev').root, 'vxcnet0')?.vxlan).toEqual({ id: 42, port: 4789, local: '10.239.0.10', dev: 'eth0' });
  });

  it('its forwarding database: the flood entries per peer and the learned MACs, only entries with a remote (dst)', () => {
    const entries = facts('fabric-vxlan').fdb?.get('vxcnet0') ?? [];
    expect(entries.filter((e) => e.mac === ZERO).map((e) => e.dst)).toEqual(['10.239.0.11', '10.239.0.12']);
    for (const e of entries) {
      expect(e.mac).toMatch(MAC);
      expect(['10.239.0.11', '10.239.0.12']).toContain(e.dst);
    }
    // the raw section also lists the bridge's own entries (master cnet0, no dst): dropped
    const raw = splitSections(text('fabric-vxlan')).get('fdb vxcnet0')!;
    expect((JSON.parse(raw) as unknown[]).length).toBeGreaterThan(entries.length);
  });

  it('drifted (fabric-vxlan-drifted.txt): vm2’s flood entry gone, its learned MACs still there', () => {
    const entries = facts('fabric-vxlan-drifted').fdb?.get('vxcnet0') ?? [];
    expect(entries.filter((e) => e.mac === ZERO).map((e) => e.dst)).toEqual(['10.239.0.12']);
    expect(entries.some((e) => e.dst === '10.239.0.11')).toBe(true);
  });

  it('after down (fabric-down.txt): the device absent, so no FDB key; no namespaces, no record', () => {
    const f = facts('fabric-down');
    expect(splitSections(text('fabric-down')).get('fdb vxcnet0')).toBe('');
    expect(f.fdb).toBeUndefined();
    expect([f.netns.size, f.namespaces.size, f.record, f.ipForward]).toEqual([0, 0, [], false]);
  });

  it('the foreign route (fabric-routed-foreign.txt) is a plain route of the host (`ip route add` by hand: proto boot)', () => {
    const f = facts('fabric-routed-foreign');
    expect(f.root.routes.filter((r) => r.dst.startsWith('172.30.'))).toEqual([
      { family: 'inet', dst: '172.30.1.0/24', gateway: '10.239.0.12', dev: 'eth0', table: 'main', type: 'unicast', protocol: 'boot' },
    ]);
  });
});

describe('parseFdb', () => {
  it('reads nothing from an empty text or an empty array', () => {
    expect(parseFdb('')).toEqual([]);
    expect(parseFdb('[]\n')).toEqual([]);
  });

  it('keeps only entries with a MAC and a remote', () => {
    expect(
      parseFdb(
        '[{"mac":"00:00:00:00:00:00","dst":"10.0.0.2","flags":["self"],"state":"permanent"},{"mac":"aa:bb:cc:dd:ee:ff","master":"cnet0","state":"permanent"},{"dst":"10.0.0.3"}]',
      ),
    ).toEqual([{ mac: ZERO, dst: '10.0.0.2' }]);
  });

  it('refuses JSON that is not an array', () => {
    expect(() => parseFdb('{"mac":"x"}')).toThrow(/array/);
  });
});
