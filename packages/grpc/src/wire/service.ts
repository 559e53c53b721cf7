/**
 * The Procwire service definition both ends use: the generated one, with the byte-path messages
 * swapped for the zero-copy codecs of ./chunk-codecs.ts (same wire format).
 */
import { makeGenericClientConstructor, type ChannelCredentials, type ClientOptions } from '@grpc/grpc-js';
import { type ExecEvent, type ProcwireClient, ProcwireService } from '../gen/procwire/v1/procwire.js';
import {
  decodeInputCall,
  decodeOutputChunk,
  decodeWriteInputRequest,
  encodeInputCall,
  encodeOutputChunkTransient,
  encodeWriteInputRequest,
} from './chunk-codecs.js';
import { decodeExecEvent, encodeExecEventTransient } from './exec-codecs.js';

/** The full name of the service, as used in paths and health checks. */
export const procwireServiceName = 'procwire.v1.Procwire';

/** The Procwire service with zero-copy codecs on ReadOutput, Exec's events and the three input RPCs. */
export const procwireService = {
  ...ProcwireService,
  readOutput: {
    ...ProcwireService.readOutput,
    responseSerialize: encodeOutputChunkTransient,
    responseDeserialize: decodeOutputChunk,
  },
  writeInput: {
    ...ProcwireService.writeInput,
    requestSerialize: encodeWriteInputRequest,
    requestDeserialize: decodeWriteInputRequest,
  },
  writeInputStream: {
    ...ProcwireService.writeInputStream,
    requestSerialize: encodeWriteInputRequest,
    requestDeserialize: decodeWriteInputRequest,
  },
  writeInputCalls: {
    ...ProcwireService.writeInputCalls,
    requestSerialize: encodeInputCall,
    requestDeserialize: decodeInputCall,
  },
  exec: {
    ...ProcwireService.exec,
    // The server sends output batches too (see ExecEventOut); the generated type knows ExecEvent only.
    responseSerialize: encodeExecEventTransient as (event: ExecEvent) => Buffer,
    responseDeserialize: decodeExecEvent,
  },
} satisfies typeof ProcwireService;

/** A client constructor for {@link procwireService}. */
export const ProcwireServiceClient = makeGenericClientConstructor(procwireService, procwireServiceName) as unknown as {
  new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>): ProcwireClient;
};
