/**
 * ssh_config value expansion the way OpenSSH does it: `%` tokens (misc.c `percent_expand`),
 * `${VAR}` environment variables, `~` / `~user` at the start of paths, and time intervals
 * (`convtime`: `90`, `1m30s`, `2h`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Replace `%x` tokens from `values` (`%%` is always a literal `%`). Throws on a token that is
 * not in `values`, as ssh does (`percent_expand: unknown key %x`), and on a trailing `%`.
 */
export function expandPercentTokens(text: string, values: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const key = text[i + 1];
    if (key === undefined) throw new Error(`"${text}": a "%" at the end (write "%%" for a literal "%")`);
    if (key === '%') out += '%';
    else {
      const value = values[key];
      if (value === undefined) throw new Error(`"${text}": unknown token %${key}`);
      out += value;
    }
    i++;
  }
  return out;
}

/** Replace `${NAME}` with the environment variable; throws when it is not set (ssh ignores the setting). */
export function expandEnvVars(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`"${text}": environment variable \${${name}} is not set`);
    return value;
  });
}

/** The home directory of a local user from /etc/passwd; undefined when unknown. */
export function passwdHome(user: string, passwdFile = '/etc/passwd'): string | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 6) return fields[5];
  }
  return undefined;
}

/**
 * `~` and `~/x` → the home directory; `~user/x` → that user's home (misc.c `tilde_expand`).
 * Only a leading tilde is expanded. Throws for an unknown `~user`.
 */
export function expandTilde(path: string, home: string, lookupHome: (user: string) => string | undefined = passwdHome): string {
  if (!path.startsWith('~')) return path;
  const slash = path.indexOf('/');
  const user = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  let dir = home;
  if (user !== '') {
    const found = lookupHome(user);
    if (found === undefined) throw new Error(`"${path}": no such user "${user}"`);
    dir = found;
  }
  return rest === '' ? dir : join(dir, rest);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** OpenSSH `convtime`: `30`, `30s`, `5m`, `1h30m`, … → seconds; undefined when malformed. */
export function parseSshTime(text: string): number | undefined {
  if (!/^(\d+[smhdwSMHDW]?)+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwSMHDW]?)/g)) {
    total += Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}
