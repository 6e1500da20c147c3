import { describe, expect, it } from 'vitest';
import { wrapList } from '../../src/graph/labels.js';

describe('wrapList', () => {
  it('joins with commas and breaks after one when a line would be too long', () => {
    expect(wrapList(['a', 'b', 'c'], 80)).toEqual(['a, b, c']);
    expect(wrapList(['aaaa', 'bbbb', 'cccc'], 11)).toEqual(['aaaa, bbbb,', 'cccc']);
    expect(wrapList(['aaaa', 'bbbb', 'cccc'], 10)).toEqual(['aaaa,', 'bbbb, cccc']);
    expect(wrapList(['a-very-long-item', 'b'], 5)).toEqual(['a-very-long-item,', 'b']);
    expect(wrapList([], 10)).toEqual([]);
  });
});
