/**
 * No ProxyCommand is taken as a jump any more: OpenSSH runs `ssh -W %h:%p -i key bastion` as
 * written (the bastion's own key, options and config apply), and so does cnet-remote
 * (proxy-command.ts). Read as a ProxyJump, the inner ssh's `-i`/`-o` were lost.
 *
 * `proxyCommandAsJump` stays only because ssh-config.ts still calls it (and then keeps the command
 * as `proxyCommand`): it never finds a jump. Drop it with that call.
 */
import type { JumpSpec } from './ssh-jump-spec.js';

export interface ProxyCommandJump {
  hops: JumpSpec[];
  ignored: string[];
}

/** Always undefined: every ProxyCommand is run as written. */
export function proxyCommandAsJump(_command: string): ProxyCommandJump | undefined {
  return undefined;
}
