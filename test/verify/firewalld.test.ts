import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import { parseFirewalld } from '../../src/firewall/firewalld.js';
import { diagnose } from '../../src/verify/diagnose.js';
import { probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import type { ProbeOutcome } from '../../src/verify/probe-output.js';
import { hostWarnings } from '../../src/verify/warnings.js';
import { bothSeeds, edited, facts } from './helpers.js';

/**
 * firewalld in warnings and diagnoses: the converged host (both seeds: br0 and brd1 NAT'ed, the
 * default route by eth0) with the table a real firewalld 1.3.3 printed (test/fixtures/firewalld),
 * eth0 the uplink there too.
 */

const desired = bothSeeds();
const converged = facts('converged');
const plan = probePlan(desired, { ipv4: '198.51.100.7' });
const table = (state: string) => parseFirewalld(readFileSync(new URL(`../fixtures/firewalld/${state}.table.json`, import.meta.url), 'utf8'));
const withFirewalld = (state: string, brNetfilter = false): HostFacts =>
  edited(converged, (c) => {
    c.firewalld = table(state);
    if (brNetfilter) c.brNetfilter = true;
  });

const onBridge = (kind: PlannedProbe['kind'], bridge: string): PlannedProbe => {
  const p = plan.find((x) => x.kind === kind && desired.namespaces.find((n) => n.name === x.netns)?.bridge === bridge);
  if (!p) throw new Error(`no ${kind} probe on ${bridge}`);
  return p;
};
const failed: ProbeOutcome = { ok: false, neighbours: new Map() };
const cause = (p: PlannedProbe, f: HostFacts) => diagnose(p, failed, desired, f);

const FALLBACK = 'no reply, and nothing in the facts explains it (a firewall on the target or beyond?)';
const ADD = (br: string) => `firewall-cmd --zone=trusted --add-interface=${br} && firewall-cmd --permanent --zone=trusted --add-interface=${br}`;
const CHANGE = (br: string) => `firewall-cmd --zone=trusted --change-interface=${br} && firewall-cmd --permanent --zone=trusted --change-interface=${br}`;
const firewalldWarnings = (f: HostFacts) => hostWarnings(desired, f).filter((w) => w.message.startsWith('firewalld'));

describe('hostWarnings with firewalld', () => {
  it('01 (nothing bound, default zone public forwarding nowhere): each NAT bridge named, in no zone, with the fix adding it to trusted', () => {
    expect(firewalldWarnings(withFirewalld('01-no-zones'))).toEqual(
      ['br0', 'brd1'].map((br) => ({
        message: `firewalld rejects traffic from ${br} to the outside (by eth0): ${br} is in no zone (it falls to the default zone public), and zone public neither accepts all traffic nor forwards it there`,
        fix: ADD(br),
      })),
    );
    expect(hostWarnings(desired, withFirewalld('01-no-zones'))).toHaveLength(2);
  });

  it('02 (eth0 in public, which forwards to it): out passes; with br_netfilter the traffic between containers is rejected', () => {
    expect(firewalldWarnings(withFirewalld('02-eth0-public-br0-none'))).toEqual([]);
    expect(firewalldWarnings(withFirewalld('02-eth0-public-br0-none', true)).map((w) => w.message)).toEqual([
      'firewalld rejects traffic between containers on br0 (br_netfilter is on): br0 is in no zone (it falls to the default zone public), and zone public neither accepts all traffic nor forwards it there',
      'firewalld rejects traffic between containers on brd1 (br_netfilter is on): brd1 is in no zone (it falls to the default zone public), and zone public neither accepts all traffic nor forwards it there',
    ]);
  });

  it('03 (br0 in trusted): no warning for br0, brd1 still in no zone only under br_netfilter', () => {
    expect(firewalldWarnings(withFirewalld('03-br0-trusted'))).toEqual([]);
    expect(firewalldWarnings(withFirewalld('03-br0-trusted', true)).map((w) => w.fix)).toEqual([ADD('brd1')]);
  });

  it('05 (br0 in public without forward): br0 named in zone public, the fix moves it; both ways with br_netfilter in one warning', () => {
    const [w] = firewalldWarnings(withFirewalld('05-br0-public-no-forward', true));
    expect(w).toEqual({
      message:
        'firewalld rejects traffic from br0 to the outside (by eth0) and between containers on br0 (br_netfilter is on): br0 is in zone public, and zone public neither accepts all traffic nor forwards it there',
      fix: CHANGE('br0'),
    });
  });

  it('06 (br0 in internal, eth0 in masquerading public): internal lets nothing out to eth0', () => {
    expect(firewalldWarnings(withFirewalld('06-br0-internal-public-masquerade'))[0]).toEqual({
      message:
        'firewalld rejects traffic from br0 to the outside (by eth0): br0 is in zone internal, and zone internal neither accepts all traffic nor forwards it there',
      fix: CHANGE('br0'),
    });
  });

  it('08 (default zone trusted): brd1 in no zone passes, br0 in internal does not', () => {
    expect(firewalldWarnings(withFirewalld('08-default-trusted')).map((w) => w.fix)).toEqual([CHANGE('br0')]);
  });

  it('without firewalld facts, or without a default route and a zone forwarding somewhere: no firewalld warning', () => {
    expect(firewalldWarnings(converged)).toEqual([]);
    const noRoute = edited(withFirewalld('02-eth0-public-br0-none'), (c) => void (c.root.routes = c.root.routes.filter((r) => r.dst !== 'default')));
    expect(firewalldWarnings(noRoute)).toEqual([]);
  });
});

describe('diagnose with firewalld', () => {
  const upstream = onBridge('upstream', 'br0');
  const peer = onBridge('peer', 'br0');

  it('a failed upstream probe: rejected by firewalld, the zone named, with the fix', () => {
    expect(cause(upstream, withFirewalld('01-no-zones'))).toBe(
      `rejected by firewalld: br0 is in no zone (it falls to the default zone public), which lets none of its traffic out: ${ADD('br0')}`,
    );
    expect(cause(upstream, withFirewalld('06-br0-internal-public-masquerade'))).toBe(
      `rejected by firewalld: br0 is in zone internal, which lets none of its traffic out: ${CHANGE('br0')}`,
    );
  });

  it('a failed peer probe under br_netfilter: rejected by firewalld; without br_netfilter bridged traffic never meets it', () => {
    expect(cause(peer, withFirewalld('02-eth0-public-br0-none', true))).toBe(
      `rejected by firewalld: br_netfilter sends bridged traffic through its forward chain, and br0 is in no zone (it falls to the default zone public): ${ADD('br0')}`,
    );
    expect(cause(peer, withFirewalld('02-eth0-public-br0-none'))).toBe(FALLBACK);
  });

  it('where firewalld lets it through (trusted, public forwarding to eth0): the fallback, as before', () => {
    expect(cause(upstream, withFirewalld('03-br0-trusted'))).toBe(FALLBACK);
    expect(cause(peer, withFirewalld('03-br0-trusted', true))).toBe(FALLBACK);
    expect(cause(upstream, withFirewalld('02-eth0-public-br0-none'))).toBe(FALLBACK);
  });

  it('hop by hop: forwarding off comes before firewalld', () => {
    expect(
      cause(
        upstream,
        edited(withFirewalld('01-no-zones'), (c) => void (c.ipForward = false)),
      ),
    ).toMatch(/^forwarding is off/);
  });
});
