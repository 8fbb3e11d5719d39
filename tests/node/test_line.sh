#!/usr/bin/env bash
# Three nodes in a line, A - B - C, where only B dials (--peer A --peer C): writes made at A
# and at C reach every node. Writes reach a running node the way docs/node.md says: 'hypha
# put' into a database of one's own, then 'hypha sync --peer' to the node, whose exit status
# 0 means the node holds the change. Readers check each node the same way.
# Usage: test_line.sh PATH/TO/hypha
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_line.sh PATH/TO/hypha}"

# The same name and policy give the same genesis, hence the same store id, in every database.
for db in a b c writer_a writer_c reader; do
    "$hypha" store create notes --db $db.db >/dev/null
done
start_node a --db a.db
start_node c --db c.db
start_node b --db b.db --peer "ws://127.0.0.1:$a_port" --peer "ws://127.0.0.1:$c_port"

# A store the node does not hold: the node's ERROR ends the sync with one clear line.
"$hypha" store create elsewhere --db writer_a.db >/dev/null
status=0
"$hypha" sync --db writer_a.db --peer "ws://127.0.0.1:$a_port" elsewhere 2>unknown.err || status=$?
[[ $status -eq 1 && $(wc -l <unknown.err) -eq 1 ]] || fail "sync of an unknown store: exit $status"
grep -q "the peer ended the session: not found" unknown.err ||
    fail "sync of an unknown store: $(cat unknown.err)"

"$hypha" put --db writer_a.db notes todo 1 title "from A"
"$hypha" sync --db writer_a.db --peer "ws://127.0.0.1:$a_port" notes || fail "sync of the write to A"
"$hypha" put --db writer_c.db notes todo 2 title "from C"
"$hypha" sync --db writer_c.db --peer "ws://127.0.0.1:$c_port" notes || fail "sync of the write to C"
# Concurrent writes to one field at both ends: every node must pick the same winner.
"$hypha" put --db writer_a.db notes todo 3 title "A's take"
"$hypha" put --db writer_c.db notes todo 3 title "C's take"
"$hypha" sync --db writer_a.db --peer "ws://127.0.0.1:$a_port" notes || fail "second sync to A"
"$hypha" sync --db writer_c.db --peer "ws://127.0.0.1:$c_port" notes || fail "second sync to C"

# has PORT KEY VALUE: a fresh reader synced from the node at PORT reads VALUE at KEY.
has() {
    rm -f "reader_$1.db"
    "$hypha" store create notes --db "reader_$1.db" >/dev/null
    "$hypha" sync --db "reader_$1.db" --peer "ws://127.0.0.1:$1" notes --timeout 5 || return 1
    [[ $("$hypha" get --db "reader_$1.db" notes todo "$2" title) == "$3" ]]
}
winner=""
for node in a b c; do
    port_var="${node}_port"
    port=${!port_var}
    eventually 20 has "$port" 1 "from A" || fail "node $node never got the write made at A"
    eventually 20 has "$port" 2 "from C" || fail "node $node never got the write made at C"
    value=$("$hypha" get --db "reader_$port.db" notes todo 3 title)
    [[ $value == "A's take" || $value == "C's take" ]] || fail "node $node: todo/3 is '$value'"
    [[ -z $winner || $value == "$winner" ]] || fail "node $node picked '$value', another '$winner'"
    winner=$value
done

# B dialled both ends: two outbound peers, and its log says so once each.
[[ $(metric "$b_port" 'hypha_peers{direction="outbound"}') == 2 ]] ||
    fail "node B: outbound peers $(metric "$b_port" 'hypha_peers{direction="outbound"}'), expected 2"
[[ $(grep -c 'syncing store notes' b.log) -eq 2 ]] || fail "node B should log each peer once"
applied=$(metric "$b_port" hypha_changes_applied_total)
[[ $applied -ge 3 ]] || fail "node B applied $applied changes, expected at least 3"

# A peer that goes away and comes back: B logs it once, reconnects and catches up.
stop_node a
"$hypha" put --db writer_c.db notes todo 4 title "while A was down"
"$hypha" sync --db writer_c.db --peer "ws://127.0.0.1:$c_port" notes || fail "sync to C with A down"
listen=$a_port start_node a --db a.db
eventually 30 has "$a_port" 4 "while A was down" || fail "node A never caught up after a restart"
grep -q "ws://127.0.0.1:$a_port: store notes disconnected" b.log || fail "node B did not log the loss of A"
[[ $(grep -c "ws://127.0.0.1:$a_port: syncing store notes" b.log) -eq 2 ]] ||
    fail "node B should log A's return once"

for node in a b c; do
    stop_node $node
done
finish
