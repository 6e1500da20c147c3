/**
 * The files an ssh_config `Include` pattern names, as glob(3) finds them: `*`, `?` and `[…]`
 * (`[!…]` negated) in any path component, a wildcard never matching `/` nor a leading `.`
 * (unless the pattern component starts with `.`), results sorted by path. A path without
 * wildcards is returned only if it exists.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathExists } from '../../files/path-probe.js';

const MAGIC = /[*?[]/;

function componentRegExp(component: string): RegExp {
  let re = '';
  for (let i = 0; i < component.length; i++) {
    const c = component[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = component.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (x) => `\\${x}`)}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, (x) => `\\${x}`);
  }
  return new RegExp(`^${re}$`, 's');
}

/** Expand an absolute glob pattern to the existing paths it matches, sorted. */
export function expandIncludeGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const components = pattern.split('/').filter((c) => c !== '');
  let paths = [absolute ? '/' : '.'];
  for (const component of components) {
    if (!MAGIC.test(component)) {
      paths = paths.map((p) => join(p, component));
      continue;
    }
    const re = componentRegExp(component);
    const next: string[] = [];
    for (const dir of paths) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !component.startsWith('.')) continue;
        if (re.test(name)) next.push(join(dir, name));
      }
    }
    paths = next;
  }
  return paths.filter(pathExists).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
