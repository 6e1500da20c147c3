import { describe, expect, it } from 'vitest';
import { compareHostNames, inHostOrder, nameRuns } from '../../src/result/host-order.js';

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

describe('nameRuns', () => {
  it('runs of three or more consecutive numbers of one prefix become a–b; the rest are listed', () => {
    expect(nameRuns(['vm3', 'vm1', 'vm2', 'vm7', 'vm9', 'vm10', 'vm11', 'db'])).toBe('db, vm1–vm3, vm7, vm9–vm11');
    expect(nameRuns(['vm1', 'vm2', 'web1'])).toBe('vm1, vm2, web1');
    expect(nameRuns(['vm01', 'vm02', 'vm03'])).toBe('vm01, vm02, vm03');
    expect(nameRuns([])).toBe('');
  });

  it('past `most` words, counts the rest (each run counting all it stands for)', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `vm${i * 2 + 1}`);
    expect(nameRuns(many, 3)).toBe('vm1, vm3, vm5, … 997 more');
    expect(nameRuns([...Array.from({ length: 500 }, (_, i) => `vm${i + 1}`), 'a', 'b'], 2)).toBe('a, b, … 500 more');
    expect(nameRuns(['x', ...Array.from({ length: 500 }, (_, i) => `vm${i + 1}`), 'z1', 'z3'], 2)).toBe('vm1–vm500, x, … 2 more');
  });
});
