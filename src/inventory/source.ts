import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Pair, type YAMLMap } from 'yaml';
import { InventoryError, type InventoryIssue, type SourceLocation } from '../errors.js';
import { INPUT_KINDS, InputFileError, readInputText } from '../files/read-input-file.js';
import { ansibleTags, UnsafeText, VaultValue } from './ansible/yaml-tags.js';
import { escapeUnshown } from '../shown.js';

export type YamlPath = readonly (string | number)[];

/** One parsed inventory file: its data, and a way back from a YAML path to file:line:col. */
export interface InventorySource {
  file: string;
  data: unknown;
  locate(path: YamlPath): SourceLocation;
  /** the folder relative file paths in its values are taken from; default: the file's own folder */
  baseDir?: string;
  /**
   * its `hosts:` keys are host names already (INI, where the reader expands patterns as Ansible
   * does line by line; the JSON of scripts and --list, which Ansible never expands), not YAML's
   * host patterns (`web[01:03]`, `db:2222`)
   */
  hostsAreNames?: boolean;
}

export function formatPath(path: YamlPath): string {
  return path.map(String).join('.');
}

/** An inventory file's text, bounded; a positioned issue when it cannot be read. */
export function loadText(file: string): string {
  try {
    return readInputText(file, INPUT_KINDS.inventory);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new InventoryError([{ loc: { file, line: 0, col: 0, path: '' }, message: `cannot read inventory: ${err.problem}` }]);
  }
}

/** A map key as the data has it (toJS makes keys strings), or undefined for a key that is not a scalar. */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (v === null) return '';
  return typeof v === 'object' ? undefined : String(v);
}

const PROTO_MESSAGE = 'the key "__proto__" is not allowed: it would be dropped without a word, JavaScript objects cannot hold it';

/**
 * Keys the data would lose, found in one pass over the document (a stack, not recursion): a key
 * that repeats one of its mapping (by the text the data gives it: `1` and `"1"` are one key), and
 * `__proto__` (zod's records drop it silently, so a bridge or host so named would vanish). The
 * yaml library's own duplicate check compares each key with every earlier one, which is quadratic
 * in the size of a mapping: 100k hosts in one `hosts:` took minutes.
 */
function lostKeys(doc: Document, file: string, lineCounter: LineCounter): { offset: number; issue: InventoryIssue }[] {
  const found: { offset: number; issue: InventoryIssue }[] = [];
  const at = (offset: number, path: string, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    found.push({ offset, issue: { loc: { file, line, col, path }, message } });
  };
  // collections still to look into (scalars hold no keys)
  const stack: { node: unknown; path: YamlPath }[] = [{ node: doc.contents, path: [] }];
  const push = (node: unknown, path: () => YamlPath) => {
    if (isMap(node) || isSeq(node)) stack.push({ node, path: path() });
  };
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { node, path } = top;
    if (isSeq(node)) for (const [i, item] of node.items.entries()) push(item, () => [...path, i]);
    if (!isMap(node)) continue;
    const firstAt = new Map<string, number>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) {
        push(pair.value, () => path);
        continue;
      }
      const offset = (pair.key as { range?: [number, number, number] | null }).range?.[0] ?? 0;
      const first = firstAt.get(key);
      if (first !== undefined)
        at(offset, '', `YAML error: Map keys must be unique: ${escapeUnshown(JSON.stringify(key))} is also at line ${lineCounter.linePos(first).line}`);
      else firstAt.set(key, offset);
      if (key === '__proto__') at(offset, formatPath([...path, key]), PROTO_MESSAGE);
      else push(pair.value, () => [...path, key]);
    }
  }
  return found;
}

/** Parses YAML text strictly (duplicate keys are errors); stops on any YAML error. */
export function parseSource(file: string, text: string): InventorySource {
  const lineCounter = new LineCounter();
  // YAML 1.1 as Ansible's PyYAML loader reads it: yes/no/on/off are booleans, 0755 is octal, `<<:` merges
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, version: '1.1', customTags: ansibleTags });
  const errors = doc.errors.map((e) => {
    const offset = e.pos[0];
    const pos = offset >= 0 ? lineCounter.linePos(offset) : { line: 1, col: 1 };
    // its first line, and the source text it quotes shown as written
    const message = escapeUnshown(e.message.split('\n')[0] ?? e.message);
    return { offset, issue: { loc: { file, line: pos.line, col: pos.col, path: '' }, message: `YAML error: ${message}` } };
  });
  const lost = [...errors, ...lostKeys(doc, file, lineCounter)];
  if (lost.length > 0) throw new InventoryError(lost.sort((a, b) => a.offset - b.offset).map((l) => l.issue));
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
  clipAtEnd(doc, text);
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

/**
 * A block scalar (`|`, `>`) that ends the file with no line break after it keeps none (YAML's
 * "clip", as PyYAML reads it); the yaml library adds one. Put right here, so that a `!vault |`
 * value on a file's last line is the ciphertext Ansible holds.
 */
function clipAtEnd(doc: Document, text: string): void {
  if (text === '' || /[\n\r]$/.test(text)) return;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return;
      if ((node.range?.[1] ?? 0) < text.length || /^[|>][1-9]?[+]|^[|>][+]/.test(text.slice(node.range?.[0] ?? 0))) return;
      const clip = (v: string) => (v.endsWith('\n') ? v.slice(0, -1) : v);
      if (typeof node.value === 'string') node.value = clip(node.value);
      else if (node.value instanceof VaultValue) node.value = new VaultValue(clip(node.value.ciphertext));
      else if (node.value instanceof UnsafeText) node.value = new UnsafeText(clip(node.value.text));
    },
  });
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

/** Each mapping's pairs by key text, made when the mapping is first searched. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/**
 * The pair of `key` in `map`, matching keys by their text: the data's keys are strings, but a key
 * written `123` or `true` is not a string node (yaml's getIn compares strictly). Indexed: issues
 * are located once per host, and a scan of a 100k-host mapping per host was quadratic.
 */
function pairOf(map: unknown, key: string | number): Pair | undefined {
  if (!isMap(map)) return undefined;
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = isPair(p) ? keyText(p.key) : undefined;
      if (k !== undefined && !index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index.get(String(key));
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
