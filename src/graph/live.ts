import type { AddressFact } from '../facts/types.js';

/**
 * How an element of the picture compares with the host in live mode: `ok`, `drift` (there, but
 * different: down, wrong address, not attached, no default route, …) or `missing` (absent).
 */
export type LiveState = 'ok' | 'drift' | 'missing';

/** What live mode adds to an element: its state and, for drift, what differs (`state: DOWN`). */
export interface Live {
  state?: LiveState;
  notes: string[];
}

const RANK: Record<LiveState, number> = { ok: 0, drift: 1, missing: 2 };

/** Raises an element's state; a note is kept only with the mismatch or fact that raised or matches it. */
export function raise(el: Live, state: LiveState, note?: string): void {
  const current = el.state ?? 'ok';
  if (RANK[state] < RANK[current]) return;
  if (RANK[state] > RANK[current]) el.state = state;
  if (note !== undefined && !el.notes.includes(note)) el.notes.push(note);
}

/** Raises only when facts show more than the mismatches did (the facts' note is then new). */
export function raiseFromFacts(el: Live, state: LiveState, note: string): void {
  if (RANK[state] > RANK[el.state ?? 'ok']) raise(el, state, note);
}

/**
 * Raises an element whose interface lacks an address it should have (each `address/len`, as `ip`
 * prints it: IPv4's and IPv6's alike, compared as text), or has one whose duplicate address
 * detection failed (an IPv6 address the kernel will not use).
 */
export function addressDrift(el: Live, have: readonly AddressFact[], want: readonly string[]): void {
  for (const w of want) {
    const a = have.find((x) => `${x.local}/${x.prefixlen}` === w);
    if (!a) raiseFromFacts(el, 'drift', `address ${w}: absent`);
    else if (a.dadfailed) raiseFromFacts(el, 'drift', `address ${w}: dadfailed`);
  }
}
