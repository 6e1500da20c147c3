/**
 * Where cnet-remote keeps its state on a host, and the rule for trusting it. The folder holds the
 * lock, the record of what `up` created, and the transaction (its script, which a later run may
 * execute to recover, and its journal): whoever can write there can make root run anything. So
 * it is used only when root (the user the run is) alone can write it and everything in it: owned
 * by that user, not group- or world-writable, no symlinks, nothing but folders and files.
 * Otherwise the host is refused, with the path, its owner and mode. What cnet-remote creates there
 * is created with umask 077.
 */
export const STATE_DIR = '/run/cnet-remote';
export const RECORD_FILE = `${STATE_DIR}/owned`;
export const LOCK_FILE = `${STATE_DIR}/lock`;
export const HOLDER_FILE = `${STATE_DIR}/holder`;
export const TXN_DIR = `${STATE_DIR}/txn`;
export const TXN_SCRIPT = `${TXN_DIR}/current.sh`;
export const TXN_JOURNAL = `${TXN_DIR}/journal`;

/**
 * Shell that sets `bad` to the first thing that makes the state folder untrustworthy
 * (`PATH owner USER mode MODE type T`), or to nothing; an absent folder is fine. One `find`
 * only when the folder exists (a file another run renames meanwhile is no finding; any error
 * of find's is one); the rest are builtins.
 */
export const checkStateDir = [
  'bad=',
  `if [ -e ${STATE_DIR} ] || [ -L ${STATE_DIR} ]; then`,
  `  u=; while read -r k a b rest; do if [ "$k" = Uid: ]; then u=$b; break; fi; done < /proc/self/status`,
  `  bad=$(find ${STATE_DIR} -ignore_readdir_race -maxdepth 2 '(' -type l -o '!' -type d '!' -type f -o '!' -uid "\${u:-0}" -o -perm /022 ')' -printf '%p owner %u mode %m type %y\\n' -quit 2>&1)`,
  `  [ -d ${STATE_DIR} ] || bad=\${bad:-"${STATE_DIR} is not a folder"}`,
  // its first line only: a name may hold a newline
  "  bad=${bad%%'\n'*}",
  'fi',
].join('\n');

/** The refusal for a host whose state folder is not trustworthy (`found`: what checkStateDir found). */
export function untrustedMessage(found: string): string {
  return (
    `refused: cnet-remote keeps its lock, record and transaction scripts in ${STATE_DIR} and uses it only when root alone can write it, ` +
    `but found ${found.trim()}. Someone else may have made it: inspect it, and if nothing there is yours, remove it (rm -rf ${STATE_DIR}) and run again`
  );
}
