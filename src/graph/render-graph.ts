import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import type { GraphModel } from './model.js';
import { toSvg } from './svg.js';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Each format's renderer: a format without one does not compile. */
const RENDERERS: Record<GraphFormat, (model: GraphModel) => string> = { mermaid: toMermaid, dot: toDot, svg: toSvg };

/** The model in one of the formats: Mermaid or DOT text, or a standalone SVG document. */
export function renderGraph(model: GraphModel, format: GraphFormat): string {
  // own keys only: `constructor` is no format
  if (!Object.hasOwn(RENDERERS, format)) throw new Error(`unknown graph format ${JSON.stringify(format)}: use ${GRAPH_FORMATS.join(', ')}`);
  return RENDERERS[format](model);
}
