/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), so that `grpcurl`, Postman and friends
 * can list and call the service without being given the .proto. It describes the Procwire and
 * health services from the .proto files this package ships; it needs no token (the schema is
 * public, like the .proto in the npm package). Loaded only when a server turns it on.
 */
import type { Server } from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';

/** Where the package's .proto files are (shipped next to `dist/`). */
const protoDir = fileURLToPath(new URL('../../proto/', import.meta.url));

/** Adds the reflection services to `server` (before it starts). */
export async function addReflection(server: Server): Promise<void> {
  const [{ ReflectionService }, protoLoader] = await Promise.all([import('@grpc/reflection'), import('@grpc/proto-loader')]);
  const definition = protoLoader.loadSync(['procwire/v1/procwire.proto', 'grpc/health/v1/health.proto'], {
    includeDirs: [protoDir],
  });
  new ReflectionService(definition).addToServer(server);
}
