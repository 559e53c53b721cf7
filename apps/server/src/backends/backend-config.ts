/**
 * The backend keys of the configuration (`--backend`, `--docker-*`), read from their raw text:
 * where processes run, and the limits of each principal's container.
 */
import { ConfigError } from '../config/config-error.js';

/** Each principal's container, with the docker backend. */
export interface DockerBackendConfig {
  readonly kind: 'docker';
  /** The image every principal's container is created from. */
  readonly image: string;
  /** A container with no process running for this long is removed. */
  readonly idleMs: number;
  /** Memory limit of each container, in bytes (swap included). */
  readonly memoryBytes: number;
  /** The most processes (and threads) in each container. */
  readonly pidsLimit: number;
  /** CPUs each container may use, in billionths of a CPU (the Engine's NanoCpus). */
  readonly nanoCpus: number;
  /** The Docker network of each container; `none`: no network at all. */
  readonly network: string;
}

/** Where processes run: this host, or a container per principal. */
export type BackendConfig = { readonly kind: 'local' } | DockerBackendConfig;

/** A raw value and where it came from, as load-config reads it. */
export interface BackendRawValue {
  readonly text: string;
  readonly source: string;
}

/** The raw values of the backend keys (`undefined`: unset, no default). */
export interface BackendRawValues {
  readonly backend: BackendRawValue;
  readonly dockerImage: BackendRawValue | undefined;
  readonly dockerIdleMs: BackendRawValue;
  readonly dockerMemory: BackendRawValue;
  readonly dockerPidsLimit: BackendRawValue;
  readonly dockerCpus: BackendRawValue;
  readonly dockerNetwork: BackendRawValue;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Checks the backend keys; throws `ConfigError` naming a bad one. */
export function parseBackendConfig(values: BackendRawValues): BackendConfig {
  const { backend } = values;
  if (backend.text === 'local') return { kind: 'local' };
  if (backend.text !== 'docker') throw new ConfigError(backend.source, `must be local or docker, got ${quote(backend.text)}`);
  const image = values.dockerImage;
  if (image === undefined || image.text === '') {
    throw new ConfigError('--docker-image', 'is required with --backend docker');
  }
  return {
    kind: 'docker',
    image: image.text,
    idleMs: integer(values.dockerIdleMs, 1),
    memoryBytes: size(values.dockerMemory),
    pidsLimit: integer(values.dockerPidsLimit, 1),
    nanoCpus: cpus(values.dockerCpus),
    network: network(values.dockerNetwork),
  };
}

function integer(value: BackendRawValue, minimum: number): number {
  const number = /^\d+$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw new ConfigError(value.source, `must be an integer of at least ${minimum}, got ${quote(value.text)}`);
  }
  return number;
}

function size(value: BackendRawValue): number {
  const match = /^(\d+)([bkmg]?)$/i.exec(value.text);
  const bytes = match === null ? Number.NaN : Number(match[1]) * (SIZE_UNITS[(match[2] as string).toLowerCase()] ?? Number.NaN);
  // The Engine refuses memory limits under 6 MiB.
  if (!Number.isSafeInteger(bytes) || bytes < 6 * 1024 ** 2) {
    throw new ConfigError(value.source, `must be a size of at least 6m (bytes, or with k, m or g), got ${quote(value.text)}`);
  }
  return bytes;
}

function cpus(value: BackendRawValue): number {
  const number = /^\d+(\.\d+)?$/.test(value.text) ? Number(value.text) : Number.NaN;
  if (!(number >= 0.01 && number <= 1024)) {
    throw new ConfigError(value.source, `must be a number of CPUs from 0.01 to 1024, got ${quote(value.text)}`);
  }
  return Math.round(number * 1e9);
}

function network(value: BackendRawValue): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value.text)) {
    throw new ConfigError(value.source, `must be a Docker network name (none, bridge, host or yours), got ${quote(value.text)}`);
  }
  return value.text;
}

function quote(text: string): string {
  return JSON.stringify(text);
}
