/** Host names in a stable, human order: `vm2` before `vm10` (numbers compared as numbers), ties by code unit. */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The hosts (or anything named) in that order, a new array. */
export function inHostOrder<T extends { name: string }>(hosts: readonly T[]): T[] {
  return [...hosts].sort((a, b) => compareHostNames(a.name, b.name));
}

/*
 * A list of host names, short: in host order, and each run of three or more names that differ
 * only in one number counting up by one (`vm1`, `vm2`, … `vm60`; `n1.dc2` … `n12.dc2`) as one
 * range `vm1–vm60`. A zero-padded number keeps its width (`vm08`–`vm10`, never `vm8`, `vm09`).
 */

/** The name cut into text and numbers: numbers at odd places (`n1.dc2` → `n`, `1`, `.dc`, `2`, ``). */
const parts = (name: string): string[] => name.split(/(\d+)/);

/** `b` is `a` with the number at place `k` one higher, the width kept where `a`'s is padded. */
function nextAt(a: string[], b: string[], k: number): boolean {
  const [x, y] = [a[k]!, b[k]!];
  if (x.length > 15 || y.length > 15 || Number(y) !== Number(x) + 1) return false;
  const padded = (d: string): boolean => d.length > 1 && d.startsWith('0');
  if ((padded(x) || padded(y)) && x.length !== y.length) return false;
  return a.every((p, i) => i === k || p === b[i]);
}

/** The place of the number in which `b` follows `a`, if it does. */
function follows(a: string[], b: string[]): number | undefined {
  if (a.length !== b.length) return undefined;
  for (let k = 1; k < a.length; k += 2) if (nextAt(a, b, k)) return k;
  return undefined;
}

/** The names in host order, runs of three or more as one item `first–last`, each with how many names it stands for. */
function runsOf(names: readonly string[]): { text: string; count: number }[] {
  const sorted = [...names].sort(compareHostNames);
  const cut = sorted.map(parts);
  const out: { text: string; count: number }[] = [];
  let i = 0;
  while (i < sorted.length) {
    const k = i + 1 < sorted.length ? follows(cut[i]!, cut[i + 1]!) : undefined;
    let j = i;
    // a run counts in one place throughout
    while (k !== undefined && j + 1 < sorted.length && cut[j + 1]!.length === cut[j]!.length && nextAt(cut[j]!, cut[j + 1]!, k)) j++;
    if (j - i >= 2) out.push({ text: `${sorted[i]}–${sorted[j]}`, count: j - i + 1 });
    else out.push(...sorted.slice(i, j + 1).map((text) => ({ text, count: 1 })));
    i = j + 1;
  }
  return out;
}

/** The names in host order, runs of three or more as `first–last`. */
export function hostRanges(names: readonly string[]): string[] {
  return runsOf(names).map((r) => r.text);
}

/** The same in one line, past `most` items the rest counted (`… 940 more`). */
export function nameRuns(names: readonly string[], most = 12): string {
  const runs = runsOf(names);
  if (runs.length <= most) return runs.map((r) => r.text).join(', ');
  const rest = runs.slice(most).reduce((n, r) => n + r.count, 0);
  return `${runs
    .slice(0, most)
    .map((r) => r.text)
    .join(', ')}, … ${rest} more`;
}
