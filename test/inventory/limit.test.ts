import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { applyLimit } from '../../src/inventory/limit.js';
import { resolve } from './helpers.js';

const inv = resolve(`all:
  hosts:
    solo.example.com:
  children:
    web:
      hosts:
        w1.example.com:
        w2.example.com:
      children:
        edge:
          hosts:
            e1.example.com:
    db:
      hosts:
        d1.example.com:
        w1.example.com:
    empty: {}
`);

const names = (limit: string | undefined) => applyLimit(inv, limit).map((h) => h.name);

describe('applyLimit', () => {
  it('no limit: every host, in name order', () => {
    expect(names(undefined)).toEqual(['d1.example.com', 'e1.example.com', 'solo.example.com', 'w1.example.com', 'w2.example.com']);
    expect(applyLimit(inv, undefined)).toBe(inv.hosts);
  });

  it('one host', () => {
    expect(names('w2.example.com')).toEqual(['w2.example.com']);
  });

  it('a group includes the hosts of its child groups', () => {
    expect(names('web')).toEqual(['e1.example.com', 'w1.example.com', 'w2.example.com']);
    expect(names('edge')).toEqual(['e1.example.com']);
  });

  it('all and ungrouped', () => {
    expect(names('all')).toEqual(names(undefined));
    expect(names('ungrouped')).toEqual(['solo.example.com']);
  });

  it('a comma list is the union, without duplicates, in inventory order', () => {
    expect(names('solo.example.com,db')).toEqual(['d1.example.com', 'solo.example.com', 'w1.example.com']);
    expect(names('web,db')).toEqual(['d1.example.com', 'e1.example.com', 'w1.example.com', 'w2.example.com']);
  });

  it('a colon list, and blanks around names', () => {
    expect(names('db:edge')).toEqual(['d1.example.com', 'e1.example.com', 'w1.example.com']);
    expect(names(' edge , d1.example.com ')).toEqual(['d1.example.com', 'e1.example.com']);
  });

  it('a group without hosts limits to nothing', () => {
    expect(names('empty')).toEqual([]);
  });

  it('an unknown name is a usage error', () => {
    expect(() => applyLimit(inv, 'nope')).toThrow(UsageError);
    expect(() => applyLimit(inv, 'nope')).toThrow('--limit: "nope" is neither a host nor a group of the inventory');
  });

  it('an unknown name among known ones is still refused', () => {
    expect(() => applyLimit(inv, 'web,w3.example.com')).toThrow('"w3.example.com" is neither a host nor a group');
  });

  it('names are case-sensitive', () => {
    expect(() => applyLimit(inv, 'WEB')).toThrow(UsageError);
  });
});
