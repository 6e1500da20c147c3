import type { GraphFabric, GraphFabricLink, GraphMember } from './fabric-model.js';
import { fabricLinkLines, fabricSummary, fabricTitle, memberLookup, outsideMemberLines, STATE_STYLE } from './labels.js';
import { CHAR_BOLD, CHAR_SMALL, edgePaint, LINE, NEUTRAL, SMALL, strokeAttrs, textWidth, TITLE_H, xmlText } from './svg-draw.js';

/**
 * The fabric in the SVG: its title above the hosts, members outside the picture as boxes below
 * them, and its edges in a column right of the host boxes. Mesh: each pair's edge leaves one box,
 * runs down a lane of its own and enters the other box, its label written along the lane (lanes
 * are shared by edges whose spans and labels do not meet). Hub: each member's edge runs to one
 * bus, the fabric.
 */

/** Where a member's box is, top to bottom. */
export interface MemberBox {
  top: number;
  height: number;
}

/** Lines of text written along a lane (rotated), and the space between lanes. */
const ROT_LINE = 13;
const LANE_GAP = 12;
/** Room kept around an edge's span and label when lanes are shared. */
const LANE_PAD = 6;
const BUS_W = 4;
/** a white outline behind a label's glyphs, so lines it crosses do not hide it */
const HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"';

/** The fabric's title lines (supernet and mode, then what the edges stand for); returns their height and width. */
export function drawFabricTitle(out: string[], f: GraphFabric, x: number, y: number): { height: number; width: number } {
  const lines = [fabricTitle(f), ...fabricSummary(f)];
  out.push('<g>');
  lines.forEach((line, i) => {
    const attrs = i === 0 ? ' font-size="14" font-weight="bold"' : ` font-size="${SMALL}"`;
    out.push(`<text x="${x}" y="${y + 14 + LINE * i}"${attrs} fill="#1b1b1b">${xmlText(line)}</text>`);
  });
  out.push('</g>');
  const width = Math.max(...lines.map((l, i) => textWidth(l, i === 0 ? CHAR_BOLD + 1 : CHAR_SMALL)));
  return { height: 14 + LINE * (lines.length - 1) + 12, width };
}

export const OUTSIDE_H = TITLE_H + LINE + 6;

/** A member outside the picture: a dashed box with its name, underlay address and subnet. */
export function drawOutsideMember(out: string[], m: GraphMember, x: number, y: number, width: number): void {
  const [title, note] = outsideMemberLines(m);
  out.push('<g>');
  out.push(`<rect x="${x}" y="${y}" width="${width}" height="${OUTSIDE_H}" rx="8" fill="#ffffff" stroke="#9e9e9e" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${x + 16}" y="${y + 20}" font-size="14" font-weight="bold" fill="#1b1b1b">${xmlText(title!)}</text>`);
  out.push(`<text x="${x + 16}" y="${y + 20 + LINE}" font-size="${SMALL}" fill="#616161">${xmlText(note!)}</text>`);
  out.push('</g>');
}

/** What the edges took: the width right of the boxes, and the lowest point drawn. */
export interface EdgesExtent {
  width: number;
  bottom: number;
}

const width = (l: GraphFabricLink): number => (l.state && l.state !== 'ok' ? 2 : 1.5);

/** The label's lines: the state line (if any) in its state's colour. */
function labelFill(l: GraphFabricLink, j: number, count: number): string {
  return l.state && l.state !== 'ok' && j === count - 1 ? STATE_STYLE[l.state].stroke : '#1b1b1b';
}

/** The fabric's edges right of the boxes, whose right side is at `right`. */
export function drawFabricEdges(out: string[], f: GraphFabric, boxes: Map<string, MemberBox>, right: number): EdgesExtent {
  const links = f.links.filter((l) => boxes.has(l.a) && (l.b === undefined || boxes.has(l.b)));
  if (!links.length) return { width: 0, bottom: 0 };
  out.push('<g>');
  const extent = f.layout === 'hub' ? hub(out, f, links, boxes, right) : mesh(out, f, links, boxes, right);
  out.push('</g>');
  return extent;
}

/** Each pair's edge in a lane of its own, its ports on each box ordered so that edges from one box do not cross. */
function mesh(out: string[], f: GraphFabric, links: GraphFabricLink[], boxes: Map<string, MemberBox>, right: number): EdgesExtent {
  const member = memberLookup(f);
  const top = (host: string): number => boxes.get(host)!.top;
  const incident = new Map<string, GraphFabricLink[]>();
  for (const l of links) for (const h of [l.a, l.b!]) incident.set(h, [...(incident.get(h) ?? []), l]);
  const port = new Map<string, number>();
  for (const [host, ls] of incident) {
    const box = boxes.get(host)!;
    const other = (l: GraphFabricLink): string => (l.a === host ? l.b! : l.a);
    // edges to boxes above leave from the top, the farthest first: nested lanes, no crossing at the box
    const sorted = [...ls].sort((x, y) => top(other(x)) - top(other(y)));
    const lo = box.top + TITLE_H;
    const span = Math.max(box.height - TITLE_H - 8, 0);
    for (const [k, l] of sorted.entries()) port.set(`${l.id} ${host}`, lo + Math.round((span * (k + 1)) / (sorted.length + 1)));
  }
  const colTop = Math.min(...[...boxes.values()].map((b) => b.top));
  const colBottom = Math.max(...[...boxes.values()].map((b) => b.top + b.height));
  const items = links.map((l) => {
    const ya = port.get(`${l.id} ${l.a}`)!;
    const yb = port.get(`${l.id} ${l.b!}`)!;
    const lines = fabricLinkLines(f, l, member);
    const len = Math.max(0, ...lines.map((t) => textWidth(t, CHAR_SMALL)));
    const half = Math.ceil(len / 2);
    const [y1, y2] = ya < yb ? [ya, yb] : [yb, ya];
    // the label's centre: mid-span, kept within the boxes' column when it fits there
    const mid =
      colBottom - colTop >= len ? Math.min(Math.max(Math.round((y1 + y2) / 2), colTop + half), colBottom - half) : Math.round((colTop + colBottom) / 2);
    return { l, ya, yb, lines, mid, lo: Math.min(y1, mid - half) - LANE_PAD, hi: Math.max(y2, mid + half) + LANE_PAD, lane: 0 };
  });
  const lanes: { lo: number; hi: number }[][] = [];
  const bySpan = [...items].sort((x, y) => Math.abs(x.ya - x.yb) - Math.abs(y.ya - y.yb) || x.lo - y.lo);
  for (const it of bySpan) {
    let k = lanes.findIndex((lane) => lane.every((s) => it.hi < s.lo || it.lo > s.hi));
    if (k < 0) k = lanes.push([]) - 1;
    lanes[k]!.push({ lo: it.lo, hi: it.hi });
    it.lane = k;
  }
  const maxLines = Math.max(1, ...items.map((it) => it.lines.length));
  const pitch = maxLines * ROT_LINE + LANE_GAP;
  const lane0 = right + LANE_GAP + maxLines * ROT_LINE;
  const laneX = (it: { lane: number }): number => lane0 + it.lane * pitch;
  for (const it of items) {
    const x = laneX(it);
    out.push(`<polyline points="${right},${it.ya} ${x},${it.ya} ${x},${it.yb} ${right},${it.yb}" ${strokeAttrs(edgePaint(it.l), width(it.l))}/>`);
  }
  // labels over every line, each with a white halo: other edges' stubs cross the lanes
  for (const it of items) {
    it.lines.forEach((line, j) => {
      const tx = laneX(it) - 4 - j * ROT_LINE;
      out.push(
        `<text x="${tx}" y="${it.mid}" transform="rotate(-90 ${tx} ${it.mid})" text-anchor="middle" font-size="${SMALL}" fill="${labelFill(it.l, j, it.lines.length)}" ${HALO}>${xmlText(line)}</text>`,
      );
    });
  }
  return { width: lane0 + (lanes.length - 1) * pitch + LANE_GAP - right, bottom: Math.max(...items.map((it) => it.hi)) };
}

/** Each member's edge from the middle of its box to one bus, the fabric, labelled with the fabric's supernet. */
function hub(out: string[], f: GraphFabric, links: GraphFabricLink[], boxes: Map<string, MemberBox>, right: number): EdgesExtent {
  const member = memberLookup(f);
  const items = links.map((l) => {
    const box = boxes.get(l.a)!;
    return { l, y: box.top + Math.round(box.height / 2), lines: fabricLinkLines(f, l, member) };
  });
  const stub = Math.max(80, ...items.flatMap((it) => it.lines.map((t) => textWidth(t, CHAR_SMALL) + 40)));
  const busX = right + stub;
  const ys = items.map((it) => it.y);
  const [y1, y2] = [Math.min(...ys) - 10, Math.max(...ys) + 10];
  for (const it of items) {
    out.push(`<polyline points="${right},${it.y} ${busX},${it.y}" ${strokeAttrs(edgePaint(it.l), width(it.l))}/>`);
    it.lines.forEach((line, j) => {
      const ty = j === 0 ? it.y - 5 : it.y + 3 + 13 * j;
      out.push(
        `<text x="${right + Math.round(stub / 2)}" y="${ty}" text-anchor="middle" font-size="${SMALL}" fill="${labelFill(it.l, j, it.lines.length)}">${xmlText(line)}</text>`,
      );
    });
  }
  out.push(`<rect x="${busX}" y="${y1}" width="${BUS_W}" height="${y2 - y1}" fill="${NEUTRAL.bridge.stroke}"/>`);
  const cx = busX + BUS_W + 14;
  const cy = Math.round((y1 + y2) / 2);
  out.push(
    `<text x="${cx}" y="${cy}" transform="rotate(-90 ${cx} ${cy})" text-anchor="middle" font-size="${SMALL}" font-weight="bold" fill="#1b1b1b">${xmlText(`fabric ${f.supernet}`)}</text>`,
  );
  const half = Math.ceil(textWidth(`fabric ${f.supernet}`, CHAR_BOLD) / 2);
  return { width: stub + BUS_W + 14 + 8, bottom: Math.max(y2, cy + half) + 8 };
}
