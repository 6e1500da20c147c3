import { describe, expect, it } from 'vitest';
import { compareHostNames, inHostOrder } from '../../src/result/host-order.js';

describe('host order', () => {
  it('numbers in names compare as numbers (vm2 before vm10), the rest as text; ties by code unit', () => {
    const names = ['vm10', 'vm2', 'vm1', 'web-10.b', 'web-9.b', 'db', 'vm100', 'VM3', 'vm02'];
    expect([...names].sort(compareHostNames)).toEqual(['db', 'vm1', 'vm02', 'vm2', 'VM3', 'vm10', 'vm100', 'web-9.b', 'web-10.b']);
    expect(inHostOrder([{ name: 'b12' }, { name: 'b3' }]).map((h) => h.name)).toEqual(['b3', 'b12']);
  });

  it('is a total order: antisymmetric and stable for names that differ only in case or zeros', () => {
    for (const [a, b] of [
      ['vm2', 'vm02'],
      ['a', 'A'],
    ] as const) {
      expect(Math.sign(compareHostNames(a, b))).toBe(-Math.sign(compareHostNames(b, a)));
      expect(compareHostNames(a, b)).not.toBe(0);
    }
  });
});
