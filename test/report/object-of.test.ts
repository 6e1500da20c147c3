import { describe, expect, it } from 'vitest';
import { objectOf } from '../../src/report/object-of.js';

const checked = ['bridges.br0', 'bridges.br0.nat', 'namespaces.pb', 'namespaces.pb2', 'ip_forward'];

describe('objectOf', () => {
  it('gives the checked object a mismatch path lies under', () => {
    expect(objectOf('bridges.br0.state', checked)).toBe('bridges.br0');
    expect(objectOf('namespaces.pb.veth', checked)).toBe('namespaces.pb');
    expect(objectOf('namespaces.pb2.default_route', checked)).toBe('namespaces.pb2');
  });

  it('an exact match belongs to that object', () => {
    expect(objectOf('ip_forward', checked)).toBe('ip_forward');
    expect(objectOf('bridges.br0', checked)).toBe('bridges.br0');
  });

  it('takes the longest prefix, whatever the order of checked', () => {
    expect(objectOf('bridges.br0.nat', checked)).toBe('bridges.br0.nat');
    expect(objectOf('bridges.br0.nat.rule', checked)).toBe('bridges.br0.nat');
    expect(objectOf('bridges.br0.nat', [...checked].reverse())).toBe('bridges.br0.nat');
  });

  it('matches whole dot segments only', () => {
    expect(objectOf('bridges.br01.state', checked)).toBeUndefined();
    expect(objectOf('bridges.br0nat', checked)).toBeUndefined();
    expect(objectOf('ip_forwarding', checked)).toBeUndefined();
    expect(objectOf('namespaces.pb2.mac', ['namespaces.pb'])).toBeUndefined();
  });

  it('is undefined when nothing is checked or nothing fits', () => {
    expect(objectOf('bridges.br0.state', [])).toBeUndefined();
    expect(objectOf('routes.x', checked)).toBeUndefined();
    expect(objectOf('', checked)).toBeUndefined();
    expect(objectOf('bridges.br0', [''])).toBeUndefined();
  });
});
