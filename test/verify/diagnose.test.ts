import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import { diagnose } from '../../src/verify/diagnose.js';
import { probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import type { ProbeOutcome } from '../../src/verify/probe-output.js';
import { bothSeeds, edited, facts, linkIn } from './helpers.js';

/** an upstream address only ever written into probes here: diagnose() pings nothing */
const UPSTREAM = '198.51.100.7';
const desired = bothSeeds();
const plan = probePlan(desired, { ipv4: UPSTREAM });

const converged = facts('converged');
const drifted = facts('drifted');
const foreign = facts('foreign');
const forwardDrop = facts('forward-drop');

/** The planned probe of this kind from → to ("host" for the host, "upstream" for the upstream). */
function probe(kind: PlannedProbe['kind'], from: string, to: string): PlannedProbe {
  const p = plan.find((x) => x.kind === kind && x.from === from && x.to === to);
  if (!p) throw new Error(`no ${kind} probe ${from} -> ${to}`);
  return p;
}

const failed = (neighbours: Record<string, string> = {}): ProbeOutcome => ({ ok: false, neighbours: new Map(Object.entries(neighbours)) });
const cause = (p: PlannedProbe, f: HostFacts, outcome = failed()): string => diagnose(p, outcome, desired, f);

const FALLBACK = 'no reply, and nothing in the facts explains it (a firewall on the target or beyond?)';
const ACCEPT_BR0 = 'iptables -I FORWARD -i br0 -j ACCEPT && iptables -I FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
const BRNF = 'dropped in FORWARD: br_netfilter sends bridged traffic through iptables and its FORWARD drops it: sysctl -w net.bridge.bridge-nf-call-iptables=0';

describe('diagnose: nothing in the facts explains it', () => {
  it('an upstream probe nothing else explains, with iptables-legacy tables beside iptables-nft: their FORWARD chain named', () => {
    const both = edited(converged, (c) => void (c.nat.legacyTables = true));
    for (const p of plan.filter((x) => x.kind === 'upstream'))
      expect(cause(p, both)).toBe(
        "no reply: iptables-legacy tables exist besides iptables-nft's, and their FORWARD chain may drop it (cnet-remote cannot read it): iptables-legacy -S FORWARD",
      );
    expect(cause(plan.find((x) => x.kind === 'peer')!, both)).toBe(FALLBACK);
  });

  it('on the converged host every probe gets the fallback text', () => {
    for (const p of plan) expect(cause(p, converged), `${p.kind} ${p.from}->${p.to}`).toBe(FALLBACK);
  });

  it('a probe naming nothing the inventory defines', () => {
    expect(cause({ kind: 'peer', netns: 'nobody', from: 'nobody', to: 'nothing', target: '172.18.0.9' }, converged)).toBe(
      'the probe names nothing the inventory defines',
    );
    expect(cause({ kind: 'host', from: 'host', to: 'nothing', target: '172.18.0.9' }, converged)).toBe('the probe names nothing the inventory defines');
  });
});

describe('diagnose: the source side', () => {
  it('namespace missing (container2 in drifted.txt), for every probe from it', () => {
    for (const p of plan.filter((x) => x.from === 'container2')) {
      expect(cause(p, drifted)).toBe('namespace container2 is missing (cnet-remote up recreates it)');
    }
  });

  it('ns_if missing in its namespace', () => {
    const f = edited(converged, (c) => {
      const ns = c.namespaces.get('container1')!;
      ns.links = ns.links.filter((l) => l.name !== 'ceth1');
    });
    expect(cause(probe('peer', 'container1', 'container2'), f)).toBe('ceth1 is missing in container1 (cnet-remote up recreates it)');
  });

  it('ns_if missing because the namespace’s facts are missing altogether', () => {
    const f = edited(converged, (c) => void c.namespaces.delete('pb'));
    expect(cause(probe('gateway', 'pb', 'brd1'), f)).toBe('veth-pb is missing in pb (cnet-remote up recreates it)');
  });

  it('ns_if down, with the command that brings it up', () => {
    const f = edited(converged, (c) => void (linkIn(c, 'ceth1', 'container1').up = false));
    expect(cause(probe('gateway', 'container1', 'br0'), f)).toBe('ceth1 in container1 is down: ip -n container1 link set dev ceth1 up');
  });

  it('address lost in the namespace', () => {
    const f = edited(converged, (c) => void (linkIn(c, 'veth-jelly', 'jelly').addresses = []));
    expect(cause(probe('peer', 'jelly', 'pb'), f)).toBe('jelly has lost its address 172.19.0.3 (cnet-remote up restores it)');
  });

  it('an extra address is not a lost one (jelly in drifted.txt has 172.19.0.99 as well: its cause is the bridge)', () => {
    expect(cause(probe('peer', 'jelly', 'pb'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
  });

  it('host_if not a port of the bridge, down, or missing', () => {
    const p = probe('peer', 'container1', 'container2');
    expect(
      cause(
        p,
        edited(converged, (c) => void delete linkIn(c, 'veth1').master),
      ),
    ).toBe('veth1 is down or not a port of br0 (cnet-remote up repairs it)');
    expect(
      cause(
        p,
        edited(converged, (c) => void (linkIn(c, 'veth1').master = 'brd1')),
      ),
    ).toBe('veth1 is down or not a port of br0 (cnet-remote up repairs it)');
    expect(
      cause(
        p,
        edited(converged, (c) => void (linkIn(c, 'veth1').up = false)),
      ),
    ).toBe('veth1 is down or not a port of br0 (cnet-remote up repairs it)');
    expect(
      cause(
        p,
        edited(converged, (c) => void (c.root.links = c.root.links.filter((l) => l.name !== 'veth1'))),
      ),
    ).toBe('veth1 is missing (cnet-remote up repairs it)');
  });

  it('no default route for an upstream probe (pb in drifted.txt), checked before the bridge', () => {
    expect(cause(probe('upstream', 'pb', 'upstream'), drifted)).toBe(
      'no route: pb has no default route via 172.19.0.1: ip -n pb route replace default via 172.19.0.1 dev veth-pb',
    );
  });

  it('a default route via another gateway, or in another table, is no default route via the bridge', () => {
    const p = probe('upstream', 'container1', 'upstream');
    const NO_ROUTE = 'no route: container1 has no default route via 172.18.0.1: ip -n container1 route replace default via 172.18.0.1 dev ceth1';
    const def = (c: HostFacts) => c.namespaces.get('container1')!.routes.find((r) => r.dst === 'default')!;
    expect(
      cause(
        p,
        edited(converged, (c) => void (def(c).gateway = '172.18.0.254')),
      ),
    ).toBe(NO_ROUTE);
    expect(
      cause(
        p,
        edited(converged, (c) => void (def(c).table = '100')),
      ),
    ).toBe(NO_ROUTE);
  });

  it('the default route only matters to upstream probes (pb’s peer probe in drifted.txt: the bridge)', () => {
    expect(cause(probe('peer', 'pb', 'jelly'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
    expect(cause(probe('gateway', 'pb', 'brd1'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
  });
});

describe('diagnose: the bridge', () => {
  it('bridge down (brd1 in drifted.txt), for probes from a namespace and from the host', () => {
    expect(cause(probe('peer', 'jelly', 'pb'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
    expect(cause(probe('host', 'host', 'pb'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
    expect(cause(probe('upstream', 'jelly', 'upstream'), drifted)).toBe('bridge brd1 is down: ip link set dev brd1 up');
  });

  it('bridge missing (foreign.txt has pb but no brd1): up recreates it — `ip link set … up` cannot', () => {
    expect(cause(probe('host', 'host', 'pb'), foreign)).toBe('bridge brd1 is missing (cnet-remote up recreates it)');
    const f = edited(converged, (c) => {
      c.root.links = c.root.links.filter((l) => l.name !== 'br0');
      for (const l of c.root.links) if (l.master === 'br0') delete l.master;
    });
    expect(cause(probe('host', 'host', 'container2'), f)).toBe('bridge br0 is missing (cnet-remote up recreates it)');
    // from a namespace, its host end (no longer a port of anything) is found first
    expect(cause(probe('peer', 'container1', 'container2'), f)).toBe('veth1 is down or not a port of br0 (cnet-remote up repairs it)');
  });

  it('the host has no address on the bridge (host probe)', () => {
    const f = edited(converged, (c) => void (linkIn(c, 'br0').addresses = []));
    expect(cause(probe('host', 'host', 'container1'), f)).toBe('no route: the host has no address on br0 (cnet-remote up restores 172.18.0.1)');
  });

  it('gateway address lost (gateway probe)', () => {
    const f = edited(converged, (c) => void (linkIn(c, 'br0').addresses = []));
    expect(cause(probe('gateway', 'container1', 'br0'), f)).toBe('no ARP reply from 172.18.0.1: br0 has lost its address');
    // a peer probe does not need the bridge's address
    expect(cause(probe('peer', 'container1', 'container2'), f)).toBe(FALLBACK);
  });
});

describe('diagnose: the target side', () => {
  it('target namespace missing (peer and host probes to container2 in drifted.txt)', () => {
    expect(cause(probe('peer', 'container1', 'container2'), drifted)).toBe('no ARP reply from 172.18.0.3: container2 is missing');
    expect(cause(probe('host', 'host', 'container2'), drifted)).toBe('no ARP reply from 172.18.0.3: container2 is missing');
  });

  it('target interface down, or without its address', () => {
    const p = probe('peer', 'container1', 'container2');
    const MSG = 'no ARP reply from 172.18.0.3: container2 has ceth2 down or without its address';
    expect(
      cause(
        p,
        edited(converged, (c) => void (linkIn(c, 'ceth2', 'container2').up = false)),
      ),
    ).toBe(MSG);
    expect(
      cause(
        p,
        edited(converged, (c) => void (linkIn(c, 'ceth2', 'container2').addresses = [])),
      ),
    ).toBe(MSG);
    expect(
      cause(
        probe('host', 'host', 'container2'),
        edited(converged, (c) => void (linkIn(c, 'ceth2', 'container2').addresses = [])),
      ),
    ).toBe(MSG);
  });

  it('the target’s host end not an up port of the bridge', () => {
    const f = edited(converged, (c) => void delete linkIn(c, 'veth2').master);
    expect(cause(probe('peer', 'container1', 'container2'), f)).toBe('no ARP reply from 172.18.0.3: veth2 is not an up port of br0');
    expect(
      cause(
        probe('host', 'host', 'container2'),
        edited(converged, (c) => void (linkIn(c, 'veth2').up = false)),
      ),
    ).toBe('no ARP reply from 172.18.0.3: veth2 is not an up port of br0');
  });
});

describe('diagnose: ARP (the neighbour table recorded after the failed probe)', () => {
  it('FAILED for the target of a peer probe', () => {
    expect(cause(probe('peer', 'container1', 'container2'), converged, failed({ '172.18.0.3': 'FAILED' }))).toBe(
      'no ARP reply from 172.18.0.3 (neighbour FAILED)',
    );
  });

  it('INCOMPLETE for the gateway of an upstream probe (the next hop, not the upstream)', () => {
    expect(cause(probe('upstream', 'pb', 'upstream'), converged, failed({ '172.19.0.1': 'INCOMPLETE' }))).toBe(
      'no ARP reply from 172.19.0.1 (neighbour INCOMPLETE)',
    );
    expect(cause(probe('upstream', 'pb', 'upstream'), converged, failed({ [UPSTREAM]: 'FAILED' }))).toBe(FALLBACK);
  });

  it('combined states and host probes', () => {
    expect(cause(probe('host', 'host', 'jelly'), converged, failed({ '172.19.0.3': 'INCOMPLETE,NOARP' }))).toBe(
      'no ARP reply from 172.19.0.3 (neighbour INCOMPLETE,NOARP)',
    );
  });

  it('a reachable neighbour, or another address failing, explains nothing', () => {
    const p = probe('peer', 'container1', 'container2');
    expect(cause(p, converged, failed({ '172.18.0.3': 'REACHABLE' }))).toBe(FALLBACK);
    expect(cause(p, converged, failed({ '172.18.0.9': 'FAILED' }))).toBe(FALLBACK);
  });

  it('is checked after the facts: a missing target wins over its FAILED neighbour entry', () => {
    expect(cause(probe('peer', 'container1', 'container2'), drifted, failed({ '172.18.0.3': 'FAILED' }))).toBe(
      'no ARP reply from 172.18.0.3: container2 is missing',
    );
  });
});

describe('diagnose: forwarding, the FORWARD chain, NAT (upstream probes)', () => {
  it('forwarding off (drifted.txt: ip_forward 0), checked before NAT although br0’s NAT rule is gone too', () => {
    expect(cause(probe('upstream', 'container1', 'upstream'), drifted)).toBe(
      'forwarding is off on the host (net.ipv4.ip_forward=0): sysctl -w net.ipv4.ip_forward=1',
    );
  });

  it('no NAT (br0 in drifted.txt, once forwarding is on)', () => {
    const f = edited(drifted, (c) => void (c.ipForward = true));
    expect(cause(probe('upstream', 'container1', 'upstream'), f)).toBe('no NAT: the MASQUERADE rule for 172.18.0.0/16 is missing (cnet-remote up restores it)');
  });

  it('no NAT: the rule removed from the converged facts; a rule for another bridge does not count', () => {
    const f = edited(converged, (c) => void (c.nat.rules = c.nat.rules.filter((r) => !r.includes('cnet-remote:brd1'))));
    expect(cause(probe('upstream', 'jelly', 'upstream'), f)).toBe('no NAT: the MASQUERADE rule for 172.19.0.0/24 is missing (cnet-remote up restores it)');
    expect(cause(probe('upstream', 'container1', 'upstream'), f)).toBe(FALLBACK);
  });

  it('a FORWARD REJECT rule for brd1 (forward-drop.txt) wins over the policy, with the command that deletes it', () => {
    for (const from of ['pb', 'jelly']) {
      expect(cause(probe('upstream', from, 'upstream'), forwardDrop)).toBe(
        'dropped in FORWARD by: -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable: iptables -D FORWARD -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
      );
    }
  });

  it('policy DROP for br0 (forward-drop.txt), with the accept rules as the fix', () => {
    expect(cause(probe('upstream', 'container1', 'upstream'), forwardDrop)).toBe(`dropped in FORWARD (policy DROP): ${ACCEPT_BR0}`);
  });

  it('policy DROP on the converged facts; an accept rule for the bridge lets it pass', () => {
    const p = probe('upstream', 'container2', 'upstream');
    expect(
      cause(
        p,
        edited(converged, (c) => void (c.forwardChain = { policy: 'DROP', rules: [] })),
      ),
    ).toBe(`dropped in FORWARD (policy DROP): ${ACCEPT_BR0}`);
    expect(
      cause(
        p,
        edited(converged, (c) => void (c.forwardChain = { policy: 'DROP', rules: [['-i', 'br0', '-j', 'ACCEPT']] })),
      ),
    ).toBe(FALLBACK);
    expect(
      cause(
        p,
        edited(converged, (c) => void (c.forwardChain = { policy: 'DROP', rules: [['!', '-i', 'br0', '-j', 'ACCEPT']] })),
      ),
    ).toBe(`dropped in FORWARD (policy DROP): ${ACCEPT_BR0}`);
  });

  it('ip_forward off wins over the FORWARD chain', () => {
    const f = edited(forwardDrop, (c) => void (c.ipForward = false));
    expect(cause(probe('upstream', 'pb', 'upstream'), f)).toBe('forwarding is off on the host (net.ipv4.ip_forward=0): sysctl -w net.ipv4.ip_forward=1');
  });

  it('the host has no default route', () => {
    const f = edited(converged, (c) => void (c.root.routes = c.root.routes.filter((r) => r.dst !== 'default')));
    expect(cause(probe('upstream', 'pb', 'upstream'), f)).toBe(`no route: the host has no default route to ${UPSTREAM}`);
    // only upstream probes need it
    expect(cause(probe('peer', 'pb', 'jelly'), f)).toBe(FALLBACK);
  });

  it('the FORWARD chain does not matter to gateway and host probes', () => {
    for (const p of plan.filter((x) => x.kind === 'gateway' || x.kind === 'host')) expect(cause(p, forwardDrop)).toBe(FALLBACK);
  });
});

describe('diagnose: br_netfilter (peer probes)', () => {
  it('forward-drop.txt: bridged traffic of both bridges passes FORWARD and is dropped (policy for br0, the REJECT rule for brd1)', () => {
    expect(cause(probe('peer', 'container1', 'container2'), forwardDrop)).toBe(BRNF);
    expect(cause(probe('peer', 'pb', 'jelly'), forwardDrop)).toBe(BRNF);
  });

  it('brNetfilter on with policy DROP on the converged facts', () => {
    const f = edited(converged, (c) => {
      c.brNetfilter = true;
      c.forwardChain = { policy: 'DROP', rules: [] };
    });
    expect(cause(probe('peer', 'jelly', 'pb'), f)).toBe(BRNF);
  });

  it('not without br_netfilter, nor when FORWARD accepts the bridge', () => {
    expect(
      cause(
        probe('peer', 'container1', 'container2'),
        edited(forwardDrop, (c) => void (c.brNetfilter = false)),
      ),
    ).toBe(FALLBACK);
    const accepted = edited(forwardDrop, (c) => void c.forwardChain!.rules.unshift(['-i', 'br0', '-j', 'ACCEPT']));
    expect(cause(probe('peer', 'container1', 'container2'), accepted)).toBe(FALLBACK);
    // brd1's REJECT rule still drops
    expect(cause(probe('peer', 'pb', 'jelly'), accepted)).toBe(BRNF);
  });

  it('a FAILED neighbour is reported before br_netfilter', () => {
    expect(cause(probe('peer', 'container1', 'container2'), forwardDrop, failed({ '172.18.0.3': 'FAILED' }))).toBe(
      'no ARP reply from 172.18.0.3 (neighbour FAILED)',
    );
  });
});

describe('native nftables', () => {
  it('an upstream probe blocked by a native nftables forward chain with policy drop names the chain and the fix', () => {
    const f = edited(converged, (c) => void (c.nftChains = [{ family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' }]));
    expect(cause(probe('upstream', 'container1', 'upstream'), f)).toBe(
      'dropped in FORWARD by nftables (chain inet filter forward, policy drop): nft insert rule inet filter forward iifname br0 accept && nft insert rule inet filter forward oifname br0 ct state related,established accept',
    );
  });
});
