import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProxy, startFaultProxy } from '@procwire/fault-proxy';

/** An echo server on 127.0.0.1 that answers each connection with what it receives, then ends. */
async function startEcho(): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function portOf(server: Server): number {
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function collect(socket: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  socket.on('data', (data: Buffer) => parts.push(data));
  return new Promise((resolve, reject) => {
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
  });
}

describe('fault proxy', () => {
  let echo: Server;
  let proxy: FaultProxy;
  before(async () => {
    echo = await startEcho();
    proxy = await startFaultProxy({ targetPort: portOf(echo) });
  });
  after(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards bytes both ways untouched, half-close included', async () => {
    const payload = randomBytes(4 * 1024 * 1024);
    const socket = await open(proxy.port);
    const received = collect(socket);
    socket.end(payload);
    const echoed = await received;
    assert.equal(createHash('sha256').update(echoed).digest('hex'), createHash('sha256').update(payload).digest('hex'));
  });

  it('cutAll() resets every open connection and counts it', async () => {
    const socket = await open(proxy.port);
    socket.write('hello');
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    const before = proxy.stats.cuts;
    assert.equal(proxy.cutAll(), 1);
    await closed;
    assert.equal(proxy.stats.cuts, before + 1);
  });

  it('holds bytes while stalled and delivers them after', async () => {
    const socket = await open(proxy.port);
    proxy.setStall(true);
    const received = collect(socket);
    socket.end('stalled bytes');
    let done = false;
    void received.then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(done, false, 'nothing may arrive while stalled');
    proxy.setStall(false);
    assert.equal((await received).toString(), 'stalled bytes');
  });

  it('refuses new connections while refusing', async () => {
    proxy.refuse(true);
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    proxy.refuse(false);
    const ok = await open(proxy.port);
    const received = collect(ok);
    ok.end('back');
    assert.equal((await received).toString(), 'back');
  });
});
