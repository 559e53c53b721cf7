/**
 * The standard grpc.health.v1.Health service. It answers without a token, as load balancers and
 * probes send none, and it reveals nothing but "serving or not".
 */
import type { ServerWritableStream, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import {
  type HealthCheckRequest,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
  type HealthServer,
} from '../gen/grpc/health/v1/health.js';

/** Serving status per service name ('' = the whole server), with Watch subscribers. */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<ServerWritableStream<HealthCheckRequest, HealthCheckResponse>>();

  constructor(services: readonly string[]) {
    for (const service of ['', ...services]) this.statuses.set(service, ServingStatus.SERVING);
  }

  /** Marks every service NOT_SERVING and ends every Watch. */
  shutDown(): void {
    for (const service of this.statuses.keys()) this.statuses.set(service, ServingStatus.NOT_SERVING);
    for (const watcher of this.watchers) {
      watcher.write({ status: ServingStatus.NOT_SERVING });
      watcher.end();
    }
    this.watchers.clear();
  }

  /** The grpc-js implementation of the Health service. */
  readonly implementation: HealthServer = {
    check: (
      call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      callback: sendUnaryData<HealthCheckResponse>,
    ) => {
      const current = this.statuses.get(call.request.service);
      if (current === undefined) {
        callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
      } else {
        callback(null, { status: current });
      }
    },
    watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      const current = this.statuses.get(call.request.service) ?? ServingStatus.SERVICE_UNKNOWN;
      call.write({ status: current });
      if (current === ServingStatus.NOT_SERVING) {
        call.end();
        return;
      }
      this.watchers.add(call);
      call.on('cancelled', () => this.watchers.delete(call));
    },
  };
}
