import { dirname } from 'node:path';
import type { FlatHost } from './flatten.js';
import { knownVarSchemas } from './schema.js';

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

