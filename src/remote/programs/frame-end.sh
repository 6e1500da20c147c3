# shellcheck shell=sh
# Ends a framed script (src/remote/frame.ts): its exit code after a marker of this run's own (END,
# with a nonce no output can know) on stdout, and the marker on stderr; the run is over once both
# have arrived (sshd reads the two pipes independently, so stderr may trail).
rc=$?
printf '\n%s %s\n' "$END" "$rc"
printf '\n%s\n' "$END" >&2
