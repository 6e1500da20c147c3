/** Host names in a stable, human order: `vm2` before `vm10` (numbers compared as numbers), ties by code unit. */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The hosts (or anything named) in that order, a new array. */
export function inHostOrder<T extends { name: string }>(hosts: readonly T[]): T[] {
  return [...hosts].sort((a, b) => compareHostNames(a.name, b.name));
}
