import { compareHostNames } from '../result/host-order.js';

/**
 * A list of host names, short: in host order, and each run of three or more names that differ
 * only in a number counting up by one (`vm1`, `vm2`, … `vm60`; `web-01.dc` … `web-12.dc`) as one
 * range `vm1–vm60`. The number is the name's last run of digits; a zero-padded one ranges only
 * with names of its own width, so `vm09`–`vm10` but never `vm9`, `vm09`.
 */

interface Numbered {
  name: string;
  /** the name around its number, and the number's width when zero-padded */
  key: string;
  n: number;
}

const NUMBERED = /^(.*?)(\d{1,15})(\D*)$/;

function numbered(name: string): Numbered | undefined {
  const m = NUMBERED.exec(name);
  if (!m) return undefined;
  const digits = m[2]!;
  const padded = digits.length > 1 && digits.startsWith('0');
  return { name, key: `${m[1]}\u0000${m[3]}\u0000${padded ? digits.length : ''}`, n: Number(digits) };
}

/** `b` comes right after `a`: same name around the number, the next number, and the same width when padded. */
function follows(a: Numbered | undefined, b: Numbered | undefined): boolean {
  if (!a || !b || b.n !== a.n + 1) return false;
  if (a.key === b.key) return true;
  // vm09 → vm10: the width stays, the padding goes
  const [pa, sa, wa] = a.key.split('\u0000');
  const [pb, sb, wb] = b.key.split('\u0000');
  return pa === pb && sa === sb && wa !== '' && wb === '' && String(b.n).length === Number(wa);
}

/** The names in host order, runs of three or more as `first–last`. */
export function hostRanges(names: readonly string[]): string[] {
  const sorted = [...names].sort(compareHostNames).map((name) => ({ name, num: numbered(name) }));
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && follows(sorted[j]!.num, sorted[j + 1]!.num)) j++;
    if (j - i >= 2) out.push(`${sorted[i]!.name}–${sorted[j]!.name}`);
    else for (const x of sorted.slice(i, j + 1)) out.push(x.name);
    i = j + 1;
  }
  return out;
}

/** Lines of at most `width` characters (one item may be longer), items joined by `, `. */
export function wrapList(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [k, item] of items.entries()) {
    const piece = k < items.length - 1 ? `${item},` : item;
    if (line && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(line);
  return lines;
}
