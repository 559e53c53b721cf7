#!/usr/bin/env -S node --initial-old-space-size=64
/**
 * `procwire-server`: the only place that picks concrete adapters. The backend is this host
 * (`localTransport()`), or a container per principal with `--backend docker`; the fronts are gRPC
 * and WebSocket.
 */
import { localTransport } from '@procwire/local-pty';
import { grpcFront } from './fronts/grpc-front.js';
import { websocketFront } from './fronts/websocket-front.js';
import { runServer } from './run-server.js';

const code = await runServer(
  {
    createTransport: async (config, outputPool) =>
      config.backend.kind === 'docker'
        ? (await import('./backends/docker-backend.js')).dockerBackend(config, outputPool)
        : localTransport({
        outputWindowBytes: config.limits.outputWindowBytes,
        outputBurstBytes: config.limits.outputBurstBytes,
        outputPool,
        outputPipeBytes: config.limits.outputPipeBytes,
        replayBytes: config.limits.replayBytes,
        retentionMs: config.limits.retentionMs,
        maxArgvBytes: config.limits.argvBytes,
        maxEnvBytes: config.limits.envBytes,
        maxEnvEntries: config.limits.envEntries,
        maxPendingInputBytes: config.limits.pendingInputBytes,
        // The server enforces the total (with reservations) itself; the host's own cap is the same
        // number, so no hidden cap lies under the flag.
        maxProcesses: config.limits.processes,
        maxProcessesPerPrincipal: config.limits.processesPerPrincipal,
        maxRetainedPerPrincipal: config.limits.retainedPerPrincipal,
        ...(config.isolation === 'uid' ? { principalUsers: config.principalUsers, requirePrincipalUser: true } : {}),
        spawnHelper: config.spawnHelper,
        // On: where the addon is built (the host's default), so a server without it still starts.
        ...(config.vforkSpawn ? {} : { vforkSpawn: false }),
      }),
    grpcFront,
    websocketFront,
  },
  process.argv.slice(2),
);
process.exit(code);
