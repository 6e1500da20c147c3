import { describe, expect, it } from 'vitest';
import { findingPath, mismatch, objectPath, type FindingObject } from '../../src/result/finding.js';

describe('objectPath / findingPath: the dotted path, rendered from the structure', () => {
  it.each<[FindingObject, string, string]>([
    [{ kind: 'bridge', name: 'br0' }, '', 'bridges.br0'],
    [{ kind: 'bridge', name: 'br0' }, 'state', 'bridges.br0.state'],
    [{ kind: 'bridge', name: 'br0' }, 'addresses', 'bridges.br0.addresses'],
    [{ kind: 'nat', name: 'br0' }, '', 'bridges.br0.nat'],
    [{ kind: 'namespace', name: 'pb' }, 'host_if.master', 'namespaces.pb.host_if.master'],
    [{ kind: 'ip_forward', name: 'ip_forward' }, '', 'ip_forward'],
    [{ kind: 'vxlan', name: 'vxcnet0' }, '', 'fabric.vxlan'],
    [{ kind: 'vxlan', name: 'vxcnet0' }, 'mtu', 'fabric.vxlan.mtu'],
    [{ kind: 'route', name: '10.1.2.0/24', host: 'vm2' }, '', 'fabric.routes.vm2'],
    [{ kind: 'route', name: '10.1.0.0/16' }, '', 'fabric.route'],
    [{ kind: 'fdb', name: '10.239.0.12', host: 'vm3' }, '', 'fabric.fdb.vm3'],
    [{ kind: 'fdb', name: '10.1.0.99' }, '', 'fabric.fdb.10.1.0.99'],
    [{ kind: 'leftover-netns', name: 'old' }, '', 'leftover.netns.old'],
    [{ kind: 'leftover-link', name: 'veth-old' }, '', 'leftover.link.veth-old'],
    [{ kind: 'leftover-nat', name: '172.18.0.0/16' }, '', 'leftover.nat.172.18.0.0/16'],
    [{ kind: 'leftover-route', name: '10.1.3.0/24' }, '', 'leftover.route.10.1.3.0/24'],
    [{ kind: 'leftover-ip_forward', name: 'ip_forward' }, '', 'leftover.ip_forward'],
    [{ kind: 'owned', name: 'ip link del dev br0' }, '', 'owned'],
  ])('%j + %j → %s', (object, part, path) => {
    expect(findingPath(object, part)).toBe(path);
    if (part === '') expect(objectPath(object)).toBe(path);
  });

  it('names with dots stay apart: the structure says which object, the path is only for people', () => {
    const dotted = mismatch({ kind: 'bridge', name: 'a.nat' }, '', 'bridge', 'absent');
    const nat = mismatch({ kind: 'nat', name: 'a' }, '', 'MASQUERADE 10.1.0.0/24 ! -o a', 'absent');
    expect(dotted.path).toBe(nat.path);
    expect(dotted.object).not.toEqual(nat.object);
  });

  it('mismatch(): path first, then desired and actual (as --json always printed them), then the structure', () => {
    const m = mismatch({ kind: 'namespace', name: 'pb' }, 'mac', '02:42:ac:13:00:03', '02:42:ac:13:00:63');
    expect(JSON.stringify(m)).toBe(
      '{"path":"namespaces.pb.mac","desired":"02:42:ac:13:00:03","actual":"02:42:ac:13:00:63","object":{"kind":"namespace","name":"pb"},"part":"mac"}',
    );
  });
});
