#!/usr/bin/env bash
# A credit ledger across real nodes: four committee members (n = 4, f = 1) in a full mesh.
# Members 0-2 run `hypha node --committee-key` and sign checkpoints by themselves; member 3
# lied before the nodes started (two votes for epoch 1 with different balances, in its own
# database) and now runs a node that only relays. A client spends from its phone's escrow
# offline, and so does a clone of the phone (the same device key, in a copy of the client's
# database); both then sync with different nodes. The three honest members must certify a
# checkpoint over everything by themselves, and every node's ledger must report the phone's
# overdraft and equivocation and the liar's two votes. ledger_fixture writes the ledger ops
# and reads the nodes' databases (docs/node.md, "Ledgers").
# Usage: test_ledger.sh PATH/TO/hypha PATH/TO/ledger_fixture
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_ledger.sh PATH/TO/hypha PATH/TO/ledger_fixture}"
fixture=${2:?usage: test_ledger.sh PATH/TO/hypha PATH/TO/ledger_fixture}

# NAME.key from 'hypha keygen'; NAME_seed and NAME_key hold its seed and public key.
for name in m0 m1 m2 m3 root phone shop; do
    "$hypha" keygen >$name.key
    printf -v "${name}_seed" '%s' "$(sed -n 's/^seed: //p' $name.key)"
    printf -v "${name}_key" '%s' "$(sed -n 's/^public: //p' $name.key)"
done

# The same name, committee and limit give the same ledger (store id) in every database.
for db in m0 m1 m2 client; do
    ledger=$("$fixture" create $db.db credit 1000 "$m0_key" "$m1_key" "$m2_key" "$m3_key")
done
label=${ledger:0:16}
"$fixture" open client.db credit "$root_seed" 1000
"$fixture" grant client.db credit "$root_seed" "$phone_key" 300
# The clone: the client's database, phone key and grant included, copied file by file.
for file in client.db*; do
    cp "$file" "clone${file#client}"
done
# The liar holds what the client wrote so far, and signs two digests for epoch 1 over it.
"$hypha" export --db client.db credit - | "$hypha" import --db m3.db - >/dev/null
"$fixture" equivocate m3.db credit "$m3_seed" 1
# Offline, each copy of the phone spends within the escrow it sees; together, past it.
"$fixture" spend client.db credit "$phone_seed" "$root_key" "$shop_key" 200
"$fixture" spend clone.db credit "$phone_seed" "$root_key" "$shop_key" 250
status=0
"$fixture" spend clone.db credit "$phone_seed" "$root_key" "$shop_key" 51 2>overspend.err ||
    status=$?
[[ $status -eq 1 ]] && grep -q "insufficient" overspend.err ||
    fail "a device spending past its escrow offline: exit $status, $(cat overspend.err)"

start_node m0 --db m0.db --committee-key m0.key
start_node m1 --db m1.db --committee-key m1.key --peer "ws://127.0.0.1:$m0_port"
start_node m2 --db m2.db --committee-key m2.key --peer "ws://127.0.0.1:$m0_port" \
    --peer "ws://127.0.0.1:$m1_port"
start_node m3 --db m3.db --peer "ws://127.0.0.1:$m0_port" --peer "ws://127.0.0.1:$m1_port" \
    --peer "ws://127.0.0.1:$m2_port"
started=$SECONDS

# Both copies of the phone come back online at once, each to a different node.
"$hypha" sync --db client.db --peer "ws://127.0.0.1:$m1_port" credit --timeout 20 &
client_sync=$!
"$hypha" sync --db clone.db --peer "ws://127.0.0.1:$m2_port" credit --timeout 20 &
clone_sync=$!
wait $client_sync || fail "the client's sync failed"
wait $clone_sync || fail "the clone's sync failed"

# ledger_metric PORT NAME: a ledger gauge of the node at PORT.
ledger_metric() {
    metric "$1" "hypha_ledger_$2{store=\"$ledger\"}"
}
# Settled: every node holds a certified checkpoint over the four ops (open, grant, both
# spends), and all four agree on it.
settled() {
    local node port_var seen="" figures
    for node in m0 m1 m2 m3; do
        port_var="${node}_port"
        figures="$(ledger_metric "${!port_var}" certified_epoch)"
        figures+=" $(ledger_metric "${!port_var}" confirmed_ops)"
        [[ ${figures%% *} -gt 0 && ${figures##* } -ge 4 ]] || return 1
        [[ -z $seen || $figures == "$seen" ]] || return 1
        seen=$figures
    done
}
eventually 60 settled || fail "the nodes did not certify the spends within 60 s"
echo "certified after $((SECONDS - started)) s"
for node in m0 m1 m2 m3; do
    stop_node $node
done

# What every node's ledger must say: three findings, in the audit's canonical order, and
# a certificate of the three honest members' signatures alone.
honest=$(printf '%s\n' "$m0_key" "$m1_key" "$m2_key" | sort)
for node in m0 m1 m2 m3; do
    "$fixture" report $node.db credit >$node.report || { fail "report of $node"; continue; }
    read -r _ epoch _ signatures _ confirmed _ disputed <$node.report
    ((epoch > 0 && signatures == 3 && confirmed >= 4 && disputed == 0)) ||
        fail "node $node: $(head -n 1 $node.report)"
    [[ $(sed -n 's/^signer //p' $node.report) == "$honest" ]] ||
        fail "node $node: the certificate's signers are not the three honest members"
    grep -qx "finding OVERDRAFT account $root_key actor $phone_key deficit 150 epoch 0" \
        $node.report || fail "node $node: no overdraft of the phone"
    grep -q "^finding EQUIVOCATION account 0* actor $phone_key " $node.report ||
        fail "node $node: no equivocation of the phone"
    grep -q "^finding CHECKPOINT_CONFLICT account 0* actor $m3_key deficit 0 epoch 1$" \
        $node.report || fail "node $node: the liar is not reported"
    [[ $(grep -c '^finding' $node.report) -eq 3 ]] ||
        fail "node $node: findings other than the three expected"
    cmp -s m0.report $node.report || fail "node $node's ledger differs from node m0's"
done
((failures == 0)) || for node in m0 m1 m2 m3; do
    echo "---- $node.report" >&2
    cat $node.report >&2
done

# Each honest member said what it did; the liar's node signed nothing.
for node in m0 m1 m2; do
    key_var="${node}_key"
    grep -q "committee key ${!key_var}: signs the checkpoints of 1 of 1 ledgers" $node.log ||
        fail "node $node did not log its committee key"
    grep -q "ledger $label: signed checkpoint epoch $epoch$" $node.log ||
        fail "node $node did not log signing epoch $epoch"
    grep -q "ledger $label: checkpoint epoch $epoch certified by 3 members" $node.log ||
        fail "node $node did not log the certification of epoch $epoch"
done
! grep -q "signed checkpoint" m3.log || fail "the liar's node signed without a committee key"
finish
