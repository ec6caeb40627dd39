#!/usr/bin/env bash
# Start a throwaway 3-master Redis Cluster on free loopback ports, run a command
# with REDIS_CLUSTER_NODES pointing at it, then stop the cluster and remove its
# files, whatever the command's outcome (and on Ctrl-C). It never touches the
# Redis on 6379.
#
#   test/cluster/start-cluster.sh npx vitest run --config vitest.topology.config.ts
#
# Exit status: the command's.
set -euo pipefail

command -v redis-server >/dev/null || { echo "start-cluster: redis-server is not installed" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "start-cluster: redis-cli is not installed" >&2; exit 2; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/followup-cluster.XXXXXX")"
ports=()

stop_cluster() {
  local p
  for p in "${ports[@]}"; do
    if [[ -f "$dir/redis-$p.pid" ]]; then
      kill "$(cat "$dir/redis-$p.pid")" 2>/dev/null || true
    fi
  done
  # Give the servers a moment to go, then make sure.
  for _ in $(seq 1 20); do
    local alive=0
    for p in "${ports[@]}"; do
      [[ -f "$dir/redis-$p.pid" ]] && kill -0 "$(cat "$dir/redis-$p.pid")" 2>/dev/null && alive=1
    done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for p in "${ports[@]}"; do
    [[ -f "$dir/redis-$p.pid" ]] && kill -9 "$(cat "$dir/redis-$p.pid")" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

# A port is free when nothing answers on it nor on its cluster bus port (port + 10000).
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$(($1 + 10000)))") 2>/dev/null; }
candidate=$((20000 + RANDOM % 20000))
while ((${#ports[@]} < 3)); do
  candidate=$((candidate + 1))
  ((candidate > 55000)) && candidate=20000
  free "$candidate" && ports+=("$candidate")
done

for p in "${ports[@]}"; do
  redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
    --cluster-node-timeout 5000 --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis-$p.pid" --logfile "$dir/redis-$p.log"
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

nodes=()
for p in "${ports[@]}"; do nodes+=("127.0.0.1:$p"); done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 || {
  cat "$dir/create.log" >&2
  exit 1
}
for _ in $(seq 1 100); do
  ok=1
  for p in "${ports[@]}"; do
    redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || ok=0
  done
  [[ $ok == 1 ]] && break
  sleep 0.1
done
[[ $ok == 1 ]] || { echo "start-cluster: the cluster did not reach cluster_state:ok" >&2; exit 1; }

REDIS_CLUSTER_NODES="$(IFS=,; echo "${nodes[*]}")"
export REDIS_CLUSTER_NODES
echo "start-cluster: 3 masters at $REDIS_CLUSTER_NODES"

set +e
"$@"
status=$?
set -e
exit "$status"
