#!/usr/bin/env bash
# Makes a stand-in for node:20-bookworm-slim from this Debian host's own installed packages, since
# registries cannot be reached here: Node (the host's), npm, python3, make, g++, tini, bash, procps,
# coreutils and the libraries they need, plus a `node` user (uid 1000), as `docker import` of their
# files. The project's Dockerfile builds on it with `--build-arg BASE=procwire-node-base`.
#   DOCKER_HOST=... tools/scripts/docker-base-image.sh [IMAGE]     (default procwire-node-base)
set -euo pipefail
image=${1:-procwire-node-base}
log() { echo "docker-base-image: $*" >&2; }
if docker image inspect "$image" >/dev/null 2>&1; then log "$image exists"; exit 0; fi
packages=(nodejs python3-minimal python3.11-minimal make g++ gcc tini bash procps coreutils dash sed grep
  findutils tar gzip util-linux libc-bin base-files)
for package in "${packages[@]}"; do
  dpkg-query -W "$package" >/dev/null 2>&1 || { log "the host lacks the Debian package $package"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every installed package the list depends on, recursively; then their files (without docs).
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
  "${packages[@]}" 2>/dev/null | grep -E '^[a-z0-9]' | sort -u >"$work/closure"
{ dpkg-query -W -f='${db:Status-Status} ${Package}\n' $(cat "$work/closure") 2>/dev/null || true; } | awk '$1 == "installed" { print $2 }' | sort -u >"$work/installed"
{ xargs dpkg -L <"$work/installed" 2>/dev/null || true; } | grep -vE '^/usr/share/(doc|man|info|locale|lintian)/' | grep '^/' >"$work/paths"
# /bin, /lib, /lib64 and /sbin are symlinks into /usr here (merged /usr): store real paths, and the links.
python3 - "$work/paths" >"$work/files" <<'PY'
import os, sys
seen = set()
for line in open(sys.argv[1]):
    path = line.rstrip('\n')
    if not os.path.lexists(path) or (os.path.isdir(path) and not os.path.islink(path)):
        continue
    real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path)).lstrip('/')
    if real not in seen:
        seen.add(real)
        print(real)
PY
rootfs="$work/rootfs"
mkdir -p "$rootfs"
tar -C / -c -T "$work/files" | tar -C "$rootfs" -x
for link in bin lib lib64 sbin; do ln -sfn "usr/$link" "$rootfs/$link"; done
# cc and c++ are alternatives made by gcc's and g++'s install scripts, not files of the packages:
# node-gyp's makefiles compile C with cc (local-pty's addon), C++ with g++.
ln -sfn gcc "$rootfs/usr/bin/cc"
ln -sfn g++ "$rootfs/usr/bin/c++"
mkdir -p "$rootfs"/{tmp,root,home/node,etc,proc,sys,dev,run,var/tmp}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
chown 1000:1000 "$rootfs/home/node"
# npm and pnpm as installed here (npm may have been updated past its package's file list).
rm -rf "$rootfs/usr/lib/node_modules/npm"
for tool in npm pnpm; do
  [ -d "/usr/lib/node_modules/$tool" ] || continue
  tar -C / -c "usr/lib/node_modules/$tool" | tar -C "$rootfs" -x
done
ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/bin/npm"
[ ! -d /usr/lib/node_modules/pnpm ] || ln -sfn ../lib/node_modules/pnpm/bin/pnpm.cjs "$rootfs/usr/bin/pnpm"
# The host's certificate authorities (a TLS proxy of the host's network may need them), for npm.
mkdir -p "$rootfs/etc/ssl/certs"
[ ! -f /etc/ssl/certs/ca-certificates.crt ] || cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
log "importing $(du -sh "$rootfs" | cut -f1) as $image"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' - "$image" >/dev/null
