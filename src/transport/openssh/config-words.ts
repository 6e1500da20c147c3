/**
 * How OpenSSH splits an ssh_config line into words (misc.c strdelim() and argv_split(), as
 * readconf.c process_config_line_depth() uses them in OpenSSH 9.2): one tokenizer for the keyword,
 * the arguments of every option and the criteria of `Match`.
 */

/** readconf.c's WHITESPACE */
const WHITESPACE = ' \t\r\n';

function skipWhitespace(s: string, i: number): number {
  while (i < s.length && WHITESPACE.includes(s[i] as string)) i++;
  return i;
}

/**
 * misc.c strdelim(): the next word of `cp.rest`, split at whitespace, a double quote or one
 * `=` (so `host=x` is `host`, `x`); a `"…"` word loses its quotes. Null at the end of the text,
 * and for an unterminated quote (which then ends the text). A word ends at the first quote.
 * `cp.rest` becomes what follows, or null at the end.
 */
export function strdelim(cp: { rest: string | null }): string | null {
  const s = cp.rest;
  if (s === null) return null;
  let i = 0;
  while (i < s.length && !`${WHITESPACE}"=`.includes(s[i] as string)) i++;
  if (i === s.length) {
    cp.rest = null;
    return s;
  }
  if (s[i] === '"') {
    const t = s.slice(0, i) + s.slice(i + 1);
    const close = t.indexOf('"', i);
    if (close < 0) {
      cp.rest = null;
      return null;
    }
    cp.rest = t.slice(skipWhitespace(t, close + 1));
    return t.slice(0, close);
  }
  const word = s.slice(0, i);
  const equals = s[i] === '=';
  let k = skipWhitespace(s, i + 1);
  if (!equals && s[k] === '=') k = skipWhitespace(s, k + 1);
  cp.rest = s.slice(k);
  return word;
}

/**
 * misc.c argv_split(s, terminate_on_comment = 1): words split at blanks (space, tab) outside
 * quotes; `"…"` and `'…'` quote (the quotes are removed, quotes of both kinds may join within a
 * word); a backslash escapes a quote, a backslash, or (outside quotes) a space, and stands for
 * itself before anything else; a `#` at the start of a word ends the line. Null when a quote is
 * not closed (ssh then refuses the line with "invalid quotes").
 */
export function argvSplit(s: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ' ' || s[i] === '\t') {
      i++;
      continue;
    }
    if (s[i] === '#') break;
    let quote = '';
    let word = '';
    for (; i < s.length; i++) {
      const c = s[i] as string;
      if (c === '\\') {
        const next = s[i + 1];
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          i++;
          word += next;
        } else word += c;
      } else if (quote === '' && (c === ' ' || c === '\t')) break;
      else if (quote === '' && (c === '"' || c === "'")) quote = c;
      else if (quote !== '' && c === quote) quote = '';
      else word += c;
    }
    words.push(word);
    if (i >= s.length && quote !== '') return null;
  }
  return words;
}

/** An ssh_config line cut as process_config_line_depth() cuts it. */
export interface SshConfigLineWords {
  /** the keyword as written (not lowercased) */
  keyword: string;
  /** what follows the keyword and its separator (blanks, or one `=` with blanks around it) */
  rest: string;
}

/**
 * The keyword of a line and the text after it: trailing whitespace (and form feeds) removed,
 * the keyword taken by strdelim() (`Keyword value`, `Keyword=value`, `Keyword = value`), blanks
 * after it skipped. Undefined for a blank line or a comment.
 */
export function splitConfigLine(line: string): SshConfigLineWords | undefined {
  const text = line.replace(/[ \t\r\n\f]+$/, '');
  const cp = { rest: text as string | null };
  let keyword = strdelim(cp);
  if (keyword === '') keyword = strdelim(cp);
  if (keyword === null || keyword === '' || keyword.startsWith('#')) return undefined;
  const rest = cp.rest === null ? '' : cp.rest.slice(skipWhitespace(cp.rest, 0));
  return { keyword, rest };
}

/** readconf.c for ProxyCommand and ProxyJump: the rest of the line after any blanks and `=`. */
export function valueAsWritten(rest: string): string {
  return rest.replace(/^[ \t\r\n=]+/, '');
}
