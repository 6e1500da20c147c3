import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/errors.js';
import { isIpv6, parseIpv6 } from '../../src/address/ipv6.js';
import { defaultNet, labNetwork6, labPlan, labSubnet6, reachOf, segmentGateway6 } from '../../src/lab/lab-plan.js';

describe('labPlan', () => {
  it('derives every name and address from the lab name and network index', () => {
    const p = labPlan('demo', 200, 300, '/tmp/labs');
    expect(p.dir).toBe('/tmp/labs/demo');
    expect([p.switchNs, p.upstreamNs, p.rootIf]).toEqual(['demo-sw', 'demo-up', 'demo-c']);
    expect([p.controllerAddress, p.upstreamAddress, p.internetAddress]).toEqual(['10.200.0.1', '10.200.0.2', '10.200.128.1']);
    expect([p.vmNs(1), p.vmName(1), p.vmAddress(1)]).toEqual(['demo-h1', 'vm1', '10.200.0.10']);
    // past 255 the third octet moves on; all VMs stay inside the /17 the controller routes
    expect(p.vmAddress(300)).toBe('10.200.1.53');
    expect(p.vmAddress(30000)).toBe('10.200.117.57');
  });

  it("gives every address an IPv6 twin in the lab's own ULA prefix, fd63:6e65:74NN::/48, one /64 a segment", () => {
    const p = labPlan('demo', 200, 30000, '/tmp/labs', { behind: 2, behind2: 1 });
    expect(p.network6).toBe('fd63:6e65:74c8::/48');
    expect([p.controllerAddress6, p.upstreamAddress6, p.internetAddress6, p.prefix6]).toEqual([
      'fd63:6e65:74c8::1',
      'fd63:6e65:74c8::2',
      'fd63:6e65:74c8:80::1',
      64,
    ]);
    // the interface ID is the IPv4 address's offset in its segment: 10.200.0.10 → ::a, 10.200.117.57 → ::7539
    expect([p.vmAddress6(1), p.vmAddress6(300), p.vmAddress6(30000)]).toEqual(['fd63:6e65:74c8::a', 'fd63:6e65:74c8::135', 'fd63:6e65:74c8::7539']);
    const byKey = Object.fromEntries(p.vms.map((v) => [v.key, v]));
    expect(byKey.p2).toMatchObject({ address: '10.200.160.11', address6: 'fd63:6e65:74c8:a0::b', via: ['10.200.0.10'], via6: ['fd63:6e65:74c8::a'] });
    expect(byKey.q1).toMatchObject({
      address: '10.200.176.10',
      address6: 'fd63:6e65:74c8:b0::a',
      via: ['10.200.0.10', '10.200.160.10'],
      via6: ['fd63:6e65:74c8::a', 'fd63:6e65:74c8:a0::a'],
    });
    expect([segmentGateway6(200, 'private'), segmentGateway6(200, 'deep')]).toEqual(['fd63:6e65:74c8:a0::1', 'fd63:6e65:74c8:b0::1']);
    expect([labSubnet6(200, 'lab'), labSubnet6(200, 'private'), labSubnet6(200, 'deep')]).toEqual([
      'fd63:6e65:74c8::/64',
      'fd63:6e65:74c8:a0::/64',
      'fd63:6e65:74c8:b0::/64',
    ]);
    // every address written as `ip` prints it, unique, and inside the lab's /48
    const all = [p.controllerAddress6, p.upstreamAddress6, p.internetAddress6, ...p.vms.map((v) => v.address6)];
    expect(new Set(all).size).toBe(all.length);
    for (const a of all) {
      expect(isIpv6(a)).toBe(true);
      expect(parseIpv6(a) >> 80n).toBe(parseIpv6('fd63:6e65:74c8::') >> 80n);
    }
  });

  it('gives each network index an IPv6 prefix of its own, unique local (fd00::/8)', () => {
    const prefixes = Array.from({ length: 254 }, (_, k) => labNetwork6(k + 1));
    expect(new Set(prefixes).size).toBe(254);
    expect([labNetwork6(1), labNetwork6(15), labNetwork6(254)]).toEqual(['fd63:6e65:7401::/48', 'fd63:6e65:740f::/48', 'fd63:6e65:74fe::/48']);
  });

  it('reaches the VMs over IPv4 unless asked for IPv6: ansible_host and the bastions', () => {
    const p = labPlan('demo', 3, 1, '/tmp/labs', { behind: 1 });
    const priv = p.vms.find((v) => v.key === 'p1')!;
    expect(p.reach).toBe('ipv4');
    expect(reachOf(p, priv)).toEqual({ address: '10.3.160.10', via: ['10.3.0.10'] });
    expect(reachOf({ reach: 'ipv6' }, priv)).toEqual({ address: 'fd63:6e65:7403:a0::a', via: ['fd63:6e65:7403::a'] });
  });

  it('keeps interface names within 15 bytes for the longest lab name', () => {
    const p = labPlan('abcdefgh', 1, 1);
    expect(Buffer.byteLength(p.rootIf)).toBeLessThanOrEqual(15);
  });

  it('refuses names and numbers that would leave its prefix or its network', () => {
    expect(() => labPlan('Bad-Name', 1, 1)).toThrow(LabError);
    expect(() => labPlan('toolongname', 1, 1)).toThrow(/1-8/);
    expect(() => labPlan('x', 0, 1)).toThrow(/1-254/);
    expect(() => labPlan('x', 255, 1)).toThrow(/1-254/);
    expect(() => labPlan('x', 1, -1)).toThrow(LabError);
    expect(() => labPlan('x', 1, 1.5)).toThrow(LabError);
  });

  it('gives different default networks to different names, in 150-249', () => {
    const nets = ['cnetlab', 'e2eseed', 'e2efail', 'a', 'b'].map(defaultNet);
    for (const n of nets) {
      expect(n).toBeGreaterThanOrEqual(150);
      expect(n).toBeLessThan(250);
    }
    expect(new Set(nets).size).toBe(nets.length);
  });
});
