# shellcheck shell=sh
# The transaction's journal (TXN_JOURNAL), one line a word: `begin ID PID`; per step `done I` (or,
# before a batch of steps, `try LAST`); `failed I`; `undo I` before each undo; `rolledback OK`;
# `record` before the record is replaced; `commit`; `armed SECONDS`; `confirmed`; `reverted OK`.
# The words' meaning for cnet-remote: src/remote/journal.ts.

# read_journal: the journal's run (jid) and last word (st); the steps that may have run (top), of
# which those below firm surely did; whether the record may have been replaced (rec)
# shellcheck disable=SC2034 # its results, read by the programs that include this file
read_journal() {
  jid='' st='' top=-1 firm=0 rec=''
  [ -f "$TXN_JOURNAL" ] || return 0
  while read -r k v _; do
    case "$k" in
      begin) jid=$v top=-1 firm=0 rec= ;;
      done) top=$v firm=$((v + 1)) ;;
      try) top=$v ;;
      failed) top=$((v - 1)) firm=$v ;;
      undo) top=$v firm=$v ;;
      record) rec=1 ;;
      rolledback | reverted) top=-1 ;;
    esac
    st=$k
  done < "$TXN_JOURNAL"
}

# rollback TOP FIRM: undoes this run's steps TOP … 0 (ur=1 if an undo failed). An undo of a step at
# or above FIRM may find that its step never ran (the runner died inside a batch, or inside an
# undo): it is run all the same, and its failure is not one.
# shellcheck disable=SC2034 # ur: read by the program that called it
rollback() {
  i=$1
  while [ "$i" -ge 0 ]; do
    echo "undo $i" >> "$TXN_JOURNAL"
    mark undo "$i"
    if [ "$i" -ge "$2" ]; then
      undo_step "$i" > /dev/null 2>&1
    else
      undo_step "$i" 2>&1 || ur=1
    fi
    i=$((i - 1))
  done
}

# restore_record: the record as it was before this run's commit
restore_record() {
  if [ -s "$TXN_DIR/owned.before" ]; then copy_file "$TXN_DIR/owned.before" "$RECORD_FILE"; else rm -f "$RECORD_FILE"; fi
}
