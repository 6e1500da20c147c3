import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { HostFacts } from '../../src/facts/types.js';
import { chooseFirewall } from '../../src/firewall/choose.js';
import { resolveInventory } from '../../src/inventory/load-inventory.js';
import { loadSource, parseSource } from '../../src/inventory/source.js';
import type { DesiredNetwork } from '../../src/inventory/types.js';
import { formatOwned } from '../../src/ownership/record.js';
import { macFor } from '../../src/plan/assess.js';
import { natFamilies } from '../../src/plan/assess-forwarding.js';
import { leftovers, planUp } from '../../src/plan/plan.js';
import { renderSteps } from '../../src/plan/render-shell.js';
import type { Step } from '../../src/plan/step.js';

/**
 * IPv6 planning (issue 18) on the gather's real output: test/fixtures/facts/ipv6/plan-*.txt were
 * recorded by record-plan.sh there (the seed dual-stack's namespaces asked for, IPv6 asked for, as
 * `up` asks) in scratch network namespaces; dual-stack.txt and ra-default.txt by record.sh. The
 * inventories are the repository's, through the real loader.
 */
const HOSTS = parseSource('hosts.yaml', 'all:\n  hosts:\n    vm1: { ansible_host: 192.0.2.10, ansible_user: root }\n');
const inventoryFile = (name: string) => new URL(`../../inventories/${name}`, import.meta.url).pathname;
const SEED6 = readFileSync(inventoryFile('seed-dual-stack.yaml'), 'utf8');

/** The one host's desired network from these inventory sources (after the hosts). */
function network(...sources: ReturnType<typeof parseSource>[]): DesiredNetwork {
  const inv = resolveInventory([HOSTS, ...sources]);
  expect(inv.hosts.map((h) => h.name)).toEqual(['vm1']);
  return inv.hosts[0]!.network;
}
const text = (name: string, dir = 'facts/ipv6'): string => readFileSync(new URL(`../fixtures/${dir}/${name}`, import.meta.url), 'utf8');
const facts = (name: string): HostFacts => parseFacts(text(`${name}.txt`));
/** A recorded gather with one section's body replaced (the section must be there). */
function withSection(gathered: string, name: string, body: string): string {
  const re = new RegExp(`^@@${name}\\n[\\s\\S]*?(?=^@@)`, 'm');
  expect(gathered).toMatch(re);
  return gathered.replace(re, `@@${name}\n${body}`);
}

/** inventories/seed-dual-stack.yaml: br0 and brd1 dual-stack, v6only IPv6-only */
const seed6 = network(loadSource(inventoryFile('seed-dual-stack.yaml')));
/** the same with cnet.firewall: nftables (or iptables) beside it */
const firewallSetting = (backend: string) => parseSource('firewall.yaml', `all:\n  vars:\n    cnet: { firewall: ${backend} }\n`);
const seed6Nft = network(loadSource(inventoryFile('seed-dual-stack.yaml')), firewallSetting('nftables'));
const seed6Ipt = network(loadSource(inventoryFile('seed-dual-stack.yaml')), firewallSetting('iptables'));
/** its IPv4 twin: the same file without its IPv6 keys, the IPv6-only bridge and its namespace */
const SEED4 = SEED6.split('\n')
  .filter((l) => !/v6only|only6|^\s+(subnet6|address6):/.test(l))
  .join('\n')
  .replace(', address6: fd00:18::2', '');
const seed4 = network(parseSource('seed-ipv4.yaml', SEED4));

const cmds = (steps: Step[]): string[] => renderSteps(steps);
const owned = (steps: Step[]): string[] => steps.flatMap((s) => (s.owns ? [formatOwned(s.owns)] : []));
/** a step of IPv6's: an IPv6 address, route, NAT rule or switch, or a part of the IPv6-only bridge */
const isIpv6Step = (cmd: string): boolean => / fd00:|ip6tables|net\.ipv6\.|v6only|only6/.test(cmd);

const NAT = (tool: string, op: string, subnet: string, bridge: string) =>
  `${tool} -w -t nat ${op} POSTROUTING -s ${subnet} '!' -o ${bridge} -m comment --comment cnet-remote:${bridge} -j MASQUERADE`;
const NFT_NAT = (chain: string, match: string, bridge: string) =>
  `nft add chain inet cnet_remote ${chain} ';' flush chain inet cnet_remote ${chain} ';' delete chain inet cnet_remote ${chain} ';' ` +
  `add chain inet cnet_remote ${chain} '{ type nat hook postrouting priority 100 ; policy accept ; }' ';' ` +
  `add rule inet cnet_remote ${chain} ${match} oifname '!=' '"${bridge}"' masquerade comment '"cnet-remote:${bridge}"'`;

/** up's whole build of the seed dual-stack on a host with nothing of it, but its NAT rules and forwarding switches */
const BUILD = [
  'ip netns add container1',
  'ip netns add container2',
  'ip netns add jelly',
  'ip netns add only6',
  'ip netns add pb',
  'ip link add name br0 type bridge',
  'ip link add name brd1 type bridge',
  'ip link add name v6only type bridge',
  'ip link add name veth1 type veth peer name ceth1 address 02:42:ac:12:00:02 netns container1',
  'ip link add name veth2 type veth peer name ceth2 address 02:42:ac:12:00:03 netns container2',
  'ip link add name bread-j-veth type veth peer name veth-jelly address 02:42:ac:13:00:02 netns jelly',
  // the IPv6-only namespace's MAC: 02:42 and the last 32 bits of fd00:60::2
  'ip link add name ve-only6 type veth peer name eth0 address 02:42:00:00:00:02 netns only6',
  'ip link add name bread-pb-veth type veth peer name veth-pb address 02:42:ac:13:00:03 netns pb',
  'ip link set dev br0 alias cnet-remote',
  'ip link set dev br0 up',
  'ip link set dev brd1 alias cnet-remote',
  'ip link set dev brd1 up',
  'ip link set dev v6only alias cnet-remote',
  'ip link set dev v6only up',
  'ip link set dev veth1 alias cnet-remote',
  'ip link set dev veth1 master br0',
  'ip link set dev veth1 up',
  'ip link set dev veth2 alias cnet-remote',
  'ip link set dev veth2 master br0',
  'ip link set dev veth2 up',
  'ip link set dev bread-j-veth alias cnet-remote',
  'ip link set dev bread-j-veth master brd1',
  'ip link set dev bread-j-veth up',
  'ip link set dev ve-only6 alias cnet-remote',
  'ip link set dev ve-only6 master v6only',
  'ip link set dev ve-only6 up',
  'ip link set dev bread-pb-veth alias cnet-remote',
  'ip link set dev bread-pb-veth master brd1',
  'ip link set dev bread-pb-veth up',
  'ip addr add 172.18.0.1/16 dev br0',
  'ip addr add fd00:18::1/64 dev br0 nodad',
  'ip addr add 172.19.0.1/24 dev brd1',
  'ip addr add fd00:19::1/64 dev brd1 nodad',
  'ip addr add fd00:60::1/64 dev v6only nodad',
  'ip -n container1 link set dev lo alias cnet-remote',
  'ip -n container1 link set dev lo up',
  'ip -n container1 link set dev ceth1 alias cnet-remote',
  'ip -n container1 link set dev ceth1 up',
  'ip -n container1 addr add 172.18.0.2/16 dev ceth1',
  'ip -n container1 addr add fd00:18::2/64 dev ceth1 nodad',
  'ip -n container1 route replace default via 172.18.0.1 dev ceth1',
  'ip -n container1 route replace default via fd00:18::1 dev ceth1',
  'ip -n container2 link set dev lo alias cnet-remote',
  'ip -n container2 link set dev lo up',
  'ip -n container2 link set dev ceth2 alias cnet-remote',
  'ip -n container2 link set dev ceth2 up',
  'ip -n container2 addr add 172.18.0.3/16 dev ceth2',
  'ip -n container2 addr add fd00:18::3/64 dev ceth2 nodad',
  'ip -n container2 route replace default via 172.18.0.1 dev ceth2',
  'ip -n container2 route replace default via fd00:18::1 dev ceth2',
  'ip -n jelly link set dev lo alias cnet-remote',
  'ip -n jelly link set dev lo up',
  'ip -n jelly link set dev veth-jelly alias cnet-remote',
  'ip -n jelly link set dev veth-jelly up',
  'ip -n jelly addr add 172.19.0.2/24 dev veth-jelly',
  'ip -n jelly addr add fd00:19::2/64 dev veth-jelly nodad',
  'ip -n jelly route replace default via 172.19.0.1 dev veth-jelly',
  'ip -n jelly route replace default via fd00:19::1 dev veth-jelly',
  'ip -n only6 link set dev lo alias cnet-remote',
  'ip -n only6 link set dev lo up',
  'ip -n only6 link set dev eth0 alias cnet-remote',
  'ip -n only6 link set dev eth0 up',
  'ip -n only6 addr add fd00:60::2/64 dev eth0 nodad',
  'ip -n only6 route replace default via fd00:60::1 dev eth0',
  'ip -n pb link set dev lo alias cnet-remote',
  'ip -n pb link set dev lo up',
  'ip -n pb link set dev veth-pb alias cnet-remote',
  'ip -n pb link set dev veth-pb up',
  'ip -n pb addr add 172.19.0.3/24 dev veth-pb',
  'ip -n pb addr add fd00:19::3/64 dev veth-pb nodad',
  'ip -n pb route replace default via 172.19.0.1 dev veth-pb',
  'ip -n pb route replace default via fd00:19::1 dev veth-pb',
];
const IPTABLES_NAT = [
  NAT('iptables', '-A', '172.18.0.0/16', 'br0'),
  NAT('iptables', '-A', '172.19.0.0/24', 'brd1'),
  NAT('ip6tables', '-A', 'fd00:18::/64', 'br0'),
  NAT('ip6tables', '-A', 'fd00:19::/64', 'brd1'),
  NAT('ip6tables', '-A', 'fd00:60::/64', 'v6only'),
];
const NFTABLES_NAT = [
  'nft add table inet cnet_remote',
  NFT_NAT('nat_br0', 'ip saddr 172.18.0.0/16', 'br0'),
  NFT_NAT('nat_brd1', 'ip saddr 172.19.0.0/24', 'brd1'),
  NFT_NAT('nat6_br0', 'ip6 saddr fd00:18::/64', 'br0'),
  NFT_NAT('nat6_brd1', 'ip6 saddr fd00:19::/64', 'brd1'),
  NFT_NAT('nat6_v6only', 'ip6 saddr fd00:60::/64', 'v6only'),
];
const FORWARDING = ['sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv6.conf.all.forwarding=1'];
const OBJECTS = [
  ...['container1', 'container2', 'jelly', 'only6', 'pb'].map((n) => `netns ${n}`),
  ...['br0', 'brd1', 'v6only', 'veth1', 'veth2', 'bread-j-veth', 've-only6', 'bread-pb-veth'].map((n) => `link ${n}`),
];

describe('the desired network: inventories/seed-dual-stack.yaml through the loader', () => {
  it('br0 and brd1 in both families, v6only in IPv6 alone; NAT66 for their unique local prefixes', () => {
    expect(seed6.bridges.map((b) => [b.name, b.nets.map((n) => [n.address, n.nat])])).toEqual([
      [
        'br0',
        [
          ['172.18.0.1', true],
          ['fd00:18::1', true],
        ],
      ],
      [
        'brd1',
        [
          ['172.19.0.1', true],
          ['fd00:19::1', true],
        ],
      ],
      ['v6only', [['fd00:60::1', true]]],
    ]);
    expect(seed6.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['container1', ['172.18.0.2', 'fd00:18::2']],
      ['container2', ['172.18.0.3', 'fd00:18::3']],
      ['jelly', ['172.19.0.2', 'fd00:19::2']],
      ['only6', ['fd00:60::2']],
      ['pb', ['172.19.0.3', 'fd00:19::3']],
    ]);
    expect(natFamilies(seed6)).toEqual(['ipv4', 'ipv6']);
  });

  it('its IPv4 twin (the same file less its IPv6 keys) is the same network in IPv4 alone', () => {
    expect(seed4.bridges.map((b) => [b.name, b.nets.map((n) => n.address)])).toEqual([
      ['br0', ['172.18.0.1']],
      ['brd1', ['172.19.0.1']],
    ]);
    expect(seed4.namespaces.map((n) => [n.name, n.addresses])).toEqual([
      ['container1', ['172.18.0.2']],
      ['container2', ['172.18.0.3']],
      ['jelly', ['172.19.0.2']],
      ['pb', ['172.19.0.3']],
    ]);
    expect(natFamilies(seed4)).toEqual(['ipv4']);
  });
});

describe('planUp on plan-empty.txt (a dual-stack host, forwarding off in both families): the full dual-stack build', () => {
  const empty = facts('plan-empty');

  it('the recording: IPv6 gathered (forwarding 0, eth0 at accept_ra 1, ip6tables read and empty, nft answering), nothing of ours', () => {
    expect([empty.ipForward, empty.ip6Forward, empty.ipv6Disabled, empty.acceptRa?.get('eth0')]).toEqual([false, false, false, 1]);
    expect(empty.nat6).toMatchObject({ available: true, rules: [] });
    expect(empty.nft?.available).toBe(true);
    expect(empty.record).toEqual([]);
    expect(empty.root.routes.filter((r) => r.dst === 'default').map((r) => [r.family, r.gateway, r.protocol])).toEqual([
      ['inet', '10.249.0.2', 'boot'],
      ['inet6', '2001:db8:249::2', 'boot'],
    ]);
  });

  const plan = planUp(seed6, empty);

  it('with iptables (auto): addresses nodad, IPv6 default routes via the bridge’s address6, NAT66 in ip6tables, IPv6 forwarding on', () => {
    expect(plan.conflicts).toEqual([]);
    expect(plan.firewall.why).toBe('auto: iptables answers');
    expect(cmds(plan.steps)).toEqual([...BUILD, ...IPTABLES_NAT, ...FORWARDING]);
  });

  it('every IPv6 address is added without duplicate address detection, and taken back by its own del', () => {
    const adds = plan.steps.filter((s) => s.argv.includes('addr') && s.argv.includes('add') && s.argv.some((w) => w.includes(':')));
    expect(adds).toHaveLength(8);
    for (const s of adds) {
      expect(s.argv.at(-1), s.argv.join(' ')).toBe('nodad');
      expect(s.undo).toEqual(s.argv.slice(0, -1).map((w) => (w === 'add' ? 'del' : w)));
    }
  });

  it('records each object it makes, NAT66 rules and IPv6 forwarding (`forward 0 ipv6`) among them, in the order up writes them', () => {
    const record = [
      ...OBJECTS,
      'nat 172.18.0.0/16 br0',
      'nat 172.19.0.0/24 brd1',
      'nat fd00:18::/64 br0',
      'nat fd00:19::/64 brd1',
      'nat fd00:60::/64 v6only',
      'forward 0',
      'forward 0 ipv6',
    ];
    expect(owned(plan.steps)).toEqual(record);
    expect(plan.record.map(formatOwned)).toEqual(record);
    // as the record of the recorded seed (plan-dad.txt: no accept_ra raised there)
    expect(facts('plan-dad').record.map(formatOwned)).toEqual(record);
    const fwd6 = plan.steps.find((s) => s.argv.join(' ') === 'sysctl -w net.ipv6.conf.all.forwarding=1')!;
    expect(fwd6).toMatchObject({
      phase: 'forward',
      owns: { kind: 'forward', from: '0', family: 'ipv6' },
      undo: ['sysctl', '-w', 'net.ipv6.conf.all.forwarding=0'],
    });
  });

  it('names the IPv6 differences by their own paths (address6 in address, default_route6, nat6, ip6_forward)', () => {
    const paths = plan.findings.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['namespaces.only6.default_route6', 'bridges.v6only.nat6', 'ip6_forward']));
    expect(paths.filter((p) => /only6|v6only/.test(p) && /default_route$|\.nat$/.test(p))).toEqual([]);
    const byPath = new Map(plan.findings.map((f) => [f.path, f]));
    expect(byPath.get('namespaces.container1.address')).toMatchObject({ desired: '172.18.0.2/16, fd00:18::2/64', actual: 'none' });
    expect(byPath.get('namespaces.container1.default_route6')).toMatchObject({ desired: 'via fd00:18::1 dev ceth1', actual: 'none' });
    expect(byPath.get('ip6_forward')).toMatchObject({ desired: '1', actual: '0' });
  });

  it('with cnet.firewall: nftables: both families in table inet cnet_remote, IPv6’s as ip6 saddr in chains nat6_BR', () => {
    const nft = planUp(seed6Nft, empty);
    expect(nft.conflicts).toEqual([]);
    expect(nft.firewall.why).toBe('cnet.firewall: nftables');
    expect(cmds(nft.steps)).toEqual([...BUILD, ...NFTABLES_NAT, ...FORWARDING]);
    expect(owned(nft.steps).filter((o) => !/^(netns|link) /.test(o))).toEqual([
      'nft-table inet cnet_remote',
      'nat 172.18.0.0/16 br0 nftables',
      'nat 172.19.0.0/24 brd1 nftables',
      'nat fd00:18::/64 br0 nftables',
      'nat fd00:19::/64 brd1 nftables',
      'nat fd00:60::/64 v6only nftables',
      'forward 0',
      'forward 0 ipv6',
    ]);
  });

  it('the IPv4 part is the IPv4 twin’s plan, step for step, and the twin plans nothing of IPv6 (nor reads what IPv6 needs)', () => {
    const v4 = planUp(seed4, empty);
    expect(v4.conflicts).toEqual([]);
    expect(cmds(v4.steps).filter(isIpv6Step)).toEqual([]);
    expect(cmds(plan.steps).filter((c) => !isIpv6Step(c))).toEqual(cmds(v4.steps));
    expect(cmds(v4.steps).length).toBe(55);
    // the same twin on the IPv4 fixture host (recorded before IPv6): the same steps
    expect(cmds(planUp(seed4, parseFacts(text('empty.txt', 'facts'))).steps)).toEqual(cmds(v4.steps));
  });
});

describe('planUp on a converged dual-stack host', () => {
  it('dual-stack.txt (record.sh: seed-part2 with subnet6 fd00:18::/64 as up builds it) → no steps, no findings, no conflicts', () => {
    const part2six = readFileSync(inventoryFile('seed-part2.yaml'), 'utf8').replace(
      '          nat: true',
      '          nat: true\n          subnet6: fd00:18::/64',
    );
    const desired = network(parseSource('seed-part2-six.yaml', part2six));
    expect(desired.bridges[0]!.nets.map((n) => n.address)).toEqual(['172.18.0.1', 'fd00:18::1']);
    const plan = planUp(desired, facts('dual-stack'));
    expect(cmds(plan.steps)).toEqual([]);
    expect(plan.findings).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });

  const converged = facts('plan-converged');

  it('the recording: the whole seed (eth0’s IPv6 default route from router advertisements, accept_ra raised to 2 and recorded), and foreign objects', () => {
    expect([converged.ipForward, converged.ip6Forward, converged.acceptRa?.get('eth0')]).toEqual([true, true, 2]);
    expect(converged.root.routes.find((r) => r.family === 'inet6' && r.dst === 'default')).toMatchObject({ gateway: 'fe80::1', dev: 'eth0', protocol: 'ra' });
    expect(converged.record.map(formatOwned).slice(-3)).toEqual(['forward 0', 'accept-ra eth0 1', 'forward 0 ipv6']);
  });

  // `accept-ra eth0 1`, which the first up recorded, stays wanted while IPv6 forwarding is and eth0
  // learns routes from RAs (leftovers()): a second up does not put accept_ra back to 1
  it('plan-converged.txt (record-plan.sh: the seed dual-stack as up builds it, accept_ra raised) → no steps, no findings', () => {
    const plan = planUp(seed6, converged);
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual([]);
    expect(plan.findings).toEqual([]);
  });

  it('verify names no leftover on plan-converged.txt (accept_ra raised by up is still wanted while forwarding is on)', () => {
    expect(leftovers(seed6, converged).map((f) => f.path)).toEqual([]);
  });

  it('plan-converged.txt without the accept-ra line in its record (accept_ra 2 set by another) → no steps', () => {
    const plan = planUp(seed6, { ...converged, record: converged.record.filter((o) => o.kind !== 'accept-ra') });
    expect(cmds(plan.steps)).toEqual([]);
    expect(plan.findings).toEqual([]);
    expect(plan.conflicts).toEqual([]);
  });

  it('leaves the foreign bridge, its IPv6 address, the foreign IPv6 route and the foreign NAT66 rule alone', () => {
    expect(converged.root.links.find((l) => l.name === 'foreign0')?.addresses.map((a) => a.local)).toContain('fd00:77::1');
    expect(converged.root.routes.some((r) => r.dst === 'fd00:78::/64')).toBe(true);
    expect(converged.nat6?.rules.map((r) => r.join(' '))).toContain('-s fd00:99::/64 ! -o docker0 -j MASQUERADE');
    for (const c of cmds(planUp(seed6, converged).steps)) expect(c).not.toMatch(/foreign0|fd00:7[78]|fd00:99|docker0/);
  });
});

describe('tentative and dadfailed addresses (plan-dad.txt)', () => {
  const dad = facts('plan-dad');
  const br0 = dad.root.links.find((l) => l.name === 'br0')!;
  const ceth2 = dad.namespaces.get('container2')!.links.find((l) => l.name === 'ceth2')!;

  it('the recording: br0’s fd00:18::1 tentative (added again with DAD, read at once), container2’s fd00:18::3 dadfailed (a stranger on br0 holds it)', () => {
    expect(br0.addresses.filter((a) => a.family === 'inet6' && a.scope === 'global')).toEqual([
      { family: 'inet6', local: 'fd00:18::1', prefixlen: 64, scope: 'global', tentative: true },
    ]);
    expect(ceth2.addresses.filter((a) => a.family === 'inet6' && a.scope === 'global')).toEqual([
      { family: 'inet6', local: 'fd00:18::3', prefixlen: 64, scope: 'global', tentative: true, dadfailed: true },
    ]);
    expect(dad.netns.has('stray')).toBe(true);
  });

  const plan = planUp(seed6, dad);

  it('the tentative address is present (no step); the dadfailed one is deleted and added again without DAD', () => {
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual(['ip -n container2 addr del fd00:18::3/64 dev ceth2', 'ip -n container2 addr add fd00:18::3/64 dev ceth2 nodad']);
    expect(plan.steps.map((s) => s.undo?.join(' '))).toEqual([
      'ip -n container2 addr add fd00:18::3/64 dev ceth2 nodad',
      'ip -n container2 addr del fd00:18::3/64 dev ceth2',
    ]);
  });

  it('one finding names it, marked dadfailed', () => {
    expect(plan.findings.map((f) => [f.path, f.desired, f.actual])).toEqual([
      ['namespaces.container2.address', '172.18.0.3/16, fd00:18::3/64', '172.18.0.3/16, fd00:18::3/64 (dadfailed)'],
    ]);
  });

  it('record.sh’s tentative namespace, read at once and settled: the same address, tentative only in the first', () => {
    const addr = (f: HostFacts) =>
      f.namespaces
        .get('tent')!
        .links.find((l) => l.name === 'ceth')!
        .addresses.find((a) => a.local === 'fd00:18::5');
    expect(addr(facts('tentative'))).toMatchObject({ tentative: true });
    expect(addr(facts('tentative'))?.dadfailed).toBeUndefined();
  });
});

describe('accept_ra: interfaces with RA-learned routes (plan-ra.txt: forwarding off)', () => {
  const ra = text('plan-ra.txt');
  const raFacts = parseFacts(ra);
  const forwardSteps = (p: ReturnType<typeof planUp>) => p.steps.filter((s) => s.phase === 'forward');

  it('the recording: eth0 (default route) and eth0.100 (a route) at accept_ra 1, eth1 (a route) at 2, lo at 1 with none', () => {
    expect(Object.fromEntries(raFacts.acceptRa!)).toEqual({ eth0: 1, 'eth0.100': 1, eth1: 2, lo: 1 });
    expect(raFacts.root.routes.filter((r) => r.protocol === 'ra').map((r) => [r.dst, r.dev])).toEqual([
      ['2001:db8:100::/64', 'eth0.100'],
      ['2001:db8:101::/64', 'eth1'],
      ['default', 'eth0'],
    ]);
    expect(raFacts.ip6Forward).toBe(false);
  });

  const plan = planUp(seed6, raFacts);

  it('accept_ra 2 on eth0 and eth0.100 (a dot in the name is a / in the key) before IPv6 forwarding goes on; the rest of the build as on the empty host', () => {
    expect(plan.conflicts).toEqual([]);
    expect(cmds(plan.steps)).toEqual([
      ...BUILD,
      ...IPTABLES_NAT,
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.ipv6.conf.eth0.accept_ra=2',
      'sysctl -w net.ipv6.conf.eth0/100.accept_ra=2',
      'sysctl -w net.ipv6.conf.all.forwarding=1',
    ]);
  });

  it('each raised accept_ra is recorded as `accept-ra IF 1` and taken back to 1', () => {
    expect(forwardSteps(plan).map((s) => [s.argv.join(' '), s.owns && formatOwned(s.owns), s.undo?.join(' ')])).toEqual([
      ['sysctl -w net.ipv4.ip_forward=1', 'forward 0', 'sysctl -w net.ipv4.ip_forward=0'],
      ['sysctl -w net.ipv6.conf.eth0.accept_ra=2', 'accept-ra eth0 1', 'sysctl -w net.ipv6.conf.eth0.accept_ra=1'],
      ['sysctl -w net.ipv6.conf.eth0/100.accept_ra=2', 'accept-ra eth0.100 1', 'sysctl -w net.ipv6.conf.eth0/100.accept_ra=1'],
      ['sysctl -w net.ipv6.conf.all.forwarding=1', 'forward 0 ipv6', 'sysctl -w net.ipv6.conf.all.forwarding=0'],
    ]);
    expect(plan.record.map(formatOwned).slice(-4)).toEqual(['forward 0', 'accept-ra eth0 1', 'accept-ra eth0.100 1', 'forward 0 ipv6']);
  });

  it('the key with / is the one the real sysctl takes for eth0.100 (plan-ra.sysctl.txt: with dots it looks for eth0/100)', () => {
    expect(text('plan-ra.sysctl.txt')).toBe(
      [
        '$ sysctl -w net.ipv6.conf.eth0/100.accept_ra=2',
        'net.ipv6.conf.eth0/100.accept_ra = 2',
        '$ cat /proc/sys/net/ipv6/conf/eth0.100/accept_ra',
        '2',
        '$ sysctl -w net.ipv6.conf.eth0.100.accept_ra=1',
        'sysctl: cannot stat /proc/sys/net/ipv6/conf/eth0/100/accept_ra: No such file or directory',
        'exit 1',
        '$ cat /proc/sys/net/ipv6/conf/eth0.100/accept_ra',
        '2',
        '',
      ].join('\n'),
    );
  });

  it('accept_ra already 2 (eth0 edited to 2): only eth0.100 is raised', () => {
    const p = planUp(seed6, parseFacts(ra.replace('accept_ra eth0 1\n', 'accept_ra eth0 2\n')));
    expect(cmds(forwardSteps(p))).toEqual([
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.ipv6.conf.eth0/100.accept_ra=2',
      'sysctl -w net.ipv6.conf.all.forwarding=1',
    ]);
  });

  it('IPv6 forwarding already on (edited to 1): no accept_ra step, IPv6 forwarding not touched', () => {
    const p = planUp(
      seed6,
      parseFacts(withSection(ra, 'ipv6', 'forwarding 1\ndisable_ipv6 0\naccept_ra eth0.100 1\naccept_ra eth0 1\naccept_ra eth1 2\naccept_ra lo 1\n')),
    );
    expect(cmds(forwardSteps(p))).toEqual(['sysctl -w net.ipv4.ip_forward=1']);
    expect(owned(p.steps)).not.toContain('forward 0 ipv6');
  });

  it('ra-default.txt (record.sh: forwarding on, eth0 at accept_ra 1, an RA default route) with a routed global prefix: nothing for accept_ra or forwarding', () => {
    const routed = network(
      parseSource(
        'routed.yaml',
        'all:\n  vars:\n    cnet:\n      bridges:\n        br6: { subnet6: "2001:db8:18::/64" }\n      namespaces:\n        c6: { bridge: br6 }\n',
      ),
    );
    expect(routed.bridges[0]!.nets.map((n) => [n.address, n.nat])).toEqual([['2001:db8:18::1', false]]);
    const f = facts('ra-default');
    expect([f.ip6Forward, f.acceptRa?.get('eth0')]).toEqual([true, 1]);
    const p = planUp(routed, f);
    expect(p.conflicts).toEqual([]);
    expect(cmds(p.steps).filter((c) => c.startsWith('sysctl') || /tables|nft/.test(c))).toEqual([]);
    // forwarding off there (edited to 0): the routed prefix needs forwarding, and eth0's accept_ra comes first
    const off = planUp(routed, parseFacts(text('ra-default.txt').replace('forwarding 1\n', 'forwarding 0\n')));
    expect(off.steps.filter((s) => s.phase === 'forward').map((s) => [s.argv.join(' '), s.reason])).toEqual([
      [
        'sysctl -w net.ipv6.conf.eth0.accept_ra=2',
        'eth0 learns its IPv6 routes from router advertisements, which a forwarding host ignores unless accept_ra is 2',
      ],
      ['sysctl -w net.ipv6.conf.all.forwarding=1', 'the routed IPv6 prefix needs forwarding'],
    ]);
  });
});

describe('a host without IPv6', () => {
  const IPV6_CONFLICT = /IPv6/;

  describe('disabled (plan-disabled.txt: net.ipv6.conf.all and default.disable_ipv6=1)', () => {
    const disabled = facts('plan-disabled');

    it('the recording: /proc/sys/net/ipv6 there (forwarding 0), disable_ipv6 1, no IPv6 address anywhere', () => {
      expect([disabled.ip6Forward, disabled.ipv6Disabled]).toEqual([false, true]);
      expect(disabled.root.links.flatMap((l) => l.addresses).filter((a) => a.family === 'inet6')).toEqual([]);
      // what ip says when an IPv6 address is added there (record.sh)
      expect(text('ipv6-disabled.addr-add.txt')).toMatch(/IPv6 is disabled on this device/);
    });

    it('a conflict naming IPv6 as disabled', () => {
      const plan = planUp(seed6, disabled);
      expect(plan.conflicts).toEqual([expect.stringMatching(IPV6_CONFLICT)]);
    });

    it('no IPv6 step', () => {
      expect(cmds(planUp(seed6, disabled).steps).filter(isIpv6Step)).toEqual([]);
    });

    it("what it plans beside the conflict: exactly the IPv4 twin's build", () => {
      expect(cmds(planUp(seed6, disabled).steps)).toEqual(cmds(planUp(seed4, disabled).steps));
    });

    it('the IPv4 twin plans there as on a host with IPv6: no conflict, the same steps', () => {
      const plan = planUp(seed4, disabled);
      expect(plan.conflicts).toEqual([]);
      expect(cmds(plan.steps)).toEqual(cmds(planUp(seed4, facts('plan-empty')).steps));
    });
  });

  describe('absent (plan-empty.txt with its ipv6 section as a kernel booted with ipv6.disable=1 has it: `absent`)', () => {
    const absent = parseFacts(withSection(text('plan-empty.txt'), 'ipv6', 'absent\n'));

    it('the facts: no IPv6 switches', () => {
      expect([absent.ip6Forward, absent.ipv6Disabled, absent.acceptRa]).toEqual([undefined, undefined, undefined]);
    });

    it('a conflict naming it', () => {
      expect(planUp(seed6, absent).conflicts).toEqual([
        "IPv6 is not available on the host (no /proc/sys/net/ipv6: disabled at boot with ipv6.disable=1?), which the inventory's IPv6 subnets need; enable IPv6 or remove subnet6",
      ]);
    });

    it('no IPv6 step', () => {
      expect(cmds(planUp(seed6, absent).steps).filter(isIpv6Step)).toEqual([]);
    });

    it("what it plans beside the conflict: exactly the IPv4 twin's build", () => {
      expect(cmds(planUp(seed6, absent).steps)).toEqual(cmds(planUp(seed4, absent).steps));
    });

    it('the IPv4 twin plans as before: no conflict, the same steps', () => {
      const plan = planUp(seed4, absent);
      expect(plan.conflicts).toEqual([]);
      expect(cmds(plan.steps)).toEqual(cmds(planUp(seed4, facts('plan-empty')).steps));
    });
  });
});

describe('NAT66 wanted where ip6tables fails (plan-empty.txt with the firewall’s recorded not-found ip6tables-save)', () => {
  // test/fixtures/ip6tables-save/not-found.txt: `ip6tables-save 2>&1` with no ip6tables-save, as the gather then holds it
  const failed6 = withSection(text('plan-empty.txt'), 'ip6tables', `${text('not-found.txt', 'ip6tables-save')}@@ip6tables-failed\n`);
  // and nft missing too: the gather's nft sections as test/fixtures/nft/gather-nft-not-found.txt holds them
  const noNft = withSection(failed6, 'nft', '\n').replace(/^@@nft-table\n[\s\S]*?(?=^@@brnf)/m, text('gather-nft-not-found.txt', 'nft'));
  const IP6TABLES_UNUSABLE =
    'ip6tables is not usable on the host (sh: 1: ip6tables-save: not found): install it (apt-get install iptables, which holds ip6tables), or set cnet.firewall: nftables, or nat6: false';

  it('the facts: ip6tables not available, iptables and nft answering', () => {
    const f = parseFacts(failed6);
    expect(f.nat6).toMatchObject({ available: false, error: 'sh: 1: ip6tables-save: not found' });
    expect([f.nat.available, f.nft?.available]).toEqual([true, true]);
    expect(parseFacts(noNft).nft).toMatchObject({ available: false });
  });

  it('auto: chooseFirewall picks nftables (nft answers), and the plan puts both families in its table', () => {
    const f = parseFacts(failed6);
    expect(chooseFirewall('auto', f, natFamilies(seed6))).toMatchObject({ why: 'auto: the host NATs IPv6 and ip6tables does not answer, nft does' });
    expect(chooseFirewall('auto', f, natFamilies(seed6)).backend.name).toBe('nftables');
    const plan = planUp(seed6, f);
    expect(plan.conflicts).toEqual([]);
    expect(plan.firewall.backend.name).toBe('nftables');
    expect(cmds(plan.steps)).toEqual([...BUILD, ...NFTABLES_NAT, ...FORWARDING]);
  });

  it('auto for the IPv4 twin: iptables (what ip6tables does does not move a host that NATs IPv4 alone)', () => {
    const plan = planUp(seed4, parseFacts(failed6));
    expect(plan.firewall.why).toBe('auto: iptables answers');
    expect(plan.conflicts).toEqual([]);
  });

  it('cnet.firewall: iptables: the firewall’s conflict, and no NAT66 rule nor IPv6 forwarding planned', () => {
    const plan = planUp(seed6Ipt, parseFacts(failed6));
    expect(plan.conflicts).toEqual([IP6TABLES_UNUSABLE]);
    expect(cmds(plan.steps).filter((c) => /tables|nft|sysctl/.test(c))).toEqual([...IPTABLES_NAT.slice(0, 2), 'sysctl -w net.ipv4.ip_forward=1']);
  });

  it('nft missing too: auto stays on iptables, with the same conflict', () => {
    const plan = planUp(seed6, parseFacts(noNft));
    expect(plan.firewall.why).toBe('auto: iptables answers (ip6tables does not, nor does nft)');
    expect(plan.conflicts).toEqual([IP6TABLES_UNUSABLE]);
  });

  it('ip6tables not read at all (record.sh’s ra-default.txt, gathered without IPv6) while NAT66 is wanted: the firewall says so', () => {
    const plan = planUp(seed6, facts('ra-default'));
    expect(plan.conflicts).toEqual(['ip6tables was not read on the host (the facts were gathered without IPv6): IPv6 NAT cannot be planned from them']);
  });
});

describe('the IPv6-only bridge (v6only, namespace only6)', () => {
  const plan = planUp(seed6, facts('plan-empty'));

  it('only6’s MAC is 02:42 and the last 32 bits of its IPv6 address (macFor)', () => {
    expect(macFor('fd00:60::2')).toBe('02:42:00:00:00:02');
    expect(macFor('fd00:60::a:102')).toBe('02:42:00:0a:01:02');
    expect(macFor('2001:db8::c0a8:fffe')).toBe('02:42:c0:a8:ff:fe');
    // IPv4's as before: 02:42 and the address
    expect(macFor('172.18.0.2')).toBe('02:42:ac:12:00:02');
  });

  it('its steps: the bridge, the veth with that MAC, IPv6 address (nodad) and default route, NAT66; no IPv4 step', () => {
    expect(cmds(plan.steps).filter((c) => /v6only|only6/.test(c))).toEqual([
      'ip netns add only6',
      'ip link add name v6only type bridge',
      'ip link add name ve-only6 type veth peer name eth0 address 02:42:00:00:00:02 netns only6',
      'ip link set dev v6only alias cnet-remote',
      'ip link set dev v6only up',
      'ip link set dev ve-only6 alias cnet-remote',
      'ip link set dev ve-only6 master v6only',
      'ip link set dev ve-only6 up',
      'ip addr add fd00:60::1/64 dev v6only nodad',
      'ip -n only6 link set dev lo alias cnet-remote',
      'ip -n only6 link set dev lo up',
      'ip -n only6 link set dev eth0 alias cnet-remote',
      'ip -n only6 link set dev eth0 up',
      'ip -n only6 addr add fd00:60::2/64 dev eth0 nodad',
      'ip -n only6 route replace default via fd00:60::1 dev eth0',
      NAT('ip6tables', '-A', 'fd00:60::/64', 'v6only'),
    ]);
  });

  it('a MAC drifted in the converged recording is set back to the one its IPv6 address gives', () => {
    const converged = text('plan-converged.txt');
    // only6's section (its links listed twice: link show, addr show)
    const [before, rest] = converged.split('@@ns only6\n') as [string, string];
    const drifted = `${before}@@ns only6\n${rest.replace(/^[\s\S]*?(?=^@@)/m, (ns) => ns.replaceAll('"address":"02:42:00:00:00:02"', '"address":"02:42:00:00:00:09"'))}`;
    expect(drifted).not.toBe(converged);
    const f = parseFacts(drifted);
    expect(f.namespaces.get('only6')!.links.find((l) => l.name === 'eth0')!.mac).toBe('02:42:00:00:00:09');
    const plan6 = planUp(seed6, { ...f, record: f.record.filter((o) => o.kind !== 'accept-ra') });
    expect(cmds(plan6.steps)).toEqual(['ip -n only6 link set dev eth0 address 02:42:00:00:00:02']);
    expect(plan6.findings.map((x) => [x.path, x.desired, x.actual])).toEqual([['namespaces.only6.mac', '02:42:00:00:00:02', '02:42:00:00:00:09']]);
  });
});
