/** Options of `websocketTransport()`, the same in Node and in a browser. */
export interface WebSocketTransportOptions {
  /** The server's URL, e.g. `'ws://127.0.0.1:8080/procwire'` or `'wss://host/procwire'`. */
  readonly url: string;
  /**
   * The bearer token naming your principal. Node sends it as `Authorization: Bearer <token>`; a
   * browser (which cannot set headers) as the subprotocol `procwire.token.<base64url(token)>`.
   */
  readonly token?: string;
  /** Give up opening a connection after this long, in milliseconds; default 10 000. */
  readonly connectTimeoutMs?: number;
  /**
   * Per read: the most output bytes the server may send ahead of what your code has consumed;
   * default 4 MiB. Smaller keeps less in memory, larger keeps a fast link busy while either side is
   * briefly descheduled.
   */
  readonly readWindowBytes?: number;
  /** Stdin writes are sent in frames of at most this many bytes; default 256 KiB. */
  readonly writeChunkBytes?: number;
}

/** Options with every default applied. */
export interface ResolvedTransportOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly connectTimeoutMs: number;
  readonly readWindowBytes: number;
  readonly writeChunkBytes: number;
}

/** Check options and fill in defaults; throws `TypeError` naming the bad option. */
export function resolveTransportOptions(options: WebSocketTransportOptions): ResolvedTransportOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('websocketTransport: options must be an object');
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new TypeError(`websocketTransport: url must be a ws:// or wss:// URL, got ${JSON.stringify(options.url)}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TypeError(`websocketTransport: url must be a ws:// or wss:// URL, got ${JSON.stringify(options.url)}`);
  }
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
    throw new TypeError('websocketTransport: token must be a non-empty string');
  }
  const positive = (name: string, value: number | undefined, fallback: number, max: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new TypeError(`websocketTransport: ${name} must be an integer in 1..${max}, got ${value}`);
    }
    return value;
  };
  return {
    url: options.url,
    token: options.token,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000, 600_000),
    readWindowBytes: positive('readWindowBytes', options.readWindowBytes, 4 * 1024 * 1024, 0xffff_ffff),
    writeChunkBytes: positive('writeChunkBytes', options.writeChunkBytes, 256 * 1024, 16 * 1024 * 1024),
  };
}
