/**
 * Python's own reading of text where Ansible relies on it and JavaScript's differs at the edges:
 * which characters are whitespace, `str.strip()`, and `int(str)`.
 */

/** Python's str.isspace() characters (what `str.strip()` and `int()` take off), as a regex class body. */
export const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

/** Python's `str.strip()` (JS's trim() takes off other characters: U+FEFF, and not U+001C..U+001F, U+0085). */
export function pythonStrip(text: string): string {
  return text.replace(STRIP, '');
}

const PY_INT = /^[+-]?\p{Nd}(?:_?\p{Nd})*$/u;
/** Python 3.11 refuses to convert longer digit strings */
const PY_INT_MAX_DIGITS = 4300;

/** A decimal digit's value: Unicode encodes each script's digits as a run 0-9, so the value is the offset in its run. */
function digitValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** what int() takes off: Python's spaces but U+001C..U+001F (it maps the ones past ASCII to ' ', then strips ASCII's) */
const INT_STRIP =
  /^[ \t\n\x0b\x0c\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[ \t\n\x0b\x0c\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Python's `int(text)` for base 10, or undefined where it raises ValueError (`int('9\x1c')` does: see INT_STRIP). */
export function pythonInt(text: string): bigint | undefined {
  const t = text.replace(INT_STRIP, '');
  if (!PY_INT.test(t)) return undefined;
  const digits = [...t.replace(/^[+-]/, '').replaceAll('_', '')];
  if (digits.length > PY_INT_MAX_DIGITS) return undefined;
  const ascii = digits.map((d) => String(digitValue(d.codePointAt(0)!))).join('');
  const value = BigInt(ascii);
  return t.startsWith('-') ? -value : value;
}
