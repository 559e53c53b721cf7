/**
 * `@procwire/grpc/generated`: the generated protobuf messages and raw grpc-js clients, for callers
 * who want the wire protocol itself (tools, gateways, tests). Most users want `grpcTransport()`.
 */
export * as procwireV1 from './gen/procwire/v1/procwire.js';
export * as healthV1 from './gen/grpc/health/v1/health.js';
