import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitSections } from '../../src/remote/markers.js';
import { formatOwned, natComment, parseRecord, TAG, type OwnedObject } from '../../src/ownership/record.js';
import { RECORD_FILE, STATE_DIR } from '../../src/remote/paths.js';

describe('record constants', () => {
  it('keeps the record under /run, tagged cnet-remote', () => {
    expect(TAG).toBe('cnet-remote');
    expect(STATE_DIR).toBe('/run/cnet-remote');
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
    expect(parseRecord(`${all.map(formatOwned).join('\n')}\n`)).toEqual(all);
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

describe('the fabric’s record lines', () => {
  const fabric: OwnedObject[] = [
    { kind: 'route', dst: '172.30.1.0/24', via: '10.239.0.11' },
    { kind: 'route', dst: '172.31.0.0/16', dev: 'cnet0' },
    { kind: 'nat', subnet: '172.31.0.0/24', bridge: 'cnet0', except: '172.31.0.0/16' },
  ];

  it('writes `route DST via GW`, `route DST dev DEV` and `nat SUBNET BRIDGE EXCEPT`', () => {
    expect(fabric.map(formatOwned)).toEqual(['route 172.30.1.0/24 via 10.239.0.11', 'route 172.31.0.0/16 dev cnet0', 'nat 172.31.0.0/24 cnet0 172.31.0.0/16']);
  });

  it('round-trips them, in order, beside the other kinds', () => {
    const all: OwnedObject[] = [{ kind: 'link', name: 'vxcnet0' }, ...fabric, { kind: 'forward', from: '0' }];
    expect(parseRecord(`${all.map(formatOwned).join('\n')}\n`)).toEqual(all);
  });

  it('reads the records written by the real `up` (the @@record sections of the recorded fabric fixtures)', () => {
    const record = (name: string): string => splitSections(readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8')).get('record') ?? '';
    expect(parseRecord(record('fabric-routed')).map(formatOwned)).toEqual([
      'netns db',
      'netns web',
      'link cnet0',
      'link ve-db',
      'link ve-web',
      'route 172.30.1.0/24 via 10.239.0.11',
      'route 172.30.2.0/24 via 10.239.0.12',
      'nat 172.30.0.0/24 cnet0 172.30.0.0/16',
      'forward 0',
    ]);
    expect(parseRecord(record('fabric-vxlan')).filter((o) => o.kind === 'route' || o.kind === 'nat' || (o.kind === 'link' && o.name === 'vxcnet0'))).toEqual([
      { kind: 'link', name: 'vxcnet0' },
      fabric[1],
      fabric[2],
    ]);
  });

  it('a route via another gateway, or on a device, is another object (both kept)', () => {
    expect(parseRecord('route 172.30.1.0/24 via 10.239.0.11\nroute 172.30.1.0/24 via 10.239.0.21\nroute 172.30.1.0/24 via 10.239.0.11\n')).toEqual([
      { kind: 'route', dst: '172.30.1.0/24', via: '10.239.0.11' },
      { kind: 'route', dst: '172.30.1.0/24', via: '10.239.0.21' },
    ]);
  });

  it('ignores hostile or malformed route and nat lines, so nothing odd reaches `ip route del` or iptables', () => {
    const bad = [
      'route',
      'route 172.30.1.0/24',
      'route 172.30.1.0/24 via',
      'route 172.30.1.0/24 dev',
      'route 172.30.1.0/24 via 10.239.0.11 extra',
      'route 172.30.1.0/24 via 10.239.0.11;reboot',
      'route 172.30.1.0/24 via $(reboot)',
      'route 172.30.1.0/24 via 10.239.0.256',
      'route 172.30.1.0/24 via 10.239.0',
      'route 172.30.1.0/24 dev $(reboot)',
      'route 172.30.1.0/24 dev -x',
      'route 172.30.1.0/24 dev waytoolonginterfacename',
      'route 172.30.1.0/24 gw 10.239.0.11',
      'route 172.30.1.0/24 via cnet0',
      'route 172.30.1.0/24 dev 10.239.0.11;x',
      'route 172.30.1.1/24 via 10.239.0.11',
      'route 172.30.1.0/33 via 10.239.0.11',
      'route default via 10.239.0.2',
      'route 0.0.0.0/0 via 10.239.0.2',
      'route 172.30.1.0/24;reboot via 10.239.0.11',
      'nat 172.31.0.0/24 cnet0 172.31.0.1/16',
      'nat 172.31.0.0/24 cnet0 !',
      'nat 172.31.0.0/24 cnet0 $(reboot)',
      'nat 172.31.0.0/24 cnet0 172.31.0.0/16 x',
      'ROUTE 172.30.1.0/24 via 10.239.0.11',
    ];
    expect(parseRecord(bad.join('\n'))).toEqual([]);
    expect(parseRecord([...bad, 'route 172.30.2.0/24 via 10.239.0.12'].join('\n'))).toEqual([{ kind: 'route', dst: '172.30.2.0/24', via: '10.239.0.12' }]);
  });
});
