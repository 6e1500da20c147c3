import { bridgeLines, hostTitle, namespaceLines, natLines, STATE_STYLE, upstreamLines, vethLines } from './labels.js';
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

/** The model as a Graphviz digraph: one cluster per host, states as colours and dashes. */
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
    if (h.upstream) out.push(`    ${h.upstream.id} ${attrList(['shape=ellipse', `label=${label(upstreamLines(h.upstream))}`, ...stateAttrs(h.upstream, [], true)])};`);
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty [shape=plaintext, label="no bridges"];`);
    for (const v of h.veths) out.push(`    ${v.from} -> ${v.to} ${attrList(['dir=none', `label=${label(vethLines(v))}`, ...stateAttrs(v, [], false)])};`);
    for (const n of h.nats) out.push(`    ${n.from} -> ${n.to} ${attrList([`label=${label(natLines(n))}`, ...stateAttrs(n, [], false)])};`);
    out.push('  }');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
