import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import type { GraphModel } from './model.js';
import { toSvg } from './svg.js';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** The model in one of the formats: Mermaid or DOT text, or a standalone SVG document. */
export function renderGraph(model: GraphModel, format: GraphFormat): string {
  switch (format) {
    case 'mermaid':
      return toMermaid(model);
    case 'dot':
      return toDot(model);
    case 'svg':
      return toSvg(model);
    default:
      throw new Error(`unknown graph format ${JSON.stringify(format satisfies never)}: use ${GRAPH_FORMATS.join(', ')}`);
  }
}
