import type { GraphFabric } from './fabric-model.js';
import {
  bridgeLines,
  fabricLinkLines,
  fabricSummary,
  fabricTitle,
  memberLookup,
  namespaceLines,
  natLines,
  outsideMemberLines,
  upstreamLines,
  vethLines,
  vxlanLines,
} from './labels.js';
import type { GraphHost, GraphModel, Live } from './model.js';

/**
 * What the text formats (DOT, Mermaid) draw, in the order they draw it, each element with its
 * lines of text: one walk of the model, so that a format says only how it draws a kind of element.
 */

export type NodeKind = 'bridge' | 'namespace' | 'upstream' | 'vxlan';
export type EdgeKind = 'veth' | 'nat' | 'port';

export interface TextNode {
  id: string;
  kind: NodeKind;
  lines: string[];
  el: Live;
}

export interface TextEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  lines: string[];
  el: Live;
}

/** A host's nodes (bridges, namespaces, upstream, VXLAN device), then its edges (veths, NATs, the VXLAN port). */
export function hostParts(h: GraphHost): { nodes: TextNode[]; edges: TextEdge[] } {
  const vx = h.fabric?.vxlan;
  const nodes: TextNode[] = [
    ...h.bridges.map((b) => ({ id: b.id, kind: 'bridge' as const, lines: bridgeLines(b), el: b })),
    ...h.namespaces.map((n) => ({ id: n.id, kind: 'namespace' as const, lines: namespaceLines(n), el: n })),
    ...(h.upstream ? [{ id: h.upstream.id, kind: 'upstream' as const, lines: upstreamLines(h.upstream), el: h.upstream }] : []),
    ...(vx ? [{ id: vx.id, kind: 'vxlan' as const, lines: vxlanLines(vx), el: vx }] : []),
  ];
  const edges: TextEdge[] = [
    ...h.veths.map((v) => ({ from: v.from, to: v.to, kind: 'veth' as const, lines: vethLines(v), el: v })),
    ...h.nats.map((n) => ({ from: n.from, to: n.to, kind: 'nat' as const, lines: natLines(n), el: n })),
    ...(vx && h.fabric?.bridgeId ? [{ from: h.fabric.bridgeId, to: vx.id, kind: 'port' as const, lines: ['port'], el: vx }] : []),
  ];
  return { nodes, edges };
}

/** One end of a fabric edge: the host in the picture, else the member known only as a peer (its node id). */
export interface FabricEnd {
  host?: GraphHost;
  memberId?: string;
}

export interface FabricParts {
  /** the fabric's title and what its edges stand for */
  summary: string[];
  /** mesh: the members outside the picture, drawn only as the others' peers */
  outside: { id: string; lines: string[] }[];
  /** `b` undefined: the edge goes to the hub */
  links: { a: FabricEnd; b?: FabricEnd; lines: string[]; el: Live }[];
}

export function fabricParts(model: GraphModel, f: GraphFabric): FabricParts {
  const hosts = new Map(model.hosts.map((h) => [h.name, h]));
  const member = memberLookup(f);
  const end = (name: string): FabricEnd => {
    const host = hosts.get(name);
    const memberId = member(name)?.id;
    return { ...(host ? { host } : {}), ...(memberId !== undefined ? { memberId } : {}) };
  };
  return {
    summary: [fabricTitle(f), ...fabricSummary(f)],
    outside: f.layout === 'mesh' ? f.members.filter((m) => !m.drawn).map((m) => ({ id: m.id, lines: outsideMemberLines(m) })) : [],
    links: f.links.map((l) => ({ a: end(l.a), ...(l.b === undefined ? {} : { b: end(l.b) }), lines: fabricLinkLines(f, l, member), el: l })),
  };
}
