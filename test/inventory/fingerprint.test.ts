import { describe, expect, it } from 'vitest';
import { inventoryFingerprint } from '../../src/inventory/fingerprint.js';
import { selectHosts } from '../../src/inventory/limit.js';
import { inventoryFiles } from './inventory-files.js';

const { load } = inventoryFiles('cnet-fingerprint-');

const network = (subnet = '10.9.0.0/24') => [
  '  vars:',
  '    cnet:',
  `      bridges: {br0: {subnet: ${subnet}, address6: fd00:9::1, subnet6: 'fd00:9::/64'}}`,
  '      namespaces: {c1: {bridge: br0}}',
];
const inventory = (hosts: string[], lines = network()) => ['all:', '  hosts:', ...hosts.map((h) => `    ${h}`), ...lines, ''].join('\n');
const fingerprint = (text: string, limit?: string) => {
  const inv = load(text);
  return inventoryFingerprint(selectHosts(inv, limit).hosts);
};

describe('the inventory fingerprint shards share', () => {
  const base = inventory(['a: {ansible_host: 192.0.2.1}', 'b: {ansible_host: 192.0.2.2}']);

  it('is a sha256 of the hosts and their networks: the same inventory, the same text', () => {
    expect(fingerprint(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprint(base)).toBe(fingerprint(base));
    // hosts listed in another order want the same networks here (no fabric: nothing allocated in order)
    expect(fingerprint(inventory(['b: {ansible_host: 192.0.2.2}', 'a: {ansible_host: 192.0.2.1}']))).toBe(fingerprint(base));
  });

  it('changes with a network, a host, a probe target or --limit', () => {
    const other = [
      inventory(['a: {ansible_host: 192.0.2.1}', 'b: {ansible_host: 192.0.2.2}'], network('10.9.1.0/24')),
      inventory(['a: {ansible_host: 192.0.2.1}', 'b: {ansible_host: 192.0.2.2}', 'c: {}']),
      inventory(['a: {ansible_host: 192.0.2.1}', 'b: {ansible_host: 192.0.2.2, cnet_probe_target: 192.0.2.9}']),
    ];
    for (const text of other) expect(fingerprint(text)).not.toBe(fingerprint(base));
    expect(fingerprint(base, 'a')).not.toBe(fingerprint(base));
    expect(fingerprint(base, 'a:b')).toBe(fingerprint(base));
  });

  it('leaves connections out: another address, user or password, the same fingerprint', () => {
    const moved = inventory(['a: {ansible_host: 198.51.100.1, ansible_user: deploy, ansible_password: hunter2}', 'b: {ansible_host: 192.0.2.2}']);
    expect(fingerprint(moved)).toBe(fingerprint(base));
  });

  it('a fabric allocates subnets in inventory order: listed in another order, the networks and so the fingerprint differ', () => {
    const fabric = ['  vars:', '    cnet:', '      fabric: {mode: routed, supernet: 172.30.0.0/16}', '      namespaces: {c1: {bridge: cnet0}}'];
    const ab = inventory(['a: {ansible_host: 192.0.2.1}', 'b: {ansible_host: 192.0.2.2}'], fabric);
    const ba = inventory(['b: {ansible_host: 192.0.2.2}', 'a: {ansible_host: 192.0.2.1}'], fabric);
    expect(fingerprint(ab)).not.toBe(fingerprint(ba));
  });
});
