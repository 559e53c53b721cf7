/**
 * The `--backend docker` transport: a container per principal (`dockerTransport()` in each, behind a
 * PrincipalRouter). The engine is the one `DOCKER_HOST` names, else the local socket.
 */
import type { Transport } from '@procwire/core/transport';
import Docker from 'dockerode';
import type { ServerConfig } from '../config/server-config.js';
import { PrincipalRouter } from '../host/principal-router.js';
import { PrincipalContainers } from './principal-containers.js';

/** The docker backend when the configuration asks for it, else `undefined` (the local host). */
export function dockerBackend(config: ServerConfig): Transport | undefined {
  const backend = config.backend;
  if (backend.kind !== 'docker') return undefined;
  const containers = new PrincipalContainers(new Docker(), backend, {
    outputWindowBytes: config.limits.outputWindowBytes,
    replayBytes: config.limits.replayBytes,
    retentionMs: config.limits.retentionMs,
    maxArgvBytes: config.limits.argvBytes,
    maxProcessesPerPrincipal: config.limits.processesPerPrincipal,
  });
  return new PrincipalRouter(containers, { idleMs: backend.idleMs });
}
