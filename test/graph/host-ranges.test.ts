import { describe, expect, it } from 'vitest';
import { hostRanges, wrapList } from '../../src/graph/host-ranges.js';

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

describe('wrapList', () => {
  it('joins with commas and breaks after one when a line would be too long', () => {
    expect(wrapList(['a', 'b', 'c'], 80)).toEqual(['a, b, c']);
    expect(wrapList(['aaaa', 'bbbb', 'cccc'], 11)).toEqual(['aaaa, bbbb,', 'cccc']);
    expect(wrapList(['aaaa', 'bbbb', 'cccc'], 10)).toEqual(['aaaa,', 'bbbb, cccc']);
    expect(wrapList(['a-very-long-item', 'b'], 5)).toEqual(['a-very-long-item,', 'b']);
    expect(wrapList([], 10)).toEqual([]);
  });
});
