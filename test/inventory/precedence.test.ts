import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultHostIf } from '../../src/inventory/resolve-network.js';
import { expectIssue, host, issues, resolve } from './helpers.js';

describe('Ansible precedence: all < parent group < child group < host', () => {
  const text = `all:
  vars: { ansible_user: from-all, ansible_port: 1001 }
  hosts:
    h-all.example.com:
  children:
    parent:
      vars: { ansible_user: from-parent, ansible_port: 1002 }
      hosts:
        h-parent.example.com:
      children:
        child:
          vars: { ansible_user: from-child }
          hosts:
            h-child.example.com:
            h-host.example.com: { ansible_user: from-host }
`;
  const inv = resolve(text);

  it.each([
    ['h-all.example.com', 'from-all', 1001],
    ['h-parent.example.com', 'from-parent', 1002],
    ['h-child.example.com', 'from-child', 1002],
    ['h-host.example.com', 'from-host', 1002],
  ])('%s: user %s, port %d', (name, user, port) => {
    expect(host(inv, name).connection).toMatchObject({ user, port });
  });

  it('hosts belong to every ancestor group', () => {
    expect(host(inv, 'h-host.example.com').groups).toEqual(['child', 'parent']);
    expect(host(inv, 'h-parent.example.com').groups).toEqual(['parent']);
    expect(inv.groups.get('parent')).toEqual(new Set(['h-child.example.com', 'h-host.example.com', 'h-parent.example.com']));
    expect(inv.groups.get('all')!.size).toBe(4);
  });

  it('depth decides, not the order groups are written in', () => {
    const inv2 = resolve(`child:
  vars: { ansible_user: from-child }
  hosts:
    h.example.com:
parent:
  vars: { ansible_user: from-parent }
  children:
    child:
all:
  vars: { ansible_user: from-all }
`);
    expect(host(inv2, 'h.example.com').connection.user).toBe('from-child');
  });

  it('a group is as deep as its longest path from all', () => {
    // "deep" is reached by all > a > b > deep and by all > deep: depth 3 beats "mid" at depth 2,
    // though "mid" sorts later
    const inv2 = resolve(`a:
  children:
    b:
      children:
        deep:
          vars: { ansible_user: from-deep }
    mid:
      vars: { ansible_user: from-mid }
deep:
  hosts:
    h.example.com:
mid:
  hosts:
    h.example.com:
`);
    expect(host(inv2, 'h.example.com').connection.user).toBe('from-deep');
  });

  it('groups at the same depth apply in name order, the later name winning', () => {
    const inv2 = resolve(`beta:
  vars: { ansible_user: from-beta }
  hosts:
    h.example.com:
alpha:
  vars: { ansible_user: from-alpha, ansible_port: 2201 }
  hosts:
    h.example.com:
`);
    expect(host(inv2, 'h.example.com').connection).toMatchObject({ user: 'from-beta', port: 2201 });
  });
});

describe('several files merge in order', () => {
  const first = `all:
  vars: { ansible_user: all-1, ansible_port: 2201, cnet_host_key_checking: strict }
  children:
    lab:
      vars: { ansible_user: lab-1 }
      hosts:
        h.example.com:
        g.example.com: { ansible_user: host-1 }
`;
  const second = `all:
  vars: { ansible_user: all-2, ansible_port: 2202 }
  children:
    lab:
      vars: { cnet_host_key_checking: "off" }
      hosts:
        g.example.com: { ansible_user: host-2 }
        k.example.com:
`;

  it('a later file overrides the same layer; a more specific layer still wins', () => {
    const inv = resolve(first, second);
    expect(inv.files).toEqual(['inv1.yaml', 'inv2.yaml']);
    // all of file 2 overrides all of file 1, but lab (file 1) beats all (file 2)
    expect(host(inv, 'h.example.com').connection).toMatchObject({ user: 'lab-1', port: 2202, hostKeyChecking: 'off' });
    expect(host(inv, 'g.example.com').connection.user).toBe('host-2');
    expect(host(inv, 'k.example.com').connection).toMatchObject({ user: 'lab-1', port: 2202 });
    expect(inv.groups.get('lab')).toEqual(new Set(['g.example.com', 'h.example.com', 'k.example.com']));
  });

  it('in the other order, the other file wins', () => {
    const inv = resolve(second, first);
    // lab of the first file given (off) still beats all of the second (strict)
    expect(host(inv, 'h.example.com').connection).toMatchObject({ user: 'lab-1', port: 2201, hostKeyChecking: 'off' });
    expect(host(inv, 'g.example.com').connection.user).toBe('host-1');
  });

  it('cnet objects merge by name across files', () => {
    const inv = resolve(
      `all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
        web: { bridge: br0, host_if: vweb }
`,
      `all:
  vars:
    cnet:
      bridges:
        br0: { nat: false }
      namespaces:
        web: { address: 10.0.0.9 }
`,
    );
    expect(host(inv, 'h.example.com').network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: { network: 0x0a000000, prefix: 24 }, address: '10.0.0.1', nat: false }] }],
      namespaces: [{ name: 'web', bridge: 'br0', addresses: ['10.0.0.9'], hostIf: 'vweb', nsIf: 'eth0' }],
    });
  });
});

describe('cnet: objects merge by name, field by field, host wins', () => {
  const inv = resolve(`all:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24, nat: false }
      namespaces:
        web: { bridge: br0, ns_if: eth1 }
  children:
    lab:
      vars:
        cnet:
          bridges:
            br0: { address: 10.0.0.254 }
      hosts:
        h1.example.com:
          cnet:
            namespaces:
              web: { address: 10.0.0.50 }
              db: { bridge: br0 }
        h2.example.com:
`);

  it('the host overrides one field and adds a namespace', () => {
    expect(host(inv, 'h1.example.com').network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: { network: 0x0a000000, prefix: 24 }, address: '10.0.0.254', nat: false }] }],
      namespaces: [
        { name: 'db', bridge: 'br0', addresses: ['10.0.0.1'], hostIf: 've-db', nsIf: 'eth0' },
        { name: 'web', bridge: 'br0', addresses: ['10.0.0.50'], hostIf: 've-web', nsIf: 'eth1' },
      ],
    });
  });

  it("another host of the group keeps the group's values", () => {
    expect(host(inv, 'h2.example.com').network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: { network: 0x0a000000, prefix: 24 }, address: '10.0.0.254', nat: false }] }],
      namespaces: [{ name: 'web', bridge: 'br0', addresses: ['10.0.0.1'], hostIf: 've-web', nsIf: 'eth1' }],
    });
  });

  it("a host moving a namespace to another bridge keeps the group's address, which is then refused there", () => {
    const all = issues(`all:
  hosts:
    h.example.com:
      cnet:
        bridges:
          br1: { subnet: 10.1.0.0/24 }
        namespaces:
          web: { bridge: br1 }
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
        web: { bridge: br0, address: 10.0.0.9 }
`);
    expect(all).toHaveLength(1);
    expectIssue(all[0], 14, 29, 'all.vars.cnet.namespaces.web.address', 'address 10.0.0.9 is outside subnet 10.1.0.0/24 of bridge "br1"');
  });
});

describe('defaults and address allocation', () => {
  it('gateway is the first host address, NAT on, ns_if eth0', () => {
    const inv = resolve(`all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 192.168.10.0/24 }
      namespaces:
        web: { bridge: br0 }
`);
    expect(host(inv, 'h.example.com').network).toEqual({
      bridges: [{ name: 'br0', nets: [{ subnet: { network: 0xc0a80a00, prefix: 24 }, address: '192.168.10.1', nat: true }] }],
      namespaces: [{ name: 'web', bridge: 'br0', addresses: ['192.168.10.2'], hostIf: 've-web', nsIf: 'eth0' }],
    });
  });

  it('next free address, in name order, skipping the gateway and explicit addresses', () => {
    const inv = resolve(`all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
        br1: { subnet: 10.1.0.0/24, address: 10.1.0.2 }
      namespaces:
        d: { bridge: br0 }
        c: { bridge: br0, address: 10.0.0.3 }
        b: { bridge: br0 }
        a: { bridge: br0 }
        e: { bridge: br0, address: 10.0.0.2 }
        x: { bridge: br1 }
        y: { bridge: br1 }
`);
    expect(host(inv, 'h.example.com').network.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['a', ['10.0.0.4']],
      ['b', ['10.0.0.5']],
      ['c', ['10.0.0.3']],
      ['d', ['10.0.0.6']],
      ['e', ['10.0.0.2']],
      ['x', ['10.1.0.1']],
      ['y', ['10.1.0.3']],
    ]);
  });

  it('an explicit address sorting after an allocated one is still skipped', () => {
    // "a" is allocated after "z" has taken 10.0.0.2 explicitly
    const inv = resolve(`all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
        a: { bridge: br0 }
        z: { bridge: br0, address: 10.0.0.2 }
`);
    expect(host(inv, 'h.example.com').network.namespaces.map((n) => n.addresses)).toEqual([['10.0.0.3'], ['10.0.0.2']]);
  });

  it('an empty or null cnet part is allowed', () => {
    const inv = resolve(`all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
      namespaces: {}
`);
    expect(host(inv, 'h.example.com').network).toEqual({ bridges: [], namespaces: [] });
  });
});

describe('default host_if', () => {
  it('ve-<namespace> when it fits', () => {
    expect(defaultHostIf('web')).toBe('ve-web');
    expect(defaultHostIf('a23456789012')).toBe('ve-a23456789012'); // exactly 15 bytes
  });

  it('a hashed form for long names, at most 15 bytes', () => {
    const name = 'a234567890123';
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 5);
    expect(defaultHostIf(name)).toBe(`ve-a23456-${hash}`);
    for (const n of ['a234567890123', 'container-with-a-very-long-name', 'x'.repeat(64)]) {
      expect(Buffer.byteLength(defaultHostIf(n))).toBeLessThanOrEqual(15);
    }
  });

  it('long names sharing a prefix get distinct host_if names, used by resolve', () => {
    const inv = resolve(`all:
  hosts:
    h.example.com:
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.0.0.0/24 }
      namespaces:
        container-alpha: { bridge: br0 }
        container-beta: { bridge: br0 }
`);
    const [alpha, beta] = host(inv, 'h.example.com').network.namespaces;
    expect(alpha!.hostIf).toBe(defaultHostIf('container-alpha'));
    expect(beta!.hostIf).toBe(defaultHostIf('container-beta'));
    expect(alpha!.hostIf).toMatch(/^ve-contai-[0-9a-f]{5}$/);
    expect(beta!.hostIf).toMatch(/^ve-contai-[0-9a-f]{5}$/);
    expect(alpha!.hostIf).not.toBe(beta!.hostIf);
  });
});

describe('ungrouped', () => {
  const inv = resolve(`all:
  hosts:
    direct.example.com:
  children:
    lab:
      hosts:
        grouped.example.com:
ungrouped:
  vars: { ansible_user: from-ungrouped }
  hosts:
    listed.example.com:
`);

  it('holds the hosts of no group, and the hosts listed under it', () => {
    expect(inv.groups.get('ungrouped')).toEqual(new Set(['direct.example.com', 'listed.example.com']));
    expect(host(inv, 'direct.example.com').groups).toEqual(['ungrouped']);
    expect(host(inv, 'listed.example.com').groups).toEqual(['ungrouped']);
    expect(host(inv, 'grouped.example.com').groups).toEqual(['lab']);
  });

  it('its vars apply to its hosts', () => {
    expect(host(inv, 'listed.example.com').connection.user).toBe('from-ungrouped');
    expect(host(inv, 'direct.example.com').connection.user).toBe('from-ungrouped');
    expect(host(inv, 'grouped.example.com').connection.user).not.toBe('from-ungrouped');
  });

  it('exists even when never written', () => {
    const inv2 = resolve(`all:
  hosts:
    direct.example.com:
`);
    expect(inv2.groups.get('ungrouped')).toEqual(new Set(['direct.example.com']));
  });
});
