import { describe, expect, it } from 'vitest';
import { graphModel } from '../../src/graph/model.js';
import { toSvg, xmlText } from '../../src/graph/svg.js';
import { inputs, inventory, inventoryText, liveInput, recordedFacts, SEED_PART2, SEED_PB_JELLY } from './helpers.js';
import { bothSeeds, ODD_NAMES } from './seed-inputs.js';
import { descendants, parseXml, type XmlElement } from './xml.js';

const texts = (root: XmlElement): string[] =>
  descendants(root)
    .filter((e) => e.name === 'text')
    .map((e) => e.text);
const num = (el: XmlElement, attr: string): number => Number(el.attrs.get(attr));

/** The host boxes: the first rect of each top-level group. */
const hostBoxes = (root: XmlElement): XmlElement[] =>
  root.children.filter((g) => g.name === 'g' && g.children[0]?.name === 'rect' && g.children[1]?.name === 'text').map((g) => g.children[0]!);

describe('parseXml (the test helper)', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/entity/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a/><b/>')).toThrow(/second root/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/'<'/);
    expect(() => parseXml('<a>')).toThrow(/unclosed/);
    expect(parseXml('<?xml version="1.0"?>\n<a k=\'v&amp;\'><b>1 &lt; 2</b></a>\n')).toMatchObject({
      name: 'a',
      attrs: new Map([['k', 'v&']]),
      children: [{ name: 'b', text: '1 < 2' }],
    });
  });
});

describe('toSvg', () => {
  it('seed part 2: a well-formed standalone SVG with every name, address and veth', () => {
    const svg = toSvg(graphModel(inputs(inventory(SEED_PART2), 1)));
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.get('font-family')).toBe('sans-serif');
    expect(root.attrs.get('viewBox')).toBe(`0 0 ${root.attrs.get('width')} ${root.attrs.get('height')}`);
    expect(texts(root)).toEqual(
      expect.arrayContaining([
        'vm1 (10.0.0.1)',
        'br0',
        '172.18.0.0/16',
        'gw 172.18.0.1',
        'container1',
        '172.18.0.2/16',
        'container2',
        '172.18.0.3/16',
        'veth1 ↔ ceth1',
        'veth2 ↔ ceth2',
        'upstream',
        'NAT',
      ]),
    );
    // one veth line per namespace, one NAT line, no legend without live facts
    expect(descendants(root).filter((e) => e.name === 'polyline')).toHaveLength(3);
    expect(texts(root)).not.toContain('missing');
  });

  it('seed pb/jelly on two hosts: the hosts stack vertically', () => {
    const one = parseXml(toSvg(graphModel(inputs(inventory(SEED_PB_JELLY), 1))));
    const two = parseXml(toSvg(graphModel(inputs(inventory(SEED_PB_JELLY)))));
    for (const name of [
      'brd1',
      'bread-pb-veth ↔ veth-pb',
      'bread-j-veth ↔ veth-jelly',
      'pb',
      'jelly',
      '172.19.0.2/24',
      '172.19.0.3/24',
      'gw 172.19.0.1',
      'NAT',
      'vm2 (10.0.0.2)',
    ]) {
      expect(texts(two)).toContain(name);
    }
    const [a, b] = hostBoxes(two);
    expect(num(b!, 'y')).toBeGreaterThan(num(a!, 'y') + num(a!, 'height'));
    expect(num(b!, 'x')).toBe(num(a!, 'x'));
    expect(num(two, 'height')).toBeGreaterThan(num(b!, 'y') + num(b!, 'height'));
    expect(num(two, 'width')).toBe(num(one, 'width'));
    expect(num(two, 'width')).toBeGreaterThan(num(a!, 'x') + num(a!, 'width'));
  });

  it('every drawn thing lies inside the picture, and bridges left of their namespaces', () => {
    const root = parseXml(toSvg(graphModel(bothSeeds())));
    const [w, h] = [num(root, 'width'), num(root, 'height')];
    for (const e of descendants(root)) {
      for (const [x, y] of [['x', 'y']] as const) {
        if (e.attrs.has(x)) expect(num(e, x)).toBeGreaterThanOrEqual(0);
        if (e.attrs.has(y)) expect(num(e, y)).toBeGreaterThanOrEqual(0);
        if (e.attrs.has(x)) expect(num(e, x) + (e.attrs.has('width') ? num(e, 'width') : 0)).toBeLessThanOrEqual(w);
        if (e.attrs.has(y)) expect(num(e, y) + (e.attrs.has('height') ? num(e, 'height') : 0)).toBeLessThanOrEqual(h);
      }
      for (const p of (e.attrs.get('points') ?? '').split(' ').filter(Boolean)) {
        const [px, py] = p.split(',').map(Number);
        expect(px! >= 0 && px! <= w && py! >= 0 && py! <= h).toBe(true);
      }
    }
    const xOf = (label: string): number => num(descendants(root).find((e) => e.name === 'text' && e.text === label)!, 'x');
    expect(xOf('br0')).toBeLessThan(xOf('container1'));
    expect(xOf('upstream')).toBeLessThan(xOf('br0'));
  });

  it('is deterministic, self-contained, and all coordinates are numbers', () => {
    const model = graphModel([liveInput(bothSeeds()[0]!, recordedFacts('drifted')), bothSeeds()[1]!]);
    const svg = toSvg(model);
    expect(toSvg(model)).toBe(svg);
    expect(toSvg(graphModel([liveInput(bothSeeds()[0]!, recordedFacts('drifted')), bothSeeds()[1]!]))).toBe(svg);
    expect(svg).not.toMatch(/href|<script|<style|@import|url\(|<image|<foreignObject|\bid=/i);
    expect(svg.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    const coords = descendants(parseXml(svg)).flatMap((e) => ['x', 'y', 'width', 'height'].filter((a) => e.attrs.has(a)).map((a) => e.attrs.get(a)!));
    for (const c of coords) expect(c).toMatch(/^\d+$/);
  });

  it('live, drifted: colours and dashes by state, what differs written out, a legend', () => {
    const root = parseXml(toSvg(graphModel([liveInput(bothSeeds()[0]!, recordedFacts('drifted'))])));
    const t = texts(root);
    expect(t).toEqual(
      expect.arrayContaining([
        'vm1 (10.0.0.1): 13 mismatches',
        'drift (state: DOWN)',
        'drift (default_route: none)',
        'drift (ip_forward: 0)',
        'missing',
        'ok',
        'drift',
      ]),
    );
    const boxOf = (label: string): XmlElement => {
      const groups = descendants(root).filter((e) => e.children.length > 0);
      for (const g of groups) {
        const i = g.children.findIndex((c) => c.name === 'text' && c.text === label);
        if (i > 0)
          return g.children
            .slice(0, i)
            .reverse()
            .find((c) => c.name === 'rect')!;
      }
      throw new Error(`no box for ${label}`);
    };
    expect(boxOf('container2').attrs.get('stroke')).toBe('#c62828');
    expect(boxOf('container2').attrs.get('stroke-dasharray')).toBe('4 4');
    expect(boxOf('brd1').attrs.get('stroke')).toBe('#e67e22');
    expect(boxOf('brd1').attrs.get('stroke-dasharray')).toBe('6 4');
    expect(boxOf('pb').attrs.get('stroke')).toBe('#e67e22');
    expect(boxOf('container1').attrs.get('stroke')).toBe('#2e7d32');
    expect(boxOf('container1').attrs.has('stroke-dasharray')).toBe(false);
    expect(boxOf('br0').attrs.get('stroke')).toBe('#2e7d32');
    const lines = descendants(root).filter((e) => e.name === 'polyline');
    expect(lines.map((l) => l.attrs.get('stroke'))).toEqual(['#2e7d32', '#c62828', '#2e7d32', '#2e7d32', '#c62828', '#2e7d32']);
  });

  it('live, converged: all ok, no drift or missing drawn', () => {
    const svg = toSvg(graphModel([liveInput(bothSeeds()[0]!, recordedFacts('converged'))]));
    const root = parseXml(svg);
    expect(texts(root)).toContain('vm1 (10.0.0.1): no mismatches');
    const strokes = descendants(root)
      .filter((e) => e.name === 'polyline')
      .map((e) => e.attrs.get('stroke'));
    expect(new Set(strokes)).toEqual(new Set(['#2e7d32']));
    // the only dashes are the legend's samples
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
  });

  it('odd names and host names are escaped', () => {
    const inv = inventoryText(ODD_NAMES);
    const svg = toSvg(graphModel([...inputs(inv), { name: `we"b<1>&'x`, network: { bridges: [], namespaces: [] } }]));
    expect(svg).toContain('we&quot;b&lt;1&gt;&amp;&apos;x');
    const t = texts(parseXml(svg));
    expect(t).toEqual(expect.arrayContaining(['a.b-c_d (10.0.0.3)', 'a.b-c_d', 'v.a-b_c ↔ e.a-b_c', `we"b<1>&'x`, 'no bridges']));
  });

  it('long names widen the boxes', () => {
    const inv = (ns: string) =>
      inventoryText(`
all:
  hosts:
    h: { ansible_host: 10.0.0.3 }
  vars:
    cnet:
      bridges:
        br0: { subnet: 10.9.0.0/24 }
      namespaces:
        ${ns}: { bridge: br0, host_if: v1, ns_if: e1 }
`);
    const short = parseXml(toSvg(graphModel(inputs(inv('n')))));
    const long = parseXml(toSvg(graphModel(inputs(inv('a-namespace-with-a-rather-long-name-indeed')))));
    expect(num(long, 'width')).toBeGreaterThan(num(short, 'width') + 100);
  });

  it('an empty model is still a valid SVG', () => {
    expect(parseXml(toSvg(graphModel([]))).name).toBe('svg');
  });

  it('xmlText escapes the five XML specials', () => {
    expect(xmlText(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });
});
