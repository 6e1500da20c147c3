import { Fail } from './template-error.js';

/**
 * Bounds that keep a hostile inventory from hanging the run or overflowing the stack. Where
 * Ansible has a limit of its own (Python's recursion limit), ours is set near it, as measured on
 * ansible-core 2.14 (see test/inventory/ansible/template.test.ts).
 */
export const LIMITS = {
  /** characters of one template string */
  templateLength: 1 << 20,
  /** characters of any string a template makes */
  stringLength: 1 << 20,
  /** items of any list a template makes */
  listLength: 1 << 17,
  /**
   * Parser nesting: a bracket, parenthesis, brace or call costs 4, a `not` or sign 1. Ansible
   * fails at 75 nested parentheses and somewhere between 300 and 500 `not`s.
   */
  nesting: 299,
  /** height of one expression's tree (`1 + 1 + …`, `x | int | int …`): Ansible fails between 300 and 500 */
  height: 400,
  /** variables rendering one another (`a: "{{ b }}"`, `b: "{{ c }}"`, …): Ansible renders 130 deep, fails at 140 */
  chain: 130,
  /** nesting of values: lists in lists, mappings in mappings */
  valueDepth: 200,
  /** steps of evaluation (expressions, regex, literal parsing) for one renderValue call */
  steps: 20_000_000,
} as const;

/** Work done for one renderValue call, in steps; past the limit the rendering stops. */
export class Budget {
  private used = 0;

  spend(n: number, offset: number): void {
    this.used += n;
    if (this.used > LIMITS.steps) {
      throw new Fail(`rendering takes more than ${LIMITS.steps} steps: simplify the template`, offset);
    }
  }
}

export function checkString(s: string, offset: number): string {
  if (s.length > LIMITS.stringLength) throw new Fail(`the result is longer than ${LIMITS.stringLength} characters`, offset);
  return s;
}

export function checkList<T>(items: T[], offset: number): T[] {
  if (items.length > LIMITS.listLength) throw new Fail(`the result has more than ${LIMITS.listLength} items`, offset);
  return items;
}
