/**
 * `@procwire/websocket`: procwire over WebSocket, for Node.
 *
 * For users: `websocketTransport()` (also at `./client`, which browsers resolve to a build without
 * Node imports) and `serveWebSocket()` (also at `./server`).
 * For people writing their own client: the `procwire.v1` constants and codec.
 */
export {
  type NodeWebSocketTransportOptions,
  type WebSocketTransportOptions,
  websocketTransport,
} from './client/index.js';
export {
  type ServeWebSocketOptions,
  serveWebSocket,
  type WebSocketServerLimits,
  type WebSocketServerHandle,
} from './server/index.js';
export {
  CloseCode,
  decodeAddressed,
  decodeError,
  decodeFrame,
  decodeJson,
  encodeAddressedFrame,
  encodeFrame,
  encodeJson,
  type Frame,
  FrameFlag,
  type FrameHeader,
  FrameType,
  HEADER_BYTES,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  tokenSubprotocol,
} from './wire/index.js';
