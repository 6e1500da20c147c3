import { readFileSync, writeFileSync } from 'node:fs';
import { exec } from './local-exec.js';
import { segmentGateway6, type LabPlan, type LabVm } from './lab-plan.js';

/** `ip -batch` in a namespace (or the root namespace without one): one process for many lines. */
const batch = (ns: string | undefined, lines: string[]) => exec(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], `${lines.join('\n')}\n`);

/**
 * The lab's namespaces and links (lab-plan.ts draws them): the switch (a bridge in NAME-sw) the
 * controller, the upstream and the main segment's VMs are plugged into; the upstream ("internet"
 * address on its lo); the segments behind a bastion (NAME-s1 behind vm1, NAME-s2 behind priv1),
 * each bastion with a second leg `eth1`; every VM's address and, on the main segment, its default
 * route via the upstream. sshd and the VMs' own mounts are started afterwards (lab-vm.ts).
 * With IPv6 (plan.ipv6) each of them gets its IPv6 address beside its IPv4 one, and the main
 * segment's VMs an IPv6 default route via the upstream: every address `nodad` (usable at once, never
 * tentative), all inside the lab's namespaces but the controller's, on the lab's own link.
 */
export async function buildNetwork(plan: LabPlan): Promise<void> {
  const { switchNs, upstreamNs, rootIf, prefix, vms } = plan;
  const main = vms.filter((v) => v.group === 'lab');
  const priv = vms.filter((v) => v.group === 'private');
  const deep = vms.filter((v) => v.group === 'deep');
  const seg = (n: 1 | 2) => `${plan.name}-s${n}`;
  const bridge = ['link set dev lo up', 'link add name br type bridge', 'link set dev br up'];
  const port = (v: LabVm, ifname: string) => [`link add name ${v.key} type veth peer name ${ifname} netns ${v.ns}`, `link set dev ${v.key} master br up`];

  const switches = [switchNs, ...(priv.length ? [seg(1)] : []), ...(deep.length ? [seg(2)] : [])];
  await batch(
    undefined,
    [...switches, upstreamNs, ...vms.map((v) => v.ns)].map((n) => `netns add ${n}`),
  );
  const v6 = (line: string) => (plan.ipv6 ? [line] : []);
  await batch(undefined, [`link add name ${rootIf} type veth peer name c netns ${switchNs}`]);
  if (plan.ipv6) ownLink6(rootIf);
  await batch(undefined, [
    `addr add ${plan.controllerAddress}/${prefix} dev ${rootIf}`,
    ...v6(`addr add ${plan.controllerAddress6}/${plan.prefix6} dev ${rootIf} nodad`),
    `link set dev ${rootIf} up`,
  ]);
  await batch(switchNs, [
    ...bridge,
    'link set dev c master br up',
    `link add name up type veth peer name eth0 netns ${upstreamNs}`,
    'link set dev up master br up',
    ...main.flatMap((v) => port(v, 'eth0')),
  ]);
  await batch(upstreamNs, [
    'link set dev lo up',
    `addr add ${plan.internetAddress}/32 dev lo`,
    ...v6(`addr add ${plan.internetAddress6}/128 dev lo nodad`),
    `addr add ${plan.upstreamAddress}/${prefix} dev eth0`,
    ...v6(`addr add ${plan.upstreamAddress6}/${plan.prefix6} dev eth0 nodad`),
    'link set dev eth0 up',
  ]);
  const segments: { n: 1 | 2; gateway: LabVm; members: LabVm[]; group: 'private' | 'deep' }[] = [];
  if (priv.length) segments.push({ n: 1, gateway: main[0]!, members: priv, group: 'private' });
  if (deep.length) segments.push({ n: 2, gateway: priv[0]!, members: deep, group: 'deep' });
  for (const s of segments) {
    // the bastion's second leg: `eth1` with the segment's .1
    const gw = `${plan.net}.${s.n === 1 ? 160 : 176}.1`;
    await batch(seg(s.n), [
      ...bridge,
      `link add name gw type veth peer name eth1 netns ${s.gateway.ns}`,
      'link set dev gw master br up',
      ...s.members.flatMap((v) => port(v, 'eth0')),
    ]);
    await batch(s.gateway.ns, [
      `addr add 10.${gw}/20 dev eth1`,
      ...v6(`addr add ${segmentGateway6(plan.net, s.group)}/${plan.prefix6} dev eth1 nodad`),
      'link set dev eth1 up',
    ]);
  }
}

/**
 * The controller's lab link (in the root namespace) takes IPv6 whatever the machine's default for
 * new links says, and learns nothing from router advertisements: a VM that sent one (a test of
 * the tool may make a VM a router) must never give the machine a route into the lab.
 */
function ownLink6(ifname: string): void {
  const conf = `/proc/sys/net/ipv6/conf/${ifname}`;
  writeFileSync(`${conf}/accept_ra`, '0\n');
  if (readFileSync(`${conf}/disable_ipv6`, 'utf8').trim() !== '0') writeFileSync(`${conf}/disable_ipv6`, '0\n');
}

/**
 * Each VM's own end: lo up, its addresses on eth0, and on the main segment the default routes via
 * the upstream (IPv4's, and IPv6's when the lab has IPv6).
 */
export async function addressVms(plan: LabPlan): Promise<void> {
  const v6 = (line: string) => (plan.ipv6 ? [line] : []);
  for (const v of plan.vms) {
    const prefixLen = v.group === 'lab' ? plan.prefix : 20;
    await batch(v.ns, [
      'link set dev lo up',
      `addr add ${v.address}/${prefixLen} dev eth0`,
      ...v6(`addr add ${v.address6}/${plan.prefix6} dev eth0 nodad`),
      'link set dev eth0 up',
      ...(v.group === 'lab' ? [`route add default via ${plan.upstreamAddress}`, ...v6(`route add default via ${plan.upstreamAddress6}`)] : []),
    ]);
  }
}
