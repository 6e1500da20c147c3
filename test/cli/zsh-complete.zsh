#!/usr/bin/env zsh
# zsh-complete.zsh SCRIPT LINE: the candidates zsh's completion system (compsys) offers for LINE
# after TAB, with SCRIPT (a `#compdef` function file) loaded; one a line. It types LINE into an
# interactive zsh on a pseudo-terminal (zpty) whose compadd also prints what it adds.
# After Valodim's zsh-capture-completion (MIT), reduced to the candidates.
zmodload zsh/zpty || exit 2
script=$1 line=$2
zpty z zsh -f -i
# -D: no dump file (with a -d after it, compinit dumps again: over /dev/null, as root, it replaced the device)
zpty -w z "PS1='' RPS1=''; autoload -Uz compinit; compinit -u -D"
zpty -w z "source ${(q)script}"
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
# compadd also prints what it adds; a call that only collects (-O, -A, -D) is compsys asking itself
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- "CAND:"${^__hits}
  builtin compadd "$@"
}'
zpty -w z 'null-line() { print -r -- "--MA""RK--" }; compprefuncs=( null-line ); comppostfuncs=( null-line exit )'
# last: from here on Enter runs nothing (the newline zpty -w adds included)
zpty -w z 'bindkey "^M" undefined; bindkey "^J" undefined; bindkey "^I" complete-word'
zpty -w z "$line"$'\t'
integer seen=0
while zpty -r z out; do
  for l in ${(f)out}; do
    l=${l%$'\r'}
    if [[ $l == *--MARK--* ]]; then
      (( seen++ )) && exit 0
    elif (( seen )) && [[ $l == CAND:* ]]; then
      print -r -- ${l#CAND:}
    fi
  done
done
