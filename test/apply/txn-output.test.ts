import { describe, expect, it } from 'vitest';
import { parseTxnOutput } from '../../src/apply/txn-output.js';

/** lines of a hand-written launchScript()/recoverScript() output */
const out = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('parseTxnOutput', () => {
  it('reads a committed run: every step done', () => {
    const t = parseTxnOutput(out('@@step 0', '@@step 1', 'a warning from step 1', '@@step 2', '@@committed', '@@apply-exit', '0'), 3);
    expect(t).toEqual({ done: 3, committed: true, lost: false });
  });

  it('reads a failed step: its index, its output, the rollback', () => {
    const t = parseTxnOutput(
      out('@@step 0', '@@step 1', '@@step 2', 'RTNETLINK answers: File exists', 'second line', '@@undo 1', '@@undo 0', '@@rolledback 0', '@@apply-exit', '1'),
      4,
    );
    expect(t).toEqual({
      done: 2,
      committed: false,
      lost: false,
      failed: { index: 2, output: 'RTNETLINK answers: File exists\nsecond line' },
      rolledBack: { undone: 2, ok: true },
    });
  });

  it('reports a failed undo (@@rolledback 1) as not ok, and counts every @@undo line', () => {
    const t = parseTxnOutput(
      out(
        '@@step 0',
        '@@step 1',
        '@@step 2',
        '@@step 3',
        'boom',
        '@@undo 2',
        '@@undo 1',
        'Cannot find device "x"',
        '@@undo 0',
        '@@rolledback 1',
        '@@apply-exit',
        '1',
      ),
      5,
    );
    expect(t.failed).toEqual({ index: 3, output: 'boom' });
    expect(t.rolledBack).toEqual({ undone: 3, ok: false });
    expect(t.done).toBe(3);
    expect(t.committed).toBe(false);
  });

  it('a failure at the first step: nothing to undo', () => {
    const t = parseTxnOutput(out('@@step 0', 'boom', '@@rolledback 0', '@@apply-exit', '1'), 2);
    expect(t).toMatchObject({ done: 0, committed: false, lost: false, failed: { index: 0, output: 'boom' }, rolledBack: { undone: 0, ok: true } });
  });

  it('a failed step that printed nothing: names the exit code', () => {
    const t = parseTxnOutput(out('@@step 0', '@@step 1', '@@undo 0', '@@rolledback 0', '@@apply-exit', '1'), 2);
    expect(t.failed).toEqual({ index: 1, output: 'exit code 1' });
  });

  it('reads a locked host with the holder line', () => {
    const t = parseTxnOutput(out('@@locked', 'cnet-remote up from alice@ctl (pid 42) since 2024-01-01T00:00:00.000Z', '@@apply-exit', '75'), 3);
    expect(t).toEqual({ done: 0, committed: false, lost: false, locked: 'cnet-remote up from alice@ctl (pid 42) since 2024-01-01T00:00:00.000Z' });
  });

  it('a locked host without a holder file still says locked', () => {
    expect(parseTxnOutput(out('@@locked', '@@apply-exit', '75'), 1).locked).toBe('another cnet-remote run');
  });

  it('output cut before @@apply-exit is lost (the transaction goes on on the host)', () => {
    const t = parseTxnOutput(out('@@step 0', '@@step 1', 'half a line'), 4);
    expect(t).toEqual({ done: 1, committed: false, lost: true });
    expect(t.failed).toBeUndefined();
    expect(parseTxnOutput('', 4)).toEqual({ done: 0, committed: false, lost: true });
    // the commit was seen, the exit status was not
    expect(parseTxnOutput(out('@@step 0', '@@committed'), 1)).toEqual({ done: 1, committed: true, lost: true });
  });

  it('an interrupted run (killed runner, exit 137) is neither committed nor failed', () => {
    const t = parseTxnOutput(out('@@step 0', '@@step 1', '@@apply-exit', '137'), 4);
    expect(t).toEqual({ done: 1, committed: false, lost: false });
  });

  it('zero steps', () => {
    expect(parseTxnOutput(out('@@committed', '@@apply-exit', '0'), 0)).toEqual({ done: 0, committed: true, lost: false });
  });

  it("reads recoverScript()'s output: the undos of the journal's steps", () => {
    const t = parseTxnOutput(out('@@undo 1', '@@undo 0', '@@rolledback 0', '@@apply-exit', '0'), 0);
    expect(t.rolledBack).toEqual({ undone: 2, ok: true });
    expect(t.committed).toBe(false);
    expect(t.lost).toBe(false);
  });

  it("reads a recovery that found its run settled by another: the journal's run and last word, nothing undone", () => {
    const t = parseTxnOutput(out('@@superseded Y commit', '@@apply-exit', '0'), 0);
    expect(t).toEqual({ done: 0, committed: false, lost: false, superseded: 'Y commit' });
  });
});
