/**
 * `@procwire/grpc/server`: serve any procwire transport over gRPC.
 */
export {
  type GrpcServer,
  type GrpcServerLimits,
  type GrpcServerTlsOptions,
  type ServeGrpcOptions,
  serveGrpc,
} from './serve-grpc.js';
