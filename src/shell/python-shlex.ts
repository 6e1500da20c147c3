/**
 * Python's `shlex.split(text, comments)` (Python 3.11: posix, whitespace_split), as Ansible's INI
 * plugin splits a host line (`shlex_split(line, comments=True)`). It is not a shell's rule: only
 * space, tab, CR and LF separate words; in double quotes a backslash escapes only `"` and `\`;
 * outside quotes it escapes any character, a newline included; a backslash or an open quote at
 * the end is an error; with `comments`, `#` where a word could start or inside an unquoted word
 * ends the word and skips to the end of the line.
 */

/** One word, and where it starts (its first character, or the quote that opens it). */
export interface ShlexWord {
  text: string;
  at: number;
}

/** Where Python raises ValueError ("No closing quotation", "No escaped character"): `at` is the quote or backslash. */
export class ShlexError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const SPACE = ' \t\r\n';

export function shlexSplit(text: string, opts: { comments?: boolean } = {}): ShlexWord[] {
  const comment = opts.comments ? '#' : '';
  const words: ShlexWord[] = [];
  // ' ': between words; 'a': in a word; a quote: inside it; '\\': after a backslash
  let state = ' ';
  let escaped = ' ';
  let word = '';
  let quoted = false;
  let start = 0;
  let quoteAt = 0;
  let slashAt = 0;
  const emit = () => {
    if (word || quoted) words.push({ text: word, at: start });
    word = '';
    quoted = false;
  };
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text[i]! : '';
    if (state === ' ' || state === 'a') {
      if (c === '') {
        if (state === 'a') emit();
        break;
      }
      if (SPACE.includes(c) || (comment && c === comment)) {
        if (c === comment) {
          // readline(): the rest of this line is the comment
          const nl = text.indexOf('\n', i);
          i = nl < 0 ? text.length : nl;
        }
        if (state === 'a') emit();
        state = ' ';
        continue;
      }
      if (state === ' ') start = i;
      if (c === '\\') [escaped, state, slashAt] = ['a', c, i];
      else if (c === '"' || c === "'") [state, quoteAt] = [c, i];
      else [word, state] = [word + c, 'a'];
    } else if (state === "'" || state === '"') {
      quoted = true;
      if (c === '') throw new ShlexError(quoteAt, 'the quote opened here is never closed: close it');
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') [escaped, state, slashAt] = [state, c, i];
      else word += c;
    } else {
      if (c === '') throw new ShlexError(slashAt, 'a backslash ends the line: remove it, or write \\\\ for a backslash');
      // in double quotes, a backslash escapes only a double quote or a backslash
      if (escaped === '"' && c !== '\\' && c !== '"') word += '\\';
      word += c;
      state = escaped;
    }
  }
  return words;
}
