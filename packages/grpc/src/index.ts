/**
 * `@procwire/grpc`: procwire over gRPC.
 *
 * For users: `grpcTransport()` (client; also `@procwire/grpc/client`, which loads no server code)
 * and `serveGrpc()` (server; also `@procwire/grpc/server`). The .proto ships as
 * `@procwire/grpc/proto/procwire.proto` for clients in other languages.
 */
export { type GrpcClientTlsOptions, type GrpcTransportOptions, grpcTransport } from './client/index.js';
export {
  type GrpcServer,
  type GrpcServerLimits,
  type GrpcServerTlsOptions,
  type ServeGrpcOptions,
  serveGrpc,
} from './server/index.js';
