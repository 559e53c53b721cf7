/**
 * PrincipalContainers: a container per principal, for the PrincipalRouter. A principal's container
 * is made at its first start (or found again by its labels, after a server restart), with the
 * configured limits, and removed when the router releases it.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, ProcwireError, type Transport } from '@procwire/core/transport';
import { type DockerTransportOptions, dockerTransport } from '@procwire/docker';
import type Docker from 'dockerode';
import type { PrincipalHosts } from '../host/principal-router.js';
import type { DockerBackendConfig } from './backend-config.js';

/** The labels that mark a container as a principal's, so a restarted server finds it again. */
export const MANAGED_LABEL = 'dev.procwire.managed';
export const PRINCIPAL_LABEL = 'dev.procwire.principal';

/** The `dockerTransport` options every principal's host shares (limits, windows). */
export type SharedTransportOptions = Omit<DockerTransportOptions, 'container' | 'docker'>;

export class PrincipalContainers implements PrincipalHosts {
  constructor(
    private readonly docker: Docker,
    private readonly config: DockerBackendConfig,
    private readonly transportOptions: SharedTransportOptions,
  ) {}

  async open(principal: string | undefined): Promise<Transport> {
    const container = await this.findOrCreate(principal ?? '');
    return dockerTransport({ ...this.transportOptions, container, docker: this.docker });
  }

  async release(principal: string | undefined, host: Transport): Promise<void> {
    await host.close();
    await this.docker
      .getContainer(containerName(principal ?? ''))
      .remove({ force: true })
      .catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      });
  }

  /**
   * Removes every container this server manages, including those a previous run left (found by
   * the managed label): one server per engine owns that label.
   */
  async releaseAll(): Promise<void> {
    const left = await this.docker.listContainers({ all: true, filters: { label: [`${MANAGED_LABEL}=true`] } });
    await Promise.allSettled(left.map((item) => this.docker.getContainer(item.Id).remove({ force: true })));
  }

  /** Starts the principal's container again when it stopped (its main process was killed from inside). */
  async recover(principal: string | undefined): Promise<boolean> {
    const container = this.docker.getContainer(containerName(principal ?? ''));
    try {
      const inspected = await container.inspect();
      if (inspected.State.Running) return false;
      await container.start();
      return true;
    } catch {
      return false;
    }
  }

  /** The running container of `principal`: found by its labels, started if stopped, else created. */
  private async findOrCreate(principal: string): Promise<string> {
    const name = containerName(principal);
    try {
      const found = await this.docker.listContainers({
        all: true,
        filters: { label: [`${MANAGED_LABEL}=true`, `${PRINCIPAL_LABEL}=${principal}`] },
      });
      const existing = found.find((item) => item.Labels[PRINCIPAL_LABEL] === principal);
      if (existing !== undefined) {
        if (existing.State !== 'running') await this.docker.getContainer(existing.Id).start();
        return existing.Id;
      }
      const container = await this.docker.createContainer({
        name,
        Image: this.config.image,
        // A process that only waits, so the container lives until it is removed; init reaps orphans.
        Entrypoint: ['sleep'],
        Cmd: ['2147483647'],
        Labels: { [MANAGED_LABEL]: 'true', [PRINCIPAL_LABEL]: principal },
        HostConfig: {
          Init: true,
          NetworkMode: this.config.network,
          Memory: this.config.memoryBytes,
          MemorySwap: this.config.memoryBytes,
          PidsLimit: this.config.pidsLimit,
          NanoCpus: this.config.nanoCpus,
          SecurityOpt: ['no-new-privileges'],
        },
      });
      await container.start();
      return container.id;
    } catch (error) {
      throw containerError(error, principal, this.config.image);
    }
  }
}

/**
 * A container name for `principal`: readable, and unique by a hash of the exact principal (two
 * principals that differ only in characters a name cannot hold still get two containers).
 */
export function containerName(principal: string): string {
  const readable = principal.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40);
  const hash = createHash('sha256').update(principal).digest('hex').slice(0, 12);
  return `procwire-${readable}-${hash}`;
}

function containerError(error: unknown, principal: string, image: string): ProcwireError {
  if (error instanceof ProcwireError) return error;
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = (error as { json?: { message?: string } }).json?.message ?? (error instanceof Error ? error.message : String(error));
  if (status === 404) {
    return new ProcwireError(ErrorCode.FailedPrecondition, `the image ${JSON.stringify(image)} is not on the Docker engine: ${message}`);
  }
  if (typeof status === 'number' && status < 500) {
    return new ProcwireError(ErrorCode.FailedPrecondition, `cannot make the container of principal ${JSON.stringify(principal)}: ${message}`);
  }
  return new ProcwireError(ErrorCode.Unavailable, `the Docker engine cannot make a container now: ${message}`, { cause: error });
}
