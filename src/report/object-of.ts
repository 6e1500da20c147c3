/**
 * The checked object a mismatch belongs to: the LONGEST checked path that is a dot-segment prefix of
 * the mismatch path (`bridges.br0.state` → `bridges.br0`; `bridges.br0.nat` → `bridges.br0.nat`, not
 * `bridges.br0`; `bridges.br01.state` → not `bridges.br0`). `undefined` when none is.
 */
export function objectOf(path: string, checked: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const c of checked) {
    if (c === '') continue;
    if (path !== c && !path.startsWith(`${c}.`)) continue;
    if (best === undefined || c.length > best.length) best = c;
  }
  return best;
}
