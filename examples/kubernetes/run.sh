#!/usr/bin/env bash
# Runs `cnet-remote up` on the inventory of configmap.yaml as 4 shards at once (the Indexed Job
# cnet-remote-up), then, once that Job has ended, completed or failed, merges the 4 results (the
# Job cnet-remote-merge). Prints the shards' and the merge's logs and exits with the merge's exit
# code, the one a single run over all hosts would have: 0 all good, 2 a host failed or did not
# verify, 4 a host unreachable or a shard missing; 1 when a Job could not be run or waited for.
#
#   examples/kubernetes/run.sh
#
# kubectl's current context and namespace; NAMESPACE=x to choose the namespace. TIMEOUT bounds each
# wait (default 70m: the shards' Job stops itself after 60, activeDeadlineSeconds). Each run writes
# to its own folder of the results volume, /results/RUN_ID (default: the time, UTC).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
run_id=${RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)}
timeout=${TIMEOUT:-70m}
kubectl=(kubectl)
if [[ -n ${NAMESPACE:-} ]]; then kubectl+=(--namespace "$NAMESPACE"); fi

# Waits until job $1 has ended and prints how: "complete", "failed", or "timeout". `kubectl wait`
# waits for one condition: one wait for each, in the background, and the first to see its
# condition tells.
job_end() {
  local job=$1 complete failed end=timeout
  "${kubectl[@]}" wait --for=condition=complete "job/$job" --timeout="$timeout" >/dev/null 2>&1 &
  complete=$!
  "${kubectl[@]}" wait --for=condition=failed "job/$job" --timeout="$timeout" >/dev/null 2>&1 &
  failed=$!
  while :; do
    if ! kill -0 "$complete" 2>/dev/null; then
      if wait "$complete"; then end=complete; fi
      break
    fi
    if ! kill -0 "$failed" 2>/dev/null; then
      if wait "$failed"; then end=failed; fi
      break
    fi
    sleep 2
  done
  kill "$complete" "$failed" 2>/dev/null || true
  wait "$complete" "$failed" 2>/dev/null || true
  echo "$end"
}

# the last run's Jobs (and their pods) go first: a Job's pod template cannot be changed
"${kubectl[@]}" delete job cnet-remote-up cnet-remote-merge --ignore-not-found --cascade=foreground --wait=true
"${kubectl[@]}" create configmap cnet-remote-run --from-literal=RUN_ID="$run_id" --dry-run=client -o yaml |
  "${kubectl[@]}" apply -f -
"${kubectl[@]}" apply -k "$here"

echo "run $run_id: shards started, waiting for job/cnet-remote-up to end" >&2
shards=$(job_end cnet-remote-up)
"${kubectl[@]}" logs --selector job-name=cnet-remote-up --prefix --tail=-1 --max-log-requests=16 >&2 || true
if [[ $shards == timeout ]]; then
  echo "job/cnet-remote-up neither completed nor failed within $timeout: not merged (kubectl describe job/cnet-remote-up)" >&2
  exit 1
fi
# a failed Job still merges: the failing shards' results say which hosts failed and why
echo "job/cnet-remote-up $shards: merging the results of run $run_id" >&2

"${kubectl[@]}" patch job cnet-remote-merge --type=merge --patch '{"spec":{"suspend":false}}' >/dev/null
merge=$(job_end cnet-remote-merge)
"${kubectl[@]}" logs job/cnet-remote-merge || true
code=$("${kubectl[@]}" get pods --selector job-name=cnet-remote-merge \
  --output 'jsonpath={.items[0].status.containerStatuses[0].state.terminated.exitCode}' 2>/dev/null || true)
echo "job/cnet-remote-merge $merge (exit ${code:-unknown}); reports in the volume cnet-remote-results, folder $run_id:" \
  "junit.xml, report.html, retry.txt (when a host failed)" >&2
if [[ $code =~ ^[0-9]+$ ]]; then exit "$code"; fi
exit 1
