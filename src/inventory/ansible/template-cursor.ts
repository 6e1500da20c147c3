/** The token cursor under template-parse.ts's Parser: moving through the tokens, expecting, failing, and the nesting bound. */
import { Fail } from './template-error.js';
import type { Token } from './template-lexer.js';
import { LIMITS } from './template-limits.js';

/** A token as Jinja2 names it in messages. */
export function describeToken(t: Token): string {
  if (t.type === 'name' || t.type === 'op') return t.value;
  if (t.type === 'end') return 'end of print statement';
  return t.type;
}

/** Where a parser stands in the tokens, and how deep it is nested. */
export class TokenCursor {
  private i = 0;
  private depth = 0;

  constructor(private tokens: Token[]) {}

  protected get cur(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }

  protected look(): Token {
    return this.tokens[Math.min(this.i + 1, this.tokens.length - 1)]!;
  }

  protected next(): Token {
    const t = this.cur;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  protected isOp(v: string, t = this.cur): boolean {
    return t.type === 'op' && t.value === v;
  }

  protected isName(v: string, t = this.cur): boolean {
    return t.type === 'name' && t.value === v;
  }

  protected fail(problem: string, pos = this.cur.pos): never {
    throw new Fail(problem, pos);
  }

  protected expectOp(v: string): Token {
    if (!this.isOp(v)) this.fail(`expected token '${v}', got '${describeToken(this.cur)}'`);
    return this.next();
  }

  protected expectName(): string {
    const t = this.cur;
    if (t.type !== 'name') this.fail(`expected token 'name', got '${describeToken(t)}'`);
    this.next();
    return t.value;
  }

  protected enter(cost: number): void {
    this.depth += cost;
    if (this.depth > LIMITS.nesting) this.fail('the expression is nested too deeply (Ansible fails at 75 nested brackets): simplify it');
  }

  protected leave(cost: number): void {
    this.depth -= cost;
  }
}
