import { Fail } from './template-error.js';
import type { Evaluator, Scope } from './template-eval.js';
import { children, type Node } from './template-ast.js';
import { type Py, truthy, Undef } from './template-values.js';

/**
 * Jinja2's compile-time constant folding (jinja2/optimizer.py and the nodes' as_const), which
 * Ansible's templates go through before they render: every subexpression without a variable is
 * evaluated when the template is compiled. Most failures there only leave it for run time, but
 * an undefined constant tested for truth (`x if [][0] else y`, `and`, `or`) or joined with `~`
 * fails the compilation, and Ansible then uses the template's text as it is, even in a branch
 * that would never run. We refuse those templates instead. Folded values are remembered by the
 * evaluator (they equal what evaluating at run time gives).
 */

type Folded = { ok: true; v: Py } | { ok: false };
const NO: Folded = { ok: false };

/** A node's sub-expressions, in order. */
const subNodes = (node: Node): Node[] => children(node).filter((n): n is Node => n !== undefined);

const isStrictUndefined = (v: Py) => v instanceof Undef && !v.lenient;

function compileFailure(undef: Undef, node: Node): never {
  throw new Fail(
    `${undef.message}: Ansible's Jinja2 evaluates this constant when it compiles the template, fails, and then uses the template's text as it is; fix the expression`,
    node.pos,
  );
}

/** Node kinds Jinja2's code generator folds (its @optimizeconst visitors): the optimizer runs on each. */
const OPTIMIZED = new Set<Node['k']>(['bin', 'neg', 'pos', 'not', 'and', 'or', 'concat', 'compare', 'getattr', 'getitem', 'filter', 'test', 'cond', 'call']);

export function checkConstants(root: Node, ev: Evaluator, scope: Scope): void {
  const attempt = (node: Node): Folded => {
    try {
      const v = ev.evaluate(node, scope);
      ev.remember(node, v);
      return { ok: true, v };
    } catch (err) {
      if (err instanceof Fail) return NO; // Jinja2's Impossible: left for run time
      throw err;
    }
  };

  // 1. the whole `{{ }}` as a constant, as the code generator first tries it: any failure only
  // means it is not one (as_const evaluates a condition's taken branch only)
  const lazy = new Map<Node, Folded>();
  const asConst = (node: Node): Folded => {
    let r = lazy.get(node);
    if (r) return r;
    const truth = (f: Folded): boolean | undefined => {
      try {
        return f.ok ? truthy(f.v) : undefined;
      } catch (err) {
        if (err instanceof Fail) return undefined;
        throw err;
      }
    };
    switch (node.k) {
      case 'name':
      case 'call':
      case 'slice':
        r = NO;
        break;
      case 'cond': {
        const t = truth(asConst(node.test));
        r = t === undefined ? NO : t ? asConst(node.yes) : node.else ? asConst(node.else) : NO;
        break;
      }
      case 'and':
      case 'or': {
        const l = asConst(node.left);
        const t = truth(l);
        r = t === undefined ? NO : t === (node.k === 'or') ? l : asConst(node.right);
        break;
      }
      case 'getitem':
        r = asConst(node.obj).ok && (node.arg.k === 'slice' ? subNodes(node.arg).every((c) => asConst(c).ok) : asConst(node.arg).ok) ? attempt(node) : NO;
        break;
      default:
        r = subNodes(node).every((c) => asConst(c).ok) ? attempt(node) : NO;
    }
    lazy.set(node, r);
    return r;
  };
  if (asConst(root).ok) return;

  // 2. the optimizer, on each node the code generator reaches (through lists, tuples and dicts):
  // every subexpression folded, bottom up; an undefined constant tested or joined fails it
  const folded = new Map<Node, Folded>();
  const fold = (node: Node): Folded => {
    const kids = subNodes(node).map((c) => fold(c));
    const get = (n: Node) => folded.get(n)!;
    let result: Folded;
    switch (node.k) {
      case 'name':
      case 'call':
      case 'slice':
        result = NO;
        break;
      case 'cond': {
        const t = get(node.test);
        if (!t.ok) result = NO;
        else {
          if (isStrictUndefined(t.v)) compileFailure(t.v as Undef, node.test);
          result = truthy(t.v) ? get(node.yes) : node.else ? get(node.else) : NO;
        }
        break;
      }
      case 'and':
      case 'or': {
        const l = get(node.left);
        if (!l.ok) result = NO;
        else {
          if (isStrictUndefined(l.v)) compileFailure(l.v as Undef, node.left);
          result = truthy(l.v) === (node.k === 'or') ? l : get(node.right);
        }
        break;
      }
      case 'concat':
        if (kids.some((k) => !k.ok)) result = NO;
        else {
          const bad = kids.find((k) => k.ok && isStrictUndefined(k.v));
          if (bad?.ok) compileFailure(bad.v as Undef, node);
          result = attempt(node);
        }
        break;
      case 'getitem':
        result = get(node.obj).ok && (node.arg.k === 'slice' ? subNodes(node.arg).every((c) => get(c).ok) : get(node.arg).ok) ? attempt(node) : NO;
        break;
      default:
        result = kids.every((k) => k.ok) ? attempt(node) : NO;
    }
    folded.set(node, result);
    return result;
  };
  const generate = (node: Node): void => {
    if (OPTIMIZED.has(node.k)) fold(node);
    else for (const c of subNodes(node)) generate(c);
  };
  generate(root);
}
