import { describe, expect, it } from 'vitest';
import { planUp } from '../../src/plan/plan.js';
import { objectPath } from '../../src/result/finding.js';
import { checkedObjects } from '../../src/verify/checked.js';
import { fabricNetwork } from '../plan/fabric-helpers.js';
import { bothSeeds, facts, network, seedNetwork } from './helpers.js';

describe('checkedObjects', () => {
  it('seed-part2: br0, its NAT, both containers, and ip_forward', () => {
    expect(checkedObjects(seedNetwork('seed-part2.yaml'))).toEqual([
      'bridges.br0',
      'bridges.br0.nat',
      'namespaces.container1',
      'namespaces.container2',
      'ip_forward',
    ]);
  });

  it('seed-pb-jelly: brd1, its NAT, jelly and pb (in name order), and ip_forward', () => {
    expect(checkedObjects(seedNetwork('seed-pb-jelly.yaml'))).toEqual(['bridges.brd1', 'bridges.brd1.nat', 'namespaces.jelly', 'namespaces.pb', 'ip_forward']);
  });

  it('both seeds on one host: every bridge then every namespace, ip_forward once', () => {
    expect(checkedObjects(bothSeeds())).toEqual([
      'bridges.br0',
      'bridges.br0.nat',
      'bridges.brd1',
      'bridges.brd1.nat',
      'namespaces.container1',
      'namespaces.container2',
      'namespaces.jelly',
      'namespaces.pb',
      'ip_forward',
    ]);
  });

  it('a bridge with nat: false has no NAT object, and without any NAT bridge ip_forward is not checked', () => {
    const net = network(
      'all:\n  vars:\n    cnet:\n      bridges:\n        lan: { subnet: 10.10.0.0/24, nat: false }\n      namespaces:\n        a: { bridge: lan }\n',
    );
    expect(checkedObjects(net)).toEqual(['bridges.lan', 'namespaces.a']);
  });

  it('ip_forward is checked when at least one bridge has NAT', () => {
    const net = network('all:\n  vars:\n    cnet:\n      bridges:\n        lan: { subnet: 10.10.0.0/24, nat: false }\n        wan: { subnet: 10.20.0.0/24 }\n');
    expect(checkedObjects(net)).toEqual(['bridges.lan', 'bridges.wan', 'bridges.wan.nat', 'ip_forward']);
  });

  it('an empty network checks nothing', () => {
    expect(checkedObjects({ bridges: [], namespaces: [] })).toEqual([]);
  });
});

describe('checkedObjects of a fabric', () => {
  it('routed: the bridge, its NAT, the namespaces, one route per peer, ip_forward', () => {
    expect(checkedObjects(fabricNetwork('routed'))).toEqual([
      'bridges.cnet0',
      'bridges.cnet0.nat',
      'namespaces.db',
      'namespaces.web',
      'fabric.routes.vm2',
      'fabric.routes.vm3',
      'ip_forward',
    ]);
  });

  it('vxlan: the bridge, its NAT, the namespaces, the device, one forwarding entry per peer, the supernet route, ip_forward', () => {
    expect(checkedObjects(fabricNetwork('vxlan'))).toEqual([
      'bridges.cnet0',
      'bridges.cnet0.nat',
      'namespaces.db',
      'namespaces.web',
      'fabric.vxlan',
      'fabric.fdb.vm2',
      'fabric.fdb.vm3',
      'fabric.route',
      'ip_forward',
    ]);
  });

  it('a fabric without NAT still checks ip_forward (its hosts route the containers’ traffic)', () => {
    const net = fabricNetwork('routed', undefined, 'vm1', 'all:\n  vars:\n    cnet:\n      fabric:\n        nat: false\n');
    expect(net.bridges[0]?.nets.map((n) => n.nat)).toEqual([false]);
    expect(checkedObjects(net)).toEqual(['bridges.cnet0', 'namespaces.db', 'namespaces.web', 'fabric.routes.vm2', 'fabric.routes.vm3', 'ip_forward']);
  });

  it.each(['routed', 'vxlan'] as const)(
    '%s: every finding of the full build on empty.txt belongs to a checked object, each fabric one to a fabric path',
    (mode) => {
      const desired = fabricNetwork(mode);
      const checked = checkedObjects(desired);
      const { findings } = planUp(desired, facts('empty'));
      for (const f of findings) expect(checked, f.path).toContain(objectPath(f.object));
      for (const f of findings.filter((x) => x.path.startsWith('fabric.'))) expect(objectPath(f.object), f.path).toMatch(/^fabric\./);
    },
  );

  it('the drifted paths (fabric.routes.vm2, fabric.fdb.vm2) are checked objects of their own', () => {
    expect(checkedObjects(fabricNetwork('routed'))).toContain(objectPath({ kind: 'route', name: '172.30.1.0/24', host: 'vm2' }));
    expect(checkedObjects(fabricNetwork('vxlan'))).toContain(objectPath({ kind: 'fdb', name: '10.239.0.11', host: 'vm2' }));
    expect(checkedObjects(fabricNetwork('vxlan'))).toContain(objectPath({ kind: 'vxlan', name: 'vxcnet0' }));
  });
});
