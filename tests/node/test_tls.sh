#!/usr/bin/env bash
# TLS: with --tls-cert and --tls-key a node serves https:// and wss://. A self-signed
# certificate (made here by openssl) is trusted through --tls-ca by 'hypha sync' and by a
# dialling node, and refused without it.
# Usage: test_tls.sh PATH/TO/hypha
set -euo pipefail
source "$(dirname "$0")/lib.sh" "${1:?usage: test_tls.sh PATH/TO/hypha}"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout key.pem -out cert.pem -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

for db in a b writer reader; do
    "$hypha" store create notes --db $db.db >/dev/null
done
start_node a --db a.db --tls-cert cert.pem --tls-key key.pem
grep -q "listening on 127.0.0.1:$a_port (https, wss)" a.log || fail "node A does not say it serves TLS"

[[ $(curl -s --cacert cert.pem "https://localhost:$a_port/healthz") == ok ]] ||
    fail "https /healthz"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$a_port/healthz" || true)
[[ $code != 200 ]] || fail "plain http answered on the TLS port"

"$hypha" put --db writer.db notes todo 1 title "over wss"
"$hypha" sync --db writer.db --peer "wss://localhost:$a_port" --tls-ca cert.pem notes ||
    fail "hypha sync over wss"

# Without the CA the certificate is refused: one line, exit status 1.
status=0
"$hypha" sync --db writer.db --peer "wss://localhost:$a_port" notes --timeout 10 2>untrusted.err ||
    status=$?
[[ $status -eq 1 && $(wc -l <untrusted.err) -eq 1 ]] ||
    fail "sync with an untrusted certificate: exit $status: $(cat untrusted.err)"

# A node dialling A over wss (B itself serves plain ws) gets the change.
start_node b --db b.db --peer "wss://localhost:$a_port" --tls-ca cert.pem
read_from_b() {
    "$hypha" sync --db reader.db --peer "ws://127.0.0.1:$b_port" notes --timeout 5 &&
        [[ $("$hypha" get --db reader.db notes todo 1 title) == "over wss" ]]
}
eventually 20 read_from_b || fail "node B never got the change over wss"
stop_node b
stop_node a
finish
