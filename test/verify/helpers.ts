import { readFileSync } from 'node:fs';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts, LinkFact, NetnsFacts } from '../../src/facts/types.js';
import { findLink } from '../../src/facts/types.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { host, resolve } from '../inventory/helpers.js';

/** The tiny hosts file the seed inventories are combined with (as `cnet-remote up HOSTS SEED…`). */
export const HOSTS = 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: root }\n';

export const seedText = (file: string): string => readFileSync(new URL(`../../inventories/${file}`, import.meta.url), 'utf8');

/** The desired network of vm1 from the hosts file plus these inventory texts. */
export function network(...texts: string[]): DesiredNetwork {
  return host(resolve(HOSTS, ...texts), 'vm1').network;
}

/** The desired network of vm1 from the hosts file plus these seed inventories. */
export function seedNetwork(...files: string[]): DesiredNetwork {
  return network(...files.map(seedText));
}

/** The recorded VM's desired network: both seeds on one host. */
export const bothSeeds = (): DesiredNetwork => seedNetwork('seed-part2.yaml', 'seed-pb-jelly.yaml');

/** Recorded facts of the simulated VM (test/fixtures/facts/NAME.txt). */
export function facts(name: string): HostFacts {
  return parseFacts(readFileSync(new URL(`../fixtures/facts/${name}.txt`, import.meta.url), 'utf8'));
}

/** A deep copy of the facts, edited by `fn`. */
export function edited(f: HostFacts, fn: (c: HostFacts) => void): HostFacts {
  const c = structuredClone(f);
  fn(c);
  return c;
}

/** The link `name` (in the root namespace, or in namespace `ns`); throws if there is none. */
export function linkIn(f: HostFacts, name: string, ns?: string): LinkFact {
  const where: NetnsFacts | undefined = ns === undefined ? f.root : f.namespaces.get(ns);
  const l = findLink(where, name);
  if (!l) throw new Error(`no link ${name} in ${ns ?? 'root'}`);
  return l;
}
