import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/errors.js';
import { host, issues, resolve } from './helpers.js';

/** Groups g0 → g1 → … → g{n-1} (each the only child of the one before), written flat, 3 lines each; the last as `last` gives it. */
function chain(n: number, last: string): string {
  const out: string[] = [];
  for (let i = 0; i < n - 1; i++) out.push(`g${i}:\n  children:\n    g${i + 1}:\n`);
  return `${out.join('')}g${n - 1}:\n${last}`;
}

describe('long chains of groups (walked with a stack of their own: recursion overflowed the stack)', () => {
  it("a chain of 8000 groups loads; the groups' vars apply in depth order, the deepest last", () => {
    const text = chain(8000, '  hosts:\n    h1: { ansible_host: 10.0.0.1 }\n  vars: { ansible_user: deepest }\n');
    const inv = resolve(text.replace(/^g0:\n/, 'g0:\n  vars: { ansible_user: top, ansible_port: 2222 }\n'));
    const h1 = host(inv, 'h1');
    expect(h1.groups).toHaveLength(8000);
    expect(h1.connection).toMatchObject({ user: 'deepest', port: 2222 });
    expect(inv.groups.get('g0')).toEqual(new Set(['h1']));
    // ~15 s on a quiet machine: each group's hosts in Ansible's get_hosts() order is quadratic on a chain (a follow-up)
  }, 600_000);

  it('a cycle through 8000 groups is one positioned issue, at the edge that closes it', () => {
    const all = issues(chain(8000, '  children:\n    g0:\n'));
    expect(all).toHaveLength(1);
    // g7999 is written at line 23998, its child g0 two lines below
    expect(formatIssue(all[0]!)).toMatch(/^inv\.yaml:24000:5 g7999\.children\.g0: groups form a cycle: g0 → g1 → g2 → .* → g7999 → g0$/);
  });
});
