#!/usr/bin/env bash
# The hypha command line, checked from outside: hashes against b3sum, keys against RFC 8032,
# sign/verify round trips, trace replay of small hand-written traces, and every error path
# (one line on stderr, the right exit status, never a crash).
# Usage: test_cli.sh PATH/TO/hypha TRACE_CASES_DIR (tests/data/trace_cases)
set -euo pipefail

hypha=${1:?usage: test_cli.sh PATH/TO/hypha TRACE_CASES_DIR}
cases=$(cd "${2:?usage: test_cli.sh PATH/TO/hypha TRACE_CASES_DIR}" && pwd)
command -v b3sum >/dev/null || { echo "test_cli: b3sum is required (apt-get install b3sum)" >&2; exit 1; }

source "$(dirname "$0")/lib.sh"

# ---- hash: against b3sum -----------------------------------------------------------------
: >empty
printf 'x' >one
head -c 1048576 /dev/urandom >mib
for file in empty one mib; do
    expect_ok hash "$file"
    [[ $out == "$(b3sum "$file")" ]] || fail "hash $file: '$out' != b3sum's '$(b3sum "$file")'"
done
expected=$(b3sum <mib)
status=0
out=$("$hypha" hash <mib) || status=$?
[[ $status -eq 0 && $out == "$expected" ]] || fail "hash of stdin: '$out' != '$expected'"
out=$("$hypha" hash - <one)
[[ $out == "$(b3sum - <one)" ]] || fail "hash - (stdin): '$out'"
expect_ok hash empty one mib
[[ $out == "$(b3sum empty one mib)" ]] || fail "hash of three files: '$out'"
# Names with a newline or backslash are escaped as b3sum does, so b3sum --check reads them.
printf 'y' >'new
line'
printf 'z' >'back\slash'
expect_ok hash 'new
line' 'back\slash'
[[ $out == "$(b3sum 'new
line' 'back\slash')" ]] || fail "hash of escaped names: '$out'"
"$hypha" hash empty one mib >sums
b3sum --check --quiet sums || fail "b3sum --check rejects hypha hash output"

# ---- keygen: RFC 8032 section 7.1, TEST 1 --------------------------------------------------
rfc_seed=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
rfc_public=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
rfc_signature=e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b
expect_ok keygen --seed "$rfc_seed"
[[ $out == "seed: $rfc_seed"$'\n'"public: $rfc_public" ]] || fail "keygen --seed (RFC 8032 TEST 1): $out"
expect_ok keygen --seed="$rfc_seed" --json
[[ $out == "{\"seed\": \"$rfc_seed\", \"public\": \"$rfc_public\"}" ]] || fail "keygen --json: $out"
expect_ok keygen --seed "${rfc_seed^^}"
[[ $out == *"public: $rfc_public" ]] || fail "keygen with upper-case hex: $out"

expect_ok keygen
keygen_pattern='^seed: ([0-9a-f]{64})'$'\n''public: ([0-9a-f]{64})$'
[[ $out =~ $keygen_pattern ]] || fail "keygen output: $out"
seed=${BASH_REMATCH[1]}
public=${BASH_REMATCH[2]}
expect_ok keygen
[[ $out != *"$seed"* ]] || fail "two keygens gave the same seed"
expect_ok keygen --seed "$seed"
[[ $out == *"public: $public" ]] || fail "keygen --seed does not rederive the public key of a random seed"

# ---- sign / verify --------------------------------------------------------------------------
: >rfc_message # TEST 1 signs the empty message
expect_ok sign --seed "$rfc_seed" rfc_message
[[ $out == "$rfc_signature" ]] || fail "sign (RFC 8032 TEST 1): $out"
expect_ok verify --pub "$rfc_public" --sig "$rfc_signature" rfc_message
[[ -z $out ]] || fail "verify printed on success: $out"

expect_ok sign --seed "$seed" mib
signature=$out
[[ $signature =~ ^[0-9a-f]{128}$ ]] || fail "sign output: $signature"
expect_ok verify --pub "$public" --sig "$signature" mib
expect_ok verify --sig "$signature" --pub "$public" - <mib
status=0
out=$("$hypha" sign --seed "$seed" <mib) || status=$?
[[ $status -eq 0 && $out == "$signature" ]] || fail "sign of stdin differs from sign of the file"

# A flipped bit anywhere: the signature, the message, the key.
flip_first_digit() { # flips the lowest bit of the first hex digit
    local first=${1:0:1}
    printf '%x%s' $((16#$first ^ 1)) "${1:1}"
}
expect_error 1 verify --pub "$public" --sig "$(flip_first_digit "$signature")" mib
[[ $err == "hypha: mib: bad signature" ]] || fail "bad signature message: $err"
expect_error 1 verify --pub "$(flip_first_digit "$public")" --sig "$signature" mib
cp mib mib2 # the byte at 4096 gets its lowest bit flipped (mib is random, so read it first)
byte=$(od -An -tu1 -j4096 -N1 mib)
printf "\\$(printf '%03o' $((byte ^ 1)))" | dd of=mib2 bs=1 seek=4096 conv=notrunc status=none
cmp -s mib mib2 && fail "mib2 equals mib"
expect_error 1 verify --pub "$public" --sig "$signature" mib2
expect_error 1 verify --pub "$public" --sig "$signature" <empty

# ---- error paths: one line on stderr, status 2 for usage, 1 for I/O ---------------------
expect_error 2
expect_error 2 frobnicate
expect_error 2 --frobnicate
expect_error 2 --version extra
expect_error 2 hash --frobnicate
expect_error 2 keygen --seed
expect_error 2 keygen --json=yes
expect_error 2 keygen extra
expect_error 2 keygen --seed "$rfc_seed" --seed "$rfc_seed"
expect_error 2 keygen --seed "${rfc_seed:1}"           # odd length
expect_error 2 keygen --seed "${rfc_seed:2}"           # even but short
expect_error 2 keygen --seed "${rfc_seed}00"           # long
expect_error 2 keygen --seed "${rfc_seed:1}g"          # not hex
expect_error 2 keygen --seed ""
expect_error 2 sign mib                                # missing --seed
expect_error 2 sign --seed "${rfc_seed:1}x" mib
expect_error 2 sign --seed "$rfc_seed" mib one         # two files
expect_error 2 verify --pub "$public" mib              # missing --sig
expect_error 2 verify --sig "$signature" mib           # missing --pub
expect_error 2 verify --pub "$public" --sig "${signature:2}" mib
expect_error 2 verify --pub "$signature" --sig "$signature" mib
expect_error 2 verify --pub "$public" --sig "$public" mib
expect_error 2 verify --pub "$public" --sig "${signature:1}z" mib
expect_error 2 help frobnicate
expect_error 1 hash missing-file
expect_error 1 hash "$work"                            # a directory
expect_error 1 sign --seed "$rfc_seed" missing-file
expect_error 1 verify --pub "$public" --sig "$signature" missing-file
# A seed never appears in an error message, whichever way it was given.
expect_error 2 keygen --seed="${rfc_seed}0"
[[ $err != *"${rfc_seed:0:16}"* ]] || fail "an error message quotes the seed: $err"
expect_error 2 keygen --frobnicate --seed "$rfc_seed"
expect_error 2 keygen --seed="$rfc_seed" --seed="$rfc_seed"
[[ $err != *"${rfc_seed:0:16}"* ]] || fail "an error message quotes the seed: $err"

# An unreadable file among readable ones: reported, the others still hashed, status 1.
run hash one missing-file empty
[[ $status -eq 1 && $(wc -l <"$work/stderr") -eq 1 ]] || fail "hash with one missing file: status $status, $err"
[[ $out == "$(b3sum one empty)" ]] || fail "hash with one missing file: $out"

# Output that cannot be written is an error, not a silent success.
if [[ -w /dev/full ]]; then
    status=0
    "$hypha" hash one >/dev/full 2>"$work/stderr" || status=$?
    [[ $status -eq 1 && $(<"$work/stderr") == "hypha: cannot write to standard output: "* ]] ||
        fail "hash to /dev/full: status $status, $(<"$work/stderr")"
fi

# ---- trace: small traces, each replayed in the modes that apply --------------------------
# expect_trace MODE FINAL_LEN ARGS...: ok, one JSON line naming the mode and the final length.
expect_trace() {
    local mode=$1 final_len=$2
    shift 2
    expect_ok trace "$@"
    [[ $out == '{"trace": '*'"mode": "'"$mode"'"'*'"final_len": '"$final_len"', "ok": true}' ]] ||
        fail "trace $*: $out"
}
# expect_not_ok ARGS...: the replay ran and failed: its figures with "ok": false on stdout, one
# error line on stderr (left in $err), status 1.
expect_not_ok() {
    run trace "$@"
    [[ $status -eq 1 ]] || fail "trace $* exited $status, expected 1 (stderr: $err)"
    [[ $(wc -l <"$work/stderr") -eq 1 && $err == "hypha: trace: "* ]] ||
        fail "trace $*: expected one 'hypha: trace: ' line on stderr, got: $err"
    [[ $out == *'"ok": false}' ]] || fail "trace $*: $out"
}

printf '{"startContent": "ab", "endContent": "a\\u00e9!", "txns": [
  {"patches": [[1, 1, "\\u00e9"]]}, {"patches": [[2, 0, "?"], [2, 0, "!"], [3, 1, ""]]}]}' >seq.json
expect_trace local 3 seq.json
expect_trace local 3 --mode local seq.json
expect_trace remote 3 --mode remote seq.json
gzip -k seq.json
expect_trace local 3 seq.json.gz
# Hand-written concurrent traces (tests/data/trace_cases/README.md); concurrent is their
# default mode.
expect_trace concurrent 9 "$cases/fork_merge.json"
expect_trace concurrent 9 --mode concurrent "$cases/fork_merge.json"
expect_trace concurrent 12 "$cases/same_place.json"
expect_trace concurrent 4 "$cases/three_way.json"

# A mode that does not fit the trace's kind, or no mode at all.
expect_error 1 trace --mode concurrent seq.json
[[ $err == *"sequential trace"*"--mode local or remote"* ]] || fail "concurrent mode of seq.json: $err"
for mode in local remote; do
    expect_error 1 trace --mode "$mode" "$cases/fork_merge.json"
    [[ $err == *"concurrent trace (2 agents)"*"use --mode concurrent"* ]] ||
        fail "$mode mode of a concurrent trace: $err"
done
expect_error 2 trace --mode sideways seq.json
expect_error 2 trace
expect_error 1 trace missing.json

# Replays that fail: the text differs from endContent, a patch does not fit its version, an
# agent goes back to a version without its own newer txn (a fork, which the replay refuses).
sed 's/"Hi world?"/"Hi world!"/' "$cases/fork_merge.json" >wrong_end.json
expect_not_ok wrong_end.json
[[ $err == "hypha: trace: a replica's final text differs from endContent" ]] || fail "wrong_end: $err"
sed 's/"ab", "endContent": "a/"a", "endContent": "a/' seq.json >seq_short.json
expect_not_ok seq_short.json
[[ $err == "hypha: trace: txn 0: "* ]] || fail "seq_short: $err"
printf '{"kind": "concurrent", "endContent": "", "numAgents": 2, "txns": [
  {"parents": [], "numChildren": 1, "agent": 0, "patches": [[0, 0, "ab"]]},
  {"parents": [0], "numChildren": 0, "agent": 1, "patches": [[1, 2, ""]]}]}' >too_far.json
expect_not_ok too_far.json
[[ $err == "hypha: trace: txn 1: "* ]] || fail "too_far: $err"
printf '{"kind": "concurrent", "endContent": "acb", "numAgents": 1, "txns": [
  {"parents": [], "numChildren": 2, "agent": 0, "patches": [[0, 0, "a"]]},
  {"parents": [0], "numChildren": 0, "agent": 0, "patches": [[1, 0, "b"]]},
  {"parents": [0], "numChildren": 0, "agent": 0, "patches": [[1, 0, "c"]]}]}' >fork.json
expect_not_ok fork.json
[[ $err == "hypha: trace: txn 2: agent 0's replica already holds txn 1,"*"fork"* ]] || fail "fork: $err"

# ---- help and version ---------------------------------------------------------------------
expect_ok --help
[[ $out == Usage:* && $out == *verify* ]] || fail "--help: $out"
expect_ok -h
expect_ok --version
[[ $out =~ ^hypha\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version: $out"
expect_ok help
for command in hash keygen sign verify trace help; do
    expect_ok help "$command"
    [[ $out == "Usage: hypha $command"* ]] || fail "help $command: $out"
    expect_ok "$command" --help
    [[ $out == "Usage: hypha $command"* ]] || fail "$command --help: $out"
done
expect_ok help sign
[[ $out == *"--seed HEX64"*"(required)"* ]] || fail "help sign does not show --seed as required: $out"

finish test_cli
