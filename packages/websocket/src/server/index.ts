/**
 * `@procwire/websocket/server`: `serveWebSocket(transport, options)`, Node only.
 */
export type { ServeWebSocketOptions, WebSocketServerLimits } from './options.js';
export { serveWebSocket, type WebSocketServerHandle } from './serve-websocket.js';
