import { describe, expect, it } from 'vitest';
import { toDot } from '../../src/graph/dot.js';
import { toMermaid } from '../../src/graph/mermaid.js';
import { graphModel } from '../../src/graph/model.js';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../src/graph/render-graph.js';
import { toSvg } from '../../src/graph/svg.js';
import { inputs, inventory, SEED_PART2 } from './helpers.js';

describe('renderGraph', () => {
  const model = graphModel(inputs(inventory(SEED_PART2)));

  it('renders each format with its renderer', () => {
    expect(GRAPH_FORMATS).toEqual(['mermaid', 'dot', 'svg']);
    expect(renderGraph(model, 'mermaid')).toBe(toMermaid(model));
    expect(renderGraph(model, 'dot')).toBe(toDot(model));
    expect(renderGraph(model, 'svg')).toBe(toSvg(model));
  });

  it('refuses an unknown format', () => {
    expect(() => renderGraph(model, 'png' as GraphFormat)).toThrow('unknown graph format "png": use mermaid, dot, svg');
  });
});
