import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { InventoryError, type InventoryIssue, type SourceLocation } from '../errors.js';
import { escapeUnshown } from './names.js';

export type YamlPath = readonly (string | number)[];

/** One parsed inventory file: its data, and a way back from a YAML path to file:line:col. */
export interface InventorySource {
  file: string;
  data: unknown;
  locate(path: YamlPath): SourceLocation;
  /** the folder relative file paths in its values are taken from; default: the file's own folder */
  baseDir?: string;
}

export function formatPath(path: YamlPath): string {
  return path.map(String).join('.');
}

function loadText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(err);
    throw new InventoryError([{ loc: { file, line: 0, col: 0, path: '' }, message: `cannot read inventory: ${why}` }]);
  }
}

/** Past blanks and comments: where the next token starts. */
function skipBlank(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i < text.length ? i : offset;
}

/** Parses YAML text strictly (duplicate keys are errors); stops on any YAML error. */
export function parseSource(file: string, text: string): InventorySource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues: InventoryIssue[] = doc.errors.map((e) => {
      // the yaml library puts a duplicate key after an empty value at the end of the previous line
      const offset = e.code === 'DUPLICATE_KEY' ? skipBlank(text, e.pos[0]) : e.pos[0];
      const pos = offset >= 0 ? lineCounter.linePos(offset) : { line: 1, col: 1 };
      // its first line, and the source text it quotes shown as written
      const message = escapeUnshown(e.message.split('\n')[0] ?? e.message);
      return { loc: { file, line: pos.line, col: pos.col, path: '' }, message: `YAML error: ${message}` };
    });
    throw new InventoryError(issues);
  }
  const proto = protoKeys(doc.contents, []);
  if (proto.length > 0) {
    throw new InventoryError(
      proto.map(({ path, offset }) => {
        const { line, col } = lineCounter.linePos(offset);
        return { loc: { file, line, col, path: formatPath(path) }, message: 'the key "__proto__" is not allowed: it would be dropped without a word, JavaScript objects cannot hold it' };
      }),
    );
  }
  const locate = (path: YamlPath): SourceLocation => {
    for (let n = path.length; n >= 0; n--) {
      const range = rangeOf(doc, path.slice(0, n));
      if (range !== undefined) {
        const { line, col } = lineCounter.linePos(range);
        return { file, line, col, path: formatPath(path) };
      }
    }
    return { file, line: 1, col: 1, path: formatPath(path) };
  };
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // an alias to an undefined anchor, or too many aliases: only found when converting
    const offset = aliasOffset(doc) ?? doc.contents?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    const message = escapeUnshown(err instanceof Error ? err.message : String(err));
    throw new InventoryError([{ loc: { file, line, col, path: '' }, message: `YAML error: ${message}` }]);
  }
  return { file, data: data ?? {}, locate };
}

/** Every map key `__proto__`: zod's records drop it silently, so a bridge or host so named would vanish. */
function protoKeys(node: unknown, path: (string | number)[]): { path: YamlPath; offset: number }[] {
  if (isMap(node)) {
    return node.items.flatMap((pair) => {
      if (!isScalar(pair.key)) return protoKeys(pair.value, path);
      const key = String(pair.key.value);
      const here = [...path, key];
      return key === '__proto__' ? [{ path: here, offset: pair.key.range?.[0] ?? 0 }] : protoKeys(pair.value, here);
    });
  }
  if (isSeq(node)) return node.items.flatMap((item, i) => protoKeys(item, [...path, i]));
  return [];
}

/** Offset of the first alias that does not resolve, else of the first alias. */
function aliasOffset(doc: Document): number | undefined {
  let unresolved: number | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node.range?.[0];
      let ok = false;
      try {
        ok = node.resolve(doc) !== undefined;
      } catch {
        ok = false;
      }
      if (!ok) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first;
}

/**
 * The node at `path`, matching map keys by their text: the data's keys are strings, but a key
 * written `123` or `true` is not a string node (yaml's getIn compares strictly).
 */
function pairOf(map: unknown, key: string | number) {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
}

function nodeAt(doc: Document, path: YamlPath): unknown {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairOf(node, seg);
      if (!pair) return undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return undefined;
    }
  }
  return node;
}

/** Offset of the key (for the last path element) or value node at `path`. */
function rangeOf(doc: Document, path: YamlPath): number | undefined {
  if (path.length === 0) return doc.contents?.range?.[0];
  const pair = pairOf(nodeAt(doc, path.slice(0, -1)), path[path.length - 1]!);
  if (pair && isScalar(pair.key)) return pair.key.range?.[0];
  const node = nodeAt(doc, path) as { range?: [number, number, number] } | undefined | null;
  return node?.range?.[0];
}

export function loadSource(file: string): InventorySource {
  return parseSource(file, loadText(file));
}
