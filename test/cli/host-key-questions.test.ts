import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HostKeyQuestions } from '../../src/cli/host-key-questions.js';

/** A terminal stand-in: what was written to it, and a way to type. */
function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => (shown += d.toString()));
  return { input, output, shown: () => shown };
}

describe('HostKeyQuestions', () => {
  it("asks one question at a time, in order, and holds the run's lines while one is open", async () => {
    const t = terminal();
    const q = new HostKeyQuestions(t.input, t.output);
    const lines: string[] = [];
    const note = q.hold((line: string) => lines.push(line));
    const first = q.ask('first? ');
    const second = q.ask('second? ');
    note('before');
    await new Promise((r) => setImmediate(r));
    expect(t.shown()).toBe('first? ');
    note('a host line');
    expect(lines).toEqual(['before']);
    t.input.write('yes\n');
    expect(await first).toBe('yes');
    expect(lines).toEqual(['before', 'a host line']);
    await new Promise((r) => setImmediate(r));
    expect(t.shown()).toBe('first? second? ');
    t.input.write('no\n');
    expect(await second).toBe('no');
    note('after');
    expect(lines).toEqual(['before', 'a host line', 'after']);
  });

  it('the end of input is no answer', async () => {
    const t = terminal();
    const q = new HostKeyQuestions(t.input, t.output);
    const answer = q.ask('sure? ');
    t.input.end();
    expect(await answer).toBeUndefined();
  });
});
