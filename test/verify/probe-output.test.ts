import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../src/verify/probe-output.js';

describe('parseProbeOutput (hand-written output)', () => {
  const RTT =
    'PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.\n\n--- 172.18.0.3 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.051/0.062/0.070/0.000 ms\n@ok\n';

  it('an answered probe is ok with the average round-trip time', () => {
    expect(parseProbeOutput(`@@probe 0\n${RTT}@@probes-end\n`, 1)).toEqual([{ ok: true, latencyMs: 0.062, neighbours: new Map() }]);
  });

  it('ok without statistics has no latency', () => {
    expect(parseProbeOutput('@@probe 0\n@ok\n@@probes-end\n', 1)).toEqual([{ ok: true, neighbours: new Map() }]);
  });

  it('a failed probe reads the neighbour table after @fail', () => {
    const out = [
      '@@probe 0',
      'PING 172.18.0.3 (172.18.0.3) 56(84) bytes of data.',
      '',
      '--- 172.18.0.3 ping statistics ---',
      '1 packets transmitted, 0 received, 100% packet loss, time 0ms',
      '@fail',
      '[{"dst":"172.18.0.3","dev":"ceth1","state":["FAILED"]},{"dst":"172.18.0.1","dev":"ceth1","lladdr":"36:40:a5:e4:7c:dd","state":["REACHABLE"]},{"dst":"172.18.0.9","dev":"ceth1"}]',
      '@@probes-end',
      '',
    ].join('\n');
    const [o] = parseProbeOutput(out, 1);
    expect(o!.ok).toBe(false);
    expect(o!.latencyMs).toBeUndefined();
    expect([...o!.neighbours]).toEqual([
      ['172.18.0.3', 'FAILED'],
      ['172.18.0.1', 'REACHABLE'],
      ['172.18.0.9', ''],
    ]);
  });

  it('an unreadable neighbour table leaves the neighbours empty (no throw)', () => {
    const [o] = parseProbeOutput('@@probe 0\n@fail\n[{"dst":"172.18.0.3",\n@@probes-end\n', 1);
    expect(o).toEqual({ ok: false, neighbours: new Map() });
  });

  it('missing sections are failed probes: a dropped connection, or empty output', () => {
    const out = `@@probe 0\n${RTT}@@probe 2\n@fail\n[]\n`;
    const got = parseProbeOutput(out, 4);
    expect(got.map((o) => o.ok)).toEqual([true, false, false, false]);
    for (const o of got.slice(1)) expect(o).toEqual({ ok: false, neighbours: new Map() });
    expect(parseProbeOutput('', 2)).toEqual([
      { ok: false, neighbours: new Map() },
      { ok: false, neighbours: new Map() },
    ]);
    expect(parseProbeOutput('', 0)).toEqual([]);
  });

  it('reads its sections among the facts sections printed in the same round trip', () => {
    const out = `@@root\n[]\n@@end\n@@probe 0\n@fail\n[]\n@@probe 1\n${RTT}@@probes-end\n`;
    expect(parseProbeOutput(out, 2).map((o) => [o.ok, o.latencyMs])).toEqual([
      [false, undefined],
      [true, 0.062],
    ]);
  });

  it('"@ok" only counts as a whole line', () => {
    expect(parseProbeOutput('@@probe 0\nping: @ok?\n@fail\n', 1)[0]!.ok).toBe(false);
  });
});
