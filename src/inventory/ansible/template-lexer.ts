import { TemplateError } from './template-error.js';
import { isPySpace } from './template-values.js';

/**
 * Splits a template into text and `{{ … }}` expressions, and an expression into tokens, as
 * Jinja2 3.1's lexer does with Ansible's settings (trim_blocks on): `{{-`/`-}}` strip whitespace,
 * `{# … #}` is dropped (with the newline after it), `{% raw %}…{% endraw %}` is kept as text, the
 * template's last newline is dropped, newlines become `\n`. Any other `{% … %}` statement is
 * refused. Offsets are into the original string.
 */

export type Token =
  | { type: 'name'; value: string; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'integer'; value: bigint; pos: number }
  | { type: 'float'; value: number; pos: number }
  | { type: 'op'; value: string; pos: number }
  | { type: 'end'; pos: number };

export type Part = { kind: 'text'; text: string } | { kind: 'expr'; tokens: Token[]; start: number; end: number };

const SPACE = /[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/y;
const FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const INTEGER = /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*/y;
const NAME = /[\p{ID_Continue}]+/uy;
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
const STRING = /'([^'\\]*(?:\\[\s\S][^'\\]*)*)'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)"/y;
const OPERATORS2 = ['//', '**', '==', '!=', '>=', '<='];
const OPERATORS1 = '+-/*%~[](){}><=.:|,;';
const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const RAW_BEGIN =
  /\{%([-+]?)[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*raw[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(-%\}|%\})/y;
const RAW_END =
  /\{%([-+]?)[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*endraw[\t\n\u000b\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(\+%\}|-%\}|%\})/y;

const normalizeNewlines = (s: string) => s.replace(/\r\n|\r/g, '\n');

function rstripSpace(s: string): string {
  let e = s.length;
  while (e > 0 && isPySpace(s[e - 1]!)) e--;
  return s.slice(0, e);
}

function skipSpace(s: string, pos: number, end: number): number {
  SPACE.lastIndex = pos;
  SPACE.exec(s);
  return Math.min(SPACE.lastIndex, end);
}

/** Where the template stops once its last newline (two, in Ansible's backslash mode) is dropped. */
function contentEnd(s: string, drops: number): number {
  let end = s.length;
  for (let i = 0; i < drops; i++) {
    if (s[end - 1] === '\n') end -= s[end - 2] === '\r' ? 2 : 1;
    else if (s[end - 1] === '\r') end -= 1;
    else break;
  }
  return end;
}

/** After `%}` or `#}`, trim_blocks removes one newline. */
function skipNewline(s: string, pos: number, end: number): number {
  if (s[pos] === '\r' && s[pos + 1] === '\n' && pos + 2 <= end) return pos + 2;
  if ((s[pos] === '\n' || s[pos] === '\r') && pos + 1 <= end) return pos + 1;
  return pos;
}

export function lexTemplate(source: string): Part[] {
  // Ansible doubles backslashes inside {{ }} strings when the template holds both '\' and '{{';
  // it lexes twice then, and each lexing drops a trailing newline
  const backslashMode = source.includes('\\') && source.includes('{{');
  const end = contentEnd(source, backslashMode ? 2 : 1);
  const parts: Part[] = [];
  let text = '';
  let textStart = 0;
  const flushText = (strip: boolean, tagAt = 0) => {
    if (strip) {
      const kept = rstripSpace(text);
      // Ansible's second lexing (backslash mode) reads the text with the whitespace gone: a '{'
      // before the tag then opens another tag
      if (backslashMode && kept.length < text.length && kept.endsWith('{')) {
        throw new TemplateError(
          source.slice(textStart + kept.length - 1, tagAt + 3),
          "a '{' before a whitespace-stripping tag ({{-, {%-, {#-) joins it in Ansible, which then reads a different template: put the '{' elsewhere",
          textStart + kept.length - 1,
        );
      }
      text = kept;
    }
    if (text) parts.push({ kind: 'text', text: normalizeNewlines(text) });
    text = '';
  };
  let pos = 0;
  while (pos < end) {
    const at = source.indexOf('{', pos);
    if (at < 0 || at + 1 >= end) {
      if (!text) textStart = pos;
      text += source.slice(pos, end);
      break;
    }
    const next = source[at + 1];
    if (next !== '{' && next !== '%' && next !== '#') {
      if (!text) textStart = pos;
      text += source.slice(pos, at + 1);
      pos = at + 1;
      continue;
    }
    if (!text) textStart = pos;
    text += source.slice(pos, at);
    const sign = source[at + 2] === '-' || source[at + 2] === '+' ? source[at + 2]! : '';
    if (next === '{') {
      flushText(sign === '-', at);
      const { tokens, after } = lexExpression(source, at, at + 2 + sign.length, end);
      parts.push({ kind: 'expr', tokens, start: at, end: after.tagEnd });
      pos = after.next;
    } else if (next === '#') {
      flushText(sign === '-', at);
      pos = skipComment(source, at, at + 2 + sign.length, end);
    } else {
      RAW_BEGIN.lastIndex = at;
      const raw = RAW_BEGIN.exec(source);
      if (!raw || RAW_BEGIN.lastIndex > end) {
        const close = source.indexOf('%}', at);
        throw new TemplateError(
          source.slice(at, close < 0 ? end : close + 2),
          'statements ({% if %}, {% for %}, {% set %}, …) are not supported by cnet-remote: only {{ … }} expressions, {# … #} comments and {% raw %}',
          at,
        );
      }
      flushText(raw[1] === '-', at);
      pos = RAW_BEGIN.lastIndex;
      if (raw[2] === '-%}') pos = skipSpace(source, pos, end);
      pos = rawBlock(source, at, pos, end, (t) => parts.push({ kind: 'text', text: normalizeNewlines(t) }));
    }
  }
  flushText(false);
  return parts;
}

/** Finds the end of a comment; returns where text starts again. */
function skipComment(source: string, at: number, body: number, end: number): number {
  const p = source.indexOf('#}', body);
  if (p >= 0 && p + 2 <= end) {
    // the earliest of `+#}`, `-#}`, `#}` ends it
    if (source[p - 1] === '-' && p - 1 >= body) return skipSpace(source, p + 2, end);
    if (source[p - 1] === '+' && p - 1 >= body) return p + 2;
    return skipNewline(source, p + 2, end);
  }
  throw new TemplateError(source.slice(at, end), 'Missing end of comment tag: close it with #}', at);
}

/** The text of a raw block up to its `{% endraw %}`; returns where text starts again. */
function rawBlock(source: string, at: number, from: number, end: number, emit: (t: string) => void): number {
  let p = source.indexOf('{%', from);
  while (p >= 0 && p < end) {
    RAW_END.lastIndex = p;
    const m = RAW_END.exec(source);
    if (m && RAW_END.lastIndex <= end) {
      let body = source.slice(from, p);
      if (m[1] === '-') body = rstripSpace(body);
      if (body) emit(body);
      const after = RAW_END.lastIndex;
      if (m[2] === '-%}') return skipSpace(source, after, end);
      if (m[2] === '%}') return skipNewline(source, after, end);
      return after;
    }
    p = source.indexOf('{%', p + 2);
  }
  throw new TemplateError(source.slice(at, end), 'Missing end of raw directive: close it with {% endraw %}', at);
}

/** Tokens of one `{{ … }}`, from `pos` (after `{{`), up to its `}}`. */
function lexExpression(source: string, tagStart: number, pos: number, end: number): { tokens: Token[]; after: { tagEnd: number; next: number } } {
  const tokens: Token[] = [];
  const balance: string[] = [];
  function failHere(problem: string, at: number): never {
    const close = source.indexOf('}}', at);
    throw new TemplateError(source.slice(tagStart, close < 0 || close + 2 > end ? end : close + 2), problem, at);
  }
  for (;;) {
    pos = skipSpace(source, pos, end);
    if (pos >= end) failHere("unexpected end of template, expected 'end of print statement': close the expression with }}", pos);
    if (balance.length === 0) {
      if (source.startsWith('-}}', pos) && pos + 3 <= end) {
        tokens.push({ type: 'end', pos });
        return { tokens, after: { tagEnd: pos + 3, next: skipSpace(source, pos + 3, end) } };
      }
      if (source.startsWith('}}', pos) && pos + 2 <= end) {
        tokens.push({ type: 'end', pos });
        return { tokens, after: { tagEnd: pos + 2, next: pos + 2 } };
      }
    }
    const start = pos;
    const sticky = (re: RegExp): string | undefined => {
      re.lastIndex = pos;
      const m = re.exec(source);
      return m && re.lastIndex <= end ? m[0] : undefined;
    };
    let m: string | undefined;
    if (source[pos - 1] !== '.' && (m = sticky(FLOAT)) !== undefined) {
      tokens.push({ type: 'float', value: Number(m.replace(/_/g, '')), pos: start });
    } else if ((m = sticky(INTEGER)) !== undefined) {
      tokens.push({ type: 'integer', value: BigInt(m.replace(/_/g, '')), pos: start });
    } else if ((m = sticky(NAME)) !== undefined) {
      if (!IDENTIFIER.test(m)) failHere('Invalid character in identifier', start);
      tokens.push({ type: 'name', value: m, pos: start });
    } else if ((m = sticky(STRING)) !== undefined) {
      const quote = m[0]!;
      const body = m.slice(1, -1);
      // Ansible doubles every backslash in a {{ }} string, so a backslash is itself; a
      // backslash before the closing quote character ends the string there, and the rest fails
      if (body.includes(`\\${quote}`)) {
        failHere(
          `a backslash before ${quote} does not escape it in Ansible (its backslashes are literal): quote the string with the other quote character`,
          start,
        );
      }
      tokens.push({ type: 'string', value: normalizeNewlines(body), pos: start });
    } else {
      const two = source.slice(pos, pos + 2);
      const op = OPERATORS2.includes(two) && pos + 2 <= end ? two : OPERATORS1.includes(source[pos]!) ? source[pos]! : undefined;
      if (op === undefined) failHere(`unexpected char ${JSON.stringify(String.fromCodePoint(source.codePointAt(pos)!))} at ${pos}`, pos);
      if (CLOSING[op]) balance.push(CLOSING[op]);
      else if (op === ')' || op === ']' || op === '}') {
        const want = balance.pop();
        if (want === undefined) failHere(`unexpected '${op}'`, pos);
        if (want !== op) failHere(`unexpected '${op}', expected '${want}'`, pos);
      }
      tokens.push({ type: 'op', value: op, pos: start });
      m = op;
    }
    pos = start + m.length;
  }
}
