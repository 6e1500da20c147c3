import { STATE_DIR } from './paths.js';

/**
 * The refusal for a host whose state folder is not trustworthy (`found`: what check_state_dir in
 * programs/state-dir.sh found: `PATH owner USER mode MODE type T`).
 */
export function untrustedMessage(found: string): string {
  return (
    `refused: cnet-remote keeps its lock, record and transaction scripts in ${STATE_DIR} and uses it only when root alone can write it, ` +
    `but found ${found.trim()}. Someone else may have made it: inspect it, and if nothing there is yours, remove it (rm -rf ${STATE_DIR}) and run again`
  );
}
