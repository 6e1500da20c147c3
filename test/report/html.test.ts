import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, formatLatency, MATRIX_COLOURS, probeMatrix, shortCause, toHtml } from '../../src/report/html.js';
import { SCRIPT, SCRIPT_HASH } from '../../src/report/html-script.js';
import { mismatch } from '../../src/result/finding.js';
import { summarize, type HostResult, type ProbeResult, type RunResult } from '../../src/result/result.js';
import { colourCount, nonWhite, screenshot, shotFolder } from './chromium-shot.js';
import { recorded } from './fleet-result.js';

const ROOT = resolve(import.meta.dirname, '../..');
const fixture = recorded;
/** A small hand-written topology picture; the real one comes from src/graph/. */
const SVG = readFileSync(join(ROOT, 'test/fixtures/report/topology.svg'), 'utf8').trim();
const SVG_COLOURS = { bridge: '#2f6fde', namespace: '#e36209' };
const AT = '2026-11-20T02:15:00Z';
/** The elements the report writes (the topology SVG aside): a host's text never adds one. */
const PAGE_TAGS =
  'html head meta title style body header h1 h2 h3 p code time ul ol li form fieldset legend label input output nav a main section span b small div pre table thead tbody tr th td details summary footer'.split(
    ' ',
  );

function run(hosts: HostResult[], command = 'up'): RunResult {
  return { command, hosts, summary: summarize(hosts), durationMs: 2500 };
}

/** The HTML of one host's section. */
function section(html: string, host: string): string {
  const start = html.indexOf(`id="host-${host}"`);
  expect(start, `section of ${host}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

/** A matrix as text: header cells, then each row's cells (tags removed, entities kept). */
function matrixText(sectionHtml: string): string[][] {
  const table = /<table class="matrix">([\s\S]*?)<\/table>/.exec(sectionHtml)?.[1] ?? '';
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...(tr[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) =>
      (c[1] ?? '')
        .replace(/<small>/g, ' ')
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

describe('toHtml: content', () => {
  const html = toHtml(fixture(), { svg: SVG, generatedAt: AT });

  it('is one self-contained page: inline CSS, one inline script the CSP names by hash, nothing loaded from anywhere', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    expect(csp).toBe(`default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src '${SCRIPT_HASH}'`);
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
    // one script, written by us: the one the policy lets run (its hash), and no host text in it
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => [m[1], m[2]])).toEqual([['', SCRIPT]]);
    expect(SCRIPT_HASH).toBe(`sha256-${createHash('sha256').update(SCRIPT).digest('base64')}`);
    const rest = html.replace(scripts[0]![0], '');
    expect(rest).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|@import|@font-face|url\(/i);
    expect(rest).not.toMatch(/\s(?:src|srcset|action|formaction|poster|on[a-z]+)\s*=/i);
    // links are to the page's own sections only
    for (const m of html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)) expect(m[1]).toMatch(/^#[A-Za-z0-9_-]+$/);
    // the only URLs are XML namespace names in the SVG
    expect(html.replace(/\sxmlns(?::\w+)?="[^"]*"/g, '')).not.toMatch(/https?:|\/\/[a-z]/i);
  });

  it('has a header with the command, the time, a summary line by status, badges, the filter and the overview', () => {
    expect(html).toContain('<title>cnet-remote up</title>');
    expect(html).toContain('<h1>cnet-remote up</h1>');
    expect(html).toContain('command <code>up</code> · 2 hosts · took 5.38 s · generated <time>2026-11-20T02:15:00Z</time>');
    expect(html).toContain(
      '<p class="summary"><b>2 hosts</b>: <span class="sum failed"><span class="mark">✗</span> 1 failed</span> · <span class="sum zero"><span class="mark">⊘</span> 0 unreachable</span> · <span class="sum changed"><span class="mark">~</span> 1 changed</span> · <span class="sum zero"><span class="mark">✓</span> 0 ok</span></p>',
    );
    expect(html).toContain('<li class="badge failed">31/32 probes answered</li>');
    expect(html).toContain('<li class="badge failed">1 mismatch</li>');
    expect(html).toContain('<li class="badge changed">1 warning</li>');
    // the filter, hidden until the script shows it, and a cell per host, the failed one first
    expect(html).toContain('<form id="controls" class="controls" hidden role="search"');
    expect(html).toContain(
      '<label class="chip failed"><input type="checkbox" name="st" value="failed" checked> <span class="mark">✗</span> failed <b>1</b></label>',
    );
    expect(html).toContain('<input type="search" id="q"');
    expect(html).toContain(
      '<nav id="overview" aria-label="every host, failures first"><a class="cell st-failed" href="#host-node2" title="node2 · failed">✗</a><a class="cell st-changed" href="#host-node1" title="node1 · changed">~</a></nav>',
    );
    expect(html).toContain(
      '<nav class="jumps">go to: <a href="#problems">problems</a> <a href="#status-failed" class="st-failed">failed</a> <a href="#status-changed" class="st-changed">changed</a> <a href="#topology">topology</a></nav>',
    );
    expect(toHtml(fixture(), { title: 'Nightly lab <42>', generatedAt: AT })).toContain('<title>Nightly lab &lt;42&gt;</title>');
  });

  it('per host: status, error, warnings with the fix in <code>, checked objects, mismatches', () => {
    const node1 = section(html, 'node1');
    expect(node1).toContain('<h2>node1 <span class="badge changed">changed</span></h2>');
    expect(node1).toContain('39 changes · verified · 4.21 s');
    expect(node1).not.toContain('class="error"');
    expect(node1).not.toContain('Mismatches');
    expect(node1).toContain('Checked objects <span class="count">9 of 9 as desired</span>');

    const node2 = section(html, 'node2');
    expect(node2).toContain('<h2>node2 <span class="badge failed">failed</span></h2>');
    expect(node2).toContain('39 changes · did not verify · 5.13 s');
    expect(node2).toContain('<div class="error"><b>error</b><pre>1 mismatch, 1 of 16 probes failed</pre></div>');
    expect(node2).toContain(
      'the FORWARD chain drops traffic of br0: -i br0 -s 172.18.0.2/32 -j DROP<div class="fix">fix: <code>iptables -D FORWARD -i br0 -s 172.18.0.2/32 -j DROP</code></div>',
    );
    expect(node2).toContain('Checked objects <span class="count">8 of 9 as desired</span>');
    expect(node2).toContain('<li class="fail"><span class="mark">✗</span> namespaces.jelly</li>');
    expect(node2).toContain('<li class="pass"><span class="mark">✓</span> bridges.br0.nat</li>');
    expect(node2).toContain('<tr><td><code>namespaces.jelly.mac</code></td><td>02:42:ac:13:00:03</td><td class="actual">02:42:ac:13:00:63</td></tr>');
  });

  it('the probe matrix: rows from, columns to; ✓ with latency, ✗ with a short cause and the whole cause in a title', () => {
    const rows = matrixText(section(html, 'node2'));
    expect(rows[0]).toEqual([
      'from \\ to',
      'container1 172.18.0.2',
      'container2 172.18.0.3',
      'pb 172.19.0.2',
      'jelly 172.19.0.3',
      'br0 gateway 172.18.0.1',
      'brd1 gateway 172.19.0.1',
      'upstream 192.168.56.1',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['container1', 'container2', 'pb', 'jelly', 'host root namespace']);
    const container1 = rows[1]!;
    const latency = fixture().hosts[1]!.probes!.find((p) => p.from === 'container1' && p.to === 'container2')!.latencyMs!;
    expect(container1).toEqual([
      'container1',
      '·',
      `✓ ${latency.toFixed(3)} ms`,
      '·',
      '·',
      expect.stringMatching(/^✓ 0\.\d{3} ms$/),
      '·',
      '✗ dropped in FORWARD by',
    ]);
    expect(rows[5]!.slice(5)).toEqual(['·', '·', '·']); // the host pings no gateway and no upstream

    const cause = 'dropped in FORWARD by: -i br0 -s 172.18.0.2/32 -j DROP: iptables -D FORWARD -i br0 -s 172.18.0.2/32 -j DROP';
    expect(section(html, 'node2')).toContain(
      `<td class="fail" title="upstream: container1 → upstream (192.168.56.1) failed: ${cause}"><span class="mark">✗</span> dropped in FORWARD by</td>`,
    );
    expect(section(html, 'node2')).toContain('Probes <span class="count">15 of 16 answered</span>');
    expect(section(html, 'node1')).toContain('Probes <span class="count">16 of 16 answered</span>');
    expect(
      matrixText(section(html, 'node1'))
        .flat()
        .some((c) => c.startsWith('✗')),
    ).toBe(false);
  });

  it('the topology: the SVG inlined as it is, in a Topology section after the hosts', () => {
    expect(html).toContain(`<section id="topology">\n<h2>Topology</h2>\n<div class="picture">\n${SVG}\n</div>\n</section>`);
    expect(html.indexOf('id="topology"')).toBeGreaterThan(html.indexOf('id="host-node2"'));
    const without = toHtml(fixture(), { generatedAt: AT });
    expect(without).not.toContain('Topology');
    expect(without).not.toContain('#topology"');
  });

  it('is deterministic given generatedAt, and uses now without it', () => {
    expect(toHtml(fixture(), { svg: SVG, generatedAt: AT })).toBe(html);
    const other = toHtml(fixture(), { svg: SVG, generatedAt: '2026-11-21T02:15:00Z' });
    expect(other.replaceAll('2026-11-21T02:15:00Z', AT)).toBe(html);
    const year = String(new Date().getUTCFullYear());
    expect(toHtml(fixture())).toMatch(new RegExp(`generated <time>${year}-\\d\\d-\\d\\dT[\\d:.]+Z</time>`));
  });

  it('escapes all text; control characters are not written', () => {
    const evil = '<script>alert("x")</script> & \'q\' \u0007\u001b[31mred\u001b[0m';
    const h: HostResult = {
      name: 'odd<&>"\'',
      status: 'failed',
      changes: 0,
      steps: ['echo <secret>'],
      verified: false,
      mismatches: [mismatch({ kind: 'namespace', name: 'a' }, 'b<c>', '"d"', evil)],
      error: evil,
      checked: ['namespaces.a'],
      warnings: [{ message: evil, fix: 'echo "<b>" && rm -f \'x\'' }],
      probes: [{ kind: 'peer', from: 'a<', to: 'b>', target: '1.2.3.4"', ok: false, cause: evil }],
      durationMs: 1,
    };
    // healthy hosts with hostile names and the same result: folded, their names listed
    const fine = (name: string): HostResult => ({
      name,
      status: 'ok',
      changes: 0,
      steps: [],
      verified: true,
      mismatches: [],
      checked: ['namespaces.a'],
      durationMs: 2,
    });
    const page = toHtml(run([h, fine('</script><img src=x onerror=alert(1)>'), fine('<b onclick="x()">b</b>')]), { title: evil, generatedAt: '<now>' });
    const ours = `<script>${SCRIPT}</script>`;
    expect(page.split(ours)).toHaveLength(2);
    const rest = page.replace(ours, '');
    expect(rest).not.toMatch(/<script|[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    // every tag in the page is one the report writes
    const tags = new Set([...rest.matchAll(/<\/?([A-Za-z][A-Za-z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
    expect([...tags].filter((t) => !PAGE_TAGS.includes(t))).toEqual([]);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; \ufffdred');
    expect(page).toContain('<code>echo &quot;&lt;b&gt;&quot; &amp;&amp; rm -f &#39;x&#39;</code>');
    expect(page).toContain('<h2>odd&lt;&amp;&gt;&quot;&#39; <span class="badge failed">failed</span></h2>');
    // its cell, its link in the problem list, and the problem (the error's first line)
    expect(page).toContain('<a class="cell st-failed" href="#host-odd_" title="odd&lt;&amp;&gt;&quot;&#39; · failed">✗</a>');
    expect(page).toContain('<a class="hl st-failed" href="#host-odd_"><span class="mark">✗</span> odd&lt;&amp;&gt;&quot;&#39; <small>failed</small></a>');
    expect(page).toContain('<span class="what">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; \ufffdred</span>');
    // the folded names, and the fold named after the first of them
    expect(page).toContain('<li id="host-_script_img_src_x_onerror_alert_1_">&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</li>');
    expect(page).toContain('<li id="host-_b_onclick_x_b_b_">&lt;b onclick=&quot;x()&quot;&gt;b&lt;/b&gt;</li>');
    expect(page).toContain('<b>2 hosts like &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</b>');
    expect(page).toContain('<time>&lt;now&gt;</time>');
    expect(page).toContain('title="peer: a&lt; → b&gt; (1.2.3.4&quot;) failed: &lt;script&gt;');
    // the applied steps are not part of the page
    expect(page).not.toContain('secret');
    expect(escapeHtml('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
  });

  it('IPv6: findings of both families and the probes over each, escaped, control characters not written', () => {
    const h: HostResult = {
      name: 'vm1',
      status: 'failed',
      changes: 0,
      steps: [],
      verified: true,
      mismatches: [
        mismatch({ kind: 'namespace', name: 'c1' }, 'address', '172.18.0.2/16, fd00:18::2/64', '172.18.0.2/16'),
        mismatch({ kind: 'namespace', name: 'c1' }, 'default_route6', 'via fd00:18::1 dev ceth1', 'via fe80::1\u001b[31m\u0007 dev <ceth1>'),
        mismatch({ kind: 'nat6', name: 'br0' }, '', 'MASQUERADE fd00:18::/64 ! -o br0', 'absent'),
      ],
      checked: ['bridges.br0.nat', 'bridges.br0.nat6', 'namespaces.c1'],
      probes: [
        { kind: 'peer', from: 'c1', to: 'c2', target: '172.18.0.3', ok: true, latencyMs: 0.05 },
        { kind: 'peer', from: 'c1', to: 'c2', target: 'fd00:18::3', ok: false, cause: 'no neighbour entry for fd00:18::3\u0000' },
      ],
      error: '3 mismatches, 1 of 2 probes failed',
      durationMs: 1,
    };
    const page = toHtml(run([h], 'verify'), { generatedAt: AT });
    const vm1 = section(page, 'vm1');
    expect(vm1).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(vm1).toContain('<tr><td><code>namespaces.c1.address</code></td><td>172.18.0.2/16, fd00:18::2/64</td><td class="actual">172.18.0.2/16</td></tr>');
    expect(vm1).toContain(
      '<tr><td><code>namespaces.c1.default_route6</code></td><td>via fd00:18::1 dev ceth1</td><td class="actual">via fe80::1\ufffd dev &lt;ceth1&gt;</td></tr>',
    );
    expect(vm1).toContain('<tr><td><code>bridges.br0.nat6</code></td><td>MASQUERADE fd00:18::/64 ! -o br0</td><td class="actual">absent</td></tr>');
    expect(vm1).toContain('<li class="pass"><span class="mark">✓</span> bridges.br0.nat</li>');
    expect(vm1).toContain('<li class="fail"><span class="mark">✗</span> bridges.br0.nat6</li>');
    // c2 over IPv4 and over IPv6: a column each, the IPv6 failure beside the IPv4 answer
    expect(matrixText(vm1)).toEqual([
      ['from \\ to', 'c2 172.18.0.3', 'c2 fd00:18::3'],
      ['c1', '✓ 0.050 ms', '✗ no neighbour entry for fd00:1…'],
    ]);
    expect(vm1).toContain('<b>c1 → c2 (fd00:18::3)</b>: no neighbour entry for fd00:18::3\ufffd</li>');
  });

  it('an unreachable host, a host without probes, and an empty run', () => {
    const down: HostResult = {
      name: 'vm3',
      status: 'unreachable',
      changes: 0,
      steps: [],
      verified: false,
      mismatches: [],
      error: 'connect ETIMEDOUT',
      durationMs: 10_000,
    };
    const plain: HostResult = { name: 'vm3', status: 'ok', changes: 0, steps: [], verified: true, mismatches: [], durationMs: 5 };
    const page = toHtml(run([down, plain], 'verify'), { generatedAt: AT });
    expect(page).toContain('<h2>vm3 <span class="badge unreachable">unreachable</span></h2>');
    expect(page).toContain('0 changes · not verified · 10.00 s');
    expect(page).toContain('<pre>connect ETIMEDOUT</pre>');
    expect(page).toContain('id="host-vm3-2"'); // two hosts of one name still get distinct ids
    expect(page).not.toContain('class="matrix"');
    expect(page).not.toContain('probes answered');
    const empty = toHtml(run([], 'down'), { generatedAt: AT });
    expect(empty).toContain('No host in this run.');
    expect(empty).toContain('0 hosts');
  });
});

describe('matrix helpers', () => {
  const p = (kind: ProbeResult['kind'], from: string, to: string, target: string, ok = true): ProbeResult => ({
    kind,
    from,
    to,
    target,
    ok,
    ...(ok ? { latencyMs: 0.1 } : {}),
  });

  it('orders rows namespaces then host, columns namespaces, gateways, upstream', () => {
    const m = probeMatrix([
      p('upstream', 'b', 'upstream', '9.9.9.9'),
      p('host', 'host', 'a', '10.1.0.2'),
      p('gateway', 'b', 'br0', '10.1.0.1'),
      p('peer', 'b', 'a', '10.1.0.2'),
      p('peer', 'a', 'b', '10.1.0.3'),
      p('peer', 'a', 'b', '10.1.0.3', false),
    ]);
    expect(m.rows).toEqual(['b', 'a', 'host']);
    expect(m.columns.map((c) => c.key)).toEqual(['namespace:b', 'namespace:a', 'gateway:br0', 'upstream:9.9.9.9']);
    expect(m.cell('a', 'namespace:b')?.ok).toBe(false); // of two probes in a cell the failed one shows
    expect(m.cell('host', 'gateway:br0')).toBeUndefined();
  });

  it('a target probed over IPv4 and IPv6: a column for each, side by side, IPv4’s first', () => {
    const m = probeMatrix([
      p('peer', 'a', 'b', 'fd00::3'),
      p('peer', 'b', 'a', '10.1.0.2'),
      p('gateway', 'a', 'br0', 'fd00::1', false),
      p('peer', 'a', 'b', '10.1.0.3', false),
      p('gateway', 'a', 'br0', '10.1.0.1'),
      p('gateway', 'a', 'br1', '10.2.0.1'),
      p('upstream', 'a', 'upstream', '2001:db8::53'),
      p('upstream', 'a', 'upstream', '9.9.9.9'),
    ]);
    expect(m.columns.map((c) => [c.key, c.sub])).toEqual([
      ['namespace:a', '10.1.0.2'],
      ['namespace:b', '10.1.0.3'],
      ['namespace6:b', 'fd00::3'],
      ['gateway:br0', 'gateway 10.1.0.1'],
      ['gateway6:br0', 'gateway fd00::1'],
      ['gateway:br1', 'gateway 10.2.0.1'],
      ['upstream:9.9.9.9', '9.9.9.9'],
      ['upstream6:2001:db8::53', '2001:db8::53'],
    ]);
    // neither family's result hides the other's
    expect([m.cell('a', 'namespace:b')?.ok, m.cell('a', 'namespace6:b')?.ok]).toEqual([false, true]);
    expect([m.cell('a', 'gateway:br0')?.ok, m.cell('a', 'gateway6:br0')?.ok]).toEqual([true, false]);
  });

  it('short causes and latencies', () => {
    expect(shortCause('no route: 10.0.0.1 has no default route via 10.0.0.254: ip -n x route replace …')).toBe('no route');
    expect(shortCause('no reply, and nothing in the facts explains it (a firewall on the target or beyond?)')).toBe('no reply, and nothing in the…');
    expect(shortCause(undefined)).toBe('no reply');
    expect(formatLatency(0.0523)).toBe('0.052 ms');
    expect(formatLatency(12.34)).toBe('12.3 ms');
    expect(formatLatency(250.4)).toBe('250 ms');
    expect(formatLatency(undefined)).toBe('');
  });
});

// The page as a person sees it: headless Debian Chromium takes a screenshot (chromium-shot.ts).
describe('toHtml: the page in headless Chromium', () => {
  const dir = shotFolder('cnet-html-');

  it('renders a 1280×1600 screenshot showing the probe matrix (✓ and ✗ cells) and the topology picture', () => {
    const real = screenshot(dir(), 'report', toHtml(fixture(), { svg: SVG, generatedAt: AT }));
    const blank = screenshot(dir(), 'blank', '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n');

    for (const s of [real, blank]) expect([s.png.width, s.png.height]).toEqual([1280, 1600]);
    // an empty page is white and compresses to almost nothing; the report does not
    expect(nonWhite(blank.png)).toBeLessThan(100);
    expect(nonWhite(real.png)).toBeGreaterThan(0.05 * 1280 * 1600);
    expect(real.bytes).toBeGreaterThan(5 * blank.bytes);

    // the probe matrix: many answered cells, the failed one, all on screen above the picture
    const pass = colourCount(real.png, MATRIX_COLOURS.pass);
    const fail = colourCount(real.png, MATRIX_COLOURS.fail);
    expect(pass.count).toBeGreaterThan(20_000);
    expect(fail.count).toBeGreaterThan(1_000);
    // the topology picture: its bridges and namespaces are drawn
    const bridges = colourCount(real.png, SVG_COLOURS.bridge);
    const namespaces = colourCount(real.png, SVG_COLOURS.namespace);
    expect(bridges.count).toBeGreaterThan(5_000);
    expect(namespaces.count).toBeGreaterThan(5_000);
    expect(bridges.top).toBeGreaterThan(pass.bottom);
    expect(bridges.top).toBeGreaterThan(fail.bottom);
  }, 60_000);
});
