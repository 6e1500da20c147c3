import { userInfo } from 'node:os';

/**
 * The few pieces of Python that Ansible's config reading rests on, as Python 3.11 has them:
 * str.strip()/isspace(), posixpath's expandvars/expanduser/normpath/splitext, and Ansible's
 * unquote() and unfrackpath(follow=False). JavaScript's own versions differ at the edges (trim()
 * strips U+FEFF but not U+001C..U+001F or U+0085; path.normalize keeps a trailing slash and
 * folds a leading `//`), and a path that differs at an edge is another file.
 */

/** The characters Python's str.isspace() and the `\s` of a str pattern take for whitespace. */
export const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LEADING = new RegExp(`^[${PY_WS}]+`);
const TRAILING = new RegExp(`[${PY_WS}]+$`);
const SPACE = new RegExp(`[${PY_WS}]`);

export function pyIsSpace(ch: string | undefined): boolean {
  return ch !== undefined && ch.length > 0 && SPACE.test(ch);
}

export function pyStrip(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

export function pyRstrip(s: string): string {
  return s.replace(TRAILING, '');
}

/** ansible.parsing.quoting.unquote: the outer quotes of a string wholly in '…' or "…". */
export function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

/** posixpath.expandvars on bytes: `$name` and `${name}` from `env`; an unset one stays as written. */
export function expandVars(path: string, env: NodeJS.ProcessEnv): string {
  if (!path.includes('$')) return path;
  const re = /\$([A-Za-z0-9_]+|\{[^}]*\})/g;
  let out = '';
  let last = 0;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    let name = m[1]!;
    if (name.startsWith('{') && name.endsWith('}')) name = name.slice(1, -1);
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value === undefined) continue;
    out += path.slice(last, m.index) + value;
    last = m.index + m[0].length;
  }
  return out + path.slice(last);
}

/**
 * posixpath.expanduser: `~` and `~/…` are `home` (Python takes $HOME); `~name/…` is that user's
 * home, which Node can look up only for the user running us: another name stays as written
 * (Python looks it up in the password database) and `unexpanded` is told.
 */
export function expandUser(path: string, home: string, unexpanded?: (name: string) => void): string {
  if (!path.startsWith('~')) return path;
  let i = path.indexOf('/', 1);
  if (i < 0) i = path.length;
  let userhome: string;
  if (i === 1) {
    userhome = home;
  } else {
    const name = path.slice(1, i);
    const me = safeUserInfo();
    if (me === undefined || me.username !== name) {
      unexpanded?.(name);
      return path;
    }
    userhome = me.homedir;
  }
  userhome = userhome.replace(/\/+$/, '');
  return userhome + path.slice(i) || '/';
}

function safeUserInfo(): { username: string; homedir: string } | undefined {
  try {
    return userInfo();
  } catch {
    return undefined;
  }
}

/** posixpath.normpath: lexical, a trailing slash dropped, exactly two leading slashes kept. */
export function normPath(path: string): string {
  if (path === '') return '.';
  let initial = path.startsWith('/') ? 1 : 0;
  if (path.startsWith('//') && !path.startsWith('///')) initial = 2;
  const comps: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (initial === 0 && comps.length === 0) || (comps.length > 0 && comps[comps.length - 1] === '..')) comps.push(comp);
    else if (comps.length > 0) comps.pop();
  }
  return '/'.repeat(initial) + comps.join('/') || '.';
}

/** posixpath.join of two parts. */
export function joinPath(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  return a === '' || a.endsWith('/') ? a + b : `${a}/${b}`;
}

/** posixpath.dirname. */
export function dirName(p: string): string {
  const i = p.lastIndexOf('/') + 1;
  const head = p.slice(0, i);
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head;
}

/** posixpath.splitext's extension: from the last dot of the last part, leading dots not counted. */
export function extension(p: string): string {
  const sep = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > sep) {
    for (let i = sep + 1; i < dot; i++) if (p[i] !== '.') return p.slice(dot);
  }
  return '';
}

export interface PathContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
  /** told of a `~name` that could not be expanded */
  unexpanded?: (name: string) => void;
}

/**
 * ansible.utils.path.unfrackpath(path, follow=False, basedir): variables, then `~`, then
 * relative to `baseDir` (the current folder when not given), normalised; symbolic links are not
 * followed.
 */
export function unfrackPath(path: string, ctx: PathContext, baseDir?: string): string {
  const expanded = expandUser(expandVars(path, ctx.env), ctx.home, ctx.unexpanded);
  return normPath(expanded.startsWith('/') ? expanded : joinPath(baseDir ?? ctx.cwd, expanded));
}

/** ansible.config.manager.resolve_path: `{{CWD}}` is the current folder, then unfrackPath. */
export function resolvePath(path: string, ctx: PathContext, baseDir?: string): string {
  return unfrackPath(path.replaceAll('{{CWD}}', ctx.cwd), ctx, baseDir);
}

/** The second byte's range for each lead byte of a well-formed UTF-8 sequence (Unicode table 3-7). */
function secondRange(lead: number): [number, number, number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [0x80, 0xbf, 2];
  if (lead === 0xe0) return [0xa0, 0xbf, 3];
  if (lead === 0xed) return [0x80, 0x9f, 3];
  if (lead >= 0xe1 && lead <= 0xef) return [0x80, 0xbf, 3];
  if (lead === 0xf0) return [0x90, 0xbf, 4];
  if (lead === 0xf4) return [0x80, 0x8f, 4];
  if (lead >= 0xf1 && lead <= 0xf3) return [0x80, 0xbf, 4];
  return undefined;
}

/**
 * Python's bytes.decode('utf-8', 'surrogateescape') (Ansible's to_text(errors='surrogate_or_strict')):
 * each byte that is not part of a well-formed sequence becomes the lone surrogate U+DC00+byte,
 * so a file with a Latin-1 comment still reads. A byte-order mark is kept as U+FEFF.
 */
export function decodeUtf8Escaped(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // below: the slow way, byte by byte
  }
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const r = secondRange(b);
    let ok = r !== undefined && i + r[2] <= bytes.length && bytes[i + 1]! >= r[0] && bytes[i + 1]! <= r[1];
    for (let k = 2; ok && k < r![2]; k++) ok = bytes[i + k]! >= 0x80 && bytes[i + k]! <= 0xbf;
    if (!ok) {
      out += String.fromCharCode(0xdc00 + b);
      i++;
      continue;
    }
    const n = r![2];
    let cp = b & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
    for (let k = 1; k < n; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/** Whether a text decoded by decodeUtf8Escaped had bytes that are not UTF-8 (a lone U+DC80..U+DCFF). */
export function hasEscapedBytes(text: string): boolean {
  return /[\udc80-\udcff]/u.test(text);
}
