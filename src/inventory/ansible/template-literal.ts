import { Fail } from './template-error.js';
import type { Budget } from './template-limits.js';
import { LiteralProblem, literalEvalParsed, type PyLiteral } from './python-literal.js';
import { PyTuple, type Py, type PyDict } from './template-values.js';

/**
 * ansible_eval_concat's reading of a rendered text that starts with `{` or `[` or is `True`/`False`:
 * Python's ast.literal_eval (python-literal.ts) with JSON's true/false/null read as Python's
 * (Ansible's Json2Python), as a template value. Undefined where Python would not read the text as
 * a literal (the text stays a string); refused (Fail) where it reads to what has no value here (a
 * set, bytes, a complex number, `...`, a mapping with a key that is not a string) or Python raises
 * TypeError (an unhashable key), which Ansible does not catch.
 */
export function literalEval(text: string, budget: Budget, offset: number): Py | undefined {
  let py: PyLiteral | undefined;
  try {
    py = literalEvalParsed(text, { jsonNames: true, spend: (n) => budget.spend(n, offset) });
  } catch (err) {
    if (!(err instanceof LiteralProblem)) throw err;
    throw new Fail(`the rendered text is a Python literal holding ${err.message}`, offset);
  }
  return py === undefined ? undefined : toValue(py, offset);
}

const UNUSABLE: Partial<Record<PyLiteral['t'], string>> = { set: 'a set', bytes: 'bytes', complex: 'a complex number', ellipsis: 'Ellipsis (...)' };

function toValue(p: PyLiteral, offset: number): Py {
  const unusable = (what: string): never => {
    throw new Fail(`the rendered text reads as a Python literal holding ${what}, which cnet-remote cannot use`, offset);
  };
  switch (p.t) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
      return p.v;
    case 'none':
      return null;
    case 'list':
      return p.items.map((x) => toValue(x, offset));
    case 'tuple':
      return new PyTuple(p.items.map((x) => toValue(x, offset)));
    case 'dict': {
      const dict: PyDict = new Map();
      for (const [k, v] of p.entries) {
        if (k.t !== 'str') return unusable('a mapping whose key is not a string');
        dict.set(k.v, toValue(v, offset)); // a key written again keeps its place, takes the new value (as Python)
      }
      return dict;
    }
    default:
      return unusable(UNUSABLE[p.t]!);
  }
}
