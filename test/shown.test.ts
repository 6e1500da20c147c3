import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamOutput } from '../src/cli/output.js';
import { hostDoneLines } from '../src/cli/render/plain.js';
import { formatHostDetail, formatRecap } from '../src/cli/render/recap.js';
import { rowLines } from '../src/cli/render/exec.js';
import { summarize, type HostResult } from '../src/result/result.js';
import { escapeUnshown, plainText, showLine, showText, shown } from '../src/shown.js';

/** What a terminal would obey: C0 controls but newline and tab, DEL, C1, bidi and zero-width format characters, line separators. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

/** What hosts print to take over a terminal. */
const HOSTILE = [
  '\u001b]0;pwned title\u0007', // OSC 0: the window title
  '\u001b]52;c;cm0gLXJmIH4K\u0007', // OSC 52: the clipboard
  '\u001b[2J\u001b[H', // CSI 2J: clear the screen
  'progress 10%\rdone', // CR: overwrite the line
  '\u009b31m', // C1 CSI
  'abc\u202edcb', // bidi override
  'del\u007f zero\u200bwidth',
];

describe('shown: the one function text from elsewhere goes through before a person sees it', () => {
  it('shows every control, format and separator character escaped, as JSON writes it', () => {
    expect(shown('\u001b]0;t\u0007 a\rb \u007f \u009b \u202e \u2028')).toBe('\\u001b]0;t\\u0007 a\\rb \\u007f \\u009b \\u202e \\u2028');
    for (const h of HOSTILE) expect(shown(h)).not.toMatch(RAW);
  });

  it('keeps newlines and tabs (each line is prefixed by its renderer); showLine escapes them too', () => {
    expect(shown('a\tb\nc\r\n')).toBe('a\tb\nc\\r\n');
    expect(showLine('a\tb\nc')).toBe('a\\tb\\nc');
  });

  it('changes nothing twice, and nothing in text a terminal shows as it is', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => shown(shown(s)) === shown(s) && showLine(showLine(s)) === showLine(s)));
    expect(shown('plain text: é 日本 😀 \\ "q"')).toBe('plain text: é 日本 😀 \\ "q"');
  });

  it('JSON stays JSON that reads back exactly: --json keeps the exact text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' })), (values) => {
        const json = JSON.stringify({ values }, null, 2);
        const out = shown(json);
        return !RAW.test(out) && JSON.stringify(JSON.parse(out)) === JSON.stringify({ values });
      }),
    );
  });

  it('our colours are spans: their SGR codes reach the terminal, their text is neutralized', () => {
    expect(shown([{ text: 'vm1', colour: 'green' }, { text: ' \u001b[31mx' }])).toBe('\u001b[32mvm1\u001b[39m \\u001b[31mx');
    expect(plainText([{ text: 'a', colour: 'red' }, { text: 'b' }])).toBe('ab');
  });

  it('escapes everything with nothing kept (showLine); showText is that of the JSON string, for a value quoted in a message', () => {
    expect(escapeUnshown('a\nb\u202ec\u001b')).toBe(showLine('a\nb\u202ec\u001b'));
    expect(showText('a\nb\u202ec\u001b"')).toBe('"a\\nb\\u202ec\\u001b\\""');
  });
});

describe('Output: the boundary', () => {
  const capture = () => {
    const stdout = new PassThrough();
    const progress = new PassThrough();
    const out = streamOutput(stdout as unknown as NodeJS.WriteStream, progress as unknown as NodeJS.WriteStream);
    const text = (s: PassThrough) => String(s.read() ?? '');
    return { out, stdout: () => text(stdout), progress: () => text(progress) };
  };

  it('line, note and error write what they are given neutralized, whoever made it', () => {
    const c = capture();
    for (const h of HOSTILE) c.out.line(`vm1 | ${h}`);
    c.out.note('\u001b]52;c;eA==\u0007');
    c.out.error('error: \u001b[2J');
    const stdout = c.stdout();
    expect(stdout).not.toMatch(RAW);
    expect(stdout.split('\n')).toHaveLength(HOSTILE.length + 1);
    expect(c.progress()).toBe('\\u001b]52;c;eA==\\u0007\nerror: \\u001b[2J\n');
  });

  it('the recap keeps its colours through it', () => {
    const c = capture();
    const h: HostResult = { name: 'vm1', status: 'ok', changes: 0, steps: [], verified: true, mismatches: [], durationMs: 1 };
    c.out.line(formatRecap({ command: 'up', hosts: [h], summary: summarize([h]), durationMs: 1 }, true));
    expect(c.stdout()).toContain('\u001b[32mvm1\u001b[39m : \u001b[32mok=1\u001b[39m');
  });
});

describe("renderers: a host's newline never starts a line that could pass for another host's", () => {
  it('exec: each line of the output keeps its own host label; CR and ESC inside a line stay in it', () => {
    const lines = rowLines({ host: 'vm1', ns: null, status: 'ok', code: 0, stdout: 'mine\nvm2 | forged\rvm2 | again\u001b[2K\n', stderr: '' }).stdout;
    expect(lines.map(shown)).toEqual(['vm1 | mine', 'vm1 | vm2 | forged\\rvm2 | again\\u001b[2K']);
  });

  it('plain: every line of an error is prefixed; a value in a mismatch stays on its line', () => {
    const h: HostResult = {
      name: 'vm1',
      status: 'failed',
      changes: 0,
      steps: [],
      verified: false,
      mismatches: [{ path: 'bridges.br0.master', desired: 'br0', actual: 'x\n[vm2] ok (0.10 s)' }],
      error: 'boom\n[vm2] ok (0.10 s)',
      durationMs: 1,
    };
    const lines = hostDoneLines(h);
    for (const l of lines) expect(l.startsWith('[vm1] ')).toBe(true);
    expect(formatHostDetail(h)).toContain('  bridges.br0.master: desired br0, actual x\\n[vm2] ok (0.10 s)');
  });
});
