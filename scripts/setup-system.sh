#!/usr/bin/env bash
# Installs the Debian packages the lab needs (and, with --test, what the tests need), when missing.
set -euo pipefail
need=()
tests=false
[ "${1:-}" = --test ] && tests=true
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
[ -x /usr/sbin/iptables ] || need+=(iptables)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
[ -x /usr/bin/sudo ] || need+=(sudo)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if $tests; then
  # the JUnit report's schema validation (test/report/junit.test.ts)
  command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
  # the HTML report's screenshot test renders the page in headless Chromium (test/report/html.test.ts)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # the probe tests flush conntrack after deleting a NAT rule (an open ICMP flow keeps its NAT for 30 s)
  command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
  # native nftables chains on a host (test/e2e/probes.test.ts: a forward chain with policy drop)
  [ -x /usr/sbin/nft ] || need+=(nftables)
  # `lab up --image` builds its Debian userlands with debootstrap (test/e2e/lab-image.test.ts)
  [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
  # Graphviz checks that `graph --format dot` output is accepted (test/graph/dot.test.ts)
  command -v dot >/dev/null 2>&1 || need+=(graphviz)
  # `ruby -c Vagrantfile`, and reading what the Vagrantfile configures (test/inventories/vagrant.test.ts)
  command -v ruby >/dev/null 2>&1 || need+=(ruby)
  # the bench's smoke (test/e2e/bench-smoke.test.ts) measures peak memory with GNU time
  [ -x /usr/bin/time ] || need+=(time)
  # the oracle of the inventory, ansible.cfg, vault, template and --limit differential tests (test/inventory/): ansible-core, on Debian's python3 with jinja2
  command -v ansible-inventory >/dev/null 2>&1 || need+=(ansible-core)
  # a ProxyCommand "nc %h %p" (test/transport/proxy-command.test.ts, test/e2e/proxy-command.test.ts)
  command -v nc >/dev/null 2>&1 || need+=(netcat-openbsd)
  # npm run lint: every shell program under src/ (scripts/lint.sh)
  command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
  # `cnet-remote completion zsh|fish` scripts are loaded in the real shells (test/cli/completion.test.ts)
  command -v zsh >/dev/null 2>&1 || need+=(zsh)
  command -v fish >/dev/null 2>&1 || need+=(fish)
fi
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]} — run as root, or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing ${#need[@]} missing Debian package(s) with apt-get: ${need[*]}"
  # another apt or dpkg (unattended-upgrades, a second setup) holding the lock is waited for, not a failure:
  # install waits through DPkg::Lock::Timeout; update takes the lists lock, which that option does not
  # cover (apt 2.6), so it is retried while the lock is what stops it
  wait_s=${CNET_APT_LOCK_TIMEOUT:-600}
  lock=(-o DPkg::Lock::Timeout="$wait_s")
  waited=0
  until err=$(apt-get "${lock[@]}" update -qq 2>&1 >/dev/null); do
    if ! grep -q 'Could not get lock' <<<"$err" || ((waited >= wait_s)); then
      echo "$err" >&2
      exit 1
    fi
    ((waited == 0)) && echo "waiting for another apt to finish (up to ${wait_s} s): $(grep -m1 'Could not get lock' <<<"$err")"
    sleep 5
    waited=$((waited + 5))
  done
  DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "installed: ${need[*]}"
fi
