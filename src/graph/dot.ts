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
import type { GraphModel, Live } from './model.js';

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

/**
 * The model as a Graphviz digraph: one cluster per host, states as colours and dashes. A fabric
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
    out.push(`  subgraph cluster_${h.id} {`, `    label=${dotString(hostTitle(h))};`);
    for (const b of h.bridges) out.push(`    ${b.id} ${attrList(['shape=box', `label=${label(bridgeLines(b))}`, ...stateAttrs(b, [], true)])};`);
    for (const n of h.namespaces) out.push(`    ${n.id} ${attrList(['shape=box', `label=${label(namespaceLines(n))}`, ...stateAttrs(n, ['rounded'], true)])};`);
    if (h.upstream)
      out.push(`    ${h.upstream.id} ${attrList(['shape=ellipse', `label=${label(upstreamLines(h.upstream))}`, ...stateAttrs(h.upstream, [], true)])};`);
    const vx = h.fabric?.vxlan;
    if (vx) out.push(`    ${vx.id} ${attrList(['shape=component', `label=${label(vxlanLines(vx))}`, ...stateAttrs(vx, [], true)])};`);
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty [shape=plaintext, label="no bridges"];`);
    for (const v of h.veths) out.push(`    ${v.from} -> ${v.to} ${attrList(['dir=none', `label=${label(vethLines(v))}`, ...stateAttrs(v, [], false)])};`);
    for (const n of h.nats) out.push(`    ${n.from} -> ${n.to} ${attrList([`label=${label(natLines(n))}`, ...stateAttrs(n, [], false)])};`);
    if (vx && h.fabric?.bridgeId) out.push(`    ${h.fabric.bridgeId} -> ${vx.id} ${attrList(['dir=none', 'label="port"', ...stateAttrs(vx, [], false)])};`);
    out.push('  }');
  }
  if (model.fabric) fabric(model, model.fabric, out);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The fabric: members outside the picture, the hub, the edges; its supernet and mode as the graph's label. */
function fabric(model: GraphModel, f: GraphFabric, out: string[]): void {
  out.push('  compound=true;');
  const hosts = new Map(model.hosts.map((h) => [h.name, h]));
  const member = memberLookup(f);
  if (f.layout === 'hub') out.push(`  fabric ${attrList(['shape=hexagon', `label=${label(['fabric', f.supernet])}`])};`);
  else for (const m of f.members) if (!m.drawn) out.push(`  ${m.id} ${attrList(['shape=box', 'style="dashed"', `label=${label(outsideMemberLines(m))}`])};`);
  // a node for each end, and (routed) the cluster the edge is clipped at
  const end = (name: string, attr: 'ltail' | 'lhead'): { node: string; attrs: string[] } => {
    const h = hosts.get(name);
    if (h?.fabric?.vxlan) return { node: h.fabric.vxlan.id, attrs: [] };
    if (h?.fabric?.bridgeId) return { node: h.fabric.bridgeId, attrs: [`${attr}=cluster_${h.id}`] };
    return { node: member(name)?.id ?? 'fabric', attrs: [] };
  };
  for (const l of f.links) {
    const a = end(l.a, 'ltail');
    const b = l.b === undefined ? { node: 'fabric', attrs: [] } : end(l.b, 'lhead');
    out.push(
      `  ${a.node} -> ${b.node} ${attrList(['dir=none', ...a.attrs, ...b.attrs, `label=${label(fabricLinkLines(f, l, member))}`, ...stateAttrs(l, [], false)])};`,
    );
  }
  out.push(`  label=${label([fabricTitle(f), ...fabricSummary(f)])};`, '  labelloc="t";');
}
