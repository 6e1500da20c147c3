import { describe, expect, it } from 'vitest';
import { BECOME_OK, BecomeHandshake, BEFORE_SHELL_MAX, SUDO_PROMPT } from '../../src/transport/become.js';

/** A handshake, what it sent and the errors it raised. */
function handshake(password?: string) {
  const sent: string[] = [];
  const errors: Error[] = [];
  const hs = new BecomeHandshake(
    { user: 'root', ...(password !== undefined ? { password } : {}) },
    'vm1',
    (t) => sent.push(t),
    (e) => errors.push(e),
  );
  return { hs, sent, errors };
}

describe('BecomeHandshake', () => {
  it("answers sudo's prompt once, then hands on the bytes after the shell's announcement", () => {
    const { hs, sent, errors } = handshake('pw');
    expect(hs.onStderr(Buffer.from(SUDO_PROMPT))).toHaveLength(0);
    expect(sent).toEqual(['pw\n']);
    let started = 0;
    expect(hs.onStdout(Buffer.from(`${BECOME_OK.slice(0, 5)}`), () => started++)).toHaveLength(0);
    expect(hs.onStdout(Buffer.from(`${BECOME_OK.slice(5)}\nfirst`), () => started++).toString()).toBe('first');
    expect(started).toBe(1);
    expect(errors).toEqual([]);
  });

  it('holds at most BEFORE_SHELL_MAX of what comes before the shell runs, then fails the host once', () => {
    for (const stream of ['onStdout', 'onStderr'] as const) {
      const { hs, errors } = handshake('pw');
      const chunk = Buffer.alloc(16 * 1024, 'x');
      for (let i = 0; i < 100; i++) stream === 'onStdout' ? hs.onStdout(chunk, () => {}) : hs.onStderr(chunk);
      expect(errors.map((e) => e.message)).toEqual(['sudo printed more than 64 KiB before the shell under it started']);
      expect(BEFORE_SHELL_MAX).toBe(64 * 1024);
    }
  });
});
