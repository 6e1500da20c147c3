import type { GraphFabric } from './fabric-model.js';
import { hostTitleLines, STATE_STYLE } from './labels.js';
import type { GraphModel, Live, LiveState } from './model.js';
import { type EdgeKind, type FabricEnd, fabricParts, hostParts, type NodeKind } from './text-parts.js';

/** Characters Mermaid would read as syntax or HTML inside a quoted label, as its `#code;` entities. */
export function mermaidText(text: string): string {
  return text.replace(/["#&<>|`\\[\]{}]/g, (c) => `#${c.codePointAt(0)};`);
}

/** A quoted label; lines joined by `<br/>`. */
function label(lines: string[]): string {
  return `"${lines.map(mermaidText).join('<br/>')}"`;
}

const STATES: LiveState[] = ['ok', 'drift', 'missing'];

/** Each kind of node's brackets: a bridge a box, a namespace rounded, the upstream a circle, a VXLAN device a subroutine box. */
const NODE: Record<NodeKind, [string, string]> = { bridge: ['[', ']'], namespace: ['(', ')'], upstream: ['((', '))'], vxlan: ['[[', ']]'] };

/** Each kind of edge's arrow: a NAT has a direction. */
const ARROW: Record<EdgeKind, string> = { veth: '---', nat: '-->', port: '---' };

/** Writes an edge (its index counted, for link styles). */
type Edge = (from: string, arrow: string, lines: string[], to: string, el: Live, indent?: string) => void;

function styleOf(state: LiveState, forEdge: boolean): string {
  const s = STATE_STYLE[state];
  const parts = [`stroke:${s.stroke}`, 'stroke-width:2px'];
  if (s.dash) parts.push(`stroke-dasharray:${s.dash}`);
  if (!forEdge) parts.push(`fill:${s.fill}`, `color:${s.text}`);
  return parts.join(',');
}

/**
 * The model as a Mermaid flowchart: one subgraph per host (a folded host's lists the hosts it stands for), states as classes and link styles.
 * A fabric adds a node with its supernet and mode, and its edges: between hosts' subgraphs
 * (routed), between their VXLAN devices (vxlan), or from each host to that node (hub).
 */
export function toMermaid(model: GraphModel): string {
  const out = ['flowchart LR'];
  const nodeClass = new Map<LiveState, string[]>();
  const edgeClass = new Map<LiveState, number[]>();
  let edges = 0;
  const mark = (id: string, el: Live): void => {
    if (el.state) nodeClass.set(el.state, [...(nodeClass.get(el.state) ?? []), id]);
  };
  const edge: Edge = (from, arrow, lines, to, el, indent = '    ') => {
    out.push(`${indent}${from} ${arrow}|${label(lines)}| ${to}`);
    if (el.state) edgeClass.set(el.state, [...(edgeClass.get(el.state) ?? []), edges]);
    edges++;
  };
  for (const h of model.hosts) {
    out.push(`  subgraph ${h.id}[${label(hostTitleLines(h))}]`, '    direction LR');
    const { nodes, edges } = hostParts(h);
    for (const n of nodes) {
      const [open, close] = NODE[n.kind];
      out.push(`    ${n.id}${open}${label(n.lines)}${close}`);
      mark(n.id, n.el);
    }
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty[${label(['no bridges'])}]`);
    for (const e of edges) edge(e.from, ARROW[e.kind], e.lines, e.to, e.el);
    out.push('  end');
  }
  if (model.fabric) fabric(model, model.fabric, out, edge);
  if (model.live) {
    for (const s of STATES) out.push(`  classDef ${s} ${styleOf(s, false)}`);
    for (const s of STATES) {
      const ids = nodeClass.get(s);
      if (ids) out.push(`  class ${ids.join(',')} ${s}`);
    }
    for (const s of STATES) {
      const idx = edgeClass.get(s);
      if (idx) out.push(`  linkStyle ${idx.join(',')} ${styleOf(s, true)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The fabric's node (its supernet, mode, what the edges stand for), members outside the picture, its edges. */
function fabric(model: GraphModel, f: GraphFabric, out: string[], edge: Edge): void {
  const parts = fabricParts(model, f);
  out.push(`  fabric{{${label(parts.summary)}}}`);
  for (const m of parts.outside) out.push(`  ${m.id}[${label(m.lines)}]`);
  // a host's subgraph (routed), or its VXLAN device: the tunnel ends there
  const end = ({ host: h, memberId }: FabricEnd): string => h?.fabric?.vxlan?.id ?? h?.id ?? memberId ?? 'fabric';
  for (const l of parts.links) edge(end(l.a), '---', l.lines, l.b === undefined ? 'fabric' : end(l.b), l.el, '  ');
}
