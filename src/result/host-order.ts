/** Host names in a stable, human order: `vm2` before `vm10` (numbers compared as numbers), ties by code unit. */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The hosts (or anything named) in that order, a new array. */
export function inHostOrder<T extends { name: string }>(hosts: readonly T[]): T[] {
  return [...hosts].sort((a, b) => compareHostNames(a.name, b.name));
}

/**
 * Names as few words as say them: runs of one prefix with consecutive numbers become `vm3–vm9`
 * (in host order); past `most` words, the rest is counted (`… 940 more`).
 */
export function nameRuns(names: readonly string[], most = 12): string {
  const words: string[] = [];
  const sorted = [...names].sort(compareHostNames);
  for (let i = 0; i < sorted.length; ) {
    const m = /^(.*?)(\d+)$/.exec(sorted[i]!);
    let j = i + 1;
    if (m && !m[2]!.startsWith('0')) {
      const next = (k: number, n: number) => sorted[k] === `${m[1]}${n}`;
      while (j < sorted.length && next(j, Number(m[2]) + (j - i))) j++;
    }
    words.push(j - i >= 3 ? `${sorted[i]}–${sorted[j - 1]}` : sorted.slice(i, j).join(', '));
    i = j;
  }
  const flat = words.flatMap((w) => w.split(', '));
  return flat.length > most ? `${flat.slice(0, most).join(', ')}, … ${names.length - countIn(flat.slice(0, most))} more` : flat.join(', ');
}

/** how many names a list of words (names and `a–b` runs) stands for */
function countIn(words: readonly string[]): number {
  return words.reduce((n, w) => {
    const run = /^(.*?)(\d+)–\1(\d+)$/.exec(w);
    return n + (run ? Number(run[3]) - Number(run[2]) + 1 : 1);
  }, 0);
}
