/**
 * A minimal XML well-formedness check (no xmllint here): declaration, comments, elements with
 * quoted unique attributes, text with only the predefined or numeric entities, tags balanced,
 * one root. Returns the element tree with entities decoded.
 */
export interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** the element's own text, decoded */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(raw: string, where: string): string {
  const stripped = raw.replace(ENTITY, '');
  if (stripped.includes('&')) throw new Error(`bare or unknown entity in ${where}: ${JSON.stringify(raw)}`);
  if (stripped.includes('<')) throw new Error(`'<' in ${where}: ${JSON.stringify(raw)}`);
  return raw.replace(ENTITY, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

export function parseXml(doc: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(doc.slice(i, i + 40))}`);
  };
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  while (i < doc.length) {
    if (doc.startsWith('<!--', i)) {
      const end = doc.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (doc.startsWith('</', i)) {
      const m = NAME.exec(doc.slice(i + 2));
      if (!m) fail('bad closing tag');
      const name = m![0];
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      i += 2 + name.length;
      while (/\s/.test(doc[i] ?? '')) i++;
      if (doc[i] !== '>') fail('bad closing tag');
      i++;
    } else if (doc[i] === '<') {
      const m = NAME.exec(doc.slice(i + 1));
      if (!m) fail('bad tag name');
      const el: XmlElement = { name: m![0], attrs: new Map(), children: [], text: '' };
      i += 1 + el.name.length;
      for (;;) {
        const ws = /^\s*/.exec(doc.slice(i))![0].length;
        i += ws;
        if (doc.startsWith('/>', i) || doc[i] === '>') break;
        if (ws === 0) fail('attributes must be separated by space');
        const a = /^([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(doc.slice(i));
        if (!a) fail('bad attribute');
        if (el.attrs.has(a![1]!)) fail(`duplicate attribute ${a![1]}`);
        el.attrs.set(a![1]!, decode(a![3] ?? a![4] ?? '', `attribute ${a![1]}`));
        i += a![0].length;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('second root element');
      else root = el;
      if (doc.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    } else {
      const end = doc.indexOf('<', i);
      const raw = doc.slice(i, end < 0 ? doc.length : end);
      const parent = stack[stack.length - 1];
      if (!parent) {
        if (raw.trim() !== '') fail('text outside the root element');
      } else parent.text += decode(raw, `text of <${parent.name}>`);
      i += raw.length;
    }
  }
  if (stack.length) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element');
  return root!;
}

/** Every element below (and including) `el`, in document order. */
export function descendants(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(descendants)];
}
