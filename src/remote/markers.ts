/**
 * The marker codec's reader. What runs on a host marks the parts of its output with lines that
 * start with `@@` (written by `mark` in programs/lib.sh): `@@NAME` or `@@NAME ARGS`, the body
 * being the lines up to the next marker. Host output is data: a line that is not a marker is
 * body text, whatever it holds.
 */

/** Splits a program's output into its `@@name` sections (section name → body). */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('@@')) {
      if (name !== undefined) out.set(name, body.join('\n'));
      name = line.slice(2);
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  if (name !== undefined) out.set(name, body.join('\n'));
  return out;
}
