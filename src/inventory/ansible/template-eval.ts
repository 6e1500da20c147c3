import { binary, unary } from './template-arith.js';
import { applyFilter, applyTest } from './template-filters.js';
import { type Budget, checkList, checkString } from './template-limits.js';
import { callLookup } from './template-lookup.js';
import type { CompareOp, Node } from './template-ast.js';
import {
  fail,
  failUndefined,
  Global,
  HostVars,
  HostVarsOf,
  isSeq,
  numOf,
  objectTypeRepr,
  pyEq,
  pyOrder,
  pyRepr,
  pyStr,
  PyTuple,
  type Py,
  type PyDict,
  seqItems,
  strOf,
  strRepr,
  truthy,
  typeName,
  Undef,
} from './template-values.js';

/**
 * Evaluates one expression tree as Jinja2 3.1 does in Ansible's environment: names through the
 * renderer (which renders referenced variables lazily), attributes and items as
 * Environment.getattr/getitem (a Python attribute first for `.x`, the item first for `[x]`),
 * Python's operators, and strict undefined values that fail when used.
 */

/** The host whose variables a template sees; `viaHostvars`: read through hostvars[host] (no `hostvars` there). */
export interface Scope {
  host: string;
  viaHostvars: boolean;
}

/** What evaluation needs from the renderer. */
export interface Resolver {
  budget: Budget;
  env: Readonly<Record<string, string | undefined>>;
  /** a name in `scope`: a magic variable, an inventory variable (rendered), a global, or Undef */
  name(name: string, scope: Scope, pos: number): Py;
  hostExists(host: string): boolean;
  hasHostVar(host: string, name: string): boolean;
  /** hostvars[host][name], rendered in that host's context */
  hostVar(host: string, name: string, pos: number): Py;
  /** a lookup term that holds a template, rendered in `scope` */
  renderTerm(term: string, scope: Scope, pos: number): Py;
}

/** Python attributes of the builtin types: `.x` names one of these before any item (Ansible returns a bound method). */
const STR_ATTRS =
  'capitalize casefold center count encode endswith expandtabs find format format_map index isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title translate upper zfill ansible_pos';
const INT_ATTRS = 'as_integer_ratio bit_count bit_length conjugate denominator from_bytes imag numerator real to_bytes';
const PY_ATTRS: Record<string, Set<string>> = {
  str: new Set(STR_ATTRS.split(' ')),
  list: new Set('append clear copy count extend index insert pop remove reverse sort ansible_pos'.split(' ')),
  tuple: new Set(['count', 'index']),
  dict: new Set('clear copy fromkeys get items keys pop popitem setdefault update values ansible_pos'.split(' ')),
  int: new Set(INT_ATTRS.split(' ')),
  bool: new Set(INT_ATTRS.split(' ')),
  float: new Set('as_integer_ratio conjugate fromhex hex imag is_integer real'.split(' ')),
  HostVars: new Set('get items keys values raw_get set_variable_manager set_inventory set_host_variable set_nonpersistent_facts set_host_facts'.split(' ')),
  HostVarsVars: new Set('get items keys values'.split(' ')),
};

function pythonAttribute(obj: Py, attr: string, pos: number): never {
  const type = typeName(obj);
  const hint = type === 'str' ? ' (for text, use a filter: | lower, | upper, | replace, | trim)' : '';
  return fail(
    `'${attr}' is a Python attribute of ${type} in Ansible's templates, not a value; cnet-remote does not support Python methods or attributes${hint}`,
    pos,
  );
}

function hasPythonAttribute(obj: Py, attr: string): boolean {
  if (attr.startsWith('__')) return true;
  if ((obj instanceof HostVars || obj instanceof HostVarsOf) && attr.startsWith('_')) return true;
  return PY_ATTRS[typeName(obj)]?.has(attr) ?? false;
}

const noAttribute = (obj: Py, name: string, pos: number) => new Undef(`${strRepr(objectTypeRepr(obj))} has no attribute ${strRepr(name)}`, pos);
const noElement = (obj: Py, key: Py, pos: number) => new Undef(`${objectTypeRepr(obj)} has no element ${pyRepr(key, pos)}`, pos);

/** Python's slice(start, stop, step) applied to a sequence's length: the indices it selects. */
function sliceIndices(length: number, start: Py, stop: Py, step: Py, pos: number): number[] {
  const int = (v: Py): number | undefined => {
    if (v === null) return undefined;
    if (v instanceof Undef) failUndefined(v);
    const n = numOf(v);
    if (typeof n !== 'bigint') fail('slice indices must be integers or None or have an __index__ method', pos);
    return n > BigInt(length) ? length + 1 : n < -BigInt(length) - 1n ? -length - 1 : Number(n);
  };
  const st = int(step) ?? 1;
  if (st === 0) fail('slice step cannot be zero', pos);
  const [lower, upper] = st > 0 ? [0, length] : [-1, length - 1];
  const clamp = (v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (v < 0) v += length;
    return v < lower ? lower : v > upper ? upper : v;
  };
  const a = clamp(int(start), st > 0 ? lower : upper);
  const b = clamp(int(stop), st > 0 ? upper : lower);
  const out: number[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(i);
  return out;
}

export class Evaluator {
  private depth = 0;
  /** values of constant subexpressions, folded when the template was read */
  private constants = new WeakMap<Node, Py>();

  constructor(
    private r: Resolver,
    private maxDepth: number,
  ) {}

  remember(node: Node, value: Py): void {
    this.constants.set(node, value);
  }

  evaluate(node: Node, scope: Scope): Py {
    if (this.constants.has(node)) return this.constants.get(node)!;
    this.r.budget.spend(1, node.pos);
    try {
      if (++this.depth > this.maxDepth) fail('the templates nest too deeply (expressions within variables within expressions): simplify them', node.pos);
      return this.eval(node, scope);
    } finally {
      this.depth--;
    }
  }

  private eval(node: Node, scope: Scope): Py {
    switch (node.k) {
      case 'const':
        return node.value;
      case 'name':
        return this.r.name(node.name, scope, node.pos);
      case 'list':
        return checkList(
          node.items.map((n) => this.evaluate(n, scope)),
          node.pos,
        );
      case 'tuple':
        return new PyTuple(node.items.map((n) => this.evaluate(n, scope)));
      case 'dict': {
        const d: PyDict = new Map();
        for (const [k, v] of node.pairs) {
          const key = this.evaluate(k, scope);
          if (key instanceof Undef) failUndefined(key);
          const s = strOf(key);
          if (s === undefined) fail(`a mapping key must be a string in cnet-remote's templates, not '${typeName(key)}'`, k.pos);
          d.set(s, this.evaluate(v, scope));
        }
        return d;
      }
      case 'getattr':
        return this.getattr(this.evaluate(node.obj, scope), node.attr, node.pos);
      case 'getitem':
        return this.getitem(node, scope);
      case 'slice':
        return fail('a slice (a:b) belongs inside [ ]', node.pos);
      case 'call':
        return this.call(node, scope);
      case 'filter':
      case 'test': {
        const value = this.evaluate(node.obj, scope);
        const call = {
          value,
          args: node.args.map((a) => this.evaluate(a, scope)),
          kwargs: node.kwargs.map(([k, a]) => [k, this.evaluate(a, scope)] as [string, Py]),
          pos: node.pos,
          budget: this.r.budget,
        };
        return node.k === 'filter' ? applyFilter(node.name, call) : applyTest(node.name, call);
      }
      case 'not':
        return !truthy(this.evaluate(node.arg, scope));
      case 'and': {
        const left = this.evaluate(node.left, scope);
        return truthy(left) ? this.evaluate(node.right, scope) : left;
      }
      case 'or': {
        const left = this.evaluate(node.left, scope);
        return truthy(left) ? left : this.evaluate(node.right, scope);
      }
      case 'cond':
        if (truthy(this.evaluate(node.test, scope))) return this.evaluate(node.yes, scope);
        if (node.else) return this.evaluate(node.else, scope);
        return new Undef('the inline if-expression on line 1 evaluated to false and no else section was defined.', node.pos, true);
      case 'compare': {
        let left = this.evaluate(node.first, scope);
        for (const [op, n] of node.ops) {
          const right = this.evaluate(n, scope);
          if (!this.compare(op, left, right, n.pos)) return false;
          left = right;
        }
        return true;
      }
      case 'bin':
        return binary(node.op, this.evaluate(node.left, scope), this.evaluate(node.right, scope), node.pos);
      case 'neg':
      case 'pos':
        return unary(node.k, this.evaluate(node.arg, scope), node.pos);
      case 'concat':
        return checkString(node.items.map((n) => pyStr(this.evaluate(n, scope), n.pos)).join(''), node.pos);
    }
  }

  private compare(op: CompareOp, a: Py, b: Py, pos: number): boolean {
    switch (op) {
      case '==':
        return pyEq(a, b, pos);
      case '!=':
        return !pyEq(a, b, pos);
      case 'in':
        return this.contains(b, a, pos);
      case 'notin':
        return !this.contains(b, a, pos);
      default:
        return pyOrder(a, b, op, pos);
    }
  }

  private contains(container: Py, item: Py, pos: number): boolean {
    if (container instanceof Undef) return container.lenient ? false : failUndefined(container);
    const s = strOf(container);
    if (s !== undefined) {
      const i = strOf(item);
      if (i === undefined) fail(`'in <string>' requires string as left operand, not ${typeName(item)}`, pos);
      return s.includes(i);
    }
    if (isSeq(container)) return seqItems(container).some((x) => pyEq(item, x, pos));
    if (container instanceof Map || container instanceof HostVars || container instanceof HostVarsOf) {
      if (item instanceof Undef) return item.lenient ? false : failUndefined(item);
      const key = strOf(item) ?? (typeof numOf(item) === 'bigint' ? String(numOf(item)) : undefined);
      if (key === undefined) {
        if (isSeq(item) || item instanceof Map) fail(`unhashable type: '${typeName(item)}'`, pos);
        return false;
      }
      if (container instanceof Map) return container.has(key);
      if (container instanceof HostVars) return this.r.hostExists(key);
      return this.r.hasHostVar(container.host, key);
    }
    return fail(`argument of type '${typeName(container)}' is not iterable`, pos);
  }

  /** Jinja2's Environment.getattr: the Python attribute, else the item, else undefined. */
  private getattr(obj: Py, attr: string, pos: number): Py {
    if (obj instanceof Undef) return obj.lenient ? failUndefined(obj) : obj;
    if (obj instanceof Global) return fail(`${obj.name} is a function: call it`, pos);
    if (hasPythonAttribute(obj, attr)) pythonAttribute(obj, attr, pos);
    return this.item(obj, attr, pos);
  }

  private getitem(node: Extract<Node, { k: 'getitem' }>, scope: Scope): Py {
    const obj = this.evaluate(node.obj, scope);
    if (node.arg.k === 'slice') {
      const { start, stop, step } = node.arg;
      const ev = (n: Node | undefined) => (n ? this.evaluate(n, scope) : null);
      const [a, b, c] = [ev(start), ev(stop), ev(step)];
      if (obj instanceof Undef) return obj.lenient ? failUndefined(obj) : obj;
      const s = strOf(obj);
      if (s !== undefined) {
        const cps = Array.from(s);
        return sliceIndices(cps.length, a, b, c, node.pos)
          .map((i) => cps[i])
          .join('');
      }
      if (isSeq(obj)) {
        const items = seqItems(obj);
        const picked = sliceIndices(items.length, a, b, c, node.pos).map((i) => items[i]!);
        return Array.isArray(obj) ? picked : new PyTuple(picked);
      }
      return fail(`a '${typeName(obj)}' cannot be sliced`, node.pos);
    }
    const key = this.evaluate(node.arg, scope);
    if (obj instanceof Undef) return obj.lenient ? failUndefined(obj) : obj;
    return this.item(obj, key, node.pos);
  }

  /** Jinja2's Environment.getitem: the item, else (for a string key) the Python attribute, else undefined. */
  private item(obj: Py, key: Py, pos: number): Py {
    if (key instanceof Undef) {
      // a list or a string indexed by undefined: Jinja2 catches the TypeError and gives an undefined
      if (isSeq(obj) || strOf(obj) !== undefined) return new Undef(`${objectTypeRepr(obj)} has no element (${key.message})`, pos);
      failUndefined(key);
    }
    if (obj instanceof Global) return fail(`${obj.name} is a function: call it`, pos);
    const name = strOf(key);
    if (obj instanceof HostVars) {
      if (name === undefined) return fail(`hostvars is indexed by a host's name, not by ${typeName(key)}`, pos);
      return this.r.hostExists(name) ? new HostVarsOf(name) : new Undef(`${strRepr(`hostvars['${name}']`)} is undefined`, pos);
    }
    if (obj instanceof HostVarsOf) {
      if (name === undefined) return fail(`hostvars['${obj.host}'] is indexed by a variable's name, not by ${typeName(key)}`, pos);
      return this.r.hasHostVar(obj.host, name) ? this.r.hostVar(obj.host, name, pos) : noAttribute(obj, name, pos);
    }
    if (obj instanceof Map) {
      const n = numOf(key);
      const k = name ?? (typeof n === 'bigint' ? String(n) : undefined);
      if (k !== undefined && obj.has(k)) return obj.get(k)!;
      if (name !== undefined) return hasPythonAttribute(obj, name) ? pythonAttribute(obj, name, pos) : noAttribute(obj, name, pos);
      return noElement(obj, key, pos);
    }
    const s = strOf(obj);
    if (s !== undefined || isSeq(obj)) {
      const n = numOf(key);
      if (typeof n === 'bigint') {
        const items = s !== undefined ? Array.from(s) : seqItems(obj as Py[] | PyTuple);
        const i = n < 0n ? n + BigInt(items.length) : n;
        return i >= 0n && i < BigInt(items.length) ? items[Number(i)]! : noElement(obj, key, pos);
      }
    }
    if (name !== undefined) return hasPythonAttribute(obj, name) ? pythonAttribute(obj, name, pos) : noAttribute(obj, name, pos);
    return noElement(obj, key, pos);
  }

  private call(node: Extract<Node, { k: 'call' }>, scope: Scope): Py {
    // Python evaluates the callee, then the arguments, then calls
    const fn = this.evaluate(node.fn, scope);
    const args = node.args.map((a) => this.evaluate(a, scope));
    const kwargs = node.kwargs.map(([k, a]) => [k, this.evaluate(a, scope)] as [string, Py]);
    if (fn instanceof Undef) failUndefined(fn);
    if (!(fn instanceof Global)) return fail(`'${typeName(fn)}' object is not callable`, node.pos);
    if (fn.name !== 'lookup' && fn.name !== 'query' && fn.name !== 'q') {
      return fail(`the function ${fn.name}() is not supported by cnet-remote's templates (only lookup('env', …) and query('env', …))`, node.pos);
    }
    return callLookup({
      fn: fn.name,
      args,
      kwargs,
      pos: node.pos,
      env: this.r.env,
      renderTerm: (term) => this.r.renderTerm(term, scope, node.pos),
    });
  }
}
