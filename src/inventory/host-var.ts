import { dirname } from 'node:path';
import type { FlatHost } from './flatten.js';
import { knownVarSchemas } from './schema.js';
import type { Located } from './types.js';

/**
 * The last layer's value of a known variable, parsed, with the file it came from and the folder
 * relative paths in it are taken from (the inventory folder, also for group_vars/host_vars files).
 */
export function lookup<K extends keyof typeof knownVarSchemas>(host: FlatHost, key: K) {
  for (let i = host.layers.length - 1; i >= 0; i--) {
    const layer = host.layers[i]!;
    if (key in layer.vars) {
      const parsed = knownVarSchemas[key].safeParse(layer.vars[key]);
      if (!parsed.success) return undefined; // reported by flatten
      return { value: parsed.data as ReturnType<(typeof knownVarSchemas)[K]['parse']>, file: layer.src.file, dir: layer.src.baseDir ?? dirname(layer.src.file) };
    }
  }
  return undefined;
}

/**
 * The last layer's value of a known variable, parsed, and where it is written (for issues about
 * it). `loc` is found when read: finding it is a search through the file, too slow for every host
 * of a large inventory when only a few have issues.
 */
export function locatedVar<K extends keyof typeof knownVarSchemas>(host: FlatHost, key: K): Located<ReturnType<(typeof knownVarSchemas)[K]['parse']>> | undefined {
  for (let i = host.layers.length - 1; i >= 0; i--) {
    const layer = host.layers[i]!;
    if (key in layer.vars) {
      const parsed = knownVarSchemas[key].safeParse(layer.vars[key]);
      if (!parsed.success) return undefined; // reported by flatten
      return {
        value: parsed.data as ReturnType<(typeof knownVarSchemas)[K]['parse']>,
        get loc() {
          return layer.src.locate([...layer.path, key]);
        },
      };
    }
  }
  return undefined;
}
