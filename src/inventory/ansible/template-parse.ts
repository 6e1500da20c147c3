import { isKnownFilter, isKnownTest } from './template-filters.js';
import type { Token } from './template-lexer.js';
import { describeToken, TokenCursor } from './template-cursor.js';
import { LIMITS } from './template-limits.js';
import { type BinOp, type Body, type CompareOp, children, type Node } from './template-ast.js';

/**
 * A recursive-descent parser for one `{{ … }}` expression, following Jinja2 3.1's parser
 * (jinja2/parser.py: the same precedence, `**` left-associative, tests taking one bare argument,
 * `a, b` a tuple), with bounds on nesting and tree height so hostile input cannot overflow the
 * stack. Filter and test names are checked here, as Jinja2 checks them when it compiles.
 */

const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** What a bracket, parenthesis, brace or call costs against LIMITS.nesting (a `not` or sign costs 1). */
const BRACKET = 4;

class Parser extends TokenCursor {
  private mk(pos: number, body: Body): Node {
    let h = 0;
    for (const c of children(body)) if (c && c.h > h) h = c.h;
    if (h + 1 > LIMITS.height) this.fail(`the expression is too long a chain (more than ${LIMITS.height} operations deep): simplify it`, pos);
    return { ...body, pos, h: h + 1 } as Node;
  }

  /** The whole `{{ … }}`: an expression, or several making a tuple. */
  parseOutput(): Node {
    const node = this.parseTuple(false);
    if (this.cur.type !== 'end') this.fail(`expected token 'end of print statement', got '${describeToken(this.cur)}'`);
    return node;
  }

  private parseTuple(explicitParens: boolean): Node {
    const pos = this.cur.pos;
    const args: Node[] = [];
    let isTuple = false;
    for (;;) {
      if (args.length) this.expectOp(',');
      if (this.cur.type === 'end' || this.isOp(')')) break;
      args.push(this.parseExpression());
      if (this.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (args.length) return args[0]!;
      if (!explicitParens) this.fail(`Expected an expression, got '${describeToken(this.cur)}'`);
    }
    return this.mk(pos, { k: 'tuple', items: args });
  }

  private parseExpression(): Node {
    const pos = this.cur.pos;
    let expr = this.parseOr();
    while (this.isName('if')) {
      this.next();
      const test = this.parseOr();
      let otherwise: Node | undefined;
      if (this.isName('else')) {
        this.next();
        this.enter(1);
        otherwise = this.parseExpression();
        this.leave(1);
      }
      expr = this.mk(pos, { k: 'cond', test, yes: expr, else: otherwise });
    }
    return expr;
  }

  private parseOr(): Node {
    return this.parseLogical('or', () => this.parseAnd());
  }

  private parseAnd(): Node {
    return this.parseLogical('and', () => this.parseNot());
  }

  /** `a or b or c` / `a and b …`, left to right: parseBinary for the keyword operators. */
  private parseLogical(k: 'or' | 'and', operand: () => Node): Node {
    let left = operand();
    while (this.isName(k)) {
      const pos = this.next().pos;
      left = this.mk(pos, { k, left, right: operand() });
    }
    return left;
  }

  private parseNot(): Node {
    if (!this.isName('not')) return this.parseCompare();
    const pos = this.next().pos;
    this.enter(1);
    const arg = this.parseNot();
    this.leave(1);
    return this.mk(pos, { k: 'not', arg });
  }

  private parseCompare(): Node {
    const pos = this.cur.pos;
    const first = this.parseMath1();
    const ops: [CompareOp, Node][] = [];
    for (;;) {
      const t = this.cur;
      if (t.type === 'op' && COMPARE.has(t.value)) {
        this.next();
        ops.push([t.value as CompareOp, this.parseMath1()]);
      } else if (this.isName('in')) {
        this.next();
        ops.push(['in', this.parseMath1()]);
      } else if (this.isName('not') && this.isName('in', this.look())) {
        this.next();
        this.next();
        ops.push(['notin', this.parseMath1()]);
      } else break;
    }
    return ops.length ? this.mk(pos, { k: 'compare', first, ops }) : first;
  }

  private parseBinary(ops: string[], operand: () => Node): Node {
    let left = operand();
    while (this.cur.type === 'op' && ops.includes((this.cur as { value: string }).value)) {
      const t = this.next() as { value: string; pos: number };
      left = this.mk(t.pos, { k: 'bin', op: t.value as BinOp, left, right: operand() });
    }
    return left;
  }

  private parseMath1(): Node {
    return this.parseBinary(['+', '-'], () => this.parseConcat());
  }

  private parseConcat(): Node {
    const pos = this.cur.pos;
    const items = [this.parseMath2()];
    while (this.isOp('~')) {
      this.next();
      items.push(this.parseMath2());
    }
    return items.length === 1 ? items[0]! : this.mk(pos, { k: 'concat', items });
  }

  private parseMath2(): Node {
    return this.parseBinary(['*', '/', '//', '%'], () => this.parsePow());
  }

  private parsePow(): Node {
    return this.parseBinary(['**'], () => this.parseUnary(true));
  }

  private parseUnary(withFilter: boolean): Node {
    let node: Node;
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next() as { value: string; pos: number };
      this.enter(1);
      const arg = this.parseUnary(false);
      this.leave(1);
      node = this.mk(t.pos, { k: t.value === '-' ? 'neg' : 'pos', arg });
    } else node = this.parsePrimary();
    node = this.parsePostfix(node);
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Node {
    const t = this.cur;
    if (t.type === 'name') {
      this.next();
      if (t.value === 'true' || t.value === 'True') return this.mk(t.pos, { k: 'const', value: true });
      if (t.value === 'false' || t.value === 'False') return this.mk(t.pos, { k: 'const', value: false });
      if (t.value === 'none' || t.value === 'None') return this.mk(t.pos, { k: 'const', value: null });
      return this.mk(t.pos, { k: 'name', name: t.value });
    }
    if (t.type === 'string') {
      let value = '';
      while (this.cur.type === 'string') value += (this.next() as { value: string }).value;
      return this.mk(t.pos, { k: 'const', value });
    }
    if (t.type === 'integer' || t.type === 'float') {
      this.next();
      return this.mk(t.pos, { k: 'const', value: t.value });
    }
    if (this.isOp('(')) {
      this.next();
      this.enter(BRACKET);
      const node = this.parseTuple(true);
      this.expectOp(')');
      this.leave(BRACKET);
      return node;
    }
    if (this.isOp('[')) return this.parseList();
    if (this.isOp('{')) return this.parseDict();
    return this.fail(`unexpected '${describeToken(t)}'`);
  }

  private parseList(): Node {
    const pos = this.expectOp('[').pos;
    this.enter(BRACKET);
    const items: Node[] = [];
    while (!this.isOp(']')) {
      if (items.length) this.expectOp(',');
      if (this.isOp(']')) break;
      items.push(this.parseExpression());
    }
    this.expectOp(']');
    this.leave(BRACKET);
    return this.mk(pos, { k: 'list', items });
  }

  private parseDict(): Node {
    const pos = this.expectOp('{').pos;
    this.enter(BRACKET);
    const pairs: [Node, Node][] = [];
    while (!this.isOp('}')) {
      if (pairs.length) this.expectOp(',');
      if (this.isOp('}')) break;
      const key = this.parseExpression();
      this.expectOp(':');
      pairs.push([key, this.parseExpression()]);
    }
    this.expectOp('}');
    this.leave(BRACKET);
    return this.mk(pos, { k: 'dict', pairs });
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      if (this.isOp('.') || this.isOp('[')) node = this.parseSubscript(node);
      else if (this.isOp('(')) node = this.parseCall(node);
      else return node;
    }
  }

  private parseFilterExpr(node: Node): Node {
    for (;;) {
      if (this.isOp('|')) node = this.parseFilter(node);
      else if (this.isName('is')) node = this.parseTest(node);
      else if (this.isOp('(')) node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(obj: Node): Node {
    const t = this.next();
    if (this.isOp('.', t)) {
      const a = this.next();
      if (a.type === 'name') return this.mk(t.pos, { k: 'getattr', obj, attr: a.value });
      if (a.type !== 'integer') this.fail('expected name or number', a.pos);
      return this.mk(t.pos, { k: 'getitem', obj, arg: this.mk(a.pos, { k: 'const', value: a.value }) });
    }
    this.enter(BRACKET);
    const args: Node[] = [];
    while (!this.isOp(']')) {
      if (args.length) this.expectOp(',');
      args.push(this.parseSubscribed());
    }
    this.expectOp(']');
    this.leave(BRACKET);
    const arg = args.length === 1 ? args[0]! : this.mk(t.pos, { k: 'tuple', items: args });
    return this.mk(t.pos, { k: 'getitem', obj, arg });
  }

  private parseSubscribed(): Node {
    const pos = this.cur.pos;
    let start: Node | undefined;
    if (!this.isOp(':')) {
      start = this.parseExpression();
      if (!this.isOp(':')) return start;
    }
    this.next();
    const endsPart = () => this.isOp(':') || this.isOp(']') || this.isOp(',');
    const stop = endsPart() ? undefined : this.parseExpression();
    let step: Node | undefined;
    if (this.isOp(':')) {
      this.next();
      if (!this.isOp(']') && !this.isOp(',')) step = this.parseExpression();
    }
    return this.mk(pos, { k: 'slice', start, stop, step });
  }

  private parseCallArgs(): { args: Node[]; kwargs: [string, Node][] } {
    const open = this.expectOp('(');
    this.enter(BRACKET);
    const args: Node[] = [];
    const kwargs: [string, Node][] = [];
    let first = true;
    while (!this.isOp(')')) {
      if (!first) {
        this.expectOp(',');
        if (this.isOp(')')) break;
      }
      first = false;
      if (this.isOp('*') || this.isOp('**')) this.fail('*args and **kwargs in calls are not supported by cnet-remote');
      if (this.cur.type === 'name' && this.isOp('=', this.look())) {
        const key = this.expectName();
        this.next();
        kwargs.push([key, this.parseExpression()]);
      } else {
        if (kwargs.length) this.fail('invalid syntax for function call expression', open.pos);
        args.push(this.parseExpression());
      }
    }
    this.expectOp(')');
    this.leave(BRACKET);
    return { args, kwargs };
  }

  private parseCall(fn: Node): Node {
    const pos = this.cur.pos;
    return this.mk(pos, { k: 'call', fn, ...this.parseCallArgs() });
  }

  private dottedName(): string {
    let name = this.expectName();
    while (this.isOp('.')) {
      this.next();
      name += `.${this.expectName()}`;
    }
    return name;
  }

  private parseFilter(obj: Node): Node {
    this.next();
    const pos = this.cur.pos;
    const name = this.dottedName();
    if (!isKnownFilter(name)) this.fail(`no filter named '${name}' (Ansible has none either): check its spelling`, pos);
    const call = this.isOp('(') ? this.parseCallArgs() : { args: [], kwargs: [] };
    return this.mk(pos, { k: 'filter', obj, name, ...call });
  }

  private parseTest(obj: Node): Node {
    const isPos = this.next().pos;
    let negated = false;
    if (this.isName('not')) {
      this.next();
      negated = true;
    }
    const pos = this.cur.pos;
    const name = this.dottedName();
    if (!isKnownTest(name)) this.fail(`no test named '${name}' (Ansible has none either): check its spelling`, pos);
    let call: { args: Node[]; kwargs: [string, Node][] } = { args: [], kwargs: [] };
    const t = this.cur;
    if (this.isOp('(')) call = this.parseCallArgs();
    else if (
      (t.type === 'name' || t.type === 'string' || t.type === 'integer' || t.type === 'float' || this.isOp('[') || this.isOp('{')) &&
      !this.isName('else') &&
      !this.isName('or') &&
      !this.isName('and')
    ) {
      if (this.isName('is')) this.fail('You cannot chain multiple tests with is');
      call = { args: [this.parsePostfix(this.parsePrimary())], kwargs: [] };
    }
    const node = this.mk(pos, { k: 'test', obj, name, ...call });
    return negated ? this.mk(isPos, { k: 'not', arg: node }) : node;
  }
}

/** The tree of one `{{ … }}`'s tokens (ending with its 'end' token); a Fail at the offending token. */
export function parseExpression(tokens: Token[]): Node {
  return new Parser(tokens).parseOutput();
}
