/** mulberry32, a small seeded generator: the same numbers on every run, so a generated case can be replayed. Each call: the next unsigned 32-bit integer. */
export function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Each call: the next integer in [0, n) from mulberry32(seed). */
export function randomBelow(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => next() % n;
}

/** Each call: the next number in [0, 1) from mulberry32(seed). */
export function randomUnit(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
