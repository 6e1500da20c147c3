import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forwardChain, natRules, parseIptablesSave, tokenizeRule } from '../../src/firewall/iptables-save.js';
import { parseNftChains } from '../../src/firewall/nft-chains.js';
import { splitSections } from '../../src/remote/markers.js';

const savedOf = (name: string) =>
  parseIptablesSave(splitSections(readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8')).get('iptables')!);
const parseNatRules = (text: string) => natRules(parseIptablesSave(text));

describe('tokenizeRule', () => {
  it('splits on whitespace', () => {
    expect(tokenizeRule('-A POSTROUTING  -s 10.77.0.0/16\t-j MASQUERADE')).toEqual(['-A', 'POSTROUTING', '-s', '10.77.0.0/16', '-j', 'MASQUERADE']);
  });

  it('removes the double quotes iptables puts around a comment', () => {
    expect(tokenizeRule('-m comment --comment "cnet-remote:br0" -j MASQUERADE')).toEqual(['-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE']);
  });

  it('keeps spaces inside quotes and unescapes \\" and \\\\', () => {
    expect(tokenizeRule('--comment "a b  c" x')).toEqual(['--comment', 'a b  c', 'x']);
    expect(tokenizeRule('--comment "say \\"hi\\" \\\\ ok"')).toEqual(['--comment', 'say "hi" \\ ok']);
  });

  it('keeps an empty quoted word, and joins quoted and bare parts of one word', () => {
    expect(tokenizeRule('--comment "" -j X')).toEqual(['--comment', '', '-j', 'X']);
    expect(tokenizeRule('a"b c"d e')).toEqual(['ab cd', 'e']);
  });

  it('returns no words for a blank line', () => {
    expect(tokenizeRule('')).toEqual([]);
    expect(tokenizeRule('   ')).toEqual([]);
  });
});

describe('parseIptablesSave, natRules', () => {
  it('reads the recorded converged rules, comment unquoted, policy line skipped', () => {
    expect(natRules(savedOf('converged'))).toEqual([
      ['-s', '10.77.0.0/16', '-j', 'MASQUERADE'],
      ['-s', '172.18.0.0/16', '!', '-o', 'br0', '-m', 'comment', '--comment', 'cnet-remote:br0', '-j', 'MASQUERADE'],
      ['-s', '172.19.0.0/24', '!', '-o', 'brd1', '-m', 'comment', '--comment', 'cnet-remote:brd1', '-j', 'MASQUERADE'],
    ]);
  });

  it('reads the recorded drifted rules (br0 rule gone, foreign rule kept)', () => {
    expect(natRules(savedOf('drifted'))).toEqual([
      ['-s', '10.77.0.0/16', '-j', 'MASQUERADE'],
      ['-s', '172.19.0.0/24', '!', '-o', 'brd1', '-m', 'comment', '--comment', 'cnet-remote:brd1', '-j', 'MASQUERADE'],
    ]);
  });

  it('keeps duplicate rules (foreign.txt lists the foreign rule twice)', () => {
    expect(natRules(savedOf('foreign'))).toEqual([
      ['-s', '10.77.0.0/16', '-j', 'MASQUERADE'],
      ['-s', '10.77.0.0/16', '-j', 'MASQUERADE'],
    ]);
  });

  it('ignores the policy line, other chains, warnings and blank lines', () => {
    const text = [
      '# Warning: iptables-legacy tables present, use iptables-legacy to see them',
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      ':DOCKER - [0:0]',
      '-A DOCKER -i docker0 -j RETURN',
      '',
      '-A POSTROUTING -o eth0 -j MASQUERADE',
      'COMMIT',
      '*filter',
      '-A POSTROUTING -o other -j MASQUERADE',
      'COMMIT',
    ].join('\n');
    expect(parseNatRules(text)).toEqual([['-o', 'eth0', '-j', 'MASQUERADE']]);
  });

  it('returns no rules for an empty chain', () => {
    expect(parseNatRules('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n')).toEqual([]);
    expect(parseNatRules('')).toEqual([]);
  });
});

describe('forwardChain', () => {
  it('reads the policy from the chain line and the rules (forward-drop.txt)', () => {
    expect(forwardChain(savedOf('forward-drop'))).toEqual({
      policy: 'DROP',
      rules: [['-s', '172.19.0.0/24', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable']],
    });
  });

  it('is ACCEPT with no rules when the filter table does not exist yet', () => {
    expect(forwardChain(parseIptablesSave('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'))).toEqual({ policy: 'ACCEPT', rules: [] });
  });
});

describe('parseNftChains', () => {
  // recorded: `nft -j list chains` on a lab VM with iptables-nft rules and a native inet filter table
  const recorded = JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
      { chain: { family: 'ip', table: 'nat', name: 'POSTROUTING', handle: 1, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' } },
      { chain: { family: 'inet', table: 'filter', name: 'forward', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
      { chain: { family: 'inet', table: 'filter', name: 'mine', handle: 2 } },
    ],
  });

  it('keeps native base chains, not iptables-nft tables nor regular chains', () => {
    expect(parseNftChains(recorded)).toEqual([{ family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' }]);
  });

  it('reads nothing when nft is absent (empty output)', () => {
    expect(parseNftChains('')).toEqual([]);
  });
});

describe('parseIptablesSave on what iptables 1.8.9 prints for hostile comments (recorded: record-hostile.sh)', () => {
  const saved = parseIptablesSave(readFileSync(new URL('../fixtures/facts/hostile-iptables.txt', import.meta.url), 'utf8'));

  it('reads each comment exactly: ESC and BEL, quotes and backslashes, invalid UTF-8', () => {
    const comments = natRules(saved).map((r) => r[r.indexOf('--comment') + 1]);
    expect(comments).toEqual(['x\u001b]0;t\u0007y "q" b\\s', 'nl\nx', 'hi\ufffd\ufffd']);
  });

  it('a newline in a comment (printed as it is) continues the rule: the rest is the comment, not a line of its own', () => {
    expect(natRules(saved)[1]).toEqual(['-s', '10.9.1.0/24', '-m', 'comment', '--comment', 'nl\nx', '-j', 'MASQUERADE']);
    // a comment cannot forge a rule of ours
    const forged =
      '*nat\n-A POSTROUTING -s 10.0.0.0/8 -m comment --comment "x\n-A POSTROUTING -s 172.18.0.0/16 ! -o br0 -m comment --comment cnet-remote:br0 -j MASQUERADE" -j ACCEPT\nCOMMIT\n';
    expect(parseNatRules(forged)).toHaveLength(1);
  });
});
