import { dirname } from 'node:path';
import type { z } from 'zod';
import type { FlatHost, VarLayer } from './flatten.js';
import { knownVarSchemas, type KnownVar } from './schema.js';
import type { Located } from './types.js';

type Parsed<K extends KnownVar> = ReturnType<(typeof knownVarSchemas)[K]['parse']>;

/** Each vars mapping's known variables, parsed once: checked by flatten, then read for every host of a group. */
const parsedVars = new WeakMap<Record<string, unknown>, Map<string, z.ZodSafeParseResult<unknown>>>();

/** `vars[key]` parsed with the variable's schema (once per mapping and key). */
export function parseVar(vars: Record<string, unknown>, key: KnownVar): z.ZodSafeParseResult<unknown> {
  let known = parsedVars.get(vars);
  if (!known) parsedVars.set(vars, (known = new Map()));
  let parsed = known.get(key);
  if (!parsed) known.set(key, (parsed = knownVarSchemas[key].safeParse(vars[key])));
  return parsed;
}

/** The value of `key` in `layer`, parsed; undefined when it is not valid (reported by flatten). */
function parsedIn<K extends KnownVar>(layer: VarLayer, key: K): { value: Parsed<K> } | undefined {
  const parsed = parseVar(layer.vars, key);
  return parsed.success ? { value: parsed.data as Parsed<K> } : undefined;
}

/**
 * The last layer's value of a known variable, parsed, with the file it came from and the folder
 * relative paths in it are taken from (the inventory folder, also for group_vars/host_vars files).
 */
export function lookup<K extends KnownVar>(host: FlatHost, key: K) {
  for (let i = host.layers.length - 1; i >= 0; i--) {
    const layer = host.layers[i]!;
    if (key in layer.vars) {
      const parsed = parsedIn(layer, key);
      if (!parsed) return undefined; // reported by flatten
      return { value: parsed.value, file: layer.src.file, dir: layer.src.baseDir ?? dirname(layer.src.file) };
    }
  }
  return undefined;
}

/**
 * The last layer's value of a known variable, parsed, and where it is written (for issues about
 * it). `loc` is found when read: finding it is a search through the file, too slow for every host
 * of a large inventory when only a few have issues.
 */
export function locatedVar<K extends KnownVar>(host: FlatHost, key: K): Located<Parsed<K>> | undefined {
  for (let i = host.layers.length - 1; i >= 0; i--) {
    const layer = host.layers[i]!;
    if (key in layer.vars) {
      const parsed = parsedIn(layer, key);
      if (!parsed) return undefined; // reported by flatten
      return {
        value: parsed.value,
        get loc() {
          return layer.src.locate([...layer.path, key]);
        },
      };
    }
  }
  return undefined;
}
