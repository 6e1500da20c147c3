import { CnetError } from '../../errors.js';
import { showText } from '../../shown.js';

/** What kind of failure: an undefined value (a `default` upstream could have caught it), a loop, anything else. */
export type FailKind = 'undefined' | 'loop' | 'other';

const ADVICE: Record<FailKind, string> = {
  undefined: ' (define the variable for this host, or give it a default: | default(…))',
  loop: ' (a variable cannot be defined by itself: give one of them a value)',
  other: '',
};

/** The longest expression a message quotes whole; longer ones are cut (the field keeps all of it). */
const SHOWN_EXPRESSION = 200;

/**
 * A template that cannot be rendered: the `{{ … }}` expression (or the whole template, for a
 * problem outside one), what is wrong and what to do, and where in the template string it is
 * (`offset`, in UTF-16 units from the start). Never carries a variable's value.
 */
export class TemplateError extends CnetError {
  constructor(
    readonly expression: string,
    readonly problem: string,
    readonly offset: number,
    readonly kind: FailKind = 'other',
  ) {
    const shown = expression.length > SHOWN_EXPRESSION ? `${expression.slice(0, SHOWN_EXPRESSION)}…` : expression;
    super(`cannot render template ${showText(shown)} (at offset ${offset}): ${problem}${ADVICE[kind]}`);
  }
}

/**
 * A failure while evaluating one expression, at `offset` in the template string; the renderer
 * turns it into a TemplateError naming the `{{ … }}` it happened in.
 */
export class Fail extends Error {
  constructor(
    readonly problem: string,
    readonly offset: number,
    readonly kind: FailKind = 'other',
  ) {
    super(problem);
  }
}
