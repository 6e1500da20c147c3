import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, EXIT_MEANINGS, exitCodesHelp } from '../../src/cli/exit-code.js';
import { mainStdout } from './main-stdout.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The README's `**Exit codes**: `0` all good · `2` … .` paragraphs, as [code, meaning] pairs. */
function readmeTables(): [number, string][][] {
  const paragraphs = README.split(/\n\s*\n/).filter((p) => p.startsWith('**Exit codes**:'));
  return paragraphs.map((p) =>
    p
      .replace(/^\*\*Exit codes\*\*:\s*/, '')
      .replace(/\.\s*$/, '')
      .split(/\s+·\s+/)
      .map((item): [number, string] => {
        const m = /^`(\d+)`\s+([\s\S]+)$/.exec(item.trim());
        if (!m) throw new Error(`not "\`CODE\` meaning": ${item}`);
        return [Number(m[1]), m[2]!.replace(/\s+/g, ' ')];
      }),
  );
}

describe('exit codes: src/cli/exit-code.ts, the README and --help agree', () => {
  it('every code of EXIT has one meaning', () => {
    expect(EXIT_MEANINGS.map((e) => e.code).sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it("the README's table lists the same codes, meanings and order", () => {
    const tables = readmeTables();
    expect(tables.length).toBeGreaterThanOrEqual(1);
    for (const t of tables) expect(t).toEqual(EXIT_MEANINGS.map((e) => [e.code, e.meaning]));
  });

  it('--help ends with them', async () => {
    const { code, stdout } = await mainStdout(['--help']);
    expect(code).toBe(EXIT.ok);
    expect(stdout.trimEnd().endsWith(exitCodesHelp())).toBe(true);
    for (const e of EXIT_MEANINGS) expect(stdout).toContain(`${e.code}`.padEnd(4) + e.meaning);
  });

  it('a usage error exits with the documented usage code', async () => {
    expect((await mainStdout(['no-such-command'])).code).toBe(EXIT.usage);
  });
});
