/** IPv6's kernel switches on a host, from the gather's `ipv6` section. */
export interface Ipv6Switches {
  /** net.ipv6.conf.all.forwarding */
  ip6Forward?: boolean;
  /** net.ipv6.conf.all.disable_ipv6 */
  ipv6Disabled?: boolean;
  /** each root-namespace interface's net.ipv6.conf.IF.accept_ra */
  acceptRa?: Map<string, number>;
}

/** a sysctl's integer, as /proc prints it (anything else: no answer) */
const intOf = (text: string | undefined): number | undefined => (text !== undefined && /^-?\d{1,10}$/.test(text) ? Number(text) : undefined);

/**
 * Reads the `ipv6` section: `absent` (the kernel has no IPv6: nothing), or the lines `forwarding
 * V`, `disable_ipv6 V` and `accept_ra IF V` (interface names hold no blank: the kernel refuses
 * them). Host output is untrusted: a line of any other shape is left out, and the switches a
 * section does not state are absent.
 */
export function parseIpv6Switches(text: string): Ipv6Switches {
  let forwarding: number | undefined;
  let disabled: number | undefined;
  const acceptRa = new Map<string, number>();
  for (const line of text.split('\n')) {
    const words = line.split(' ');
    if (words.length === 2 && words[0] === 'forwarding') forwarding = intOf(words[1]) ?? forwarding;
    else if (words.length === 2 && words[0] === 'disable_ipv6') disabled = intOf(words[1]) ?? disabled;
    else if (words.length === 3 && words[0] === 'accept_ra' && words[1] !== '') {
      const v = intOf(words[2]);
      if (v !== undefined) acceptRa.set(words[1]!, v);
    }
  }
  if (forwarding === undefined) return {};
  return {
    ip6Forward: forwarding !== 0,
    ...(disabled !== undefined ? { ipv6Disabled: disabled !== 0 } : {}),
    acceptRa,
  };
}
