#!/bin/bash
# The user's path against one server flag, by default the output window: 1 GiB of stdout through
# the procwire CLI (apps/cli/dist/bin/procwire.js) from procwire-servers started with each value
# of WINDOWS for FLAG (default --output-window-bytes), over WebSocket and gRPC, alternating, ROUNDS
# rounds; prints the median wall time of each. SERVER_ARGS adds flags to every server (e.g.
# '--output-pool-bytes 0': no borrowed room, so each stream keeps to its window). Run from the repo
# root after `pnpm build`:
#   WINDOWS="262144 1048576 8388608" ROUNDS=3 bash tools/bench/scripts/window-ab.sh
#   FLAG=--output-pipe-bytes WINDOWS="0 1048576" ROUNDS=6 bash tools/bench/scripts/window-ab.sh
set -euo pipefail
flag=${FLAG:-"--output-window-bytes"}
windows=${WINDOWS:-"262144 1048576 8388608"}
rounds=${ROUNDS:-3}
bytes=${BYTES:-1073741824}
root=$(pwd)
dir=$(mktemp -d)
token=window-ab-token-0123456789
echo "$token bench" > "$dir/tokens"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
declare -A grpc ws
for window in $windows; do
  node --initial-old-space-size=64 "$root/apps/server/dist/main.js" --grpc-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
    --tokens-file "$dir/tokens" --ready-file "$dir/ready-$window.json" "$flag" "$window" ${SERVER_ARGS:-} > /dev/null 2>&1 &
  pids+=($!)
done
for window in $windows; do
  for _ in $(seq 300); do [ -s "$dir/ready-$window.json" ] && break; sleep 0.1; done
  grpc[$window]=$(node -e "const r=require('$dir/ready-$window.json'); console.log(r.grpc)")
  ws[$window]=$(node -e "const r=require('$dir/ready-$window.json'); console.log(r.websocket)")
done
for _ in $(seq "$rounds"); do
  for window in $windows; do
    for transport in ws grpc; do
      if [ "$transport" = ws ]; then url=${ws[$window]}; else url=grpc://${grpc[$window]}; fi
      started=$(date +%s%N)
      PROCWIRE_TOKEN=$token node "$root/apps/cli/dist/bin/procwire.js" exec --url "$url" -- head -c "$bytes" /dev/zero > /dev/null
      echo "$transport $window $(( ($(date +%s%N) - started) / 1000000 ))" >> "$dir/results"
    done
  done
done
node -e "
const rows = new Map();
for (const line of require('fs').readFileSync('$dir/results', 'utf8').trim().split('\n')) {
  const [transport, window, ms] = line.split(' ');
  const key = transport + ' $flag ' + window;
  rows.set(key, [...(rows.get(key) ?? []), Number(ms)]);
}
for (const [key, runs] of rows) {
  const sorted = [...runs].sort((a, b) => a - b);
  console.log(key.padEnd(40), 'median', (sorted[sorted.length >> 1] / 1000).toFixed(2), 's, runs', runs.join(' '));
}"
