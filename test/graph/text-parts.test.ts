import { describe, expect, it } from 'vitest';
import { graphModel } from '../../src/graph/model.js';
import { hostParts } from '../../src/graph/text-parts.js';
import { liveInput, recordedFacts } from './helpers.js';
import { bothSeedsOnOneHost } from './seed-inputs.js';

describe('hostParts', () => {
  it('lists a host’s nodes (bridges, namespaces, upstream) and edges (veths, NATs) in drawing order, each with its lines and state', () => {
    const [host] = graphModel([liveInput(bothSeedsOnOneHost(), recordedFacts('drifted'))]).hosts;
    const { nodes, edges } = hostParts(host!);
    const kinds = nodes.map((n) => n.kind);
    expect(kinds).toEqual([...host!.bridges.map(() => 'bridge'), ...host!.namespaces.map(() => 'namespace'), ...(host!.upstream ? ['upstream'] : [])]);
    expect(nodes[0]).toMatchObject({ id: host!.bridges[0]!.id, lines: expect.arrayContaining([host!.bridges[0]!.name]), el: host!.bridges[0] });
    expect(edges.map((e) => e.kind)).toEqual([...host!.veths.map(() => 'veth'), ...host!.nats.map(() => 'nat')]);
    expect(edges.find((e) => e.kind === 'nat')?.lines[0]).toBe('NAT');
    // the drifted facts leave something not ok, and its state line comes with it
    const notOk = [...nodes, ...edges].find((p) => p.el.state !== undefined && p.el.state !== 'ok');
    expect(notOk?.lines.at(-1)).toMatch(/^(missing|drift)/);
  });
});
