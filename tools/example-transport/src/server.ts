// The server: node:net in front of any transport. The kit's front does the rest (checks, principal,
// credit, aborting a dropped connection's host calls); this file only moves frames.
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { createTransportFront, encodeWireError, type FrontConnection, type FrontReply, type Transport } from '@procwire/core/transport';
import { encodeFrame, readFrames } from './frames.js';

export interface ExampleServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  close(): Promise<void>;
}

/** Serve `host` on 127.0.0.1; the first frame of a connection is `{ token }`. */
export async function serveExample(host: Transport, options: { tokens?: Record<string, string>; port?: number } = {}): Promise<ExampleServer> {
  const front = createTransportFront(host, { tokens: options.tokens });
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    let connection: FrontConnection | undefined;
    // A full socket holds the read that sent the chunk; a closed one lets it go.
    const send = (reply: FrontReply) => {
      if (!socket.write(encodeFrame(reply)) && !socket.destroyed) return Promise.race([once(socket, 'drain'), once(socket, 'close')]).then(() => {});
    };
    readFrames(socket, (message: { token?: string }) => {
      if (connection !== undefined) return connection.receive(message);
      try {
        connection = front.connect(message.token, send);
      } catch (error) {
        socket.end(encodeFrame({ id: 0, error: encodeWireError(error) }));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      connection?.close();
    });
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
