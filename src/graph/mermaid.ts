import type { GraphFabric } from './fabric-model.js';
import {
  bridgeLines,
  fabricLinkLines,
  fabricSummary,
  fabricTitle,
  hostTitle,
  memberLookup,
  namespaceLines,
  natLines,
  outsideMemberLines,
  STATE_STYLE,
  upstreamLines,
  vethLines,
  vxlanLines,
} from './labels.js';
import type { GraphModel, Live, LiveState } from './model.js';

/** Characters Mermaid would read as syntax or HTML inside a quoted label, as its `#code;` entities. */
export function mermaidText(text: string): string {
  return text.replace(/["#&<>|`\\[\]{}]/g, (c) => `#${c.codePointAt(0)};`);
}

/** A quoted label; lines joined by `<br/>`. */
function label(lines: string[]): string {
  return `"${lines.map(mermaidText).join('<br/>')}"`;
}

const STATES: LiveState[] = ['ok', 'drift', 'missing'];

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
 * The model as a Mermaid flowchart: one subgraph per host, states as classes and link styles.
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
    out.push(`  subgraph ${h.id}[${label([hostTitle(h)])}]`, '    direction LR');
    for (const b of h.bridges) {
      out.push(`    ${b.id}[${label(bridgeLines(b))}]`);
      mark(b.id, b);
    }
    for (const n of h.namespaces) {
      out.push(`    ${n.id}(${label(namespaceLines(n))})`);
      mark(n.id, n);
    }
    if (h.upstream) {
      out.push(`    ${h.upstream.id}((${label(upstreamLines(h.upstream))}))`);
      mark(h.upstream.id, h.upstream);
    }
    const vx = h.fabric?.vxlan;
    if (vx) {
      out.push(`    ${vx.id}[[${label(vxlanLines(vx))}]]`);
      mark(vx.id, vx);
    }
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty[${label(['no bridges'])}]`);
    for (const v of h.veths) edge(v.from, '---', vethLines(v), v.to, v);
    for (const n of h.nats) edge(n.from, '-->', natLines(n), n.to, n);
    if (vx && h.fabric?.bridgeId) edge(h.fabric.bridgeId, '---', ['port'], vx.id, vx);
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
  out.push(`  fabric{{${label([fabricTitle(f), ...fabricSummary(f)])}}}`);
  const hosts = new Map(model.hosts.map((h) => [h.name, h]));
  const member = memberLookup(f);
  if (f.layout === 'mesh') for (const m of f.members) if (!m.drawn) out.push(`  ${m.id}[${label(outsideMemberLines(m))}]`);
  // a host's subgraph (routed), or its VXLAN device: the tunnel ends there
  const end = (name: string): string => {
    const h = hosts.get(name);
    return h?.fabric?.vxlan?.id ?? h?.id ?? member(name)?.id ?? 'fabric';
  };
  for (const l of f.links) edge(end(l.a), '---', fabricLinkLines(f, l, member), l.b === undefined ? 'fabric' : end(l.b), l, '  ');
}
