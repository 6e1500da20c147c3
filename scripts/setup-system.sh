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
fi
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]} — run as root, or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
