#!/usr/bin/env bash
# `hypha loadgen` against a real node: many clients in sync at once and held idle (the node
# counts every one of them), writes through the first client that the node then holds, and
# failures reported as failures: a node that refuses clients (--max-peers), a store the node
# does not hold, no node at all.
# Usage: test_loadgen.sh PATH/TO/hypha
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_loadgen.sh PATH/TO/hypha}"

for db in node clients reader; do
    "$hypha" store create notes --db $db.db >/dev/null
done
"$hypha" put --db node.db notes todo 1 title "on the node"
start_node n --db node.db
url="ws://127.0.0.1:$n_port"

# json FILE MEMBER: a member of loadgen's JSON output (numbers and null only).
json() {
    sed -n "s/.*\"$2\": \([0-9.]*\|null\)[,}].*/\1/p" "$1"
}

# 30 clients, held idle for 2 s: the node counts 30 inbound peers while they are held.
"$hypha" loadgen --peer "$url" --clients 30 --db clients.db notes --hold 2 --json \
    >held.json 2>held.err &
loadgen=$!
eventually 20 grep -q 'holding 30 idle clients' held.err || fail "loadgen never held its clients"
peers=$(metric "$n_port" 'hypha_peers{direction="inbound"}')
[[ $peers == 30 ]] || fail "the node counts $peers inbound peers while 30 clients are held"
status=0
wait $loadgen || status=$?
((status == 0)) || fail "loadgen of 30 clients exited $status: $(cat held.json held.err)"
for member in clients connected in_sync; do
    [[ $(json held.json $member) == 30 ]] || fail "loadgen: $member is $(json held.json $member)"
done
[[ $(json held.json errors) == 0 ]] || fail "loadgen: errors $(json held.json errors)"
[[ $(json held.json seconds_to_all_in_sync) != null ]] || fail "loadgen: no time to all in sync"
held=$(json held.json held_seconds)
[[ ${held%%.*} -ge 2 ]] || fail "loadgen held its clients ${held} s, not 2"
# Each client caught up on its own: the node sent its one change to every one of them.
sent=$(metric "$n_port" hypha_changes_sent_total)
[[ $sent -ge 30 ]] || fail "the node sent $sent changes to 30 fresh clients"

# Writes: 2,500 one-op changes through the first client, which the node then holds (a fresh
# reader gets the last value written to record r499: 2499) and acknowledged.
"$hypha" loadgen --peer "$url" --clients 2 --db clients.db notes --write 2500 --json >write.json ||
    fail "loadgen --write exited $?: $(cat write.json)"
[[ $(json write.json write_ops) == 2500 ]] || fail "loadgen wrote $(json write.json write_ops)"
[[ $(json write.json write_ops_per_s) != null ]] || fail "loadgen --write: no rate"
"$hypha" sync --db reader.db --peer "$url" notes --timeout 10 || fail "reader sync"
[[ $("$hypha" get --db reader.db notes items r499 n) == 2499 ]] ||
    fail "the node holds r499 = $("$hypha" get --db reader.db notes items r499 n), not 2499"
[[ $("$hypha" get --db reader.db notes todo 1 title) == "on the node" ]] ||
    fail "the reader lacks todo/1"

# Refused clients are errors: exit 1, one line, and the JSON says how many.
start_node small --db node.db --max-peers 3
status=0
"$hypha" loadgen --peer "ws://127.0.0.1:$small_port" --clients 8 --db clients.db notes --json \
    >refused.json 2>refused.err || status=$?
((status == 1)) || fail "loadgen past --max-peers exited $status"
errors=$(json refused.json errors)
[[ $errors -ge 1 ]] || fail "loadgen past --max-peers: errors $errors"
[[ $(wc -l <refused.err) -ge 1 ]] && grep -q "^hypha: loadgen: .*clients failed" refused.err ||
    fail "loadgen past --max-peers: $(cat refused.err)"

# A store the node does not hold, and a node that is not there.
"$hypha" store create elsewhere --db clients.db >/dev/null
status=0
"$hypha" loadgen --peer "$url" --clients 2 --db clients.db elsewhere 2>unknown.err >/dev/null ||
    status=$?
((status == 1)) && grep -q "not found" unknown.err ||
    fail "unknown store: exit $status, $(cat unknown.err)"
stop_node small
status=0
"$hypha" loadgen --peer "ws://127.0.0.1:$small_port" --clients 2 --db clients.db notes \
    --timeout 5 >/dev/null 2>gone.err || status=$?
((status == 1)) || fail "no node: exit $status, $(cat gone.err)"
# A usage error.
status=0
"$hypha" loadgen --peer "$url" --clients 0 --db clients.db notes 2>usage.err || status=$?
((status == 2)) && grep -q -- "--clients takes a number from 1" usage.err ||
    fail "--clients 0: exit $status, $(cat usage.err)"

stop_node n
finish
