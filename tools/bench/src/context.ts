/**
 * Everything the scenarios share for one run: the procwire clients per transport (servers in child
 * processes), the raw baseline servers, OpenSSH, and the TLS certificate. Whatever cannot start is
 * recorded as a reason, and the rows that need it are skipped with that note.
 */
import type { Client } from '@procwire/core';
import type { MemoryReading } from './memory.js';
import { readMemoryAfterGc } from './memory.js';
import { OpenSsh } from './openssh.js';
import type { BenchOptions, TransportName } from './options.js';
import { benchToken, hostOptions, loadProcwire, type ProcwireEntryPoints } from './procwire.js';
import { reasonOf } from './row.js';
import { type ClientFamily, ClientProcess, type Endpoint } from './client-process.js';
import { ServerProcess, type ServerKind, type TlsFiles } from './server-process.js';

/** A procwire client for one transport family, and a way to read its host's memory. */
export interface ProcwireTarget {
  readonly transport: TransportName;
  /** E.g. `procwire grpc`. */
  readonly subject: string;
  readonly client: Client;
  /** Memory of the process that hosts the processes (this one for local, the server child otherwise). */
  hostMemory(): Promise<MemoryReading>;
  /** True when the host is this process (client and host memory cannot be told apart). */
  readonly inProcess: boolean;
  /** Where a client in another process connects to the same server (remote transports only). */
  readonly endpoint?: Endpoint;
}

/** A raw baseline server in a child process. */
export interface RawServer {
  readonly transport: TransportName;
  readonly subject: string;
  readonly server: ServerProcess;
  /** Where a client process reaches it. */
  readonly endpoint: Endpoint;
}

/** Shared state of one bench run. */
export class BenchContext {
  readonly targets = new Map<TransportName, ProcwireTarget | string>();
  readonly rawServers = new Map<TransportName, RawServer | string>();
  ssh: OpenSsh | string = 'OpenSSH not selected';
  /** The client processes the throughput and echo rows run in (see client-child.ts), or why one is missing. */
  private readonly clientProcesses = new Map<ClientFamily, ClientProcess | string>();
  private readonly servers: ServerProcess[] = [];
  private readonly clients: Client[] = [];

  private constructor(
    readonly options: BenchOptions,
    readonly procwire: ProcwireEntryPoints,
    readonly tls: TlsFiles | string,
    readonly log: (line: string) => void,
  ) {}

  /** Start every server and client the selected transports need. */
  static async open(
    options: BenchOptions,
    tempDir: string,
    tls: TlsFiles | string,
    log: (line: string) => void,
  ): Promise<BenchContext> {
    const context = new BenchContext(options, await loadProcwire(), tls, log);
    await context.start(tempDir);
    return context;
  }

  /** A procwire target, or the reason it is missing. */
  target(transport: TransportName): ProcwireTarget | string {
    return this.targets.get(transport) ?? `transport ${transport} not selected`;
  }

  /** The client process of `transport`'s family, or why it is missing. */
  clientProcess(transport: TransportName): ClientProcess | string {
    return this.clientProcesses.get(familyOf(transport)) ?? `no client process for ${transport}`;
  }

  /** The remote transport families selected for this run, in table order. */
  remoteTransports(): TransportName[] {
    return (['grpc', 'grpc-tls', 'ws', 'wss'] as const).filter((name) => this.options.transports.has(name));
  }

  private async start(tempDir: string): Promise<void> {
    const selected = this.options.transports;
    const { createClient, localTransport } = this.procwire;
    if (selected.has('local-pipe') || selected.has('local-pty')) {
      if (createClient === undefined || localTransport === undefined) {
        const reason = this.procwire.missing['createClient'] ?? this.procwire.missing['localTransport']!;
        this.targets.set('local-pipe', reason);
        this.targets.set('local-pty', reason);
      } else {
        const client = createClient(localTransport(hostOptions()));
        this.clients.push(client);
        const local: Omit<ProcwireTarget, 'transport' | 'subject'> = {
          client,
          hostMemory: async () => readMemoryAfterGc(),
          inProcess: true,
        };
        this.targets.set('local-pipe', { ...local, transport: 'local-pipe', subject: 'procwire local pipe' });
        this.targets.set('local-pty', { ...local, transport: 'local-pty', subject: 'procwire local pty' });
      }
      this.clientProcesses.set('local', await ClientProcess.start('local').catch(reasonOf));
    }
    for (const transport of this.remoteTransports()) {
      this.targets.set(transport, await this.startRemote(transport).catch(reasonOf));
      this.rawServers.set(transport, await this.startRaw(transport).catch(reasonOf));
      const family = familyOf(transport);
      if (!this.clientProcesses.has(family)) this.clientProcesses.set(family, await ClientProcess.start(family).catch(reasonOf));
    }
    if (selected.has('openssh')) {
      try {
        this.ssh = await OpenSsh.start(tempDir);
        await this.ssh.startMaster();
      } catch (error) {
        this.ssh = `OpenSSH could not start: ${reasonOf(error)}`;
      }
      this.clientProcesses.set('openssh', await ClientProcess.start('openssh').catch(reasonOf));
    }
  }

  private tlsFor(transport: TransportName): TlsFiles | undefined {
    if (transport !== 'grpc-tls' && transport !== 'wss') return undefined;
    if (typeof this.tls === 'string') throw new Error(this.tls);
    return this.tls;
  }

  private async startServer(kind: ServerKind, transport: TransportName): Promise<ServerProcess> {
    const server = await ServerProcess.start(kind, this.options.serverNodeFlags, this.tlsFor(transport));
    this.servers.push(server);
    return server;
  }

  /** Where a client process reaches `server`, a server of `transport`. */
  private endpointOf(transport: TransportName, server: ServerProcess): Endpoint {
    const tls = this.tlsFor(transport);
    return {
      ...(familyOf(transport) === 'grpc' ? { address: server.address } : { url: server.url! }),
      ...(tls === undefined ? {} : { caPem: tls.certPem }),
    };
  }

  private async startRemote(transport: TransportName): Promise<ProcwireTarget> {
    const grpc = transport === 'grpc' || transport === 'grpc-tls';
    const { createClient } = this.procwire;
    const makeTransport = grpc ? this.procwire.grpcTransport : this.procwire.websocketTransport;
    const missing = ['createClient', grpc ? 'grpcTransport' : 'websocketTransport', grpc ? 'serveGrpc' : 'serveWebSocket']
      .map((name) => this.procwire.missing[name])
      .filter((reason) => reason !== undefined);
    if (createClient === undefined || makeTransport === undefined || missing.length > 0) throw new Error(missing.join('; '));
    const server = await this.startServer(grpc ? 'procwire-grpc' : 'procwire-ws', transport);
    const tls = this.tlsFor(transport);
    const options: Record<string, unknown> = grpc
      ? { address: server.address, token: benchToken }
      : { url: server.url, token: benchToken };
    if (tls) options['tls'] = { ca: tls.certPem };
    const client = createClient(makeTransport(options));
    this.clients.push(client);
    const label = { grpc: 'grpc', 'grpc-tls': 'grpc+tls', ws: 'websocket', wss: 'websocket+tls' }[transport as string];
    const endpoint = this.endpointOf(transport, server);
    return { transport, subject: `procwire ${label}`, client, hostMemory: () => server.memory(), inProcess: false, endpoint };
  }

  private async startRaw(transport: TransportName): Promise<RawServer> {
    const grpc = transport === 'grpc' || transport === 'grpc-tls';
    const server = await this.startServer(grpc ? 'raw-grpc' : 'raw-ws', transport);
    const label = { grpc: 'raw grpc-js', 'grpc-tls': 'raw grpc-js+tls', ws: 'raw ws', wss: 'raw ws+tls' }[transport as string];
    return { transport, subject: label!, server, endpoint: this.endpointOf(transport, server) };
  }

  /** Close every client, server and sshd this run started. */
  async close(): Promise<void> {
    for (const client of this.clients) await client.close().catch(() => {});
    for (const child of this.clientProcesses.values()) if (typeof child !== 'string') await child.stop().catch(() => {});
    for (const server of this.servers) await server.stop().catch(() => {});
    if (typeof this.ssh !== 'string') await this.ssh.stop();
  }
}

/** The client family a transport belongs to (TLS variants share their family's process). */
function familyOf(transport: TransportName): ClientFamily {
  if (transport === 'grpc' || transport === 'grpc-tls') return 'grpc';
  if (transport === 'ws' || transport === 'wss') return 'ws';
  if (transport === 'openssh') return 'openssh';
  return 'local';
}
