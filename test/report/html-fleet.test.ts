import { describe, expect, it } from 'vitest';
import { toHtml } from '../../src/report/html.js';
import { CELL_COLOURS } from '../../src/report/html-style.js';
import { compareHostNames } from '../../src/result/host-order.js';
import { summarize } from '../../src/result/result.js';
import { colourCount, screenshot, shotFolder } from './chromium-shot.js';
import { APPLY_ERROR, BROKEN, CHANGED, fleetResult, SSH_ERROR } from './fleet-result.js';

// Issue 16: the page at fleet size. Budgets here are counts and bytes, never times (the time
// Chromium takes is measured by hand and reported, not asserted).
const AT = '2026-12-02T02:15:00Z';
const page = (n: number): string => toHtml(fleetResult(n), { generatedAt: AT });
const STATUSES = ['failed', 'unreachable', 'changed', 'ok'];

/** Elements in the page as written (start tags), the script's text aside. */
const elements = (html: string): number => (html.replace(/<script>[\s\S]*?<\/script>/, '').match(/<[a-z][a-z0-9]*/g) ?? []).length;

/** The hosts' units in document order: a host's section or a fold, with its status and name. */
function units(html: string): { status: string; name: string }[] {
  const re =
    /<section class="host st-(\w+)" id="[^"]+">\n<h2>([^ <]+)|<details class="fold st-(\w+)"><summary><span class="mark">.<\/span> <b>\d+ hosts like ([^<]+)<\/b>/g;
  return [...html.matchAll(re)].map((m) => ({ status: m[1] ?? m[3] ?? '', name: m[2] ?? m[4] ?? '' }));
}

describe('toHtml at fleet size: deterministic budgets', () => {
  const p500 = page(500);
  const p1000 = page(1000);

  it('stays small: under 200 kB at 1000 hosts, 2 elements for each healthy host folded away', () => {
    expect(Buffer.byteLength(p1000)).toBeLessThan(200_000);
    // 500 more healthy hosts, the same broken ones: each adds its overview cell and its name in the fold
    expect((elements(p1000) - elements(p500)) / 500).toBeLessThanOrEqual(2);
    expect(elements(p1000)).toBeLessThan(3_500);
  });

  it('puts the failures first: failed, unreachable, changed, ok; host order within a status', () => {
    const order = units(p1000);
    const broken = [...BROKEN.forward, ...BROKEN.apply].sort((a, b) => a - b).map((i) => `vm${i}`);
    expect(order).toEqual([
      ...broken.map((name) => ({ status: 'failed', name })),
      { status: 'unreachable', name: `vm${BROKEN.unreachable[0]}` },
      { status: 'changed', name: `vm${CHANGED[0]}` },
      { status: 'ok', name: 'vm1' },
    ]);
    const ranks = order.map((u) => STATUSES.indexOf(u.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(p1000.indexOf('id="problems"')).toBeLessThan(p1000.indexOf('id="status-failed"'));
  });

  it('folds the healthy hosts: "985 hosts like vm1" listing every name, "10 hosts like vm3"; matrices open only where a host failed', () => {
    const ok = /<details class="fold st-ok">[\s\S]*?<ul class="names">([\s\S]*?)<\/ul>/.exec(p1000);
    expect(p1000).toContain(
      '<b>985 hosts like vm1</b> <span class="badge ok">ok</span> <span class="count">0 changes · 9 checked objects as desired · 16 of 16 probes answered</span>',
    );
    expect(p1000).toContain('<b>10 hosts like vm3</b> <span class="badge changed">changed</span>');
    const names = [...(ok?.[1] ?? '').matchAll(/<li id="host-([^"]+)">([^<]+)<\/li>/g)].map((m) => m[2]!);
    expect(names).toHaveLength(985);
    expect(names).toEqual([...names].sort(compareHostNames));
    expect(p1000.match(/<details class="probe-box" open>/g)).toHaveLength(BROKEN.forward.length);
    expect(p1000.match(/<details class="probe-box">/g)).toHaveLength(2); // the two folds' examples
  });

  it('an overview cell per host, each linking to an id on the page; the summary line agrees with the cells', () => {
    const cells = [...p1000.matchAll(/<a class="cell st-(\w+)" href="#([^"]+)" title="([^"]+) · (\w+)">/g)];
    expect(cells).toHaveLength(1000);
    const ids = new Set([...p1000.matchAll(/ id="(host-[^"]+)"/g)].map((m) => m[1]));
    expect(ids.size).toBe(1000);
    for (const c of cells) {
      expect(ids.has(c[2]!)).toBe(true);
      expect(c[1]).toBe(c[4]);
    }
    const count = (st: string): number => cells.filter((c) => c[1] === st).length;
    const s = summarize(fleetResult(1000).hosts);
    expect(STATUSES.map(count)).toEqual([s.failed, s.unreachable, s.changed, s.ok]);
    expect(STATUSES.map(count)).toEqual([4, 1, 10, 985]);
    expect(p1000).toContain(`<p class="summary"><b>1000 hosts</b>: <span class="sum failed"><span class="mark">✗</span> ${count('failed')} failed</span>`);
    expect(p1000).toContain(`<span class="sum ok"><span class="mark">✓</span> ${count('ok')} ok</span></p>`);
  });

  it('groups the problems, each group with its hosts linked by name, mark and status word', () => {
    const items = [...p1000.matchAll(/<li class="problem st-(\w+)"><p><b>(\d+) hosts?<\/b> \w+: <span class="what">([^<]*)<\/span>/g)];
    expect(items.map((m) => [m[1], Number(m[2]), m[3]])).toEqual([
      ['failed', 2, 'namespaces.jelly.mac: desired 02:42:ac:13:00:03, actual 02:42:ac:13:00:63'],
      ['failed', 2, APPLY_ERROR],
      ['unreachable', 1, SSH_ERROR],
    ]);
    expect(p1000).toContain(
      '<a class="hl st-failed" href="#host-vm7"><span class="mark">✗</span> vm7 <small>failed</small></a><a class="hl st-failed" href="#host-vm23"><span class="mark">✗</span> vm23 <small>failed</small></a>',
    );
  });

  it('has the filter and the search box, and loads nothing: no URL, every link inside the page', () => {
    for (const st of STATUSES) expect(p1000).toContain(`<input type="checkbox" name="st" value="${st}" checked>`);
    expect(p1000).toContain('<input type="search" id="q"');
    expect(p1000).not.toMatch(/https?:|\/\/[a-z]|(?<![a-z])url\(|\ssrc\s*=/i);
    for (const m of p1000.matchAll(/\shref\s*=\s*"([^"]*)"/gi)) expect(m[1]).toMatch(/^#[A-Za-z0-9_-]+$/);
    // as written (no script run) nothing is hidden but the controls the script shows
    expect(p1000.match(/\shidden\b/g)).toHaveLength(1);
    expect(p1000).not.toMatch(/class="[^"]*\b(?:nomatch|hide-\w+)\b/);
  });
});

describe('toHtml at fleet size: 500 hosts in headless Chromium', () => {
  const dir = shotFolder('cnet-fleet-');
  const html = page(500);

  /** The overview's cells of each status on the screenshot: pixels, and the rows they span. */
  const cellsOf = (png: Parameters<typeof colourCount>[0]) => ({
    failed: colourCount(png, CELL_COLOURS.failed),
    unreachable: colourCount(png, CELL_COLOURS.unreachable),
    changed: colourCount(png, CELL_COLOURS.changed),
    ok: colourCount(png, CELL_COLOURS.ok),
  });

  it('opens on the failures: their cells first in the overview, above the healthy ones', () => {
    const top = cellsOf(screenshot(dir(), 'fleet-500-top', html).png);
    for (const st of STATUSES) expect(top[st as keyof typeof top].count, st).toBeGreaterThan(0);
    expect(top.ok.count).toBeGreaterThan(50 * top.failed.count); // 485 ok cells, 4 failed
    expect(top.failed.bottom).toBeLessThan(top.ok.bottom);
    expect(top.failed.top).toBeLessThanOrEqual(top.ok.top);
  }, 60_000);

  it('#filter=failed shows the failed hosts alone; without its script (JavaScript off) the same URL shows everything', () => {
    const failed = cellsOf(screenshot(dir(), 'fleet-500-filter-failed', html, { hash: '#filter=failed' }).png);
    expect(failed.failed.count).toBeGreaterThan(0);
    expect(failed.ok.count).toBe(0);
    expect(failed.changed.count).toBe(0);
    expect(failed.unreachable.count).toBe(0);
    const withoutScript = html.replace(/<script>[\s\S]*?<\/script>/, '');
    expect(withoutScript).not.toContain('<script');
    const off = cellsOf(screenshot(dir(), 'fleet-500-no-script', withoutScript, { hash: '#filter=failed' }).png);
    expect(off.ok.count).toBeGreaterThan(50 * off.failed.count);
  }, 60_000);
});
