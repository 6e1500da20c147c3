/**
 * Where cnet-remote keeps its state on a host: the lock, the record of what `up` created, and the
 * transaction (its script, which a later run may execute to recover, and its journal). The rule
 * for trusting the folder: programs/state-dir.sh. Every program gets these as values
 * (program.ts); what cnet-remote creates there is created with umask 077.
 */
export const STATE_DIR = '/run/cnet-remote';
export const RECORD_FILE = `${STATE_DIR}/owned`;
export const LOCK_FILE = `${STATE_DIR}/lock`;
export const HOLDER_FILE = `${STATE_DIR}/holder`;
export const TXN_DIR = `${STATE_DIR}/txn`;
export const TXN_SCRIPT = `${TXN_DIR}/current.sh`;
export const TXN_JOURNAL = `${TXN_DIR}/journal`;
