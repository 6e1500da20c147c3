import { bridgeLines, hostTitle, namespaceLines, natLines, STATE_STYLE, upstreamLines, vethLines } from './labels.js';
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

function styleOf(state: LiveState, forEdge: boolean): string {
  const s = STATE_STYLE[state];
  const parts = [`stroke:${s.stroke}`, 'stroke-width:2px'];
  if (s.dash) parts.push(`stroke-dasharray:${s.dash}`);
  if (!forEdge) parts.push(`fill:${s.fill}`, `color:${s.text}`);
  return parts.join(',');
}

/** The model as a Mermaid flowchart: one subgraph per host, states as classes and link styles. */
export function toMermaid(model: GraphModel): string {
  const out = ['flowchart LR'];
  const nodeClass = new Map<LiveState, string[]>();
  const edgeClass = new Map<LiveState, number[]>();
  let edges = 0;
  const mark = (id: string, el: Live): void => {
    if (el.state) nodeClass.set(el.state, [...(nodeClass.get(el.state) ?? []), id]);
  };
  const edge = (from: string, arrow: string, lines: string[], to: string, el: Live): void => {
    out.push(`    ${from} ${arrow}|${label(lines)}| ${to}`);
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
    if (h.bridges.length === 0 && h.namespaces.length === 0) out.push(`    ${h.id}_empty[${label(['no bridges'])}]`);
    for (const v of h.veths) edge(v.from, '---', vethLines(v), v.to, v);
    for (const n of h.nats) edge(n.from, '-->', natLines(n), n.to, n);
    out.push('  end');
  }
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
