/**
 * Splits text holding several JSON values back to back (as `ip -j -batch` prints) into values.
 * `ip -j` prints each value on a line of its own: each line goes to the native JSON.parse (a
 * gather's output is tens of kB a host); anything else goes through the scanner.
 */
export function parseJsonStream(text: string): unknown[] {
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

/** the same, character by character: values spread over lines or sharing one, and the errors */
function scanJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unbalanced JSON at offset ${i}`);
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new Error(`unexpected text outside JSON at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
    }
  }
  if (depth !== 0) throw new Error('truncated JSON');
  return out;
}
