import { quoteArgv } from '../shell/quote.js';
import type { Step } from './step.js';

/** Steps as the shell commands a person would type, one a line, as in the seeds. */
export function renderSteps(steps: Step[]): string[] {
  return steps.map((s) => quoteArgv(s.argv));
}
