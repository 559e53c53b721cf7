/**
 * `@procwire/docker`: a procwire host whose processes run inside a Docker container.
 */
export { dockerTransport } from './docker-transport.js';
export type { DockerTransportOptions } from './options.js';
