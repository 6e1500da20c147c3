# shellcheck shell=sh
# A transaction on the host (src/remote/txn.ts fills in its data: ID, HOLDER, LOCK_WAIT, AFTER,
# RECORD, CONFIRM_TIMEOUT, UNFINISHED, the steps in run_steps and their undos in undo_step).
#
# The steps run in a shell of their own (`setsid`), apart from the SSH session: a dropped
# connection does not stop them. They hold the host's lock (flock) for their whole life and
# first check, under it, that the host's last transaction is still the one the plan was made
# after (AFTER; else `@@stale`: nothing runs, the controller gathers and plans again). They write
# the journal as they go, and on the first failing step undo what they did, in reverse. The record
# of what cnet-remote owns is replaced only at commit.
#
#   sh current.sh apply locked   started by launch.sh, which holds the lock (fd 9)
#   sh current.sh rollback       by the next run, after the runner died: undoes what the journal
#                                says may have been done, whatever word it ended on
#   sh current.sh revert SECONDS armed by --confirm-timeout: waits, and undoes the committed run
#                                unless it was confirmed
umask 077

# write_proc PATH VALUE: `sysctl -w` as the write to /proc/sys it is (a builtin: no process)
write_proc() {
  printf '%s\n' "$2" > "/proc/sys/$1"
}

# fail I: step I failed: undo the steps before it, and end
fail() {
  echo "failed $1" >> "$TXN_JOURNAL"
  ur=0
  rollback $(($1 - 1)) "$1"
  echo "rolledback $ur" >> "$TXN_JOURNAL"
  mark rolledback "$ur"
  exit 1
}

# step I COMMAND...: runs step I
step() {
  i=$1
  shift
  mark step "$i"
  if "$@" 2>&1; then echo "done $i" >> "$TXN_JOURNAL"; else fail "$i"; fi
}

# batch FIRST LAST TOOL [ARGS...] < COMMANDS: steps FIRST … LAST as one `TOOL ARGS -batch -`; on a
# failure, the tool names its line: the steps before it are done
batch() {
  first=$1 last=$2
  shift 2
  mark step "$first"
  # a runner that dies inside the batch leaves this for the next run's rollback to go from
  echo "try $last" >> "$TXN_JOURNAL"
  out=$("$@" -batch - 2>&1)
  rc=$?
  if [ "$rc" = 0 ]; then
    if [ -n "$out" ]; then printf '%s\n' "$out"; fi
    echo "done $last" >> "$TXN_JOURNAL"
    return 0
  fi
  n=${out##*Command failed -:}
  n=${n%%[!0-9]*}
  [ -n "$n" ] || n=1
  k=$((first + n - 1))
  mark step "$k"
  printf '%s\n' "${out%%Command failed -:*}"
  fail "$k"
}

# pause SECONDS: the test-only fault injection (OperationOptions.faultPause), without the lock fd
pause() {
  sleep "$1" 9>&-
}

# unfinished WORD: the journal ending on WORD means its run is unfinished
unfinished() {
  case " $UNFINISHED " in *" $1 "*) [ -n "$1" ] ;; *) return 1 ;; esac
}

mode=${1:-apply}
if [ "$mode" = revert ]; then
  sleep "$2"
  [ -e "$TXN_DIR/confirmed-$ID" ] && exit 0
fi
if [ "$mode ${2-}" != "apply locked" ]; then
  exec 9>> "$LOCK_FILE"
  # a revert waits for the lock as long as it takes; a run waits LOCK_WAIT seconds at most
  if [ "$mode" = revert ]; then
    flock 9
  elif ! take_lock; then
    mark locked
    cat_file "$HOLDER_FILE" 2> /dev/null
    exit 75
  fi
fi
read_journal
# shellcheck disable=SC2154 # jid, st, top, firm: read_journal's (journal.sh)
case "$mode" in
  rollback)
    # only this run, still unfinished: another run may have recovered it, and even run since,
    # while this one waited for the lock (undoing by a later run's journal undoes the wrong steps)
    if [ "$jid" != "$ID" ] || ! unfinished "$st"; then
      mark superseded "$jid" "$st"
      exit 0
    fi
    ur=0
    rollback "$top" "$firm"
    if [ -n "$rec" ]; then restore_record; fi
    echo "rolledback $ur" >> "$TXN_JOURNAL"
    mark rolledback "$ur"
    exit 0
    ;;
  revert)
    [ -e "$TXN_DIR/confirmed-$ID" ] && exit 0
    # a later run has superseded this one since (the journal is its): undoing by it undoes the wrong steps
    if [ "$jid" != "$ID" ]; then
      echo "superseded by $jid: not reverted"
      exit 0
    fi
    ur=0
    rollback "$top" "$firm"
    restore_record
    echo "reverted $ur" >> "$TXN_JOURNAL"
    exit 0
    ;;
esac
# the plan was made from the host as it was after that transaction: another run since, and it is stale
if [ "$jid $st" != "$AFTER" ]; then
  mark stale "$jid" "$st"
  exit 0
fi
printf '%s\n' "$HOLDER" > "$HOLDER_FILE"
echo "begin $ID $$" > "$TXN_JOURNAL"
run_steps
copy_file "$RECORD_FILE" "$TXN_DIR/owned.before"
echo record >> "$TXN_JOURNAL"
if [ -n "$RECORD" ]; then printf '%s' "$RECORD" > "$RECORD_FILE"; else rm -f "$RECORD_FILE"; fi
echo commit >> "$TXN_JOURNAL"
if [ -n "$CONFIRM_TIMEOUT" ]; then
  # the revert reads this run's script through a descriptor this shell opens now, under the lock
  # (not the background child, which may run only after a later run has put its own in place)
  echo "armed $CONFIRM_TIMEOUT" >> "$TXN_JOURNAL"
  exec 8< "$TXN_SCRIPT"
  setsid sh /proc/self/fd/8 revert "$CONFIRM_TIMEOUT" < /dev/null > "$TXN_DIR/revert.out" 2>&1 9>&- &
  exec 8<&-
fi
mark committed
