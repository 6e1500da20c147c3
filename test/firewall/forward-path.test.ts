import { describe, expect, it } from 'vitest';
import { parseCidr, type Cidr } from '../../src/address/family.js';
import type { HostFacts } from '../../src/facts/types.js';
import { acceptFix, acceptNetFix, type ForwardNet, forwardAccepted, forwardDrops, forwardVerdict } from '../../src/firewall/forward-path.js';
import { bothSeeds, edited, facts } from '../verify/helpers.js';

/**
 * How iptables' FORWARD chain treats the bridges' routed traffic (forward-path.ts), on the
 * recorded facts (test/fixtures/facts: gather-script outputs of lab VMs, see its README).
 */
const desired = bothSeeds();
/** a bridge as the forward path judges it: its name and its IPv4 net's subnet */
const [br0, brd1] = desired.bridges.map((b) => ({ name: b.name, subnet: b.nets[0]!.subnet })) as [ForwardNet, ForwardNet];
const [converged, forwardDrop] = ['converged', 'forward-drop'].map((name) => facts(name)) as [HostFacts, HostFacts];

const ACCEPT_BR0 = 'iptables -I FORWARD -i br0 -j ACCEPT && iptables -I FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
const REJECT = ['-s', '172.19.0.0/24', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];

const withForward = (f: HostFacts, policy: string, rules: string[][] = []): HostFacts => edited(f, (c) => void (c.forwardChain = { policy, rules }));
const cidr = (text: string): Cidr => parseCidr(text) as Cidr;

describe('forwardAccepted, forwardDrops, acceptFix', () => {
  it('without FORWARD facts (iptables unreadable, older gathers) everything is accepted and nothing dropped', () => {
    const { forwardChain, ...unreadable } = converged;
    expect(forwardChain).toEqual({ policy: 'ACCEPT', rules: [] });
    expect(forwardAccepted(unreadable, br0)).toBe(true);
    expect(forwardDrops(unreadable, br0)).toEqual([]);
  });

  it('forward-drop.txt: policy DROP accepts neither bridge; the REJECT rule names brd1’s subnet only', () => {
    expect([forwardAccepted(forwardDrop, br0), forwardAccepted(forwardDrop, brd1)]).toEqual([false, false]);
    expect(forwardDrops(forwardDrop, br0)).toEqual([]);
    expect(forwardDrops(forwardDrop, brd1)).toEqual([REJECT]);
  });

  it('a rule accepts or drops a bridge by -i/-o name or -s/-d subnet, unless negated', () => {
    const f = withForward(converged, 'DROP', [
      ['-d', '172.18.0.0/16', '-j', 'ACCEPT'],
      ['!', '-o', 'brd1', '-j', 'ACCEPT'],
      ['-o', 'brd1', '-j', 'DROP'],
      ['-i', 'eth0', '-j', 'DROP'],
    ]);
    expect(forwardAccepted(f, br0)).toBe(true);
    expect(forwardAccepted(f, brd1)).toBe(false);
    expect(forwardDrops(f, br0)).toEqual([]);
    expect(forwardDrops(f, brd1)).toEqual([['-o', 'brd1', '-j', 'DROP']]);
  });

  it('acceptFix: accept out of the bridge, and the replies back', () => {
    expect(acceptFix(br0)).toBe(ACCEPT_BR0);
  });
});

describe('forwardVerdict, acceptNetFix', () => {
  it('forward-drop.txt: the policy, not accepted, each drop shown with the command deleting it', () => {
    expect(forwardVerdict(forwardDrop, brd1)).toEqual({
      policy: 'DROP',
      accepted: false,
      drops: [
        {
          text: '-s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
          fix: 'iptables -D FORWARD -s 172.19.0.0/24 -j REJECT --reject-with icmp-port-unreachable',
        },
      ],
    });
    expect(forwardVerdict(forwardDrop, br0)).toEqual({ policy: 'DROP', accepted: false, drops: [] });
  });

  it('converged.txt accepts; without FORWARD facts no policy is claimed', () => {
    expect(forwardVerdict(converged, br0)).toEqual({ policy: 'ACCEPT', accepted: true, drops: [] });
    const { forwardChain: _, ...unreadable } = converged;
    expect(forwardVerdict(unreadable, br0)).toEqual({ accepted: true, drops: [] });
  });

  it('acceptNetFix accepts a fabric’s supernet from and to', () => {
    expect(acceptNetFix(cidr('172.30.0.0/16'))).toBe('iptables -I FORWARD -s 172.30.0.0/16 -j ACCEPT && iptables -I FORWARD -d 172.30.0.0/16 -j ACCEPT');
  });
});
