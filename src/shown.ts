/**
 * How text from elsewhere (hosts, files, inventories) is shown to people: the one place where it
 * is neutralized. A terminal obeys control characters (ESC sequences set its title, clear it,
 * write the clipboard with OSC 52; a carriage return overwrites a line) and format characters
 * (bidi overrides reorder a line), so every such character is shown escaped, as JSON writes it
 * (`\r`, `\u001b`): text that was JSON stays JSON that reads back the same. Backslashes are left
 * as they are, so neutralizing twice changes nothing.
 */

/** Characters a terminal does not show as themselves: controls (C0, DEL, C1), format (bidi, zero-width), line and paragraph separators. */
const UNSHOWN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const SHORT: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/** `\uXXXX` for each UTF-16 unit of `c`, or its short JSON form */
const escapeChar = (c: string) => SHORT[c] ?? Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/** `text` with every unshown character escaped but those in `keep` (newline, tab). */
export function escapeUnshown(text: string, keep = ''): string {
  return text.replace(UNSHOWN, (c) => (keep.includes(c) ? c : escapeChar(c)));
}

/** One line as a terminal shows it: every unshown character escaped, newline and tab included. */
export function showLine(text: string): string {
  return escapeUnshown(text, '');
}

/** Our own colours: the only escape sequences that reach the terminal through `shown`. */
const SGR = { green: 32, yellow: 33, red: 31 } as const;
export type Colour = keyof typeof SGR;

/** A span of text in one of our colours (its text is neutralized like any other). */
export interface Span {
  text: string;
  colour?: Colour;
}

/** What goes to a person: text (lines), or spans of it in our colours. */
export type Text = string | readonly Span[];

/**
 * Text as the terminal gets it: every unshown character escaped but newlines (a renderer prefixes
 * each line with its host) and tabs; spans in colour wrapped in their SGR codes after that.
 */
export function shown(text: Text): string {
  if (typeof text === 'string') return escapeUnshown(text, '\n\t');
  return text.map((s) => (s.colour ? `\u001b[${SGR[s.colour]}m${shown(s.text)}\u001b[39m` : shown(s.text))).join('');
}

/** The spans' text without colour. */
export function plainText(text: Text): string {
  return typeof text === 'string' ? text : text.map((s) => s.text).join('');
}

/**
 * A name or value from a file or host as a message shows it: double-quoted, JSON-escaped, and
 * every unshown character escaped too, so a message stays on one line and reads as written.
 */
export function showText(text: string): string {
  return showLine(JSON.stringify(text));
}
