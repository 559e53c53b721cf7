/**
 * The `--backend docker` transport: a container per principal (`dockerTransport()` in each, behind a
 * PrincipalRouter). The engine is the one `DOCKER_HOST` names, else the local socket.
 */
import type { OutputPool, Transport } from '@procwire/core/transport';
import Docker from 'dockerode';
import type { ServerConfig } from '../config/server-config.js';
import { PrincipalRouter } from '../host/principal-router.js';
import { PrincipalContainers } from './principal-containers.js';

/**
 * The docker backend of a configuration that asks for it. `main.ts` imports this module only then:
 * the Docker client takes about a fifth of the server's start-up to load.
 */
export function dockerBackend(config: ServerConfig, outputPool: OutputPool): Transport {
  const backend = config.backend;
  if (backend.kind !== 'docker') throw new Error('dockerBackend needs a configuration with backend docker');
  const containers = new PrincipalContainers(new Docker(), backend, {
    outputWindowBytes: config.limits.outputWindowBytes,
    outputBurstBytes: config.limits.outputBurstBytes,
    // One pool for every principal's container: the flag bounds the server, not each container.
    outputPool,
    replayBytes: config.limits.replayBytes,
    retentionMs: config.limits.retentionMs,
    maxArgvBytes: config.limits.argvBytes,
    maxEnvBytes: config.limits.envBytes,
    maxEnvEntries: config.limits.envEntries,
    maxProcessesPerPrincipal: config.limits.processesPerPrincipal,
    maxRetainedPerPrincipal: config.limits.retainedPerPrincipal,
  });
  return new PrincipalRouter(containers, { idleMs: backend.idleMs });
}
