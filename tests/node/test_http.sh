#!/usr/bin/env bash
# The node's HTTP side: /healthz, /metrics, static files with their content types, their
# ETags and 304s for If-None-Match, 404s, path traversal refused (dot segments, encoded dots,
# a symbolic link out of --web), other methods refused; bad flags give one error line; SIGTERM
# stops the node with status 0.
# Usage: test_http.sh PATH/TO/hypha
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_http.sh PATH/TO/hypha}"

mkdir -p web/sub
printf '<!doctype html><title>hypha</title>\n' >web/index.html
printf 'export const x = 1;\n' >web/app.js
printf 'export const y = 2;\n' >web/mod.mjs
printf 'body { margin: 0 }\n' >web/style.css
printf '\0asm\1\0\0\0' >web/hypha.wasm
printf '{"a": 1}\n' >web/data.json
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >web/icon.svg
printf '\x89PNG\r\n\x1a\n' >web/img.png
printf 'sub index\n' >web/sub/index.html
printf 'TOP SECRET\n' >secret.txt
ln -s ../secret.txt web/leak.txt

"$hypha" store create notes --db node.db >/dev/null
start_node web --db node.db --web web
base="http://127.0.0.1:$web_port"

# get PATH: sets code, type and body (curl keeps the path exactly as given).
get() {
    local response
    response=$(curl -s --path-as-is -o "$work/body" -w '%{http_code} %{content_type}' "$base$1")
    code=${response%% *}
    type=${response#* }
    body=$(tr -d '\0' <"$work/body")
}

get /healthz
[[ $code == 200 && $body == ok ]] || fail "/healthz: $code '$body'"
get /metrics
[[ $code == 200 && $type == "text/plain; version=0.0.4" ]] || fail "/metrics: $code '$type'"
grep -qx 'hypha_stores 1' <<<"$body" || fail "/metrics lacks 'hypha_stores 1'"
for name in hypha_frames_in_total hypha_frames_out_total hypha_bytes_in_total \
    hypha_bytes_out_total hypha_changes_applied_total hypha_changes_refused_total \
    hypha_sync_latency_seconds_count; do
    grep -q "^$name " <<<"$body" || fail "/metrics lacks $name"
done
grep -q '^hypha_peers{direction="inbound"} 0$' <<<"$body" || fail "/metrics lacks the peers gauge"

# Content types, and the bytes as they are on disk.
check_file() {
    local path=$1 want_type=$2
    get "$path"
    [[ $code == 200 ]] || fail "GET $path: $code"
    [[ $type == "$want_type" ]] || fail "GET $path: content type '$type', expected '$want_type'"
    cmp -s "$work/body" "web${path}" || fail "GET $path: the body differs from the file"
}
check_file /index.html "text/html; charset=utf-8"
check_file /app.js "text/javascript; charset=utf-8"
check_file /mod.mjs "text/javascript; charset=utf-8"
check_file /style.css "text/css; charset=utf-8"
check_file /hypha.wasm "application/wasm"
check_file /data.json "application/json"
check_file /icon.svg "image/svg+xml"
check_file /img.png "image/png"
get /
[[ $code == 200 && $body == "<!doctype html><title>hypha</title>" ]] || fail "GET /: $code '$body'"
get /sub/
[[ $code == 200 && $body == "sub index" ]] || fail "GET /sub/: $code '$body'"
get /missing.html
[[ $code == 404 ]] || fail "GET /missing.html: $code, expected 404"
get /sync
[[ $code == 404 ]] || fail "GET /sync without an upgrade: $code, expected 404"

# Caching: a file comes with a strong ETag and no-cache (keep it, but ask again), and a GET
# whose If-None-Match names that ETag gets a 304 without a body; text stays no-store.
# fetch PATH [CURL ARGS...]: sets code, etag, cache (cache-control) and body.
fetch() {
    local path=$1
    shift
    : >"$work/body" # curl writes no file for a response without a body
    code=$(curl -s --path-as-is -D "$work/headers" -o "$work/body" -w '%{http_code}' "$@" \
        "$base$path")
    tr -d '\r' <"$work/headers" >"$work/headers.txt"
    etag=$(sed -n 's/^etag: *//Ip' "$work/headers.txt")
    cache=$(sed -n 's/^cache-control: *//Ip' "$work/headers.txt")
    body=$(tr -d '\0' <"$work/body")
}
fetch /hypha.wasm
[[ $code == 200 && $cache == no-cache ]] || fail "GET /hypha.wasm: $code, cache-control '$cache'"
[[ $etag =~ ^\"[0-9a-f]{32}\"$ ]] || fail "GET /hypha.wasm: ETag '$etag'"
grep -qix 'x-content-type-options: nosniff' "$work/headers.txt" || fail "a file without nosniff"
wasm_etag=$etag
fetch /hypha.wasm
[[ $etag == "$wasm_etag" ]] || fail "GET /hypha.wasm twice: ETags '$wasm_etag' and '$etag'"
fetch /hypha.wasm -H "If-None-Match: $wasm_etag"
[[ $code == 304 && $etag == "$wasm_etag" && $cache == no-cache ]] ||
    fail "If-None-Match with the ETag: $code, ETag '$etag', cache-control '$cache'"
[[ ! -s $work/body ]] || fail "a 304 with a body"
grep -qi '^content-length: *[1-9]' "$work/headers.txt" && fail "a 304 with a content-length"
for value in "\"1234\", $wasm_etag" "W/$wasm_etag" " W/\"x\",,$wasm_etag , " '*'; do
    fetch /hypha.wasm -H "If-None-Match: $value"
    [[ $code == 304 ]] || fail "If-None-Match: $value: $code, expected 304"
done
# Other tags, malformed values, and a list too long to read get the whole file.
long=$(printf '"%064d", ' $(seq 1 12))$wasm_etag
for value in '"1234"' "${wasm_etag:0:20}\"" "${wasm_etag//\"/}" "$wasm_etag x" "*, $wasm_etag" \
    "w/$wasm_etag" "$long"; do
    fetch /hypha.wasm -H "If-None-Match: $value"
    [[ $code == 200 ]] || fail "If-None-Match: ${value:0:80}: $code, expected 200"
    cmp -s "$work/body" web/hypha.wasm || fail "If-None-Match: ${value:0:80}: not the file"
done
# A directory's index has the index's ETag.
fetch /index.html
index_etag=$etag
fetch / -H "If-None-Match: $index_etag"
[[ $code == 304 ]] || fail "GET / naming index.html's ETag: $code, expected 304"
# The connection outlives a 304: the next request on it gets its file.
connections=$(curl -s -H "If-None-Match: $wasm_etag" -o /dev/null -o "$work/body" \
    -w '%{http_code} %{num_connects}\n' "$base/hypha.wasm" "$base/app.js")
[[ $connections == $'304 1\n200 0' ]] || fail "a 304, then a request on its connection: $connections"
cmp -s "$work/body" web/app.js || fail "the request after a 304 got something else"
# A rewrite and a touch each give the file another ETag; the old one gets the new bytes.
fetch /app.js
old_etag=$etag
printf 'export const x = 22;\n' >web/app.js
fetch /app.js -H "If-None-Match: $old_etag"
[[ $code == 200 && $etag != "$old_etag" && $body == "export const x = 22;" ]] ||
    fail "a rewritten file: $code, ETag '$etag' (was '$old_etag'), '$body'"
rewritten_etag=$etag
touch -d '2001-02-03 04:05:06' web/app.js
fetch /app.js -H "If-None-Match: $rewritten_etag"
[[ $code == 200 && $etag != "$rewritten_etag" && $etag != "$old_etag" ]] ||
    fail "a touched file: $code, ETag '$etag' (was '$rewritten_etag')"
fetch /healthz
[[ $code == 200 && $cache == no-store && -z $etag ]] || fail "/healthz: cache-control '$cache'"
fetch /metrics
[[ $code == 200 && $cache == no-store && -z $etag ]] || fail "/metrics: cache-control '$cache'"

# Nothing outside web/ comes back, however the path is spelled.
for path in /../secret.txt /sub/../../secret.txt /%2e%2e/secret.txt /%2E%2E%2Fsecret.txt \
    /leak.txt '/..\secret.txt'; do
    get "$path"
    [[ $code != 200 && $body != *"TOP SECRET"* ]] || fail "GET $path leaked the file ($code)"
done
get /leak.txt
[[ $code == 403 ]] || fail "GET /leak.txt (a link out of --web): $code, expected 403"

code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data x "$base/healthz")
[[ $code == 405 ]] || fail "POST /healthz: $code, expected 405"

# Bad flags: one "hypha: " line and exit status 2, before anything listens.
expect_usage() {
    local status=0 err
    err=$("$hypha" node --db node2.db "$@" 2>&1 >/dev/null) || status=$?
    [[ $status -eq 2 ]] || fail "hypha node $*: exit $status, expected 2 ($err)"
    [[ $(wc -l <<<"$err") -eq 1 && $err == "hypha: "* ]] || fail "hypha node $*: '$err'"
}
expect_usage --listen nowhere
expect_usage --listen 127.0.0.1:99999
expect_usage --listen 127.0.0.1:0 --tls-cert cert.pem
expect_usage --listen 127.0.0.1:0 --web "$work/no-such-dir"
expect_usage --listen 127.0.0.1:0 --max-frame 10
expect_usage --listen 127.0.0.1:0 --max-peers 0
expect_usage --listen 127.0.0.1:0 --peer http://127.0.0.1:1
# The port is taken: one line saying so, exit status 1.
status=0
"$hypha" node --db node2.db --listen "127.0.0.1:$web_port" 2>taken.err || status=$?
[[ $status -eq 1 ]] || fail "a taken port: exit $status, expected 1"
grep -q "cannot serve on 127.0.0.1:$web_port" taken.err || fail "a taken port: $(cat taken.err)"

stop_node web
grep -q 'hypha node: stopping' "$work/web.log" || fail "no 'stopping' line on SIGTERM"
finish
