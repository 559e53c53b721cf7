#!/usr/bin/env bash
# Stops the engine ensure-docker.sh started in DIR: its containers, then dockerd (by its pid file),
# then removes DIR. Safe to run when nothing runs there.
set -uo pipefail
dir=${1:?usage: stop-docker.sh DIR}
[ -d "$dir" ] || exit 0
host="unix://$dir/docker.sock"
pidfile="$dir/dockerd.pid"
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  ids=$(docker --host "$host" ps -aq 2>/dev/null || true)
  [ -z "$ids" ] || docker --host "$host" rm -f $ids >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
fi
# The engine's mounts must be gone before its folder can be removed.
grep -o " $dir/[^ ]*" /proc/mounts | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
rm -rf "$dir" 2>/dev/null || echo "stop-docker: could not remove $dir entirely" >&2
exit 0
