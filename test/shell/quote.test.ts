import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteArgv, quoteWord } from '../../src/shell/quote.js';

/** Runs `printf '%s\n' <quoted words>` under sh and returns what it printed. */
function roundTrip(words: string[]): string {
  return execFileSync('sh', ['-c', `printf "%s\\n" ${quoteArgv(words)}`], { encoding: 'utf8' });
}

describe('quoteWord', () => {
  it('leaves safe words bare, so plans read like the seeds', () => {
    for (const w of [
      'ip',
      '-n',
      'container1',
      '172.18.0.0/16',
      'net.ipv4.ip_forward=1',
      'cnet-remote:br0',
      'a,b',
      '50%',
      'x+y',
      'user@host',
      '/run/cnet-remote',
      '--comment',
    ]) {
      expect(quoteWord(w)).toBe(w);
    }
  });

  it('single-quotes everything else', () => {
    expect(quoteWord('!')).toBe("'!'");
    expect(quoteWord('a b')).toBe("'a b'");
    expect(quoteWord('$HOME')).toBe("'$HOME'");
    expect(quoteWord('$(reboot)')).toBe("'$(reboot)'");
    expect(quoteWord('`id`')).toBe("'`id`'");
    expect(quoteWord('a;b')).toBe("'a;b'");
    expect(quoteWord('a|b&c')).toBe("'a|b&c'");
    expect(quoteWord('*')).toBe("'*'");
    expect(quoteWord('~')).toBe("'~'");
    expect(quoteWord('#x')).toBe("'#x'");
    expect(quoteWord('a"b')).toBe(`'a"b'`);
    expect(quoteWord('a\\b')).toBe("'a\\b'");
    expect(quoteWord('{a,b}')).toBe("'{a,b}'");
    expect(quoteWord('é')).toBe("'é'");
  });

  it("handles an embedded ' by closing, escaping and reopening", () => {
    expect(quoteWord("it's")).toBe(`'it'\\''s'`);
    expect(quoteWord("'")).toBe(`''\\'''`);
    expect(quoteWord("''")).toBe(`''\\'''\\'''`);
  });

  it('quotes the empty string and newlines', () => {
    expect(quoteWord('')).toBe("''");
    expect(quoteWord('a\nb')).toBe("'a\nb'");
  });
});

describe('quoteArgv', () => {
  it('joins quoted words with spaces', () => {
    expect(quoteArgv(['iptables', '-w', '-t', 'nat', '-A', 'POSTROUTING', '-s', '172.18.0.0/16', '!', '-o', 'br0'])).toBe(
      "iptables -w -t nat -A POSTROUTING -s 172.18.0.0/16 '!' -o br0",
    );
    expect(quoteArgv(['echo', '', 'x y'])).toBe("echo '' 'x y'");
  });

  it('refuses an empty command', () => {
    expect(() => quoteArgv([])).toThrow(/empty command/);
  });

  it('round-trips the awkward cases through sh exactly', () => {
    const cases = [
      '',
      ' ',
      'a b',
      "it's",
      "'",
      "''",
      '"',
      '\\',
      '\\n',
      'a\nb',
      '\n',
      '\n\n',
      '$(echo pwned)',
      '`echo pwned`',
      '$HOME',
      '${HOME}',
      '*',
      '?',
      '[a]',
      '~',
      '~root',
      '#',
      '!',
      'a;b',
      'a&&b',
      '|',
      '<x',
      '>x',
      '-n',
      '-e',
      '--',
      '%s',
      '%%',
      'é ü 日本',
      '\t',
    ];
    for (const s of cases) expect(roundTrip([s]), JSON.stringify(s)).toBe(`${s}\n`);
    expect(roundTrip(cases)).toBe(cases.map((s) => `${s}\n`).join(''));
  });

  it('round-trips many generated strings through sh exactly (property-style)', () => {
    // deterministic PRNG (mulberry32) so a failure can be replayed
    let seed = 0x5eed;
    const rand = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = [...'abcXYZ019 _-./=:,@%+\'"\\`$(){}[]<>|&;*?!#~\n\t\r', 'é', '日', '€', '\u00a0', '\u0001', '\u007f'];
    const failures: string[] = [];
    for (let n = 0; n < 300; n++) {
      const len = Math.floor(rand() * 16);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const out = execFileSync('sh', ['-c', `printf "%s\\n" ${quoteArgv([s])}`], { encoding: 'utf8' });
      if (out !== `${s}\n`) failures.push(JSON.stringify(s));
    }
    expect(failures).toEqual([]);
  });

  describe('the command word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnet-quote-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Puts an executable named `name` in dir that prints "ran NAME ARGS". */
    function fakeCommand(name: string): void {
      const file = join(dir, name);
      writeFileSync(file, '#!/bin/sh\necho "ran $(basename "$0") $*"\n');
      chmodSync(file, 0o755);
    }
    const run = (argv: string[]): string =>
      execFileSync('sh', ['-c', quoteArgv(argv)], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });

    it('runs a command whose name contains = (sh would take it for an assignment)', () => {
      fakeCommand('a=b');
      expect(run(['a=b', 'x'])).toBe('ran a=b x\n');
      // an = in a later word stays bare
      expect(quoteArgv(['sysctl', '-w', 'net.ipv4.ip_forward=1'])).toBe('sysctl -w net.ipv4.ip_forward=1');
    });

    it('runs a command named like a reserved word', () => {
      for (const word of ['if', 'then', 'do', 'done', 'while', 'for', 'case', 'in', 'fi', 'esac', 'until', 'elif', 'else']) {
        fakeCommand(word);
        expect(run([word, 'arg']), word).toBe(`ran ${word} arg\n`);
      }
      // bash's own reserved words too (the remote login shell is often bash)
      for (const word of ['time', 'function', 'select', 'coproc']) expect(quoteArgv([word, 'x'])).toBe(`'${word}' x`);
      // as an argument a reserved word stays bare
      expect(quoteArgv(['echo', 'if'])).toBe('echo if');
      expect(quoteArgv(['ip', 'netns', 'add', 'pb'])).toBe('ip netns add pb');
    });
  });
});
