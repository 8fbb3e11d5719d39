# What the node tests share: a scratch directory, nodes started on ephemeral ports of
# 127.0.0.1 (the port is read from the node's "listening on" line, so tests never race for
# a port), waiting with a deadline, and failures counted rather than fatal.
# Usage: source lib.sh PATH/TO/hypha

hypha=${1:?usage: source lib.sh PATH/TO/hypha}
work=$(mktemp -d)
failures=0
started_pids=()

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# finish: the test's exit status.
finish() {
    if ((failures > 0)); then
        echo "$failures failure(s); node logs follow" >&2
        local log
        for log in "$work"/*.log; do
            [[ -e $log ]] && { echo "---- $log" >&2; cat "$log" >&2; }
        done
        exit 1
    fi
    echo "all passed"
}

# start_node NAME ARGS...: runs 'hypha node --listen 127.0.0.1:0 ARGS...' in the background
# (another port with listen=PORT set) with its log appended to NAME.log; sets NAME_pid and
# NAME_port. Stops the test if it never listens.
start_node() {
    local name=$1
    shift
    local lines=0
    [[ -e $work/$name.log ]] && lines=$(wc -l <"$work/$name.log")
    # The log exists before the node starts: the loop below reads it at once, and under
    # set -e a tail of a file the background shell has not opened yet would end the test.
    touch "$work/$name.log"
    "$hypha" node --listen "127.0.0.1:${listen:-0}" "$@" 2>>"$work/$name.log" &
    local pid=$! port="" i
    started_pids+=("$pid")
    for ((i = 0; i < 200; i++)); do
        port=$(tail -n +$((lines + 1)) "$work/$name.log" |
            sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p')
        [[ -n $port ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "FAIL: node $name exited at start:" >&2
            cat "$work/$name.log" >&2
            exit 1
        fi
        sleep 0.05
    done
    [[ -n $port ]] || { echo "FAIL: node $name never listened" >&2; exit 1; }
    printf -v "${name}_pid" '%s' "$pid"
    printf -v "${name}_port" '%s' "$port"
}

# stop_node NAME: SIGTERM, and the node must exit 0 within 10 s.
stop_node() {
    local name=$1 pid_var="${1}_pid" status=0 i
    local pid=${!pid_var}
    kill -TERM "$pid"
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    wait "$pid" || status=$?
    ((status == 0)) || fail "node $name exited $status on SIGTERM"
}

# eventually SECONDS COMMAND...: retries COMMAND (quietly) until it succeeds or time is up.
eventually() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# metric PORT NAME: the value of an unlabelled metric of the node at PORT.
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name { print $2 }'
}
