/** WebSocket close codes `procwire.v1` uses (documented in docs/PROTOCOL-websocket.md). */
export const CloseCode = {
  /** The client or the server closed the connection on purpose. */
  Normal: 1000,
  /** The server is shutting down. */
  GoingAway: 1001,
  /** A text frame arrived: the protocol is binary only. */
  UnsupportedData: 1003,
  /** A frame was larger than the server's `maxFrameBytes`. */
  MessageTooBig: 1009,
  /** The server failed unexpectedly. */
  InternalError: 1011,
  /** No frame and no call in flight for the server's `idleTimeoutMs`. */
  Idle: 4000,
} as const;

/** A value of {@link CloseCode}. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
