import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { diagnose } from '../../src/verify/diagnose.js';
import { hostWarnings } from '../../src/verify/warnings.js';
import { probePlan, type PlannedProbe } from '../../src/verify/probe-plan.js';
import type { ProbeOutcome } from '../../src/verify/probe-output.js';
import { FABRIC_FACTS as F, fabricNetwork } from '../plan/fabric-helpers.js';
import { edited, linkIn } from './helpers.js';

const routed = fabricNetwork('routed');
const vxlan = fabricNetwork('vxlan');

/** vm1's fabric probe from db to `peer`'s db. */
function fabricProbe(desired: DesiredNetwork, peer: string): PlannedProbe {
  const p = probePlan(desired, undefined, 'vm1').find((x) => x.kind === 'fabric' && x.to === `${peer}/db`);
  if (!p) throw new Error(`no fabric probe to ${peer}`);
  return p;
}

const failed: ProbeOutcome = { ok: false, neighbours: new Map() };
const cause = (desired: DesiredNetwork, peer: string, f: HostFacts): string => diagnose(fabricProbe(desired, peer), failed, desired, f);

const PEER_SIDE = (peer: string, target: string, extra = '') =>
  `no reply from ${peer}/db (${target}); this host's side is in place: check ${peer} (cnet-remote verify --probe --limit ${peer}) and the underlay between the hosts${extra}`;

describe('diagnose a failed fabric probe: routed', () => {
  it('vm2’s route deleted (recorded): names the missing route, and up as the fix', () => {
    expect(cause(routed, 'vm2', F.routedDrifted)).toBe('no route to 172.30.1.0/24 via 10.239.0.11 (cnet-remote up restores it)');
  });

  it('to vm3 on the same host, whose route is there: points at vm3', () => {
    expect(cause(routed, 'vm3', F.routedDrifted)).toBe(PEER_SIDE('vm3', '172.30.2.2'));
  });

  it('converged (recorded): this host’s side is in place, check the peer', () => {
    expect(cause(routed, 'vm2', F.routed)).toBe(PEER_SIDE('vm2', '172.30.1.2'));
    expect(cause(routed, 'vm3', F.routed)).toBe(PEER_SIDE('vm3', '172.30.2.2'));
  });

  it('a route to the subnet via another gateway is no route via the peer', () => {
    const f = edited(F.routed, (c) => {
      for (const r of c.root.routes) if (r.dst === '172.30.1.0/24') r.gateway = '10.239.0.12';
    });
    expect(cause(routed, 'vm2', f)).toBe('no route to 172.30.1.0/24 via 10.239.0.11 (cnet-remote up restores it)');
  });

  it('forwarding off wins over the missing route', () => {
    const f = edited(F.routedDrifted, (c) => void (c.ipForward = false));
    expect(cause(routed, 'vm2', f)).toBe('forwarding is off on the host (net.ipv4.ip_forward=0): sysctl -w net.ipv4.ip_forward=1');
  });

  it('the source side first: db without its default route', () => {
    const f = edited(F.routedDrifted, (c) => {
      const ns = c.namespaces.get('db')!;
      ns.routes = ns.routes.filter((r) => r.dst !== 'default');
    });
    expect(cause(routed, 'vm2', f)).toBe('no route: db has no default route via 172.30.0.1: ip -n db route replace default via 172.30.0.1 dev eth0');
  });
});

describe('diagnose a failed fabric probe: vxlan', () => {
  it('vm2’s flood entry deleted (recorded): names the missing forwarding entry', () => {
    expect(cause(vxlan, 'vm2', F.vxlanDrifted)).toBe(
      'vxcnet0 does not send to vm2 (10.239.0.11): its forwarding entry is missing (cnet-remote up restores it)',
    );
  });

  it('to vm3 on the same host, whose entry is there: points at vm3 and the UDP port', () => {
    expect(cause(vxlan, 'vm3', F.vxlanDrifted)).toBe(PEER_SIDE('vm3', '172.31.2.2', ' (UDP 4789)'));
  });

  it('converged (recorded): this host’s side is in place, check the peer', () => {
    expect(cause(vxlan, 'vm2', F.vxlan)).toBe(PEER_SIDE('vm2', '172.31.1.2', ' (UDP 4789)'));
  });

  it('the VXLAN device missing, down, or not a port of the bridge', () => {
    expect(
      cause(
        vxlan,
        'vm2',
        edited(F.vxlan, (c) => void (c.root.links = c.root.links.filter((l) => l.name !== 'vxcnet0'))),
      ),
    ).toBe('VXLAN device vxcnet0 is missing (cnet-remote up recreates it)');
    expect(
      cause(
        vxlan,
        'vm2',
        edited(F.vxlan, (c) => void (linkIn(c, 'vxcnet0').up = false)),
      ),
    ).toBe('VXLAN device vxcnet0 is down (cnet-remote up repairs it)');
    expect(
      cause(
        vxlan,
        'vm2',
        edited(F.vxlan, (c) => void delete linkIn(c, 'vxcnet0').master),
      ),
    ).toBe('VXLAN device vxcnet0 is not a port of cnet0 (cnet-remote up repairs it)');
  });

  it('the supernet route missing', () => {
    const f = edited(F.vxlan, (c) => void (c.root.routes = c.root.routes.filter((r) => r.dst !== '172.31.0.0/16')));
    expect(cause(vxlan, 'vm2', f)).toBe('no route to the fabric 172.31.0.0/16 on cnet0 (cnet-remote up restores it)');
  });

  it('a learned entry for the peer is no flood entry (the drifted FDB still has vm2’s MACs)', () => {
    expect((F.vxlanDrifted.fdb?.get('vxcnet0') ?? []).filter((e) => e.dst === '10.239.0.11').length).toBeGreaterThan(0);
    expect(cause(vxlan, 'vm2', F.vxlanDrifted)).toMatch(/forwarding entry is missing/);
  });
});

describe('diagnose: a fabric probe to no member', () => {
  it('names nothing the inventory defines', () => {
    const p: PlannedProbe = { ...fabricProbe(routed, 'vm2'), to: 'vm9/db', target: '172.30.8.2' };
    expect(diagnose(p, failed, routed, F.routed)).toBe('the probe names nothing the inventory defines');
  });
});

describe('diagnose a failed fabric probe: the FORWARD chain', () => {
  const dropAll = (f: HostFacts) => edited(f, (c) => (c.forwardChain = { policy: 'DROP', rules: [] }));
  const FIX = 'iptables -I FORWARD -s 172.30.0.0/16 -j ACCEPT && iptables -I FORWARD -d 172.30.0.0/16 -j ACCEPT';

  it('routed, policy DROP (as Docker sets it) on this host: names it, and accepting the supernet both ways', () => {
    expect(cause(routed, 'vm2', dropAll(F.routed))).toBe(`dropped in FORWARD (policy DROP): accept the fabric both ways on every member: ${FIX}`);
  });

  it('routed, policy DROP but the supernet accepted: not the cause', () => {
    const accepted = edited(
      F.routed,
      (c) =>
        (c.forwardChain = {
          policy: 'DROP',
          rules: [
            ['-s', '172.30.0.0/16', '-j', 'ACCEPT'],
            ['-d', '172.30.0.0/16', '-j', 'ACCEPT'],
          ],
        }),
    );
    expect(cause(routed, 'vm2', accepted)).toBe(PEER_SIDE('vm2', '172.30.1.2'));
  });

  it('vxlan: bridged traffic passes FORWARD only under br_netfilter', () => {
    const dropped = edited(F.vxlan, (c) => {
      c.forwardChain = { policy: 'DROP', rules: [] };
      c.brNetfilter = false;
    });
    expect(cause(vxlan, 'vm2', dropped)).toMatch(/^no reply from vm2\/db/);
    expect(
      cause(
        vxlan,
        'vm2',
        edited(dropped, (c) => (c.brNetfilter = true)),
      ),
    ).toMatch(/^dropped in FORWARD \(policy DROP\): accept the fabric both ways on every member: iptables -I FORWARD -s 172\.31\.0\.0\/16/);
  });

  it('the host warning says the same before any probe runs', () => {
    const w = hostWarnings(routed, dropAll(F.routed)).find((x) => x.message.includes('fabric'));
    expect(w).toEqual({ message: "the FORWARD policy is DROP: the fabric's traffic between hosts (172.30.0.0/16) is dropped", fix: FIX });
    expect(hostWarnings(routed, F.routed).some((x) => x.message.includes('fabric'))).toBe(false);
  });
});
