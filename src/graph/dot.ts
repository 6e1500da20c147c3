import type { GraphFabric } from './fabric-model.js';
import { hostTitleLines, STATE_STYLE } from './labels.js';
import type { GraphModel, Live } from './model.js';
import { type EdgeKind, type FabricEnd, fabricParts, hostParts, type NodeKind } from './text-parts.js';

/**
 * A DOT double-quoted string: backslash and quote escaped, line breaks as `\n`, and `&` as `&amp;`
 * (Graphviz reads HTML entities in labels: `a&lt;b` would be drawn `a<b`).
 */
export function dotString(text: string): string {
  return `"${text.replace(/&/g, '&amp;').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function label(lines: string[]): string {
  // each line escaped on its own, then joined with DOT's centred line break
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join('\\n')}"`;
}

/** Attributes of a live state; `base` is the shape's own style (e.g. `rounded`). */
function stateAttrs(el: Live, base: string[], node: boolean): string[] {
  const styles = [...base];
  const attrs: string[] = [];
  if (el.state) {
    const s = STATE_STYLE[el.state];
    attrs.push(`color=${dotString(s.stroke)}`, 'penwidth=2');
    if (s.dash) styles.push('dashed');
    if (node) {
      styles.push('filled');
      attrs.push(`fillcolor=${dotString(s.fill)}`);
    }
    attrs.push(`fontcolor=${dotString(s.text)}`);
  }
  return [...(styles.length ? [`style=${dotString(styles.join(','))}`] : []), ...attrs];
}

const attrList = (attrs: string[]): string => `[${attrs.join(', ')}]`;

/** Each kind of node's shape, and the style its state adds to. */
const NODE: Record<NodeKind, { shape: string; style: string[] }> = {
  bridge: { shape: 'box', style: [] },
  namespace: { shape: 'box', style: ['rounded'] },
  upstream: { shape: 'ellipse', style: [] },
  vxlan: { shape: 'component', style: [] },
};

/** Each kind of edge's attributes before its label: a veth and a bridge port have no direction. */
const EDGE: Record<EdgeKind, string[]> = { veth: ['dir=none'], nat: [], port: ['dir=none'] };

/**
 * The model as a Graphviz digraph: one cluster per host (a folded host's lists the hosts it stands for), states as colours and dashes. A fabric
 * adds its supernet and mode as the graph's label, and its edges: between hosts' clusters
 * (routed, clipped at the clusters by `compound`), between their VXLAN devices (vxlan), or from
 * each host to a node of the fabric (hub).
 */
export function toDot(model: GraphModel): string {
  const out = [
    'digraph cnet {',
    '  rankdir=LR;',
    '  fontname="sans-serif";',
    '  node [fontname="sans-serif", fontsize=11];',
    '  edge [fontname="sans-serif", fontsize=10];',
  ];
  for (const h of model.hosts) {
    out.push(`  subgraph cluster_${h.id} {`, `    label=${label(hostTitleLines(h))};`);
    const { nodes, edges } = hostParts(h);
    for (const n of nodes) {
      const { shape, style } = NODE[n.kind];
      out.push(`    ${n.id} ${attrList([`shape=${shape}`, `label=${label(n.lines)}`, ...stateAttrs(n.el, style, true)])};`);
    }
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty [shape=plaintext, label="no bridges"];`);
    for (const e of edges) out.push(`    ${e.from} -> ${e.to} ${attrList([...EDGE[e.kind], `label=${label(e.lines)}`, ...stateAttrs(e.el, [], false)])};`);
    out.push('  }');
  }
  if (model.fabric) fabric(model, model.fabric, out);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The fabric: members outside the picture, the hub, the edges; its supernet and mode as the graph's label. */
function fabric(model: GraphModel, f: GraphFabric, out: string[]): void {
  out.push('  compound=true;');
  const parts = fabricParts(model, f);
  if (f.layout === 'hub') out.push(`  fabric ${attrList(['shape=hexagon', `label=${label(['fabric', f.supernet])}`])};`);
  for (const m of parts.outside) out.push(`  ${m.id} ${attrList(['shape=box', 'style="dashed"', `label=${label(m.lines)}`])};`);
  // a node for each end, and (routed) the cluster the edge is clipped at
  const end = ({ host: h, memberId }: FabricEnd, attr: 'ltail' | 'lhead'): { node: string; attrs: string[] } => {
    if (h?.fabric?.vxlan) return { node: h.fabric.vxlan.id, attrs: [] };
    if (h?.fabric?.bridgeId) return { node: h.fabric.bridgeId, attrs: [`${attr}=cluster_${h.id}`] };
    return { node: memberId ?? 'fabric', attrs: [] };
  };
  for (const l of parts.links) {
    const a = end(l.a, 'ltail');
    const b = l.b === undefined ? { node: 'fabric', attrs: [] } : end(l.b, 'lhead');
    out.push(`  ${a.node} -> ${b.node} ${attrList(['dir=none', ...a.attrs, ...b.attrs, `label=${label(l.lines)}`, ...stateAttrs(l.el, [], false)])};`);
  }
  out.push(`  label=${label(parts.summary)};`, '  labelloc="t";');
}
