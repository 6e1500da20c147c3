import type { GraphHostInput } from '../../src/graph/model.js';
import { inputs, inventory, SEED_PART2, SEED_PB_JELLY } from './helpers.js';

/** Both seeds, one input per host. */
export function bothSeeds(): GraphHostInput[] {
  return inputs(inventory(SEED_PART2, SEED_PB_JELLY));
}

/** Both seeds on one host: the network the recorded facts were taken of. */
export function bothSeedsOnOneHost(): GraphHostInput {
  return inputs(inventory(SEED_PART2, SEED_PB_JELLY), 1)[0]!;
}

/** One host whose host, bridge and namespace are all named `a.b-c_d` (a dot, a dash, an underscore), veth v.a-b_c ↔ e.a-b_c. */
export const ODD_NAMES = `
all:
  hosts:
    a.b-c_d: { ansible_host: 10.0.0.3 }
  vars:
    cnet:
      bridges:
        a.b-c_d: { subnet: 10.9.0.0/24 }
      namespaces:
        a.b-c_d: { bridge: a.b-c_d, host_if: v.a-b_c, ns_if: e.a-b_c }
`;
