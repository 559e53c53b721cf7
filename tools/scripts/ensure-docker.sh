#!/usr/bin/env bash
# Starts a private Docker engine for the tests and builds their image:
#   tools/scripts/ensure-docker.sh DIR      installs docker.io and busybox-static when missing (apt-get),
#                                           starts dockerd with its data, exec root, pid file and socket
#                                           under DIR, waits until it answers, imports the image
#                                           procwire-test-busybox from busybox-static's binary.
# Prints `unix://DIR/docker.sock` on stdout. Stop it with stop-docker.sh DIR.
# The engine uses no bridge and no iptables rules: it leaves the host's networking alone.
set -euo pipefail
dir=${1:?usage: ensure-docker.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
log() { echo "ensure-docker: $*" >&2; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
# docker-init (tini) reaps orphans in the per-principal containers (HostConfig.Init).
[ -x /usr/bin/docker-init ] || missing+=(tini)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and cannot apt-get install them (need root on Debian)"
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

socket="$dir/docker.sock"
host="unix://$socket"
if [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null; then
  log "an engine already runs in $dir"
else
  log "starting dockerd in $dir"
  # setsid: the engine outlives this script and is stopped by its pid file, not by our group.
  setsid dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --host "$host" --bridge none --iptables=false --ip6tables=false \
    --log-level warn >"$dir/dockerd.log" 2>&1 </dev/null &
fi
for _ in $(seq 1 120); do
  if docker --host "$host" version >/dev/null 2>&1; then break; fi
  sleep 0.5
done
if ! docker --host "$host" version >/dev/null 2>&1; then
  log "dockerd did not answer on $host within 60 s; its log ($dir/dockerd.log) ends with:"
  tail -n 20 "$dir/dockerd.log" >&2 || true
  exit 1
fi

# The test image: busybox-static's one binary and its applets, nothing else.
if ! docker --host "$host" image inspect procwire-test-busybox >/dev/null 2>&1; then
  rootfs="$dir/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker --host "$host" import \
    --change 'ENV PATH=/bin' --change 'ENV HOME=/root' --change 'CMD ["sleep","infinity"]' \
    - procwire-test-busybox >/dev/null
  rm -rf "$rootfs"
  log "imported the image procwire-test-busybox"
fi
echo "$host"
