#!/usr/bin/env bash
# The database commands from a shell (store, put, get, export, import, key): a round trip
# through each, --json output read back by node's JSON.parse, the writers policy, and every
# error path (one line on stderr, the right exit status, never a crash).
# Usage: test_store.sh PATH/TO/hypha
set -euo pipefail

hypha=${1:?usage: test_store.sh PATH/TO/hypha}
command -v node >/dev/null || { echo "test_store: node is required (apt-get install nodejs)" >&2; exit 1; }

source "$(dirname "$0")/lib.sh"

# ---- a database is made by the commands that create -----------------------------------------
expect_error 1 store list
[[ $err == *"no such database"* ]] || fail "store list without a database: $err"
[[ ! -e hypha.db ]] || fail "store list created hypha.db"
expect_error 1 get notes c k f
expect_ok key
key=$out
[[ $key =~ ^[0-9a-f]{64}$ ]] || fail "key: $key"
[[ -e hypha.db ]] || fail "key did not create ./hypha.db"
expect_ok key --json
json_check "d.public === '$key'"
expect_ok key
[[ $out == "$key" ]] || fail "the node key changed between runs: $out"

# --key SEEDFILE: the seed that 'hypha keygen' prints, in any database.
"$hypha" keygen >other.key
other_key=$(sed -n 's/^public: //p' other.key)
expect_ok key --key other.key
[[ $out == "$other_key" ]] || fail "key --key other.key: $out, expected $other_key"
printf 'not a seed\n' >bad.key
expect_error 1 key --key bad.key
expect_error 1 key --key missing.key

# ---- store create and list ----------------------------------------------------------------
expect_ok store create notes
notes=$out
[[ $notes =~ ^[0-9a-f]{64}$ ]] || fail "store create: $notes"
expect_ok store create tasks --json --writers "$key"
json_check "d.name === 'tasks' && /^[0-9a-f]{64}\$/.test(d.id)"
tasks=$(node -e 'console.log(JSON.parse(process.argv[1]).id)' "$out")
expect_ok store create locked --writers "$other_key" --readers "$key,$other_key"
locked=$out
expect_ok store list
[[ $out == "$(printf '%s  locked\n%s  notes\n%s  tasks' "$locked" "$notes" "$tasks")" ]] ||
    fail "store list: $out"
expect_ok store list --json
json_check "d.length === 3 && d.map(s => s.name).join() === 'locked,notes,tasks'"
json_check "d[1].id === '$notes' && d[1].writers.length === 0 && d[1].readers.length === 0"
json_check "d[2].writers.length === 1 && d[2].writers[0] === '$key'"
json_check "d[0].readers.length === 2 && d[0].readers.includes('$other_key')"
expect_ok store create first --db empty.db
expect_ok store list --json --db empty.db
json_check "d.length === 1 && d[0].name === 'first'"

expect_error 1 store create notes
[[ $err == *"already exists"* ]] || fail "store create twice: $err"
expect_error 2 store create
expect_error 2 store create ''
expect_error 2 store create "$(printf 'x%.0s' {1..256})"
expect_error 2 store create a b
expect_error 2 store
expect_error 2 store remove notes
expect_error 2 store list extra
expect_error 2 store list --writers "$key"
expect_error 2 store create w --writers abc
expect_error 2 store create w --writers "$key,"
expect_error 2 store create w --writers "$key,$key"
expect_error 2 store create w --readers "${key%?}g"

# ---- put and get ----------------------------------------------------------------------------
# put VALUE, then get must print want and --json must give type and value.
check_value() {
    local value=$1 want=$2 type=$3 json_value=$4
    expect_ok put notes c k f -- "$value"
    [[ -z $out ]] || fail "put printed: $out"
    expect_ok get notes c k f
    [[ $out == "$want" ]] || fail "put '$value': get printed '$out', expected '$want'"
    expect_ok get notes c k f --json
    json_check "d.type === '$type' && JSON.stringify(d.value) === JSON.stringify($json_value)"
}
check_value hello hello string '"hello"'
check_value 'two words' 'two words' string '"two words"'
check_value 42 42 int 42
check_value -7 -7 int -7
check_value 2.5 2.5 double 2.5
check_value 2.0 2.0 double 2
check_value 1e3 1000.0 double 1000
check_value 0.1 0.1 double 0.1
check_value 18446744073709551616 18446744073709551616.0 double 18446744073709551616
check_value -1.5e-9 -1.5e-09 double -1.5e-9
check_value true true bool true
check_value null null null null
check_value '"42"' 42 string '"42"'
check_value '"a\"b"' 'a"b' string "'a\"b'"
check_value '"caf\u00e9"' 'café' string "'café'"
check_value '"unterminated' '"unterminated' string "'\"unterminated'"
check_value ' 5' ' 5' string "' 5'"
check_value '[1, 2]' '[1, 2]' string "'[1, 2]'"
check_value '' '' string "''"
# Round trip: what get prints, put reads back as the same value.
expect_ok put notes c k d 3.0
expect_ok get notes c k d
expect_ok put notes c k d2 "$out"
expect_ok get notes c k d2 --json
json_check "d.type === 'double' && d.value === 3"
# A JSON string's escapes, newline included, stay one value; --json escapes them again.
expect_ok put notes c k s '"line\nnext\ttab"'
expect_ok get notes c k s --json
json_check "d.value === 'line\\nnext\\ttab'"

# By id as well as by name; the database of another --db is another database.
expect_ok put "$notes" c k2 f 1
expect_ok get notes c k2 f
[[ $out == 1 ]] || fail "put by id, get by name: $out"
expect_error 1 get notes c k2 f --db empty.db

expect_error 1 get notes c k missing
[[ $err == *"has no value"* ]] || fail "get of a missing field: $err"
expect_error 1 get nostore c k f
[[ $err == *"no store 'nostore'"* ]] || fail "get from a missing store: $err"
expect_error 1 put nostore c k f 1
expect_error 2 put notes c k f
expect_error 2 put notes c k
expect_error 2 get notes c k
expect_error 2 get notes c k f extra
expect_error 2 put notes c k f 1e999
expect_error 2 put notes c k f "$(printf '\xff\xfe')"
expect_error 2 put notes "$(printf 'x%.0s' {1..256})" k f 1
expect_error 2 put notes c k f 1 --bogus

# ---- writers ------------------------------------------------------------------------------
expect_ok put tasks c k f mine
expect_error 1 put locked c k f 1
[[ $err == *"not among the store's writers"* && $err == *"$key"* ]] || fail "put to locked: $err"
expect_error 1 get locked c k f
expect_ok put locked c k f 1 --key other.key
expect_ok get locked c k f
[[ $out == 1 ]] || fail "put --key other.key to locked: $out"

# ---- export and import --------------------------------------------------------------------
expect_ok export notes notes.hyex
[[ -z $out && -s notes.hyex ]] || fail "export: '$out'"
[[ $(head -c 4 notes.hyex) == HYEX ]] || fail "export: no HYEX magic"
expect_ok import notes.hyex --db copy.db --json
json_check "d.id === '$notes' && d.created === true"
expect_ok get notes c k s --db copy.db --json
json_check "d.value === 'line\\nnext\\ttab'"
expect_ok get notes c k f --db copy.db
[[ $out == '' ]] || fail "import lost a value: $out"
# Both sides write, then each imports the other's export: the same state on both.
expect_ok put notes c k new 1
expect_ok put notes c k other 2 --db copy.db
"$hypha" export notes - --db copy.db >back.hyex || fail "export to standard output"
expect_ok import back.hyex
[[ $out == "$notes" ]] || fail "import back: $out"
expect_ok export notes notes.hyex
expect_ok import notes.hyex --db copy.db --json
json_check "d.created === false"
for db in hypha.db copy.db; do
    expect_ok get notes c k new --db "$db"
    [[ $out == 1 ]] || fail "$db lacks new: $out"
    expect_ok get notes c k other --db "$db"
    [[ $out == 2 ]] || fail "$db lacks other: $out"
done
# The policy travels with the store: the copy's node is no writer of 'tasks' either.
expect_ok export tasks tasks.hyex
expect_ok import tasks.hyex --db copy.db
expect_error 1 put tasks c k f 1 --db copy.db
expect_ok import - --db stdin.db <notes.hyex
[[ $out == "$notes" ]] || fail "import from standard input: $out"

expect_error 1 import missing.hyex
printf 'HYEX' >short.hyex
expect_error 1 import short.hyex
head -c 40 notes.hyex >cut.hyex
expect_error 1 import cut.hyex
expect_error 1 import hypha.db
[[ $err == *"not a hypha export file"* ]] || fail "import of a database: $err"
# A store's id is its genesis' hash: 'notes' created elsewhere with the same (empty) policy is
# the same store, and merges; one of the same name and another policy is refused.
expect_ok store create notes --db same.db
expect_ok import notes.hyex --db same.db --json
json_check "d.id === '$notes' && d.created === false"
expect_ok store create notes --writers "$key" --db clash.db
expect_error 1 import notes.hyex --db clash.db
expect_error 1 export nostore out.hyex
expect_error 1 export notes no/such/dir/out.hyex
expect_error 2 export notes
expect_error 2 import

# ---- damaged databases --------------------------------------------------------------------
printf 'this is not a database, and long enough to look like a header: not at all' >junk.db
expect_error 1 store list --db junk.db
expect_error 1 key --db junk.db
mkdir dir.db
expect_error 1 store list --db dir.db

# ---- help ---------------------------------------------------------------------------------
for command in store put get export import key; do
    expect_ok help "$command"
    [[ $out == "Usage: hypha $command"* && $out == *"--db PATH"* ]] || fail "help $command: $out"
done

finish test_store
