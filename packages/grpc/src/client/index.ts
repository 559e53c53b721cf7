/**
 * `@procwire/grpc/client`: the client side only (no server code), for CLIs and other clients.
 */
export { type GrpcClientTlsOptions, type GrpcTransportOptions, grpcTransport } from './grpc-transport.js';
