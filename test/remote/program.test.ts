import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { frameScript } from '../../src/remote/frame.js';
import { gatherScript } from '../../src/remote/gather.js';
import { PROGRAMS, type ProgramName, program, programParts } from '../../src/remote/program.js';
import { probeScript } from '../../src/remote/probe.js';
import { NO_TXN } from '../../src/remote/journal.js';
import { awaitLockScript, confirmScript, launchScript, recoverScript, txnScript } from '../../src/remote/txn.js';

/** each program with data as the tool fills it in (a little of everything: batches, undos, a pause, a confirmation) */
const txn = txnScript(
  [
    { argv: ['ip', 'netns', 'add', 'c1'], undo: ['ip', 'netns', 'del', 'c1'] },
    { argv: ['ip', '-n', 'c1', 'link', 'set', 'lo', 'up'] },
    { argv: ['ip', '-n', 'c1', 'addr', 'add', '10.0.0.2/24', 'dev', 'eth0'] },
    { argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], undo: ['sysctl', '-w', 'net.ipv4.ip_forward=0'] },
  ],
  { id: 'T1', holder: 'tester', lockWait: 5, after: NO_TXN, record: [{ kind: 'netns', name: 'c1' }], confirmTimeout: 30, pause: { step: 1, seconds: 2 } },
);
const filled: Record<ProgramName, string> = {
  txn,
  launch: launchScript(txn, 5),
  recover: recoverScript(),
  'await-lock': awaitLockScript(5),
  confirm: confirmScript(),
  gather: gatherScript(['c1', "it's"], ['vx0']),
  probe: probeScript([{ netns: 'c1', target: '10.0.0.1' }, { target: '10.0.0.2' }]),
  'frame-end': frameScript('true').text,
};

describe('the programs hosts run', () => {
  it('each is shellcheck-clean as it is put together, with its data (files as written: comments and directives kept)', () => {
    for (const name of Object.keys(PROGRAMS) as ProgramName[]) {
      // the same data, the files with their comments
      const parts = programParts(name, {}, { comments: true });
      const data = filled[name].slice(0, filled[name].indexOf(programParts(name).body));
      // SC2016 ("expressions don't expand in single quotes") is what a value is: literal data
      const r = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC2016', '-'], { input: `${data}${parts.body}\n`, encoding: 'utf8' });
      expect(r.status, `${name}:\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });

  it('each is valid sh as sent (comments left out), alone and one after another in one shell', () => {
    for (const [name, text] of Object.entries(filled)) {
      expect(text, name).not.toMatch(/^\s*#/m);
      execFileSync('sh', ['-n'], { input: text });
    }
    execFileSync('sh', ['-n'], { input: Object.values(filled).join('') });
  });

  it('gets the on-host paths it refers to, and no others', () => {
    expect(filled.launch).toMatch(/^STATE_DIR=\/run\/cnet-remote$/m);
    expect(filled.txn).toMatch(/^TXN_JOURNAL=\/run\/cnet-remote\/txn\/journal$/m);
    expect(filled.txn).not.toContain('STATE_DIR=');
    expect(filled.probe).not.toContain('STATE_DIR=');
    expect(filled['frame-end']).not.toContain('STATE_DIR=');
  });

  it('takes data only as quoted values and tables of argv', () => {
    const text = program('await-lock', { values: { LOCK_WAIT: "1; rm -rf / #'" } });
    expect(text).toContain(`\nLOCK_WAIT='1; rm -rf / #'\\'''\n`);
    expect(() => program('confirm', { values: { lower: 'x' } })).toThrow(/capitals/);
    expect(() => program('confirm', { tables: { 'x; y': { kind: 'calls', calls: [] } } })).toThrow(/small letters/);
    const heredoc = program('confirm', { tables: { t: { kind: 'calls', calls: [{ argv: ['cat'], stdin: [['a b'], ["it's"]] }] } } });
    expect(heredoc).toContain("\nt() {\n  cat <<'CNET_DATA'\n'a b'\n'it'\\''s'\nCNET_DATA\n}\n");
    expect(() => program('confirm', { tables: { t: { kind: 'calls', calls: [{ argv: ['cat'], stdin: [['CNET_DATA']] }] } } })).toThrow(/delimiter/);
  });
});
