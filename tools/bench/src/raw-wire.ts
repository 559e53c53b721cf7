/**
 * The raw baselines' wire: a grpc-js service without protobuf (bytes in, bytes out) and the
 * WebSocket path, shared by the raw servers (in the server child) and the raw clients (in main).
 */
import type { MethodDefinition } from '@grpc/grpc-js';

const identity = (value: Buffer): Buffer => value;

/** `ReadStdout`: the request is the JSON argv; the response stream is the process's stdout as it arrives. */
export const rawReadStdout: MethodDefinition<Buffer, Buffer> = {
  path: '/procwire.bench.Raw/ReadStdout',
  requestStream: false,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
};

/**
 * `RelayTerminal`: the echo baseline. The server runs the echo scenario's raw-mode `cat` in a
 * node-pty terminal, writes its output as response messages and every request message to it.
 */
export const rawRelayTerminal: MethodDefinition<Buffer, Buffer> = {
  path: '/procwire.bench.Raw/RelayTerminal',
  requestStream: true,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
};

/** The raw grpc-js service definition. */
export const rawGrpcService = { readStdout: rawReadStdout, relayTerminal: rawRelayTerminal };

/** Path of the raw WebSocket server; the argv travels JSON-encoded in the `argv` query parameter. */
export const rawWebSocketPath = '/raw';

/** The raw WebSocket server stops reading the process while more than this is queued on the socket. */
export const rawWebSocketHighWater = 4 * 1024 * 1024;
