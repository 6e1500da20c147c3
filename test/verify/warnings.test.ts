import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/types.js';
import { hostWarnings } from '../../src/verify/warnings.js';
import { bothSeeds, edited, facts, linkIn, network } from './helpers.js';

const desired = bothSeeds();
const empty = facts('empty');
const converged = facts('converged');
const drifted = facts('drifted');
const foreign = facts('foreign');
const forwardDrop = facts('forward-drop');

const ACCEPT_BR0 = 'iptables -I FORWARD -i br0 -j ACCEPT && iptables -I FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
const ACCEPT_BRD1 = 'iptables -I FORWARD -i brd1 -j ACCEPT && iptables -I FORWARD -o brd1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
const BRNF_FIX = 'sysctl -w net.bridge.bridge-nf-call-iptables=0';

const withForward = (f: HostFacts, policy: string, rules: string[][] = []): HostFacts => edited(f, (c) => void (c.forwardChain = { policy, rules }));

describe('hostWarnings', () => {
  it('iptables-legacy tables beside iptables-nft (as iptables-save 1.8.9 warns of them): named, with where to look; not without NAT', () => {
    const both = edited(converged, (c) => void (c.nat.legacyTables = true));
    expect(hostWarnings(desired, both)).toEqual([
      {
        message:
          "iptables-legacy tables exist besides iptables-nft's (Docker or kube-proxy on iptables-legacy?): their FORWARD chain also judges the traffic of br0, brd1, and iptables-nft cannot show it",
        fix: "look: iptables-legacy -S FORWARD; if it drops, accept the bridges there (iptables-legacy -I FORWARD -i br0 -j ACCEPT && iptables-legacy -I FORWARD -i brd1 -j ACCEPT), or keep the host's firewall in one framework",
      },
    ]);
    const noNat = { ...desired, bridges: desired.bridges.map((b) => ({ ...b, nets: b.nets.map((net) => ({ ...net, nat: false })) })) };
    expect(hostWarnings(noNat, both).some((w) => w.message.includes('iptables-legacy'))).toBe(false);
  });

  it('converged.txt: none', () => {
    expect(hostWarnings(desired, converged)).toEqual([]);
  });

  it('empty.txt: none (nothing built, nothing recorded, nothing in the way)', () => {
    expect(hostWarnings(desired, empty)).toEqual([]);
  });

  it('forward-drop.txt: the REJECT rule (delete fix), the FORWARD policy (accept fix for both NAT bridges), br_netfilter', () => {
    expect(hostWarnings(desired, forwardDrop)).toEqual([
      {
        message: 'the FORWARD chain drops traffic of brd1: -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
        fix: 'iptables -D FORWARD -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
      },
      {
        message: 'the FORWARD policy is DROP (Docker sets it): traffic from br0, brd1 to the outside is dropped',
        fix: `${ACCEPT_BR0} && ${ACCEPT_BRD1}`,
      },
      {
        message: 'br_netfilter is on (bridge-nf-call-iptables=1): traffic between containers on br0, brd1 passes the iptables FORWARD chain, which drops it',
        fix: BRNF_FIX,
      },
    ]);
  });

  it('drifted.txt: ip_forward reset although the record has NAT rules', () => {
    expect(drifted.record.some((o) => o.kind === 'nat')).toBe(true);
    expect(hostWarnings(desired, drifted)).toEqual([
      {
        message: 'ip_forward is 0 although up had set it: something reset it (sysctl.d, systemd-networkd, another tool); NAT does not work',
        fix: 'sysctl -w net.ipv4.ip_forward=1 (and make it stick: echo net.ipv4.ip_forward=1 > /etc/sysctl.d/99-cnet-remote.conf)',
      },
    ]);
  });

  it('ip_forward 0 without NAT rules of ours in the record: no warning (up has not run, or its NAT bridges are gone)', () => {
    expect(
      hostWarnings(
        desired,
        edited(drifted, (c) => void (c.record = c.record.filter((o) => o.kind !== 'nat'))),
      ),
    ).toEqual([]);
  });

  it('an overlapping route on another device → overlap warning', () => {
    const f = edited(converged, (c) => void c.root.routes.push({ family: 'inet', dst: '172.18.5.0/24', dev: 'eth0', table: 'main', type: 'unicast' }));
    expect(hostWarnings(desired, f)).toEqual([
      {
        message: "subnet 172.18.0.0/16 of br0 overlaps the host's route 172.18.5.0/24 dev eth0: traffic to one of them goes the wrong way",
        fix: 'choose a subnet for br0 that overlaps nothing on the host',
      },
    ]);
  });

  it('a host route (no prefix length), a /31 route inside a subnet, and a wider route, overlap too', () => {
    const f = edited(converged, (c) => {
      c.root.routes.push({ family: 'inet', dst: '172.19.0.77', gateway: '10.249.0.2', dev: 'eth0', table: 'main', type: 'unicast' });
      c.root.routes.push({ family: 'inet', dst: '172.18.7.0/31', dev: 'eth0', table: 'main', type: 'unicast' });
      c.root.routes.push({ family: 'inet', dst: '172.16.0.0/12', dev: 'eth0', table: 'main', type: 'unicast' });
    });
    expect(hostWarnings(desired, f).map((w) => w.message)).toEqual([
      "subnet 172.18.0.0/16 of br0 overlaps the host's route 172.18.7.0/31 dev eth0: traffic to one of them goes the wrong way",
      "subnet 172.18.0.0/16 of br0 overlaps the host's route 172.16.0.0/12 dev eth0: traffic to one of them goes the wrong way",
      "subnet 172.19.0.0/24 of brd1 overlaps the host's route 172.19.0.77 dev eth0: traffic to one of them goes the wrong way",
      "subnet 172.19.0.0/24 of brd1 overlaps the host's route 172.16.0.0/12 dev eth0: traffic to one of them goes the wrong way",
    ]);
  });

  it('routes of the bridge itself, default routes, other tables and non-unicast routes are no overlap', () => {
    const f = edited(converged, (c) => {
      c.root.routes.push({ family: 'inet', dst: '172.18.9.0/24', dev: 'br0', table: 'main', type: 'unicast' });
      c.root.routes.push({ family: 'inet', dst: '172.18.5.0/24', dev: 'eth0', table: '100', type: 'unicast' });
      c.root.routes.push({ family: 'inet', dst: '172.19.0.0/24', table: 'main', type: 'blackhole' });
      // a VPN's catch-all halves of the default route, like the default route itself
      c.root.routes.push({ family: 'inet', dst: '0.0.0.0/1', dev: 'tun0', table: 'main', type: 'unicast' });
      c.root.routes.push({ family: 'inet', dst: '128.0.0.0/1', dev: 'tun0', table: 'main', type: 'unicast' });
    });
    // converged itself has 172.18.0.1 (local table) and 172.19.0.0/24 dev brd1 (main)
    expect(hostWarnings(desired, f)).toEqual([]);
  });

  it('foreign.txt: a foreign bridge named like a desired bridge → not created by cnet-remote', () => {
    const net = network('all:\n  vars:\n    cnet:\n      bridges:\n        veth1: { subnet: 10.88.0.0/24 }\n');
    expect(linkIn(foreign, 'veth1').kind).toBe('bridge');
    expect(hostWarnings(net, foreign)).toEqual([
      {
        message: 'veth1 exists and was not created by cnet-remote (bridge): up will not touch it',
        fix: 'choose another bridge name in the inventory, or remove it: ip link del dev veth1',
      },
    ]);
  });

  it('a foreign device of another kind with a desired bridge’s name says its kind', () => {
    const net = network('all:\n  vars:\n    cnet:\n      bridges:\n        x1: { subnet: 10.88.0.0/24 }\n');
    expect(hostWarnings(net, foreign).map((w) => w.message)).toEqual(['x1 exists and was not created by cnet-remote (veth): up will not touch it']);
  });

  it('our bridge is not foreign: tagged, or recorded even if its alias was lost', () => {
    expect(
      hostWarnings(
        desired,
        edited(converged, (c) => void delete linkIn(c, 'br0').alias),
      ),
    ).toEqual([]);
    const unrecorded = edited(converged, (c) => void (c.record = c.record.filter((o) => !(o.kind === 'link' && o.name === 'br0'))));
    expect(hostWarnings(desired, unrecorded)).toEqual([]);
    const both = edited(unrecorded, (c) => void delete linkIn(c, 'br0').alias);
    expect(hostWarnings(desired, both).map((w) => w.message)).toEqual(['br0 exists and was not created by cnet-remote (bridge): up will not touch it']);
  });

  it('FORWARD `-i br0 -j ACCEPT` with policy DROP: no policy warning for br0, still one for brd1', () => {
    const f = withForward(converged, 'DROP', [['-i', 'br0', '-j', 'ACCEPT']]);
    expect(hostWarnings(desired, f)).toEqual([
      { message: 'the FORWARD policy is DROP (Docker sets it): traffic from brd1 to the outside is dropped', fix: ACCEPT_BRD1 },
    ]);
  });

  it('policy ACCEPT: no policy warning', () => {
    expect(hostWarnings(desired, withForward(converged, 'ACCEPT'))).toEqual([]);
  });

  it('policy DROP does not concern a bridge without NAT, but with br_netfilter its bridged traffic does', () => {
    const net = network('all:\n  vars:\n    cnet:\n      bridges:\n        lan: { subnet: 10.10.0.0/24, nat: false }\n');
    const f = withForward(empty, 'DROP');
    expect(hostWarnings(net, f)).toEqual([]);
    expect(
      hostWarnings(
        net,
        edited(f, (c) => void (c.brNetfilter = true)),
      ),
    ).toEqual([
      {
        message: 'br_netfilter is on (bridge-nf-call-iptables=1): traffic between containers on lan passes the iptables FORWARD chain, which drops it',
        fix: BRNF_FIX,
      },
    ]);
  });

  it('br_netfilter on while FORWARD passes everything: no warning', () => {
    expect(
      hostWarnings(
        desired,
        edited(converged, (c) => void (c.brNetfilter = true)),
      ),
    ).toEqual([]);
    expect(
      hostWarnings(
        desired,
        edited(withForward(converged, 'ACCEPT'), (c) => void (c.brNetfilter = true)),
      ),
    ).toEqual([]);
  });
});

describe('native nftables', () => {
  const dropChain = { family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' };
  const NFT_FIX = (b: string) =>
    `nft insert rule inet filter forward iifname ${b} accept && nft insert rule inet filter forward oifname ${b} ct state related,established accept`;

  it('a forward-hooked chain with policy drop → a warning naming the chain, with nft accept rules for each NAT bridge', () => {
    const w = hostWarnings(
      desired,
      edited(converged, (c) => void (c.nftChains = [dropChain])),
    );
    expect(w).toEqual([
      {
        message:
          'the nftables chain inet filter forward (hook forward) has policy drop: traffic from br0, brd1 to the outside is dropped unless one of its rules accepts it',
        fix: `${NFT_FIX('br0')} && ${NFT_FIX('brd1')}`,
      },
    ]);
  });

  it('policy accept, or a drop chain on another hook, is no warning', () => {
    expect(
      hostWarnings(
        desired,
        edited(
          converged,
          (c) =>
            void (c.nftChains = [
              { ...dropChain, policy: 'accept' },
              { ...dropChain, hook: 'input' },
            ]),
        ),
      ),
    ).toEqual([]);
  });
});
