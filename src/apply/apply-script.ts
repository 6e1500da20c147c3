import { formatOwned, RECORD_DIR, RECORD_FILE } from '../ownership/record.js';
import type { Step } from '../plan/step.js';
import { quoteArgv, quoteWord } from '../shell/quote.js';
import { splitSections } from '../facts/parse-facts.js';

/**
 * The steps as one script: stops at the first failing step (`set -e`), appends each created
 * object to the host's record right after creating it, and marks each step so a failure names it.
 * Markers start with a newline: a step's output may not end with one.
 */
export function applyScript(steps: Step[]): string {
  const lines = ['(', 'set -e'];
  if (steps.some((s) => s.owns)) lines.push(quoteArgv(['mkdir', '-p', RECORD_DIR]));
  steps.forEach((step, i) => {
    lines.push(`printf '\\n%s\\n' ${quoteWord(`@@step ${i}`)}`, quoteArgv(step.argv));
    if (step.owns) lines.push(`printf '%s\\n' ${quoteWord(formatOwned(step.owns))} >> ${RECORD_FILE}`);
  });
  lines.push(') 2>&1', `printf '\\n@@apply-exit\\n%s\\n' "$?"`);
  return lines.join('\n') + '\n';
}

export interface ApplyOutcome {
  /** how many steps completed */
  done: number;
  failed?: { index: number; output: string };
}

/** Reads the apply part of the output of applyScript(). */
export function parseApplyOutput(text: string, stepCount: number): ApplyOutcome {
  const sections = splitSections(text);
  const exit = sections.get('apply-exit')?.trim().split('\n')[0];
  let last = -1;
  for (let i = 0; i < stepCount; i++) if (sections.has(`step ${i}`)) last = i;
  if (exit === '0') return { done: stepCount };
  const index = Math.max(last, 0);
  const output = (sections.get(`step ${index}`) ?? '').trim() || (exit === undefined ? 'the connection ended before the steps finished' : `exit code ${exit}`);
  return { done: index, failed: { index, output } };
}
