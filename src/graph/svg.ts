import { bridgeLines, hostTitleLines, namespaceLines, natLines, STATE_STYLE, upstreamLines, vethLines, vxlanLines } from './labels.js';
import type { GraphBridge, GraphHost, GraphModel, GraphNamespace, Live, LiveState } from './model.js';
import {
  box,
  boxHeight,
  boxWidth,
  CHAR_BOLD,
  CHAR_SMALL,
  edgePaint,
  LINE,
  MARGIN,
  NEUTRAL,
  PAD,
  paint,
  SMALL,
  FONT,
  strokeAttrs,
  textWidth,
  TITLE_H,
  xmlText,
} from './svg-draw.js';
import { drawFabricEdges, drawFabricTitle, drawOutsideMember, OUTSIDE_H, type MemberBox } from './svg-fabric.js';

export { xmlText } from './svg-draw.js';

/**
 * The model drawn as one self-contained SVG by a fixed layout: hosts stacked vertically, each a
 * box (a folded host's with a card behind it and the hosts it stands for as its title) holding (left to right) the upstream, the bridges in a column and each bridge's namespaces
 * to its right. Text widths are estimated from character counts, so no font metrics are needed;
 * all coordinates are integers, so the same model always gives the same bytes. A fabric's
 * VXLAN device sits below its bridge; the fabric's title, edges and outside members: svg-fabric.ts.
 */

const ROW_GAP = 22;
const GROUP_GAP = 26;
/** between a bridge and its VXLAN device below it */
const VX_GAP = 18;
/** where a fan of connectors bends: first bend, then one step further per connector */
const BEND = 14;
const BEND_STEP = 8;

/** For a fan from one box's ports to targets, how far from the ports each connector bends, so none cross. */
function bendSteps(ports: number[], targets: number[]): number[] {
  const up = ports.map((p, i) => ({ i, p, t: targets[i]! })).filter((c) => c.t < c.p);
  const down = ports.map((p, i) => ({ i, p, t: targets[i]! })).filter((c) => c.t >= c.p);
  const steps = new Array<number>(ports.length).fill(0);
  for (const [k, c] of up.entries()) steps[c.i] = k;
  for (const [k, c] of down.entries()) steps[c.i] = down.length - 1 - k;
  return steps;
}

interface Connector {
  targetY: number;
  lines: string[];
  el: Live;
}

/**
 * Connectors from the right side of a box (ports spread over its height) to targets whose left
 * side is at `toX`: out, bend, across; the first label line above the last stretch, others below.
 */
function fan(out: string[], fromX: number, boxY: number, boxH: number, toX: number, labelX: number, conns: Connector[]): void {
  const ports = conns.map((_, i) => boxY + Math.round((boxH * (i + 1)) / (conns.length + 1)));
  const steps = bendSteps(
    ports,
    conns.map((c) => c.targetY),
  );
  conns.forEach((c, i) => {
    const bx = fromX + BEND + BEND_STEP * steps[i]!;
    const p = edgePaint(c.el);
    const points = [`${fromX},${ports[i]}`, `${bx},${ports[i]}`, `${bx},${c.targetY}`, `${toX},${c.targetY}`];
    out.push(`<polyline points="${points.join(' ')}" ${strokeAttrs(p, c.el.state && c.el.state !== 'ok' ? 2 : 1.5)}/>`);
    c.lines.forEach((line, j) => {
      const ty = j === 0 ? c.targetY - 5 : c.targetY + 3 + 13 * j;
      const fill = j > 0 && c.el.state ? STATE_STYLE[c.el.state].stroke : '#1b1b1b';
      out.push(`<text x="${labelX}" y="${ty}" text-anchor="middle" font-size="${SMALL}" fill="${fill}">${xmlText(line)}</text>`);
    });
  });
}

/** Column widths and heights, shared by all hosts so their columns line up. */
interface Metrics {
  upstream: boolean;
  upW: number;
  natGap: number;
  /** the farthest bend of a NAT fan and of a veth fan, from their boxes */
  natBend: number;
  vethBend: number;
  brW: number;
  brH: number;
  vethGap: number;
  nsW: number;
  nsH: number;
  width: number;
}

const maxOf = (values: number[], min: number): number => Math.max(min, ...values);

function metrics(model: GraphModel): Metrics {
  const hosts = model.hosts;
  const bridges = hosts.flatMap((h) => h.bridges);
  const namespaces = hosts.flatMap((h) => h.namespaces);
  const ups = hosts.flatMap((h) => (h.upstream ? [h.upstream] : []));
  const maxFan = maxOf(
    hosts.flatMap((h) => h.bridges.map((b) => h.namespaces.filter((n) => n.bridge === b.name).length)),
    1,
  );
  const label = (lines: string[][]): number =>
    maxOf(
      lines.flat().map((l) => textWidth(l, CHAR_SMALL)),
      0,
    );
  const upstream = ups.length > 0;
  const upW = upstream
    ? maxOf(
        ups.map((u) => boxWidth(upstreamLines(u), 96)),
        96,
      )
    : 0;
  const natFan = maxOf(
    hosts.map((h) => h.nats.length),
    1,
  );
  const natBend = BEND + BEND_STEP * (natFan - 1);
  const natGap = upstream ? natBend + label(hosts.flatMap((h) => h.nats.map(natLines))) + 30 : 0;
  const vxlans = hosts.flatMap((h) => (h.fabric?.vxlan ? [h.fabric.vxlan] : []));
  const brW = maxOf([...bridges.map((b) => boxWidth(bridgeLines(b), 140)), ...vxlans.map((v) => boxWidth(vxlanLines(v), 140))], 140);
  const brH = boxHeight(
    maxOf(
      bridges.map((b) => bridgeLines(b).length),
      3,
    ),
  );
  const vethBend = BEND + BEND_STEP * (maxFan - 1);
  const vethGap = Math.max(150, vethBend + label(hosts.flatMap((h) => h.veths.map(vethLines))) + 30);
  const nsW = maxOf(
    namespaces.map((n) => boxWidth(namespaceLines(n), 140)),
    140,
  );
  const nsH = boxHeight(
    maxOf(
      namespaces.map((n) => namespaceLines(n).length),
      2,
    ),
  );
  const titles = maxOf(
    hosts.flatMap((h) => [
      // a folded host's list, measured as the 14px bold it is drawn in (a host's own title as before)
      ...hostHeading(h, model.live).map((t) => textWidth(t, h.group ? CHAR_HEADING : CHAR_BOLD)),
      ...h.notes.map((t) => textWidth(t, CHAR_BOLD)),
    ]),
    0,
  );
  const inner = Math.max(titles, (upstream ? upW + natGap : 0) + brW + vethGap + nsW);
  return { upstream, upW, natGap, natBend, vethBend, brW, brH, vethGap, nsW, nsH, width: inner + 2 * PAD };
}

/** The host's title lines, in live mode with its count of mismatches after the last (a folded host's: each host's). */
function hostHeading(h: GraphHost, live: boolean): string[] {
  const lines = hostTitleLines(h);
  if (!live || h.mismatches === undefined) return lines;
  const count = h.mismatches === 0 ? 'no mismatches' : `${h.mismatches} mismatch${h.mismatches > 1 ? 'es' : ''}${h.group ? ' each' : ''}`;
  return [...lines.slice(0, -1), `${lines[lines.length - 1]}: ${count}`];
}

/** rough advance of a character of a title (14px bold) */
const CHAR_HEADING = 9.2;
/** A title line's height, below the first (TITLE_H). */
const HEADING_LINE = 18;
/** How far the cards behind a folded host's box stick out, right and below. */
export const STACK = 5;

interface Group {
  bridge?: GraphBridge;
  namespaces: GraphNamespace[];
}

/** Each bridge with its namespaces; namespaces naming no bridge of the host last, on their own. */
function groups(h: GraphHost): Group[] {
  const out: Group[] = h.bridges.map((b) => ({ bridge: b, namespaces: h.namespaces.filter((n) => n.bridge === b.name) }));
  const orphans = h.namespaces.filter((n) => !h.bridges.some((b) => b.name === n.bridge));
  if (orphans.length) out.push({ namespaces: orphans });
  return out;
}

/** Draws one host at `y`; returns its height. */
function drawHost(out: string[], h: GraphHost, y: number, m: Metrics, live: boolean): number {
  const x = MARGIN;
  const body: string[] = [];
  const headingY = y + 20;
  const heading = hostHeading(h, live);
  const notesTop = y + TITLE_H + HEADING_LINE * (heading.length - 1);
  const top = notesTop + LINE * h.notes.length + 8;
  const brX = x + PAD + (m.upstream ? m.upW + m.natGap : 0);
  const nsX = brX + m.brW + m.vethGap;
  const rowPitch = m.nsH + ROW_GAP;
  let cursor = top;
  const bridgeY = new Map<string, number>();
  for (const g of groups(h)) {
    const rowsH = g.namespaces.length ? g.namespaces.length * rowPitch - ROW_GAP : 0;
    // the fabric's VXLAN device, a port of its bridge, below it
    const vx = g.bridge && h.fabric?.bridge === g.bridge.name ? h.fabric.vxlan : undefined;
    const vxLines = vx ? vxlanLines(vx) : [];
    const stackH = vx ? m.brH + VX_GAP + boxHeight(vxLines.length) : m.brH;
    const groupH = Math.max(g.bridge ? stackH : 0, rowsH);
    const rowsTop = cursor + Math.round((groupH - rowsH) / 2);
    const nsY = g.namespaces.map((_, i) => rowsTop + i * rowPitch);
    if (g.bridge) {
      const b = g.bridge;
      const by = cursor + Math.round((groupH - stackH) / 2);
      bridgeY.set(b.name, by);
      const lines = bridgeLines(b);
      box(body, brX, by, m.brW, lines, paint(b, NEUTRAL.bridge), 3, b);
      if (vx) {
        const cx = brX + Math.round(m.brW / 2);
        const vy = by + m.brH + VX_GAP;
        body.push(`<polyline points="${cx},${by + m.brH} ${cx},${vy}" ${strokeAttrs(edgePaint(vx), vx.state && vx.state !== 'ok' ? 2 : 1.5)}/>`);
        box(body, brX, vy, m.brW, vxLines, paint(vx, NEUTRAL.bridge), 3, vx);
      }
      const conns: Connector[] = [];
      g.namespaces.forEach((n, i) => {
        const v = h.veths.find((e) => e.namespace === n.name);
        if (v) conns.push({ targetY: nsY[i]! + Math.round(m.nsH / 2), lines: vethLines(v), el: v });
      });
      const labelX = brX + m.brW + Math.round((m.vethGap + m.vethBend) / 2);
      fan(body, brX + m.brW, by, m.brH, nsX, labelX, conns);
    }
    g.namespaces.forEach((n, i) => {
      const lines = namespaceLines(n);
      const ny = nsY[i]! + Math.round((m.nsH - boxHeight(lines.length)) / 2);
      box(body, nsX, ny, m.nsW, lines, paint(n, NEUTRAL.namespace), 12, n);
    });
    cursor += groupH + GROUP_GAP;
  }
  if (h.bridges.length === 0 && h.namespaces.length === 0) {
    body.push(`<text x="${x + PAD}" y="${top + 14}" font-size="${SMALL}" fill="#616161">no bridges</text>`);
    cursor += 20 + GROUP_GAP;
  }
  const contentBottom = cursor - GROUP_GAP;
  if (h.upstream) {
    const u = h.upstream;
    const lines = upstreamLines(u);
    const uh = boxHeight(lines.length);
    // a bridge's NATs (IPv4's, IPv6's) end spread over its height, one NAT in its middle
    const centres = h.nats.map((n) => {
      const same = h.nats.filter((x) => x.bridge === n.bridge);
      return (bridgeY.get(n.bridge) ?? top) + Math.round((m.brH * (same.indexOf(n) + 1)) / (same.length + 1));
    });
    const mid = centres.length ? Math.round(centres.reduce((a, c) => a + c, 0) / centres.length) : top + Math.round(uh / 2);
    const uy = Math.max(top, Math.min(mid - Math.round(uh / 2), contentBottom - uh));
    const ux = x + PAD;
    box(body, ux, uy, m.upW, lines, paint(u, NEUTRAL.upstream), Math.round(uh / 2), u);
    const conns = h.nats.map((n, i) => ({ targetY: centres[i]!, lines: natLines(n), el: n }));
    fan(body, ux + m.upW, uy, uh, brX, ux + m.upW + Math.round((m.natGap + m.natBend) / 2), conns);
  }
  const height = Math.max(contentBottom, top) - y + PAD;
  const hostPaint = live && h.state && h.state !== 'ok' ? STATE_STYLE[h.state].stroke : '#9e9e9e';
  // a folded host: a card behind its box, as of a stack
  if (h.group)
    out.push(`<rect x="${x + STACK}" y="${y + STACK}" width="${m.width}" height="${height}" rx="8" fill="#eeeeee" stroke="${hostPaint}" stroke-width="1"/>`);
  out.push(`<g>`);
  out.push(`<rect x="${x}" y="${y}" width="${m.width}" height="${height}" rx="8" fill="#fafafa" stroke="${hostPaint}" stroke-width="1.5"/>`);
  heading.forEach((line, i) => {
    out.push(`<text x="${x + PAD}" y="${headingY + HEADING_LINE * i}" font-size="14" font-weight="bold" fill="#1b1b1b">${xmlText(line)}</text>`);
  });
  h.notes.forEach((n, i) => {
    out.push(`<text x="${x + PAD}" y="${notesTop + LINE * (i + 1) - 3}" font-size="${SMALL}" fill="${STATE_STYLE.drift.stroke}">${xmlText(n)}</text>`);
  });
  out.push(...body, '</g>');
  return height;
}

const LEGEND_H = 30;

function legend(out: string[], y: number): void {
  const states: LiveState[] = ['ok', 'drift', 'missing'];
  let x = MARGIN;
  out.push('<g>');
  for (const s of states) {
    const st = STATE_STYLE[s];
    out.push(
      `<rect x="${x}" y="${y + 8}" width="26" height="14" rx="3" fill="${st.fill}" stroke="${st.stroke}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`,
    );
    out.push(`<text x="${x + 32}" y="${y + 19}" font-size="${SMALL}" fill="#1b1b1b">${s}</text>`);
    x += 32 + textWidth(s, CHAR_SMALL) + 24;
  }
  out.push('</g>');
}

/** The model as a standalone SVG document. */
export function toSvg(model: GraphModel): string {
  const m = metrics(model);
  const body: string[] = [];
  let y = MARGIN;
  const f = model.fabric;
  const title = f ? drawFabricTitle(body, f, MARGIN, y) : { height: 0, width: 0 };
  y += title.height;
  const boxes = new Map<string, MemberBox>();
  const stack = model.hosts.some((h) => h.group) ? STACK : 0;
  for (const h of model.hosts) {
    const height = drawHost(body, h, y, m, model.live);
    if (h.fabric) boxes.set(h.name, { top: y, height });
    y += height + MARGIN + (h.group ? STACK : 0);
  }
  let gutter = 0;
  if (f) {
    if (f.layout === 'mesh') {
      for (const member of f.members.filter((x) => !x.drawn)) {
        drawOutsideMember(body, member, MARGIN, y, m.width);
        boxes.set(member.host, { top: y, height: OUTSIDE_H });
        y += OUTSIDE_H + MARGIN;
      }
    }
    const edges = drawFabricEdges(body, f, boxes, MARGIN + m.width + stack);
    gutter = edges.width;
    y = Math.max(y, edges.bottom + MARGIN);
  }
  if (model.live) {
    legend(body, y - 4);
    y += LEGEND_H;
  }
  const width = Math.max(m.width + stack + gutter, title.width) + 2 * MARGIN;
  const height = Math.max(y, 2 * MARGIN);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    '<title>cnet-remote network</title>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
