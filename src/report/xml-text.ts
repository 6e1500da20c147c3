/** Text made safe for XML 1.0 (JUnit, SVG) and HTML: the one place such escaping lives. */
/** ANSI colour / cursor sequences that tools put in error texts. */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
/** Not allowed in XML 1.0 (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F), plus DEL and
 * the C1 controls, which XML allows but discourages and nothing displays. */
const NOT_XML = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text fit for XML 1.0 (and HTML): ANSI sequences removed, other forbidden characters → U+FFFD. */
export function xmlSafe(text: string): string {
  return text.replace(ANSI, '').replace(NOT_XML, '\ufffd');
}

/** Escaped for element content. */
export function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped for a double- or single-quoted attribute; tab/newline/CR kept as character references. */
export function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
