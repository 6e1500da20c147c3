/** A line end for Python's `str.splitlines()`: \r\n, and each of these alone. */
const LINE_END = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;

/**
 * Python's `str.splitlines()`, how Ansible's INI plugin cuts a file into lines: besides \n, \r\n
 * and \r, a vertical tab, form feed, U+001C..U+001E, U+0085, U+2028 and U+2029 end a line. A line
 * end at the very end makes no empty last line; an empty text has no lines.
 */
export function pythonSplitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_END);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
