/** The tree of one `{{ … }}` expression (template-parse.ts makes it; template-eval.ts, template-fold.ts read it). */
import type { Py } from './template-values.js';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'notin';
export type BinOp = '+' | '-' | '*' | '/' | '//' | '%' | '**';

interface At {
  pos: number;
  /** height of the tree below (and with) this node */
  h: number;
}
export type Node = At &
  (
    | { k: 'const'; value: Py }
    | { k: 'name'; name: string }
    | { k: 'list' | 'tuple' | 'concat'; items: Node[] }
    | { k: 'dict'; pairs: [Node, Node][] }
    | { k: 'getattr'; obj: Node; attr: string }
    | { k: 'getitem'; obj: Node; arg: Node }
    | { k: 'slice'; start?: Node; stop?: Node; step?: Node }
    | { k: 'call'; fn: Node; args: Node[]; kwargs: [string, Node][] }
    | { k: 'filter' | 'test'; obj: Node; name: string; args: Node[]; kwargs: [string, Node][] }
    | { k: 'not' | 'neg' | 'pos'; arg: Node }
    | { k: 'and' | 'or'; left: Node; right: Node }
    | { k: 'cond'; test: Node; yes: Node; else?: Node }
    | { k: 'compare'; first: Node; ops: [CompareOp, Node][] }
    | { k: 'bin'; op: BinOp; left: Node; right: Node }
  );

export type Body = Node extends infer N ? (N extends Node ? Omit<N, 'pos' | 'h'> : never) : never;

/** A node's sub-expressions, in order (a slice's missing bounds as undefined). */
export function children(b: Body): (Node | undefined)[] {
  switch (b.k) {
    case 'const':
    case 'name':
      return [];
    case 'list':
    case 'tuple':
    case 'concat':
      return b.items;
    case 'dict':
      return b.pairs.flat();
    case 'getattr':
      return [b.obj];
    case 'getitem':
      return [b.obj, b.arg];
    case 'slice':
      return [b.start, b.stop, b.step];
    case 'call':
      return [b.fn, ...b.args, ...b.kwargs.map((kw) => kw[1])];
    case 'filter':
    case 'test':
      return [b.obj, ...b.args, ...b.kwargs.map((kw) => kw[1])];
    case 'not':
    case 'neg':
    case 'pos':
      return [b.arg];
    case 'and':
    case 'or':
    case 'bin':
      return [b.left, b.right];
    case 'cond':
      return [b.test, b.yes, b.else];
    case 'compare':
      return [b.first, ...b.ops.map((o) => o[1])];
  }
}
