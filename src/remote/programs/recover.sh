# shellcheck shell=sh
# After an interrupted run: runs the transaction's script already on the host in `rollback` mode,
# detached, and prints its output and exit status, only if the state folder is root's alone (the
# script it runs is there). The script takes the lock itself: the output gets a name of this
# shell's own until then.
umask 077
refuse_untrusted
run_detached "$TXN_DIR/out-$$" "$TXN_SCRIPT" rollback
relay "$TXN_DIR/out-$$"
rm -f "$TXN_DIR/out-$$"
