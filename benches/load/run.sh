#!/usr/bin/env bash
# One load run, all figures side by side (issue 5): the echo ceiling, then a real
# `unlockd serve` on SQLite (a file under target/, on disk) or PostgreSQL, with the
# CheckInstallationStatus read path, PP4 and PLUS 5 activations and PollSession (on
# 1,000 sessions open on one floating license) at 64 connections,
# the server's peak RSS, and the raw commit rate of the same database.
#
#   benches/load/run.sh sqlite      # or: benches/load/run.sh postgres
#
# Environment: CONCURRENCY (64), REQUESTS (200000 per phase), SECONDS_PER_PHASE (10),
# POOL (database pool size of the server: 16 on SQLite, 4 on PostgreSQL),
# PGSSLMODE (disable).
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:-sqlite}
conc=${CONCURRENCY:-64}
reqs=${REQUESTS:-200000}
secs=${SECONDS_PER_PHASE:-10}
# Server pool: 16 on SQLite (readers; writers share one group-commit connection); 4 on
# PostgreSQL, where 16 busy backends on this 2-core machine stalled checks for 0.4-1.9 s
# inside PostgreSQL (likely its spinlock back-off on the same few buffers; RESULTS.md).
if [ "$backend" = postgres ]; then pool=${POOL:-4}; else pool=${POOL:-16}; fi

cargo build --release --locked -p unlockd -p unlockd-load >&2
bin=target/release/unlockd
load=target/release/unlockd-load
work=$(mktemp -d "$PWD/target/load.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$backend" = postgres ]; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS unlockd_load WITH (FORCE)" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server ($@) whose first stdout line names its address; sets $addr and $pid.
start() {
  local out="$work/out.$RANDOM"
  "$@" >"$out" 2>"$work/err.log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 200); do
    addr=$(sed -n 's/^.*listening on \(http:[^ ]*\).*$/\1/p' "$out" | head -1)
    [ -n "$addr" ] && return 0
    sleep 0.05
  done
  cat "$work/err.log" >&2
  return 1
}

echo "== echo ceiling"
start "$load" echo
"$load" run --url "$addr" --op check --concurrency "$conc" --requests "$reqs" \
  --max-seconds "$secs" --licenses 1 --label echo --server-pid "$pid"

case "$backend" in
  sqlite) url="sqlite://$work/unlockd.db" ;;
  postgres)
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS unlockd_load WITH (FORCE)"
    psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE unlockd_load"
    # Loopback without TLS: Debian's PostgreSQL has ssl=on, and TLS over loopback
    # only measures encryption on both ends of the same machine. Set PGSSLMODE to
    # measure it anyway (e.g. PGSSLMODE=prefer).
    url="postgres://postgres@127.0.0.1:5432/unlockd_load?sslmode=${PGSSLMODE:-disable}" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

echo "== unlockd on $backend (pool $pool)"
UNLOCKD_DATABASE_URL=$url "$bin" migrate >/dev/null
UNLOCKD_DATABASE_URL=$url UNLOCKD_DATABASE__POOL_SIZE=$pool RUST_LOG=warn \
  start "$bin" serve --bind 127.0.0.1:0 --demo
"$load" setup --unlockd "$bin" --database-url "$url" --licenses 16 --floating-seats 1000
for op in check pp4 alf poll; do
  "$load" run --url "$addr" --op "$op" --concurrency "$conc" --requests "$reqs" \
    --max-seconds "$secs" --licenses 16 --label "$backend-$op" --server-pid "$pid"
done

echo "== raw commit rate of the same database ($backend)"
if [ "$backend" = sqlite ]; then
  # SQLite admits one writer per file: one committer is its raw rate.
  "$load" commits --database-url "sqlite://$work/commits.db" --count 2000 --threads 1
else
  "$load" commits --database-url "$url" --count 2000 --threads 1
  "$load" commits --database-url "$url" --count 500 --threads "$pool"
fi
