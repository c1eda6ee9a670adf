#!/usr/bin/env bash
# vegeta versions of the bench scenarios (vegeta ≥ 12; not installable on the project machine, so
# `npm run bench` uses autocannon instead). Same account set and env vars as bench/k6:
#   COMMAND_API_URL, QUERY_API_URL, ACCOUNTS (10000), DISTRIBUTION, DURATION (30s), RATE, API_KEY
# usage: bench/vegeta/run.sh <seed|reads|transfers|batch|mixed|burst>
# Every attack is bounded by -duration (and the targets by count); results print as text reports.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v vegeta >/dev/null || { echo "vegeta not found: https://github.com/tsenart/vegeta/releases" >&2; exit 1; }
command_api="${COMMAND_API_URL:-http://127.0.0.1:8080}"
accounts="${ACCOUNTS:-10000}"
duration="${DURATION:-30s}"
targets() { node "$here/targets.mjs" "$@"; }
attack() { vegeta attack -format=json -lazy -keepalive=true -timeout=10s -duration="$duration" "$@" | vegeta report; }

case "${1:-}" in
  seed)
    curl -fsS -X POST "$command_api/v1/accounts" -H 'Content-Type: application/json' -H 'Prefer: wait=30' \
      -d "{\"accountId\":\"bench-a$accounts-funding\",\"currency\":\"USD\",\"overdraftLimit\":\"100000000000000000\"}" >/dev/null
    # -lazy: the attack ends when the targets do (one per account, then one per 1000 accounts).
    targets open 1 | vegeta attack -format=json -lazy -rate="${RATE:-500}" -max-workers=64 -timeout=30s | vegeta report
    targets fund 1 | vegeta attack -format=json -lazy -rate=5 -max-workers=4 -timeout=30s | vegeta report
    ;;
  reads) targets reads 10000000 | attack -rate="${RATE:-0}" -max-workers=100 ;;
  transfers) targets transfers 10000000 | attack -rate="${RATE:-0}" -max-workers=100 ;;
  batch) targets batch 100000 | attack -rate="${RATE:-0}" -max-workers=8 ;;
  mixed) targets mixed 10000000 | attack -rate="${RATE:-3000}" -max-workers=200 ;;
  burst)
    # rate 0 = as fast as the workers go; 1000 workers = 1000 concurrent keep-alive clients.
    echo "command API, 1000 clients:"; targets transfers 10000000 | attack -rate=0 -workers=1000 -max-workers=1000
    echo "query API, 1000 clients:"; targets reads 10000000 | attack -rate=0 -workers=1000 -max-workers=1000
    ;;
  *) echo "usage: $0 <seed|reads|transfers|batch|mixed|burst>" >&2; exit 2 ;;
esac
