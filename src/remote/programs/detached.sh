# shellcheck shell=sh
# Running the transaction's script (TXN_SCRIPT) apart from the SSH session, and relaying its output.

# run_detached OUT ARGS...: runs `sh ARGS` detached from the session (setsid), its output into
# OUT, and waits for it: its exit status in rc. If the session drops, it goes on.
run_detached() {
  out=$1
  shift
  setsid sh "$@" > "$out" 2>&1 < /dev/null &
  wait $!
  rc=$?
}

# relay OUT: prints OUT and then the exit status rc (`@@apply-exit`)
relay() {
  cat_file "$1"
  mark apply-exit
  printf '%s\n' "$rc"
}
