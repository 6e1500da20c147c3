import { describe, expect, it } from 'vitest';
import { checkedObjects } from '../../src/verify/checked.js';
import { bothSeeds, network, seedNetwork } from './helpers.js';

describe('checkedObjects', () => {
  it('seed-part2: br0, its NAT, both containers, and ip_forward', () => {
    expect(checkedObjects(seedNetwork('seed-part2.yaml'))).toEqual(['bridges.br0', 'bridges.br0.nat', 'namespaces.container1', 'namespaces.container2', 'ip_forward']);
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
    const net = network('all:\n  vars:\n    cnet:\n      bridges:\n        lan: { subnet: 10.10.0.0/24, nat: false }\n      namespaces:\n        a: { bridge: lan }\n');
    expect(checkedObjects(net)).toEqual(['bridges.lan', 'namespaces.a']);
  });

  it('ip_forward is checked when at least one bridge has NAT', () => {
    const net = network(
      'all:\n  vars:\n    cnet:\n      bridges:\n        lan: { subnet: 10.10.0.0/24, nat: false }\n        wan: { subnet: 10.20.0.0/24 }\n',
    );
    expect(checkedObjects(net)).toEqual(['bridges.lan', 'bridges.wan', 'bridges.wan.nat', 'ip_forward']);
  });

  it('an empty network checks nothing', () => {
    expect(checkedObjects({ bridges: [], namespaces: [] })).toEqual([]);
  });
});

