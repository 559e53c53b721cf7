// procwire-server --backend docker, as a real process against the private engine: a container per
// principal, isolated from the others by the kernel (pid, mount, network namespaces, cgroups).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Client, createClient } from '@procwire/core';
import { grpcTransport } from '@procwire/grpc/client';
import type Docker from 'dockerode';
import { principalContainers, TEST_IMAGE, testDocker, testDockerHost } from './support/docker-engine.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import { aliceToken, bobToken, writeTokensFile } from './support/tokens.js';

const PIDS_LIMIT = 48;

/** Runs `argv` to the end: exit code and both outputs. */
async function run(client: Client, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const process = await client.exec(argv);
  const [stdout, stderr] = await Promise.all([process.stdout.read(), process.stderr.read()]);
  return { code: await process.wait(), stdout, stderr };
}

/** Alice's `echo alice again`, retried for up to 15 s while her container has no pid to spare. */
async function aliceOnceFree(alice: Client): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return (await run(alice, ['echo', 'alice again'])).stdout;
    } catch (error) {
      if (Date.now() > deadline || (error as { code?: string }).code !== 'failed_precondition') throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('procwire-server --backend docker', () => {
  let docker: Docker;
  let server: ServerProcess;
  const clients: Client[] = [];
  const tokensFile = writeTokensFile();
  const serverArgs = [
    `--tokens-file=${tokensFile}`,
    '--backend=docker',
    `--docker-image=${TEST_IMAGE}`,
    '--docker-memory=64m',
    `--docker-pids-limit=${PIDS_LIMIT}`,
    '--docker-cpus=0.5',
    '--shutdown-grace-ms=1000',
  ];
  const client = (token: string) => {
    const made = createClient(grpcTransport({ address: server.addresses.grpc, token }), { retryTimeoutMs: 5000 });
    clients.push(made);
    return made;
  };

  before(async () => {
    // The server finds the engine as users' servers do: through DOCKER_HOST.
    process.env.DOCKER_HOST = testDockerHost();
    docker = testDocker();
    for (const principal of ['alice', 'bob']) {
      for (const info of await principalContainers(docker, principal)) await docker.getContainer(info.Id).remove({ force: true });
    }
    server = await startServerProcess(serverArgs);
  });
  after(async () => {
    await Promise.all(clients.splice(0).map((made) => made.close()));
    await server?.stop('SIGKILL');
    for (const principal of ['alice', 'bob']) {
      for (const info of await principalContainers(docker, principal)) await docker.getContainer(info.Id).remove({ force: true });
    }
  });

  it('runs each principal in its own labelled container: different hostnames and process tables', async () => {
    const alice = client(aliceToken);
    const bob = client(bobToken);
    const sleeper = await alice.exec(['sleep', '777']);
    const aliceHost = await run(alice, ['hostname']);
    const bobHost = await run(bob, ['hostname']);
    assert.equal(aliceHost.code, 0);
    assert.notEqual(aliceHost.stdout, bobHost.stdout);
    assert.match((await run(alice, ['ps', '-o', 'args'])).stdout, /sleep 777/);
    assert.doesNotMatch((await run(bob, ['ps', '-o', 'args'])).stdout, /sleep 777/);
    const [aliceContainer] = await principalContainers(docker, 'alice');
    assert.ok(aliceContainer !== undefined, 'alice has a container labelled with her name');
    assert.equal(aliceContainer.State, 'running');
    assert.equal((await principalContainers(docker, 'bob')).length, 1);
    await sleeper.kill('SIGKILL');
    assert.equal(await sleeper.wait(), 137);
  });

  it("bob cannot see, read or signal alice's processes from inside his container", async () => {
    const alice = client(aliceToken);
    const bob = client(bobToken);
    const secret = await alice.exec(['sh', '-c', 'echo alice-secret > /tmp/secret; exec sleep 888']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const look = await run(bob, ['sh', '-c', 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "; cat /tmp/secret']);
    assert.doesNotMatch(look.stdout, /sleep 888/);
    assert.doesNotMatch(look.stdout, /alice-secret/);
    // Every process bob can reach, killed: alice's is not among them.
    await run(bob, ['sh', '-c', 'kill -9 -1; true']);
    assert.equal(await secret.poll(), null, "alice's process still runs");
    assert.equal((await run(alice, ['cat', '/tmp/secret'])).stdout, 'alice-secret\n');
    await secret.kill('SIGKILL');
    assert.equal(await secret.wait(), 137);
  });

  it("a memory hog stops at alice's memory limit and a fork bomb at her pids limit, while bob's execs keep working", async () => {
    const alice = client(aliceToken);
    const bob = client(bobToken);
    let bobSucceeded = 0;
    const bobRuns = async (first: number, count: number) => {
      for (let i = first; i < first + count; i++) {
        const result = await run(bob, ['echo', `bob ${i}`]);
        if (result.code === 0 && result.stdout === `bob ${i}\n`) bobSucceeded++;
      }
    };
    // One after the other: while the bomb holds every pid of her container, starting any other
    // process of hers fails (the runtime cannot fork into it), which is her limit doing its work.
    const hog = await alice.exec(['sh', '-c', 'x=$(head -c 134217728 /dev/zero | tr "\\0" a); echo survived']);
    await bobRuns(0, 4);
    const [hogOut, hogCode] = await Promise.all([hog.stdout.read(), hog.wait()]);
    assert.equal(hogOut, '', 'the hog did not get its 128 MiB');
    assert.notEqual(hogCode, 0);
    const bomb = await alice.exec(['sh', '-c', `i=0; while [ $i -lt ${PIDS_LIMIT * 4} ]; do sleep 3 & i=$((i + 1)); done; wait`]);
    await bobRuns(4, 4);
    const [bombErr, bombCode] = await Promise.all([bomb.stderr.read(), bomb.wait()]);
    assert.match(bombErr, /can't fork/, 'the shell ran into the pids limit');
    assert.notEqual(bombCode, 0);
    assert.equal(bobSucceeded, 8, "every one of bob's execs worked");
    // The bomb's sleeps may outlive its shell by up to 3 s; then her container takes execs again.
    assert.equal(await aliceOnceFree(alice), 'alice again\n');
  });

  it('a restarted server finds the principal container again; shutdown removes the containers', async () => {
    const alice = client(aliceToken);
    const before = (await run(alice, ['hostname'])).stdout;
    await Promise.all(clients.splice(0).map((made) => made.close()));
    await server.stop('SIGKILL');
    server = await startServerProcess(serverArgs);
    assert.equal((await run(client(aliceToken), ['hostname'])).stdout, before);
    await Promise.all(clients.splice(0).map((made) => made.close()));
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.deepEqual(await principalContainers(docker, 'alice'), []);
    assert.deepEqual(await principalContainers(docker, 'bob'), []);
  });
});

describe('procwire-server --backend docker --docker-idle-ms', () => {
  it('removes a principal container after the idle time with no process', async () => {
    process.env.DOCKER_HOST = testDockerHost();
    const docker = testDocker();
    const server = await startServerProcess([
      `--tokens-file=${writeTokensFile()}`,
      '--backend=docker',
      `--docker-image=${TEST_IMAGE}`,
      '--docker-idle-ms=500',
    ]);
    const alice = createClient(grpcTransport({ address: server.addresses.grpc, token: aliceToken }));
    try {
      const echo = await alice.exec(['echo', 'hi']);
      assert.equal(await echo.stdout.read(), 'hi\n');
      await echo.wait();
      assert.equal((await principalContainers(docker, 'alice')).length, 1);
      let left = 1;
      for (let i = 0; i < 50 && left > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = (await principalContainers(docker, 'alice')).length;
      }
      assert.equal(left, 0, 'the container is gone');
    } finally {
      await alice.close();
      await server.stop('SIGKILL');
    }
  });
});
