import { dirname } from 'node:path';
import type { z } from 'zod';
import type { FlatHost, VarLayer } from './flatten.js';
import { knownVarSchemas, type KnownVar } from './schema.js';
import { isDeferred } from './var-value.js';
import { toInventoryIssues } from './zod-issues.js';
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

/**
 * The value of `key` in `layer` for `host`, parsed; undefined when it is not valid (reported by
 * flatten, or, for a template or vault value, by the host's ValueReader when read).
 */
function parsedIn<K extends KnownVar>(host: FlatHost, layer: VarLayer, key: K): { value: Parsed<K> } | undefined {
  const raw = layer.vars[key];
  if (!isDeferred(raw)) {
    const parsed = parseVar(layer.vars, key);
    if (parsed.success) return { value: parsed.data as Parsed<K> };
    // cnet variables were reported by flatten; Ansible's connection variables are checked here, when used
    if (key.startsWith('ansible_')) host.values?.issues.push(...located(parsed.error, layer, key, `(host ${host.name})`));
    return undefined;
  }
  if (!host.values) throw new Error(`internal: host ${host.name} read without a ValueReader`);
  const read = host.values.read(host, layer, key);
  if (!read) return undefined;
  const parsed = knownVarSchemas[key].safeParse(read.value);
  if (parsed.success) return { value: parsed.data as Parsed<K> };
  host.values.issues.push(...located(parsed.error, layer, key, `(as rendered for host ${host.name})`));
  return undefined;
}

function located(error: z.ZodError, layer: VarLayer, key: string, suffix: string) {
  return toInventoryIssues(error, layer.src, [...layer.path, key], () => []).map((i) => ({ ...i, message: `${i.message} ${suffix}` }));
}

/**
 * The last layer's value of a known variable, parsed, with the file it came from and the folder
 * relative paths in it are taken from (the inventory folder, also for group_vars/host_vars files).
 */
export function lookup<K extends KnownVar>(host: FlatHost, key: K) {
  for (let i = host.layers.length - 1; i >= 0; i--) {
    const layer = host.layers[i]!;
    if (key in layer.vars) {
      const parsed = parsedIn(host, layer, key);
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
      const parsed = parsedIn(host, layer, key);
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
