#!/usr/bin/env bash
# `hypha ledger` from a shell, as a small cooperative would run it: a committee of four keys
# (three databases' node keys and a `hypha keygen` seed used with --key), a ledger created in
# one database and carried to the others with export and import, accounts opened, spends,
# a grant to another database's key, limits the committee allows, bad amounts and
# insufficient escrow (one line, the right exit status, nothing changed), a checkpoint signed
# by three members in turn until certified, a clean audit, and then a cloned device: a
# database file copied, both copies spending, both merged into a third, whose audit reports
# the overdraft and the equivocation with exit status 3.
# Usage: test_ledger.sh PATH/TO/hypha
set -euo pipefail

hypha=${1:?usage: test_ledger.sh PATH/TO/hypha}
command -v node >/dev/null || { echo "test_ledger: node is required (apt-get install nodejs)" >&2; exit 1; }

source "$(dirname "$0")/lib.sh"

# json_value EXPRESSION: prints the JavaScript EXPRESSION with `d` = JSON.parse($out).
json_value() {
    node -e 'const d = JSON.parse(process.argv[1]); console.log(eval(process.argv[2]))' "$out" "$1"
}

# carry FROM TO: the ledger's changes from database FROM into database TO (export, import),
# as two peers that never meet would exchange them.
carry() {
    "$hypha" export coop carry.hyex --db "$1" && "$hypha" import carry.hyex --db "$2" >/dev/null ||
        fail "carrying coop from $1 to $2"
}

# expect_findings ARGS...: the audit's exit status 3 (findings printed on stdout), nothing on
# stderr.
expect_findings() {
    run "$@"
    [[ $status -eq 3 ]] || fail "hypha $* exited $status, expected 3 (findings): $err"
    [[ -z $err ]] || fail "hypha $* wrote to stderr: $err"
}

# ---- the keys ---------------------------------------------------------------------------
declare -a member
for m in 1 2 3; do
    expect_ok key --db "m$m.db"
    member[m]=$out
done
"$hypha" keygen >m4.key
member[4]=$(sed -n 's/^public: //p' m4.key)
[[ ${member[4]} =~ ^[0-9a-f]{64}$ ]] || fail "keygen: ${member[4]}"
committee="${member[1]},${member[2]},${member[3]},${member[4]}"
for name in alice bob carol phone shop; do
    expect_ok key --db "$name.db"
    declare "$name=$out"
done

# ---- init ---------------------------------------------------------------------------------
expect_ok ledger init coop --committee "$committee" --limit 1000 --db alice.db --json
json_check "d.name === 'coop' && /^[0-9a-f]{64}\$/.test(d.id)"
coop=$(json_value d.id)
expect_ok store list --db alice.db
[[ $out == "$coop  coop" ]] || fail "store list after ledger init: $out"
expect_ok ledger init small --committee "$committee" --db alice.db
[[ $out =~ ^[0-9a-f]{64}$ && $out != "$coop" ]] || fail "ledger init without --limit: $out"

expect_error 1 ledger init coop --committee "$committee" --db alice.db
[[ $err == *"already exists"* ]] || fail "ledger init twice: $err"
expect_error 2 ledger init x --db alice.db
[[ $err == *"--committee"*"required"* ]] || fail "ledger init without a committee: $err"
expect_error 2 ledger init x --committee "${member[1]},${member[2]},${member[3]}"
[[ $err == *"3f + 1"* ]] || fail "a committee of 3: $err"
expect_error 2 ledger init x --committee "$committee,$alice"
expect_error 2 ledger init x --committee "${member[1]},${member[1]},${member[2]},${member[3]}"
[[ $err == *"lists a key twice"* ]] || fail "a key twice in the committee: $err"
expect_error 2 ledger init x --committee "${committee%?}g"
expect_error 2 ledger init x --committee "$committee" --limit -1
expect_error 2 ledger init x --committee "$committee" --limit 9007199254740992
expect_error 2 ledger init x --committee "$committee" --account "$alice"
expect_error 2 ledger init '' --committee "$committee"
expect_error 2 ledger init
expect_error 2 ledger init a b --committee "$committee"
expect_error 2 ledger
expect_error 2 ledger frobnicate coop
[[ $err == *"expected an action"* ]] || fail "an unknown action: $err"
[[ ! -e x.db && ! -e hypha.db ]] || fail "a refused init created a database"

# ---- errors common to the actions on a ledger --------------------------------------------
expect_error 1 ledger balance coop --db missing.db
[[ ! -e missing.db ]] || fail "ledger balance created a database"
expect_error 1 ledger balance nosuch --db alice.db
[[ $err == *"no store 'nosuch'"* ]] || fail "a missing ledger: $err"
expect_ok store create notes --db alice.db
expect_error 1 ledger balance notes --db alice.db
[[ $err == *"not a ledger"* ]] || fail "a store that is no ledger: $err"
expect_error 2 ledger balance
expect_error 2 ledger balance coop "$alice" extra --db alice.db
expect_error 2 ledger audit coop --limit 5 --db alice.db
[[ $err == *"takes no --limit"* ]] || fail "an option the action does not take: $err"
expect_error 2 ledger status coop --key m4.key --db alice.db

# ---- open ---------------------------------------------------------------------------------
expect_ok ledger open coop --db alice.db
[[ $out == "$alice  opened  limit 1000  balance 0  confirmed 0  rights 1000" ]] ||
    fail "ledger open: $out"
expect_error 1 ledger open coop --db alice.db
[[ $err == *"open already (limit 1000)"* ]] || fail "ledger open twice: $err"
expect_error 2 ledger open coop --limit x --db alice.db

# The ledger moves to bob's database; bob opens by id, asking more than the ledger gives.
expect_ok export coop coop.hyex --db alice.db
expect_ok import coop.hyex --db bob.db --json
json_check "d.id === '$coop' && d.created === true"
expect_ok ledger open "$coop" --limit 5000 --db bob.db --json
json_check "d.account === '$bob' && d.opened && d.limit === 1000 && d.balance === 0 && d.rights === 1000"
carry bob.db alice.db

# ---- spend --------------------------------------------------------------------------------
expect_ok ledger spend coop "$bob" 300 --db alice.db --json
json_check "d.account === '$alice' && d.balance === -300 && d.confirmed_balance === 0 && d.rights === 700"
expect_error 1 ledger spend coop "$bob" 701 --db alice.db
[[ $err == *"insufficient escrow"*"rights of 700 in its own account, less than 701"* ]] ||
    fail "insufficient escrow: $err"
expect_error 1 ledger spend coop "$bob" 9007199254740991 --db alice.db
[[ $err == *"insufficient escrow"* ]] || fail "the largest amount: $err"
for amount in abc 0 1.5 1e3 '' 9007199254740992 99999999999999999999999 ' 5' 0x10; do
    expect_error 2 ledger spend coop "$bob" "$amount" --db alice.db
    [[ $err == *"AMOUNT '$amount' is not a whole number from 1 to 9007199254740991"* ]] ||
        fail "spend of '$amount': $err"
done
expect_error 2 ledger spend coop "$bob" --db alice.db -- -5
[[ $err == *"AMOUNT '-5'"* ]] || fail "a negative amount: $err"
expect_error 2 ledger spend coop "$alice" 5 --db alice.db
[[ $err == *"the paying account itself"* ]] || fail "a spend to the payer: $err"
expect_error 2 ledger spend coop "${bob%?}" 5 --db alice.db
[[ $err == *"TO_ACCOUNT is not 64 hex digits"* ]] || fail "a short key: $err"
expect_error 2 ledger spend coop "$bob" 5 --account nothex --db alice.db
expect_error 2 ledger spend coop "$bob" 5 --epoch 1 --db alice.db
expect_error 2 ledger spend coop "$bob" --db alice.db
# Refused spends changed nothing.
expect_ok ledger balance coop "$alice" --db alice.db --json
json_check "d.balance === -300 && d.rights === 700"
# Carol holds the ledger but no account: her key is nobody's device.
carry alice.db carol.db
expect_error 1 ledger spend coop "$alice" 5 --db carol.db
[[ $err == *"$carol is no device of its own account"* ]] || fail "a spend by a stranger: $err"
expect_error 1 ledger spend coop "$bob" 5 --account "$alice" --db carol.db
[[ $err == *"is no device of $alice"* ]] || fail "a spend from another's account: $err"

# ---- balance ------------------------------------------------------------------------------
carry alice.db bob.db
expect_ok ledger balance coop --db bob.db --json
json_check "d.ledger === '$coop' && d.key === '$bob' && d.accounts.length === 2"
json_check "d.accounts.map(a => a.account).join() === ['$alice', '$bob'].sort().join()"
# Bob's receipts count in his rights only once a checkpoint confirms them; he is no device
# of alice's account.
json_check "d.accounts.find(a => a.account === '$bob').balance === 300"
json_check "d.accounts.find(a => a.account === '$bob').rights === 1000"
json_check "d.accounts.find(a => a.account === '$alice').rights === null"
expect_ok ledger balance coop --db bob.db
[[ $(wc -l <<<"$out") -eq 2 ]] || fail "ledger balance: not one line per account: $out"
[[ $out == *"$bob  opened  limit 1000  balance 300  confirmed 0  rights 1000"* ]] ||
    fail "ledger balance, bob's line: $out"
[[ $out == *"$alice  opened  limit 1000  balance -300  confirmed 0"$'\n'* ||
   $out == *"$alice  opened  limit 1000  balance -300  confirmed 0" ]] ||
    fail "ledger balance, alice's line (without rights): $out"
expect_error 1 ledger balance coop "${member[1]}" --db bob.db
[[ $err == *"no op of the ledger names account ${member[1]}"* ]] || fail "an unknown account: $err"
expect_error 2 ledger balance coop nothex --db bob.db
expect_ok ledger balance small --db alice.db --json
json_check "d.accounts.length === 0"

# ---- grant to another database's key ------------------------------------------------------
expect_ok ledger grant coop "$phone" 300 --db alice.db --json
json_check "d.account === '$alice' && d.rights === 400 && d.balance === -300"
expect_error 1 ledger grant coop "$phone" 401 --db alice.db
[[ $err == *"insufficient escrow"* ]] || fail "a grant past the escrow: $err"
expect_error 2 ledger grant coop "$alice" 5 --db alice.db
[[ $err == *"DEVICE is this key itself"* ]] || fail "a grant to oneself: $err"
expect_error 2 ledger grant coop "$phone" 0 --db alice.db
carry alice.db phone.db
expect_ok ledger balance coop "$alice" --db phone.db --json
json_check "d.rights === 300"
# The phone has no account of its own: it spends from alice's, with --account.
expect_error 1 ledger spend coop "$bob" 5 --db phone.db
expect_error 2 ledger spend coop "$alice" 5 --account "$alice" --db phone.db
[[ $err == *"the paying account itself"* ]] || fail "a device paying its account: $err"

# ---- limits the committee allows ----------------------------------------------------------
expect_error 1 ledger allow coop "$bob" 2000 --db alice.db
[[ $err == *"$alice is not a member of the ledger's committee"* ]] || fail "allow by a non-member: $err"
# Arguments are checked before the database: m1.db does not hold the ledger yet.
expect_error 2 ledger allow coop "$bob" --db m1.db -- -1
[[ $err == *"LIMIT '-1' is not a whole number from 0 to"* ]] || fail "a negative limit: $err"
carry bob.db m1.db
expect_ok ledger allow coop "$bob" 2000 --db m1.db --json
json_check "d.account === '$bob' && d.limit === 1000"  # one member may be lying: f + 1 = 2
carry m1.db m2.db
expect_ok ledger allow coop "$bob" 3000 --db m2.db --json
json_check "d.limit === 2000"  # bob asked 5000; two members agree on at least 2000

# ---- a checkpoint, signed by three members in turn ----------------------------------------
for db in alice bob phone m2; do carry "$db.db" m1.db; done
expect_error 1 ledger checkpoint coop --db alice.db
[[ $err == *"not a member"* ]] || fail "a checkpoint by a non-member: $err"
expect_error 2 ledger checkpoint coop --epoch x --db m1.db
expect_ok ledger checkpoint coop --db m1.db --json
json_check "d.signed_epoch === 1 && d.checkpoint.epoch === 0 && d.checkpoint.digest === null"
expect_ok ledger checkpoint coop --db m1.db
[[ $out == "signed epoch: none ("*")"* && $out == *"certified epoch: none"* ]] ||
    fail "a second checkpoint with nothing new: $out"
carry m1.db m2.db
expect_ok ledger checkpoint coop --db m2.db
[[ $out == "signed epoch: 1"$'\n'"certified epoch: none"* ]] || fail "two signatures: $out"
expect_error 1 ledger checkpoint coop --epoch 1 --db m2.db
[[ $err == *"one digest per epoch"* ]] || fail "signing an epoch twice: $err"
# The fourth member signs with its seed file, in alice's database: the third signature.
carry m2.db alice.db
expect_ok ledger checkpoint coop --key m4.key --db alice.db --json
json_check "d.signed_epoch === 1 && d.checkpoint.epoch === 1 && d.checkpoint.signatures === 3"
json_check "/^[0-9a-f]{64}\$/.test(d.checkpoint.digest) && d.checkpoint.disputed_ops === 0"
json_check "d.checkpoint.confirmed_ops >= 6"
expect_ok ledger status coop --db alice.db --json
json_check "d.id === '$coop' && d.name === 'coop' && d.quorum === 3 && d.credit_limit === 1000"
json_check "d.committee.slice().sort().join() === '$committee'.split(',').sort().join()"
json_check "d.accounts === 2 && d.checkpoint.epoch === 1"
expect_ok ledger status coop --db alice.db
[[ $out == *"quorum: 3 of 4"* && $out == *"certified epoch: 1"$'\n'"signatures: 3"* ]] ||
    fail "ledger status: $out"
# Confirmed receipts count in the payee's rights: bob's limit (2000) and the 300 he got.
carry alice.db bob.db
expect_ok ledger balance coop "$bob" --db bob.db --json
json_check "d.confirmed_balance === 300 && d.limit === 2000 && d.rights === 2300"

# ---- the audit: clean, then a cloned device -----------------------------------------------
expect_ok ledger audit coop --db bob.db
[[ -z $out ]] || fail "a clean audit printed: $out"
expect_ok ledger audit coop --db bob.db --json
json_check "d.ledger === '$coop' && d.findings.length === 0"

carry alice.db phone.db
cp phone.db clone.db
expect_ok ledger spend coop "$shop" 250 --account "$alice" --db phone.db --json
json_check "d.rights === 50"
expect_ok ledger spend coop "$shop" 260 --account "$alice" --db clone.db --json
json_check "d.rights === 40"
expect_ok ledger audit coop --db phone.db   # each copy alone is clean
carry phone.db shop.db
carry clone.db shop.db
expect_findings ledger audit coop --db shop.db
[[ $(wc -l <<<"$out") -eq 2 ]] || fail "audit of the clone: not two findings: $out"
[[ $out == *"overdraft  account $alice  device $phone  deficit 210  ops "* ]] ||
    fail "audit of the clone: no overdraft: $out"
[[ $out =~ equivocation\ \ actor\ $phone\ \ ops\ [0-9a-f]{64},[0-9a-f]{64} ]] ||
    fail "audit of the clone: no equivocation: $out"
expect_findings ledger audit coop --db shop.db --json
json_check "d.findings.length === 2"
json_check "d.findings.some(f => f.kind === 'overdraft' && f.account === '$alice' &&
            f.actor === '$phone' && f.deficit === 210 && f.epoch === null && f.ops.length === 1)"
json_check "d.findings.some(f => f.kind === 'equivocation' && f.account === null &&
            f.actor === '$phone' && f.ops.length === 2 && /^([0-9a-f]{2})+\$/.test(f.proof))"
# Both spends count; the sum of the balances stays 0.
expect_ok ledger balance coop --db shop.db --json
json_check "d.accounts.find(a => a.account === '$shop').balance === 510"
json_check "d.accounts.reduce((sum, a) => sum + a.balance, 0) === 0"

# ---- help ---------------------------------------------------------------------------------
expect_ok help ledger
[[ $out == "Usage: hypha ledger"* && $out == *"--committee KEY,..."* && $out == *"checkpoint"* ]] ||
    fail "help ledger: $out"
expect_ok ledger --help
[[ $out == "Usage: hypha ledger"* ]] || fail "ledger --help: $out"

finish test_ledger
