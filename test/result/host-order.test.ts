import { describe, expect, it } from 'vitest';
import { compareHostNames, hostRanges, inHostOrder, nameRuns } from '../../src/result/host-order.js';

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
    expect(nameRuns(['vm01', 'vm02', 'vm03'])).toBe('vm01–vm03');
    expect(nameRuns([])).toBe('');
  });

  it('past `most` words, counts the rest (each run counting all it stands for)', () => {
    const many = Array.from({ length: 1000 }, (_, i) => `vm${i * 2 + 1}`);
    expect(nameRuns(many, 3)).toBe('vm1, vm3, vm5, … 997 more');
    expect(nameRuns([...Array.from({ length: 500 }, (_, i) => `vm${i + 1}`), 'a', 'b'], 2)).toBe('a, b, … 500 more');
    expect(nameRuns(['x', ...Array.from({ length: 500 }, (_, i) => `vm${i + 1}`), 'z1', 'z3'], 2)).toBe('vm1–vm500, x, … 2 more');
  });
});

describe('hostRanges', () => {
  it('a run of counted names as one range, in host order whatever the given order', () => {
    const names = Array.from({ length: 60 }, (_, i) => `vm${i + 1}`).reverse();
    expect(hostRanges(names)).toEqual(['vm1–vm60']);
  });

  it('runs of three or more only; gaps split them', () => {
    expect(hostRanges(['vm1', 'vm2'])).toEqual(['vm1', 'vm2']);
    expect(hostRanges(['vm5', 'vm1', 'vm3', 'vm2', 'vm9', 'vm10', 'vm11'])).toEqual(['vm1–vm3', 'vm5', 'vm9–vm11']);
  });

  it('names without a number as they are, in host order among the others', () => {
    expect(hostRanges(['db', 'web2', 'alpha', 'web1', 'web3'])).toEqual(['alpha', 'db', 'web1–web3']);
  });

  it('one number counts, whichever; everything else must be the same', () => {
    expect(hostRanges(['n1.dc2', 'n2.dc2', 'n3.dc2'])).toEqual(['n1.dc2–n3.dc2']);
    expect(hostRanges(['n1.dc1', 'n1.dc2', 'n1.dc3', 'n2.dc3'])).toEqual(['n1.dc1–n1.dc3', 'n2.dc3']);
    expect(hostRanges(['r1n1', 'r1n2', 'r2n3'])).toEqual(['r1n1', 'r1n2', 'r2n3']);
    expect(hostRanges(['dc2-n1', 'dc2-n2', 'dc2-n3'])).toEqual(['dc2-n1–dc2-n3']);
    expect(hostRanges(['web1.lan', 'web2.lan', 'web3.wan'])).toEqual(['web1.lan', 'web2.lan', 'web3.wan']);
    expect(hostRanges(['a1', 'b2', 'c3'])).toEqual(['a1', 'b2', 'c3']);
  });

  it('zero-padded numbers range with names of their width', () => {
    expect(hostRanges(['vm08', 'vm09', 'vm10', 'vm11'])).toEqual(['vm08–vm11']);
    expect(hostRanges(['vm8', 'vm09', 'vm10'])).toEqual(['vm8', 'vm09', 'vm10']);
    expect(hostRanges(['vm001', 'vm002', 'vm003'])).toEqual(['vm001–vm003']);
    expect(hostRanges(['vm0', 'vm1', 'vm2'])).toEqual(['vm0–vm2']);
  });

  it('odd names are kept as they are', () => {
    expect(hostRanges(['we"b<1>', 'a|b', '1'])).toEqual(['1', 'a|b', 'we"b<1>']);
  });
});
