import { describe, expect, it } from 'vitest';
import { formatOwned, natComment, parseRecord, RECORD_DIR, RECORD_FILE, TAG, type OwnedObject } from '../../src/ownership/record.js';

describe('record constants', () => {
  it('keeps the record under /run, tagged cnet-remote', () => {
    expect(TAG).toBe('cnet-remote');
    expect(RECORD_DIR).toBe('/run/cnet-remote');
    expect(RECORD_FILE).toBe('/run/cnet-remote/owned');
    expect(natComment('br0')).toBe('cnet-remote:br0');
  });
});

describe('formatOwned', () => {
  it('writes one line per kind', () => {
    expect(formatOwned({ kind: 'netns', name: 'pb' })).toBe('netns pb');
    expect(formatOwned({ kind: 'link', name: 'bread-pb-veth' })).toBe('link bread-pb-veth');
    expect(formatOwned({ kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' })).toBe('nat 172.18.0.0/16 br0');
    expect(formatOwned({ kind: 'forward', from: '0' })).toBe('forward 0');
  });
});

describe('parseRecord', () => {
  const all: OwnedObject[] = [
    { kind: 'netns', name: 'container1' },
    { kind: 'link', name: 'br0' },
    { kind: 'link', name: 'veth1' },
    { kind: 'nat', subnet: '172.18.0.0/16', bridge: 'br0' },
    { kind: 'forward', from: '0' },
  ];

  it('round-trips formatOwned, in order', () => {
    expect(parseRecord(all.map(formatOwned).join('\n') + '\n')).toEqual(all);
  });

  it('reads nothing from an empty record', () => {
    expect(parseRecord('')).toEqual([]);
    expect(parseRecord('\n\n')).toEqual([]);
  });

  it('tolerates surrounding and repeated whitespace', () => {
    expect(parseRecord('  netns   pb  \n\tnat 172.19.0.0/24\tbrd1\n')).toEqual([
      { kind: 'netns', name: 'pb' },
      { kind: 'nat', subnet: '172.19.0.0/24', bridge: 'brd1' },
    ]);
  });

  it('keeps the first of duplicate lines (up may append an object again)', () => {
    expect(parseRecord('link br0\nnetns pb\nlink br0\nnetns  pb\n')).toEqual([
      { kind: 'link', name: 'br0' },
      { kind: 'netns', name: 'pb' },
    ]);
  });

  it('ignores lines that do not validate, so nothing odd reaches a command', () => {
    const bad = [
      'netns',
      'netns a b',
      'netns -x',
      'netns a;b',
      'netns $(reboot)',
      'link lo',
      'link all',
      'link waytoolonginterfacename',
      'link br0 extra',
      'nat 172.18.0.1/16 br0',
      'nat 172.18.0.0/33 br0',
      'nat 172.18.0.0/16',
      'nat 172.18.0.0/16 bad;name',
      'nat 172.18.0.0/16 br0 x',
      'forward 1',
      'forward',
      'forward 0 0',
      'bridge br0',
      'NETNS pb',
      '# comment',
    ];
    expect(parseRecord(bad.join('\n'))).toEqual([]);
    expect(parseRecord([...bad, 'netns ok'].join('\n'))).toEqual([{ kind: 'netns', name: 'ok' }]);
  });
});
