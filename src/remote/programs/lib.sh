# shellcheck shell=sh
# What every program on a host starts with: the marker writer and file helpers made of shell
# builtins only (every process costs a host a few milliseconds, and fleets are CPU-bound).

# mark NAME [ARGS...]: a line `@@NAME ARGS` that starts a section of the output (the reader:
# src/remote/markers.ts)
mark() {
  printf '@@%s\n' "$*"
}

# cat_file FILE: prints FILE's lines
cat_file() {
  while IFS= read -r l; do printf '%s\n' "$l"; done < "$1"
}

# copy_file A B: copies A to B (an absent A: an empty B)
copy_file() {
  if [ -f "$1" ]; then cat_file "$1" > "$2"; else : > "$2"; fi
}

# take_lock: takes the host's lock on fd 9, waiting LOCK_WAIT seconds at most (0: not at all)
take_lock() {
  if [ "$LOCK_WAIT" -gt 0 ]; then flock -w "$LOCK_WAIT" 9; else flock -n 9; fi
}
