# shellcheck shell=sh
# What the controller runs to start a transaction (src/remote/txn.ts fills in LOCK_WAIT and
# SCRIPT, the transaction: txn.sh and its data). It checks that the state folder is root's alone
# (creating it, mode 700, if absent), takes the host's lock (waiting LOCK_WAIT seconds at most),
# and only then, holding it, writes the transaction as the host's current one: a second
# controller that finds the host locked must not overwrite the running transaction's script,
# which `rollback` and `revert` run again, nor its output. It starts it detached from the
# session with the lock (fd 9) handed on, waits for it and prints its output. Past the trust
# check it never ends the shell: what the controller sends after it (the read-back) runs in any
# case. Everything here but `find`, `chmod`, `flock`, `mv` and `setsid` is a shell builtin.
umask 077
refuse_untrusted
[ -d "$TXN_DIR" ] || mkdir -p "$TXN_DIR"
# what an earlier version made readable by all
chmod -R go= "$STATE_DIR"
exec 9>> "$LOCK_FILE"
if ! take_lock; then
  mark locked
  cat_file "$HOLDER_FILE" 2> /dev/null
  mark apply-exit
  echo 75
else
  # a builtin writes it (`cat` with a here-document costs a fork and an exec); it is put in place
  # by a rename, never rewritten where it is: a shell still reading the old one (a recovery
  # waiting for the lock, an armed revert) must not read on in the new one
  printf '%s\n' "$SCRIPT" > "$TXN_DIR/next.sh"
  mv -f "$TXN_DIR/next.sh" "$TXN_SCRIPT"
  run_detached "$TXN_DIR/out" "$TXN_SCRIPT" apply locked
  exec 9>&-
  relay "$TXN_DIR/out"
fi
