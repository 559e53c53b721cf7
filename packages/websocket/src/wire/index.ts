/**
 * `procwire.v1` wire code shared by the Node client, the browser client and the server.
 * For sibling modules of this package and for people writing their own client.
 */
export { CloseCode } from './close-codes.js';
export { decodeError, encodeError } from './error-payload.js';
export {
  decodeFrame,
  encodeFrame,
  type Frame,
  FrameFlag,
  type FrameHeader,
  FrameType,
  HEADER_BYTES,
  MAX_OFFSET,
  peekCallId,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  writeHeader,
} from './frame.js';
export { addressedRestBytes, decodeAddressed, decodeJson, decodeJsonObject, encodeAddressedFrame, encodeJson } from './payload.js';
export { tokenFromSubprotocol, tokenSubprotocol } from './token.js';
