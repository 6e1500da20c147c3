import { afterEach, beforeEach, vi } from 'vitest';

/** Environment variables to set for a while: a string sets one, `undefined` unsets it. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

function setEnv(vars: EnvVars): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * `fn` run with `vars` set (undefined: unset); each of them is put back as it was when `fn` returns, throws, or (when it
 * returns a promise) settles. For a set-up that spans one call, also outside a test (beforeAll, a helper).
 */
export function withEnv<T>(vars: EnvVars, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const restore = () => setEnv(saved);
  setEnv(vars);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * For every test of the file (or describe) that calls it: `vars` set (undefined: unset) before each test, and after each
 * test the environment put back as it was, with what the test itself set through `vi.stubEnv`.
 */
export function useEnv(vars: EnvVars): void {
  beforeEach(() => {
    for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
}
