# procwire-server: the host served over gRPC (50051) and HTTP/WebSocket (8080).
#
#   docker build -t procwire-server .
#   docker run --rm -p 127.0.0.1:8080:8080 -p 127.0.0.1:50051:50051 \
#     -v "$PWD/tokens:/run/secrets/procwire-tokens:ro" procwire-server
#
# The processes the server starts run inside this container, as its user. See docs/DEPLOYMENT.md.

# BASE: any Debian-like image with Node 20; a base that already has the tools below (the tests
# build on one made from the host's packages, tools/scripts/docker-base-image.sh) skips apt-get.
ARG BASE=node:20-bookworm-slim

# ---- build: install the workspace, build the server and what it uses, keep production deps only
FROM ${BASE} AS build
# node-pty compiles a native addon when no prebuilt binary fits.
RUN command -v python3 && command -v make && command -v g++ || { apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*; }
RUN [ "$(pnpm --version 2>/dev/null)" = 10.34.9 ] || npm install -g pnpm@10.34.9
WORKDIR /src
COPY . .
# `deploy` copies local-pty's files without building its close-on-exec addon: it is built last,
# against the headers of the Node that runs it.
RUN rm -rf node_modules apps/*/node_modules packages/*/node_modules tools/*/node_modules \
 && pnpm install --frozen-lockfile \
 && NX_DAEMON=false NX_NO_CLOUD=true pnpm exec nx run procwire-server:build --outputStyle=static \
 && pnpm --filter procwire-server deploy --legacy --prod /app \
 && cd /app/node_modules/@procwire/local-pty \
 && npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')" npm run install

# ---- run: Node, a shell for the web terminal, tini to reap orphaned grandchildren
FROM ${BASE}
RUN command -v tini && command -v bash && command -v ps || { apt-get update \
 && apt-get install -y --no-install-recommends tini bash procps \
 && rm -rf /var/lib/apt/lists/*; }
COPY --from=build /app /app
# Run as the unprivileged `node` user: every process a client starts runs as this user.
USER node
WORKDIR /home/node
# Listening on 0.0.0.0 is how a container's ports get published; without TLS files the server
# refuses that unless told: publish the ports on 127.0.0.1 (as above), or mount a certificate and
# key and set PROCWIRE_TLS_CERT / PROCWIRE_TLS_KEY (then plaintext is never used).
ENV NODE_ENV=production \
    SHELL=/bin/bash \
    PROCWIRE_ALLOW_PLAINTEXT=true \
    PROCWIRE_GRPC_LISTEN=0.0.0.0:50051 \
    PROCWIRE_HTTP_LISTEN=0.0.0.0:8080 \
    PROCWIRE_TOKENS_FILE=/run/secrets/procwire-tokens
EXPOSE 50051 8080
HEALTHCHECK --interval=10s --timeout=3s \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# tini forwards SIGTERM to the server, which ends every process group before it exits 0. The Node
# flag is the server's own (apps/server/src/node-flags.ts says why).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--initial-old-space-size=64", "/app/dist/main.js"]
