/**
 * No child inherits a descriptor of the host: not another terminal's master (bob could type into
 * alice's terminal through it, and a terminal would outlive a killed host), not a socket, not a
 * log file. Each child lists its own descriptors as the child itself (`ls /proc/$$/fd` in the
 * shell that is the child) and must see only 0, 1 and 2.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StartRequest, Transport } from '@procwire/core/transport';
import { localTransport } from '@procwire/local-pty';
import { nextId, pipeRequest, pipeSpawnModes, procStats, ptyRequest } from './helpers.js';

const LIST_FDS = ['sh', '-c', 'ls /proc/$$/fd'];
/** Holds its terminal or pipes open while the others list their descriptors. */
const HOLD = ['sleep', '60'];

/** The descriptors a child listed, as numbers (a terminal ends lines with \r\n). */
async function listedFds(transport: Transport, request: StartRequest, principal: string): Promise<number[]> {
  await transport.start(request, { principal });
  const status = await transport.wait({ processId: request.processId }, { principal });
  assert.equal(status.code, 0, `${request.processId} exited ${status.code}`);
  const parts: Uint8Array[] = [];
  for await (const chunk of transport.readOutput({ processId: request.processId, fd: 1, offset: 0 }, { principal })) {
    parts.push(chunk.data);
  }
  return Buffer.concat(parts)
    .toString('utf8')
    .split(/\s+/)
    .filter((word) => word !== '')
    .map(Number)
    .sort((a, b) => a - b);
}

/** What a process's descriptors point to (`/dev/ptmx`, `socket:[…]`, a path). */
function fdTargets(pid: number): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      targets.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return targets;
}

for (const { name, options } of pipeSpawnModes) {
  for (const order of ['pty first', 'pipe first'] as const) {
    describe(`descriptors: ${order}, pipes through ${name}`, () => {
      let transport: Transport;

      before(async () => {
        transport = localTransport(options);
        const holders = [
          { principal: 'alice', request: ptyRequest(nextId('alice-pty'), HOLD) },
          { principal: 'bob', request: pipeRequest(nextId('bob-pipe'), HOLD) },
          { principal: 'alice', request: pipeRequest(nextId('alice-pipe'), HOLD) },
          { principal: 'bob', request: ptyRequest(nextId('bob-pty'), HOLD) },
        ];
        if (order === 'pipe first') holders.reverse();
        for (const { principal, request } of holders) await transport.start(request, { principal });
      });

      after(() => transport.close());

      for (const principal of ['alice', 'bob']) {
        test(`${principal}'s terminal has only 0, 1, 2`, async () => {
          assert.deepEqual(await listedFds(transport, ptyRequest(nextId('list'), LIST_FDS), principal), [0, 1, 2]);
        });

        test(`${principal}'s piped process has only 0, 1, 2`, async () => {
          assert.deepEqual(await listedFds(transport, pipeRequest(nextId('list'), LIST_FDS), principal), [0, 1, 2]);
        });
      }

      if ('spawnHelper' in options) {
        test('the spawn helper holds no terminal', async () => {
          const children = (await procStats()).filter((stat) => stat.ppid === process.pid && stat.state !== 'Z');
          const commandLine = (pid: number) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            } catch {
              return ''; // gone meanwhile
            }
          };
          const helpers = children.filter(({ pid }) => commandLine(pid).includes('spawn-helper-main'));
          let checked = 0;
          for (const { pid } of helpers) {
            const targets = fdTargets(pid);
            assert.deepEqual(
              targets.filter((target) => target === '/dev/ptmx'),
              [],
              `child ${pid} holds a terminal master`,
            );
            checked++;
          }
          assert.ok(checked > 0, 'the spawn helper was found among the children');
        });
      }
    });
  }
}

describe('descriptors: the host sockets and files stay in the host', () => {
  let dir: string;
  let server: Server;
  let client: Socket;
  let accepted: Socket | undefined;
  let logFd: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procwire-fds-'));
    logFd = openSync(join(dir, 'server.log'), 'a');
    server = createServer((socket) => {
      accepted = socket;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });

  after(() => {
    client.destroy();
    accepted?.destroy();
    server.close();
    closeSync(logFd);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const { name, options } of pipeSpawnModes) {
    test(`a listening socket, a connection and an open log file are not inherited (pipes through ${name})`, async () => {
      const transport = localTransport(options);
      try {
        assert.ok(accepted !== undefined, 'the connection was accepted');
        const pipe = await listedFds(transport, pipeRequest(nextId('list'), LIST_FDS), 'carol');
        const pty = await listedFds(transport, ptyRequest(nextId('list'), LIST_FDS), 'carol');
        assert.deepEqual(pipe, [0, 1, 2]);
        assert.deepEqual(pty, [0, 1, 2]);
      } finally {
        await transport.close();
      }
    });
  }

  test('a piped process started after a terminal holds no terminal master, and the terminal dies with its leader', async () => {
    const transport = localTransport();
    try {
      const terminal = await transport.start(ptyRequest(nextId('term'), ['sleep', '60']), { principal: 'alice' });
      const other = await transport.start(pipeRequest(nextId('other'), ['sleep', '60']), { principal: 'bob' });
      const ptmx = fdTargets(other.pid as number).filter((target) => target === '/dev/ptmx');
      assert.deepEqual(ptmx, [], "bob's process holds no terminal master");
      await transport.signal({ processId: terminal.processId, signal: 'SIGKILL' }, { principal: 'alice' });
      const status = await transport.wait({ processId: terminal.processId }, { principal: 'alice' });
      assert.equal(status.signal, 'SIGKILL');
    } finally {
      await transport.close();
    }
  });
});
