import { escapeAttr } from '../report/xml-text.js';
import { STATE_STYLE } from './labels.js';
import type { Live } from './model.js';

/** The SVG drawing's measures and primitives (boxes, strokes), shared by the hosts' layout and the fabric's. */

/** XML text or attribute value. */
export const xmlText = escapeAttr;

export const MARGIN = 16;
export const PAD = 16;
export const TITLE_H = 30;
export const LINE = 15;
export const FONT = 12;
export const SMALL = 11;
/** rough advance of a character at 12px bold and at 11px, in a sans-serif face */
export const CHAR_BOLD = 7.6;
export const CHAR_SMALL = 6.6;

export const NEUTRAL = {
  bridge: { stroke: '#3b6fb6', fill: '#e8f0fe' },
  namespace: { stroke: '#558b2f', fill: '#f1f8e9' },
  upstream: { stroke: '#616161', fill: '#f5f5f5' },
  edge: '#555555',
};

export const textWidth = (text: string, char: number): number => Math.ceil([...text].length * char);

/** Width of a box holding these lines (first bold, the rest small). */
export function boxWidth(lines: string[], min: number): number {
  return Math.max(min, ...lines.map((l, i) => textWidth(l, i === 0 ? CHAR_BOLD : CHAR_SMALL) + 20));
}

export const boxHeight = (lines: number): number => 12 + LINE * lines;

export interface Paint {
  stroke: string;
  fill: string;
  dash?: string;
}

export function paint(el: Live, neutral: { stroke: string; fill: string }): Paint {
  if (!el.state) return neutral;
  const s = STATE_STYLE[el.state];
  return { stroke: s.stroke, fill: s.fill, ...(s.dash ? { dash: s.dash } : {}) };
}

export function edgePaint(el: Live): Paint {
  if (!el.state) return { stroke: NEUTRAL.edge, fill: 'none' };
  const s = STATE_STYLE[el.state];
  return { stroke: s.stroke, fill: 'none', ...(s.dash ? { dash: s.dash } : {}) };
}

export const strokeAttrs = (p: Paint, width: number): string =>
  `fill="${p.fill}" stroke="${p.stroke}" stroke-width="${width}"${p.dash ? ` stroke-dasharray="${p.dash}"` : ''}`;

/** A box with its lines centred: the first bold, the others small, a state line in the state's colour. */
export function box(out: string[], x: number, y: number, w: number, lines: string[], p: Paint, rx: number, el: Live): void {
  const h = boxHeight(lines.length);
  out.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}" ${strokeAttrs(p, el.state && el.state !== 'ok' ? 2 : 1.5)}/>`);
  const cx = x + Math.round(w / 2);
  const stateLines = el.state && el.state !== 'ok' ? 1 : 0;
  lines.forEach((line, i) => {
    const ty = y + 6 + LINE * (i + 1) - 3;
    const isState = i >= lines.length - stateLines;
    const attrs = i === 0 ? ` font-size="${FONT}" font-weight="bold"` : ` font-size="${SMALL}"`;
    const fill = isState && el.state ? STATE_STYLE[el.state].stroke : '#1b1b1b';
    out.push(`<text x="${cx}" y="${ty}" text-anchor="middle"${attrs} fill="${fill}">${xmlText(line)}</text>`);
  });
}
