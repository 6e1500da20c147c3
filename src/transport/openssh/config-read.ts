/**
 * Reading the user's OpenSSH client configuration as `ssh HOST` does (OpenSSH 9.2 readconf.c):
 * `loadSshConfig()` reads `~/.ssh/config` (or `-F FILE`), following `Include` (globs, relative
 * paths from ~/.ssh, `~`), into an ordered list of entries; lines are split into words as
 * readconf.c does (config-words.ts); Match lines are parsed as match_cfg_line() reads them.
 * The system file /etc/ssh/ssh_config is read only when asked (`systemConfig`). File
 * permissions are not checked. Applying it to a host is config-resolve.ts.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { errorMessage } from '../../errors.js';
import { INPUT_KINDS, InputFileError, readInputText } from '../../files/read-input-file.js';
import { argvSplit, splitConfigLine, strdelim, valueAsWritten } from './config-words.js';
import {
  SshConfigError,
  type LoadSshConfigOptions,
  type SshConfigEntry,
  type SshConfigFile,
  type SshConfigPosition,
  type SshConfigSource,
  type SshMatchCriterion,
} from './config-types.js';
import { expandIncludeGlob } from './include-glob.js';
import { localUserInfo } from './local-user.js';
import { lowercaseAscii, parseCidrList } from './pattern.js';
import { expandTilde } from './tokens.js';

/** OpenSSH's READCONF_MAX_DEPTH */
const MAX_INCLUDE_DEPTH = 16;

function problemOf(e: unknown): string {
  return e instanceof InputFileError ? e.problem : errorMessage(e);
}

interface ParseContext {
  homeDir: string;
  /** a user config (relative Includes from ~/.ssh) or the system one (from /etc/ssh) */
  userConfig: boolean;
  depth: number;
  files: string[];
}

/** The Match criteria OpenSSH 9.2 knows, with an argument (besides all, canonical, final). */
const MATCH_WITH_ARGUMENT = new Set(['host', 'originalhost', 'user', 'localuser', 'exec', 'localnetwork', 'tagged']);

/**
 * A Match line's criteria, read as OpenSSH 9.2 match_cfg_line() reads them: words split by
 * strdelim (`criterion=value` is two words), names compared without case, `!` negates, `#`
 * ends the line, `all` only alone or after one other criterion and last. Errors are the ones
 * ssh gives (it then refuses the whole configuration).
 */
function parseMatchCriteria(text: string, pos: SshConfigPosition): SshMatchCriterion[] {
  const fail = (message: string): never => {
    throw new SshConfigError(message, pos.file, pos.line);
  };
  const criteria: SshMatchCriterion[] = [];
  const cp = { rest: text as string | null };
  let attributes = 0;
  for (let word = strdelim(cp); word !== null && word !== ''; word = strdelim(cp)) {
    if (word.startsWith('#')) break;
    const negated = word.startsWith('!');
    const written = negated ? word.slice(1) : word;
    const name = written.toLowerCase();
    if (name === 'all') {
      const next = strdelim(cp);
      if (attributes > 1 || (next !== null && next !== '' && !next.startsWith('#'))) {
        fail(`'${word}' cannot be combined with other Match attributes`);
      }
      criteria.push({ name, negated });
      return criteria;
    }
    attributes++;
    if (name === 'canonical' || name === 'final') {
      criteria.push({ name, negated });
      continue;
    }
    const arg = strdelim(cp);
    if (arg === null || arg === '' || arg.startsWith('#')) fail(`Missing Match criteria for ${written}`);
    if (!MATCH_WITH_ARGUMENT.has(name)) fail(`Unsupported Match attribute ${written}`);
    if (name === 'localnetwork') {
      const networks = parseCidrList(arg as string);
      if (typeof networks === 'string') fail(`Match localnetwork: ${networks}`);
    }
    criteria.push({ name, negated, arg: arg as string });
  }
  if (attributes === 0) fail('One or more attributes required for Match');
  return criteria;
}

/** One line: an entry, or nothing for a blank or comment line. No `ctx`: a command-line `-o` line (no Include). */
export function parseLine(text: string, file: string, line: number, ctx: ParseContext | undefined): SshConfigEntry | undefined {
  const cut = splitConfigLine(text);
  if (!cut) return undefined;
  const pos = { file, line };
  const { keyword: keywordText, rest } = cut;
  if (rest === '' || rest.startsWith('#')) throw new SshConfigError(`no argument after keyword "${keywordText}"`, file, line);
  const words = argvSplit(rest);
  if (words === null) throw new SshConfigError('invalid quotes', file, line);
  const keyword = lowercaseAscii(keywordText);
  switch (keyword) {
    case 'match':
      // OpenSSH 9.2 match_cfg_line() reads the text after the keyword with strdelim, not the words
      return { kind: 'match', criteria: parseMatchCriteria(rest, pos), ...pos };
    case 'host':
      return { kind: 'host', patterns: words, ...pos };
    case 'include':
      if (!ctx) throw new SshConfigError('Include is not allowed here', file, line);
      return { kind: 'include', patterns: words, sources: loadIncludes(words, pos, ctx), ...pos };
    default:
      return { kind: 'option', keyword, args: words, rest: valueAsWritten(rest), ...pos };
  }
}

function parseSource(text: string, path: string, ctx: ParseContext): SshConfigSource {
  const entries: SshConfigEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const entry = parseLine((lines[i] as string).replace(/\r$/, ''), path, i + 1, ctx);
    if (entry) entries.push(entry);
  }
  return { path, entries };
}

function loadIncludes(patterns: string[], pos: SshConfigPosition, ctx: ParseContext): SshConfigSource[] {
  if (ctx.depth + 1 > MAX_INCLUDE_DEPTH) throw new SshConfigError('too many recursive configuration includes', pos.file, pos.line);
  const sources: SshConfigSource[] = [];
  for (const pattern of patterns) {
    let path: string;
    if (pattern.startsWith('~')) {
      if (!ctx.userConfig) throw new SshConfigError(`"~" is only allowed in user configuration files: ${pattern}`, pos.file, pos.line);
      try {
        path = expandTilde(pattern, ctx.homeDir);
      } catch (e) {
        throw new SshConfigError(errorMessage(e), pos.file, pos.line);
      }
    } else if (isAbsolute(pattern)) path = pattern;
    else path = join(ctx.userConfig ? join(ctx.homeDir, '.ssh') : '/etc/ssh', pattern);
    // a pattern that matches nothing is skipped silently, as ssh does
    for (const file of expandIncludeGlob(path)) {
      let text: string;
      try {
        text = readInputText(file, INPUT_KINDS.sshConfig);
      } catch (e) {
        if ((e as InputFileError).code === 'ENOENT') continue;
        throw new SshConfigError(`cannot read included file ${file}: ${problemOf(e)}`, pos.file, pos.line);
      }
      ctx.files.push(file);
      sources.push(parseSource(text, file, { ...ctx, depth: ctx.depth + 1 }));
    }
  }
  return sources;
}

/**
 * Parse config text (Includes are read from disk). `file` names it in messages; relative
 * Includes are taken from `homeDir`/.ssh as for any user config.
 */
export function parseSshConfig(text: string, opts: { file?: string; homeDir?: string } = {}): SshConfigFile {
  const homeDir = opts.homeDir ?? localUserInfo().homedir;
  const path = opts.file ?? '<ssh config>';
  const files = [path];
  const source = parseSource(text, path, { homeDir, userConfig: true, depth: 0, files });
  return { path, found: true, sources: [source], files, homeDir };
}

/**
 * Read the ssh config: `file` as `ssh -F FILE` would (missing → SshConfigError; `none` → an
 * empty config, as `-F none`), or by default ~/.ssh/config (missing → an empty config).
 */
export function loadSshConfig(file?: string, opts: LoadSshConfigOptions = {}): SshConfigFile {
  const homeDir = opts.homeDir ?? localUserInfo().homedir;
  if (file === 'none') return { path: 'none', found: false, sources: [], files: [], homeDir };
  const explicit = file !== undefined;
  const path = explicit ? resolve(file.startsWith('~') ? expandTilde(file, homeDir) : file) : join(homeDir, '.ssh', 'config');
  const files: string[] = [];
  const sources: SshConfigSource[] = [];
  let found = true;
  let text: string | undefined;
  try {
    text = readInputText(path, INPUT_KINDS.sshConfig);
  } catch (e) {
    const code = (e as InputFileError).code;
    if (code === 'ENOENT' && !explicit) found = false;
    else if (code === 'ENOENT') throw new SshConfigError(`ssh config file ${path} does not exist (given with -F)`);
    else throw new SshConfigError(`cannot read ssh config file ${path}: ${problemOf(e)}`);
  }
  if (text !== undefined) {
    files.push(path);
    sources.push(parseSource(text, path, { homeDir, userConfig: true, depth: 0, files }));
  }
  if (!explicit && opts.systemConfig) {
    const systemPath = typeof opts.systemConfig === 'string' ? opts.systemConfig : '/etc/ssh/ssh_config';
    let systemText: string | undefined;
    try {
      systemText = readInputText(systemPath, INPUT_KINDS.sshConfig);
    } catch (e) {
      if ((e as InputFileError).code !== 'ENOENT') {
        throw new SshConfigError(`cannot read ssh config file ${systemPath}: ${problemOf(e)}`);
      }
    }
    if (systemText !== undefined) {
      files.push(systemPath);
      sources.push(parseSource(systemText, systemPath, { homeDir, userConfig: false, depth: 0, files }));
    }
  }
  return { path, found, sources, files, homeDir };
}
