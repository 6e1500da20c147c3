import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compareForShards, hostsOfShard, parseShard, shardSize } from '../../src/result/shard.js';

const named = (names: string[]) => names.map((name) => ({ name }));
const names = (hosts: { name: string }[]) => hosts.map((h) => h.name);

describe('--shard K/N', () => {
  it('reads K/N with 1 ≤ K ≤ N', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('100000/100000')).toEqual({ index: 100000, count: 100000 });
  });

  it.each(['0/4', '5/4', '1/0', '2', '2/', '/4', 'a/b', ' 1/4', '1/4 ', '-1/4', '1.5/4', '1/100001', '2/4/8'])('refuses %j with what to write', (text) => {
    expect(() => parseShard(text)).toThrow(UsageError);
    expect(() => parseShard(text)).toThrow(/--shard must be K\/N with 1 ≤ K ≤ N ≤ 100000, e\.g\. 2\/4, got/);
  });

  it("a 0 names Kubernetes' 0-based index and how to map it", () => {
    expect(() => parseShard('0/4')).toThrow('shard $((JOB_COMPLETION_INDEX + 1))');
    expect(() => parseShard('5/4')).not.toThrow(/JOB_COMPLETION_INDEX/);
  });
});

describe('the slices (AWX job slicing: by name, every N-th)', () => {
  it('takes every N-th host in natural name order from the K-th on, and keeps the inventory order', () => {
    const hosts = named(['vm10', 'vm3', 'vm1', 'vm7', 'vm2', 'vm9', 'vm4', 'vm8', 'vm5', 'vm6']);
    expect(names(hostsOfShard(hosts, { index: 1, count: 3 }))).toEqual(['vm10', 'vm1', 'vm7', 'vm4']);
    expect(names(hostsOfShard(hosts, { index: 2, count: 3 }))).toEqual(['vm2', 'vm8', 'vm5']);
    expect(names(hostsOfShard(hosts, { index: 3, count: 3 }))).toEqual(['vm3', 'vm9', 'vm6']);
  });

  it('more shards than hosts: the last ones are empty', () => {
    const hosts = named(['a', 'b']);
    expect(names(hostsOfShard(hosts, { index: 2, count: 3 }))).toEqual(['b']);
    expect(hostsOfShard(hosts, { index: 3, count: 3 })).toEqual([]);
    expect(shardSize(2, { index: 3, count: 3 })).toBe(0);
  });

  const fleet = fc.uniqueArray(fc.oneof(fc.stringMatching(/^[a-z]{1,3}\d{0,3}(\.[a-z]{1,2}\d{0,2})?$/), fc.string({ minLength: 1, maxLength: 6 })), {
    minLength: 0,
    maxLength: 60,
  });

  it('are disjoint, cover every host, differ in size by one at most, and shardSize counts them', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 1, max: 20 }), (list, count) => {
        const hosts = named(list);
        const slices = Array.from({ length: count }, (_, i) => names(hostsOfShard(hosts, { index: i + 1, count })));
        expect(slices.flat().sort()).toEqual([...list].sort());
        expect(new Set(slices.flat()).size).toBe(list.length);
        const sizes = slices.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(sizes).toEqual(sizes.map((_, i) => shardSize(list.length, { index: i + 1, count })));
        // each slice in the order the hosts were given
        for (const s of slices) expect(s).toEqual(list.filter((n) => s.includes(n)));
      }),
      { numRuns: 300 },
    );
  });

  it('a host keeps its slice whatever order the inventory lists the hosts in', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 1, max: 8 }), fc.integer(), (list, count, seed) => {
        const shuffled = [...list].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7) || (a < b ? 1 : -1));
        for (let index = 1; index <= count; index++) {
          expect(new Set(names(hostsOfShard(named(shuffled), { index, count })))).toEqual(new Set(names(hostsOfShard(named(list), { index, count }))));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the name order shards agree on', () => {
  it('is natural: numbers as numbers, the rest by code unit, never the locale', () => {
    const sorted = ['vm10', 'vm2', 'vm1', 'Vm3', 'vm02', 'node1.dc10', 'node1.dc2', 'é1', 'e1', 'vm', 'vm000', 'ä'].sort(compareForShards);
    expect(sorted).toEqual(['Vm3', 'e1', 'node1.dc2', 'node1.dc10', 'vm', 'vm000', 'vm1', 'vm02', 'vm2', 'vm10', 'ä', 'é1']);
  });

  it('is a total order: antisymmetric, transitive, 0 only for equal names', () => {
    const name = fc.stringMatching(/^[a-c0-2.]{0,6}$/);
    fc.assert(
      fc.property(name, name, name, (a, b, c) => {
        expect(Math.sign(compareForShards(a, b)) + Math.sign(compareForShards(b, a))).toBe(0);
        expect(compareForShards(a, b) === 0).toBe(a === b);
        if (compareForShards(a, b) < 0 && compareForShards(b, c) < 0) expect(compareForShards(a, c)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('compares numbers of any length exactly (no float rounding)', () => {
    expect(compareForShards('h12345678901234567890', 'h12345678901234567891')).toBeLessThan(0);
    expect(compareForShards('h99999999999999999999', 'h100000000000000000000')).toBeLessThan(0);
  });
});
