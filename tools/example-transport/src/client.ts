// The client: node:net under the kit's front client (calls, aborts, read credit, `unavailable` on
// a drop, `closed` after close()). This file only moves frames.
import { connect } from 'node:net';
import { createFrontClient, decodeWireError, type FrontReply, type Transport } from '@procwire/core/transport';
import { encodeFrame, readFrames } from './frames.js';

/** A transport to `serveExample` at `address` (`'host:port'`); `token` names the principal. */
export function exampleTransport(options: { address: string; token?: string }): Transport {
  const split = options.address.lastIndexOf(':');
  return createFrontClient({
    name: options.address,
    connect(receive, lost) {
      const socket = connect({ host: options.address.slice(0, split), port: Number(options.address.slice(split + 1)), noDelay: true });
      socket.write(encodeFrame({ token: options.token }));
      // Id 0 is the server's answer to the token: an error there ends the connection.
      readFrames(socket, (reply: FrontReply) => (reply.id === 0 ? lost(decodeWireError(reply.error)) : receive(reply)));
      socket.on('error', () => {});
      socket.on('close', () => lost());
      return { send: (message) => socket.write(encodeFrame(message)), close: () => socket.destroy() };
    },
  });
}
