/**
 * A TCP proxy on 127.0.0.1 that breaks connections on command, for resume and reliability tests:
 * cut every open connection, stall forwarding, slow the link down, refuse new connections.
 * It forwards bytes untouched, so what crosses it is exactly what client and server exchange.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward to. */
  readonly targetHost?: string;
  readonly targetPort: number;
  /** Port to listen on (127.0.0.1); default 0 (any free port). */
  readonly listenPort?: number;
}

/** Counters a test prints and asserts. */
export interface FaultProxyStats {
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Connections this proxy destroyed with `cutAll()`. */
  readonly cuts: number;
  /** Bytes forwarded client -> server. */
  readonly bytesUp: number;
  /** Bytes forwarded server -> client. */
  readonly bytesDown: number;
}

/** A running proxy. */
export interface FaultProxy {
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly stats: FaultProxyStats;
  /** Destroy every open connection on both sides now; returns how many were cut. */
  cutAll(): number;
  /** While true, bytes are held (connections stay open, nothing is forwarded). */
  setStall(stalled: boolean): void;
  /** Forward at most this many bytes per second in each direction; `undefined` lifts the limit. */
  setRate(bytesPerSecond: number | undefined): void;
  /** While true, new connections are closed as soon as they arrive (the server looks down). */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
}

/**
 * Start a proxy in front of a TCP server: `startFaultProxy(server.address)` (`'host:port'`), a
 * port on 127.0.0.1, or the options.
 */
export async function startFaultProxy(target: FaultProxyOptions | string | number): Promise<FaultProxy> {
  const options = proxyOptions(target);
  const targetHost = options.targetHost ?? '127.0.0.1';
  const pairs = new Set<Pair>();
  const pumps = new Set<Pump>();
  let refusing = false;
  const stats = { accepted: 0, open: 0, cuts: 0, bytesUp: 0, bytesDown: 0 };
  const control: PumpControl = { stalled: false, bytesPerSecond: undefined };

  const server: Server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    stats.accepted++;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: targetHost, port: options.targetPort, noDelay: true, allowHalfOpen: true });
    const pair: Pair = { client, server: upstream };
    pairs.add(pair);
    stats.open++;
    const up = new Pump(client, upstream, control, (n) => {
      stats.bytesUp += n;
    });
    const down = new Pump(upstream, client, control, (n) => {
      stats.bytesDown += n;
    });
    pumps.add(up);
    pumps.add(down);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      pairs.delete(pair);
      pumps.delete(up);
      pumps.delete(down);
      stats.open--;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');
  const port = address.port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    get stats(): FaultProxyStats {
      return { ...stats };
    },
    cutAll() {
      const open = [...pairs];
      for (const pair of open) {
        // resetAndDestroy sends RST, as a dropped network path or a killed peer would.
        pair.client.resetAndDestroy();
        pair.server.resetAndDestroy();
      }
      stats.cuts += open.length;
      return open.length;
    },
    setStall(stalled) {
      control.stalled = stalled;
      if (!stalled) for (const pump of pumps) pump.flush();
    },
    setRate(bytesPerSecond) {
      control.bytesPerSecond = bytesPerSecond;
      for (const pump of pumps) pump.flush();
    },
    refuse(value) {
      refusing = value;
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function proxyOptions(target: FaultProxyOptions | string | number): FaultProxyOptions {
  if (typeof target === 'number') return { targetPort: target };
  if (typeof target !== 'string') return target;
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  if (match === null) throw new TypeError(`startFaultProxy: expected "host:port", got ${JSON.stringify(target)}`);
  return { targetHost: match[1], targetPort: Number(match[2]) };
}

interface PumpControl {
  stalled: boolean;
  bytesPerSecond: number | undefined;
}

/**
 * Moves bytes one way, honouring stall and rate limits, with backpressure: while bytes are held
 * or the destination is full, the source is paused.
 */
class Pump {
  private held: Buffer[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly control: PumpControl,
    private readonly count: (bytes: number) => void,
  ) {
    from.on('data', (data: Buffer) => {
      this.held.push(data);
      this.flush();
    });
    from.on('end', () => {
      this.held.push(END);
      this.flush();
    });
    to.on('drain', () => this.flush());
  }

  flush(): void {
    if (this.timer !== undefined) return;
    while (this.held.length > 0) {
      if (this.control.stalled || this.to.destroyed) {
        this.from.pause();
        return;
      }
      let chunk = this.held[0]!;
      if (chunk === END) {
        this.held.shift();
        this.to.end();
        return;
      }
      const rate = this.control.bytesPerSecond;
      if (rate !== undefined) {
        // Send one slice every 10 ms: rate / 100 bytes per slice.
        const slice = Math.max(1, Math.floor(rate / 100));
        if (chunk.byteLength > slice) {
          this.held[0] = chunk.subarray(slice);
          chunk = chunk.subarray(0, slice);
        } else this.held.shift();
        this.count(chunk.byteLength);
        this.to.write(chunk);
        this.from.pause();
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, 10);
        return;
      }
      this.held.shift();
      this.count(chunk.byteLength);
      if (!this.to.write(chunk)) {
        this.from.pause();
        return;
      }
    }
    this.from.resume();
  }
}

const END = Buffer.alloc(0);
