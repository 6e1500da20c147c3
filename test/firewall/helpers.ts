import { readFileSync } from 'node:fs';
import { FactsError } from '../../src/errors.js';
import type { GatheredSections } from '../../src/firewall/backend.js';
import { splitSections } from '../../src/remote/markers.js';

/** A recorded file under test/fixtures (`DIR/NAME`). */
export const fixture = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

/**
 * The sections of a gather's output, as facts/parse-facts.ts hands them to readFirewallFacts:
 * `need` throws a FactsError for a missing section, `parse` turns what a parser throws into a
 * FactsError naming the section. `asked` lists every section read, `parsed` those handed to `parse`.
 */
export function gathered(text: string): GatheredSections & { asked: Set<string>; parsed: string[] } {
  const sections = splitSections(text);
  const asked = new Set<string>();
  const parsed: string[] = [];
  const read = (name: string) => {
    asked.add(name);
    return sections.get(name);
  };
  return {
    asked,
    parsed,
    get: read,
    has: (name) => read(name) !== undefined,
    need: (name) => {
      const s = read(name);
      if (s === undefined) throw new FactsError(`facts output has no "${name}" section`);
      return s;
    },
    parse: (name, body, fn) => {
      parsed.push(name);
      try {
        return fn(body);
      } catch (err) {
        throw new FactsError(`cannot parse facts: the "${name}" section: ${(err as Error).message}`, undefined, { cause: err });
      }
    },
  };
}

/** A gather's output holding these sections, in order, each under its `@@NAME` marker (as gather.sh's `mark` writes it). */
export const gatherText = (sections: [name: string, body: string][]): string =>
  sections.map(([name, body]) => `@@${name}\n${body}${body === '' || body.endsWith('\n') ? '' : '\n'}`).join('');
