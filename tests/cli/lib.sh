# What the command-line tests share: a scratch directory to run in, and checks that count
# failures rather than stop at the first.
# Usage: source lib.sh (with $hypha set to the program under test)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# Runs hypha with the arguments; leaves its stdout in $out, stderr in $err, status in $status.
run() {
    status=0
    "$hypha" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
    out=$(cat "$work/stdout")
    err=$(cat "$work/stderr")
}

# run, then expect success with empty stderr.
expect_ok() {
    run "$@"
    [[ $status -eq 0 ]] || fail "hypha $* exited $status: $err"
    [[ -z $err ]] || fail "hypha $* wrote to stderr: $err"
}

# expect_error STATUS ARGS...: exactly one stderr line "hypha: ...", the given exit status,
# nothing on stdout, and no signal (ASan and UBSan reports would also break the one line).
expect_error() {
    local want=$1
    shift
    run "$@"
    local lines
    lines=$(wc -l <"$work/stderr")
    if [[ $status -ge 128 ]]; then
        fail "hypha $* died of signal $((status - 128))"
    elif [[ $status -ne $want ]]; then
        fail "hypha $* exited $status, expected $want (stderr: $err)"
    fi
    [[ $lines -eq 1 && $err == "hypha: "* ]] || fail "hypha $*: expected one 'hypha: ' line on stderr, got: $err"
    [[ -z $out ]] || fail "hypha $*: wrote to stdout on error: $out"
}

# json_check EXPRESSION: evaluates the JavaScript EXPRESSION with `d` = JSON.parse($out);
# fails unless it is true (a parse error fails too). Needs node.
json_check() {
    node -e 'const d = JSON.parse(process.argv[1]); if (!(eval(process.argv[2]))) process.exit(1)' \
        "$out" "$1" || fail "JSON check '$1' on: $out"
}

# finish NAME: the test's exit status, with a last line saying how it went.
finish() {
    if [[ $failures -ne 0 ]]; then
        echo "$1: $failures check(s) failed" >&2
        exit 1
    fi
    echo "$1: all checks passed"
}
