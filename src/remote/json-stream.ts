/**
 * Control characters JSON wants escaped in strings: iproute2 escapes only tab, newline, CR, form
 * feed, backspace, quote and backslash, and prints any other byte of a name or alias as it is
 * (ESC, SOH, …: "Bad control character in string literal"). Outside strings they are not JSON
 * either way, so escaping them everywhere changes only what could not be read.
 */
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
const escapeControl = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Splits text holding several JSON values back to back (as `ip -j -batch` prints) into values.
 * `ip -j` prints each value on a line of its own: each line goes to the native JSON.parse (a
 * gather's output is tens of kB a host); anything else goes through the scanner.
 */
export function parseJsonStream(raw: string): unknown[] {
  const text = raw.replace(RAW_CONTROL, escapeControl);
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    if (!'[{'.includes(t[0]!) || !']}'.includes(t[t.length - 1]!)) return scanJsonStream(text);
    try {
      out.push(JSON.parse(t));
    } catch {
      return scanJsonStream(text);
    }
  }
  return out;
}

/**
 * JSON.parse; when the text cannot be read, the error names the interface of the object that
 * cannot (`items`: the objects of the array `text` is), if it has an `ifname`.
 */
function parseValue(text: string, items: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const bad = items.find((t) => {
      try {
        JSON.parse(t);
        return false;
      } catch {
        return true;
      }
    });
    const name = bad === undefined ? undefined : /"ifname":("(?:[^"\\]|\\.)*")/.exec(bad)?.[1];
    throw new Error(`${name ? `interface ${name}: ` : ''}${(err as Error).message}`, { cause: err });
  }
}

/** the same, character by character: values spread over lines or sharing one, and the errors */
function scanJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  /** where the objects of the value being read begin and end, to name one that cannot be read */
  let items: [number, number][] = [];
  let item = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '[' || c === '{') {
      if (depth === 0) [start, items] = [i, []];
      if (depth === 1 && c === '{') item = i;
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 1 && c === '}') items.push([item, i + 1]);
      if (depth === 0)
        out.push(
          parseValue(
            text.slice(start, i + 1),
            items.map(([a, b]) => text.slice(a, b)),
          ),
        );
      if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new Error(`unexpected text outside JSON at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
    }
  }
  if (depth !== 0) throw new Error('truncated JSON');
  return out;
}
