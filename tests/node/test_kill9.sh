#!/usr/bin/env bash
# A node killed with -9 in the middle of a stream of syncing writes restarts with every
# change it acknowledged: every write whose 'hypha sync' exited 0 before the kill is read
# back from the restarted node by a fresh replica.
# Usage: test_kill9.sh PATH/TO/hypha
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_kill9.sh PATH/TO/hypha}"

for db in node writer; do
    "$hypha" store create notes --db $db.db >/dev/null
done
start_node n --db node.db

# The writer: one record per iteration, each synced on its own; acked lists the ones the
# node acknowledged. It stops at the first failed sync (the node is gone).
: >acked
(
    for ((i = 1; i <= 400; i++)); do
        "$hypha" put --db writer.db notes k "$i" v "value $i" || exit 1
        "$hypha" sync --db writer.db --peer "ws://127.0.0.1:$n_port" notes --timeout 5 \
            2>>writer.err || exit 0
        echo "$i" >>acked
    done
) &
writer=$!
started_pids+=("$writer")
acked_at_least() { [[ $(wc -l <acked) -ge $1 ]]; }
eventually 60 acked_at_least 40 || fail "the writer made little progress"
kill -9 "$n_pid"
wait "$n_pid" 2>/dev/null || true
wait "$writer" || fail "the writer failed before the kill"
count=$(wc -l <acked)
echo "killed the node after $count acknowledged writes"

start_node n --db node.db
"$hypha" store create notes --db reader.db >/dev/null
"$hypha" sync --db reader.db --peer "ws://127.0.0.1:$n_port" notes || fail "sync from the restarted node"
missing=0
while read -r i; do
    [[ $("$hypha" get --db reader.db notes k "$i" v 2>/dev/null) == "value $i" ]] || missing=$((missing + 1))
done <acked
((missing == 0)) || fail "$missing of $count acknowledged writes are gone after kill -9"
[[ $(curl -s "http://127.0.0.1:$n_port/healthz") == ok ]] || fail "the restarted node is not healthy"
stop_node n
finish
