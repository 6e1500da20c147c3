import type { HostFacts } from '../../src/facts/types.js';
import type { GraphHostInput } from '../../src/graph/model.js';
import { convergedFacts, liveInput } from './helpers.js';
import { bothSeedsOnOneHost } from './seed-inputs.js';

/** Ways a host of the fleet can drift, each its own (on the network of both seeds). */
export const DRIFTS = {
  /** brd1 is down */
  brd1Down: (f: HostFacts): void => {
    f.root.links.find((l) => l.name === 'brd1')!.up = false;
  },
  /** the namespace pb is gone */
  pbGone: (f: HostFacts): void => {
    f.netns.delete('pb');
    f.namespaces.delete('pb');
  },
  /** ip_forward is off */
  forwardingOff: (f: HostFacts): void => {
    f.ipForward = false;
  },
} as const;

/**
 * `count` hosts vm1, vm2, … at 10.0.x.y, all with both seeds' network; live: each with facts of
 * that network converged, except the hosts named in `drift`, changed as it says.
 */
export function fleet(count: number, live?: { drift?: Record<string, (f: HostFacts) => void> }): GraphHostInput[] {
  const { network } = bothSeedsOnOneHost();
  return Array.from({ length: count }, (_, i) => {
    const name = `vm${i + 1}`;
    const input: GraphHostInput = { name, address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`, network };
    if (!live) return input;
    const facts = convergedFacts(network);
    live.drift?.[name]?.(facts);
    return liveInput(input, facts);
  });
}
