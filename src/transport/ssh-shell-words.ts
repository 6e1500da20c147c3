/** A quote that is never closed; `problem` says which and where, without the text (it may hold a secret). */
export class ShellWordsError extends Error {
  constructor(
    readonly problem: string,
    text: string,
  ) {
    super(`${problem} in: ${text}`);
  }
}

function unterminated(kind: 'single' | 'double', at: number, text: string): ShellWordsError {
  return new ShellWordsError(`unterminated ${kind} quote (the one at character ${at + 1})`, text);
}

/**
 * POSIX shell word splitting without expansion, as Python's `shlex.split` does it (how Ansible
 * splits `ansible_ssh_common_args`) and as `/bin/sh` splits a ProxyCommand:
 * single quotes are literal; in double quotes a backslash escapes only `\ " $ \`` and newline;
 * outside quotes a backslash escapes any character. Throws a ShellWordsError on an unterminated quote.
 */
export function splitShellWords(text: string, opts: { comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#' && !inWord && opts.comments) {
      break;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw unterminated('single', i, text);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const open = i;
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i] as string;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1] as string)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) throw unterminated('double', open, text);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < text.length) {
        if (text[i + 1] !== '\n') {
          word += text[i + 1];
          inWord = true;
        }
        i += 2;
      } else {
        // a trailing backslash stands for itself
        word += c;
        inWord = true;
        i++;
      }
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
