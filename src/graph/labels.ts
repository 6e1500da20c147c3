import type { GraphBridge, GraphHost, GraphNamespace, GraphNat, GraphUpstream, GraphVeth, Live, LiveState } from './model.js';

/** The text of each element, as lines, shared by every format (each escapes it its own way). */

/** How each live state is drawn: stroke colour, dash pattern (undefined: solid), fill. */
export const STATE_STYLE: Record<LiveState, { stroke: string; dash?: string; fill: string; text: string }> = {
  ok: { stroke: '#2e7d32', fill: '#edf7ee', text: '#1b1b1b' },
  drift: { stroke: '#e67e22', dash: '6 4', fill: '#fff4e5', text: '#1b1b1b' },
  missing: { stroke: '#c62828', dash: '4 4', fill: '#fdecea', text: '#c62828' },
};

/** The line saying what is wrong, for an element not ok. */
export function stateLine(el: Live): string[] {
  if (el.state === 'missing') return ['missing'];
  if (el.state === 'drift') return [el.notes.length ? `drift (${el.notes.join('; ')})` : 'drift'];
  return [];
}

export function hostTitle(h: GraphHost): string {
  return h.address !== undefined ? `${h.name} (${h.address})` : h.name;
}

export function bridgeLines(b: GraphBridge): string[] {
  return [b.name, b.subnet, `gw ${b.address}`, ...stateLine(b)];
}

export function namespaceLines(n: GraphNamespace): string[] {
  return [n.name, `${n.address}/${n.prefix}`, ...stateLine(n)];
}

export function upstreamLines(u: GraphUpstream): string[] {
  return ['upstream', ...stateLine(u)];
}

export function vethLines(v: GraphVeth): string[] {
  return [`${v.hostIf} ↔ ${v.nsIf}`, ...stateLine(v)];
}

export function natLines(n: GraphNat): string[] {
  return ['NAT', ...stateLine(n)];
}
