import { describe, expect, it } from 'vitest';
import { groupNames } from '../../../src/inventory/ansible/group-names.js';
import { parseSource } from '../../../src/inventory/source.js';

const names = (yaml: string) => [...groupNames(parseSource('inv.yml', yaml).data)];

describe('groupNames', () => {
  it('names every group at the top and under any children:, in the order written', () => {
    expect(
      names('web:\n  hosts:\n    w1:\ndb:\nall:\n  children:\n    a:\n      children:\n        b:\n          hosts: {b1: }\n    c: {vars: {x: 1}}\n'),
    ).toEqual(['web', 'db', 'all', 'a', 'c', 'b']);
  });

  it('skips what Ansible skips: an entry that is no mapping; reads children written as one name', () => {
    expect(names('web: [w1, w2]\nlone: text\np:\n  children: kid\nq:\n  children: [x]\n')).toEqual(['p', 'q', 'kid']);
    expect([...groupNames(null)]).toEqual([]);
    expect([...groupNames(['web'])]).toEqual([]);
  });

  it('ends on data that holds itself (a YAML alias)', () => {
    const data: Record<string, unknown> = { top: { children: {} } };
    (data.top as { children: Record<string, unknown> }).children.again = data.top;
    expect([...groupNames(data)]).toEqual(['top', 'again']);
  });
});
