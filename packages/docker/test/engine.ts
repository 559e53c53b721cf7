// The private Docker engine the test script starts (tools/scripts/ensure-docker.sh): its address
// comes in PROCWIRE_TEST_DOCKER_HOST. Without one, the tests fail with the reason.
import { type ConformanceCommands, posixCommands } from '@procwire/conformance';
import Docker from 'dockerode';

/** The image ensure-docker.sh imports: busybox-static and nothing else. */
export const TEST_IMAGE = 'procwire-test-busybox';

/** The test engine's address (`unix:///...`); throws the reason the engine is not there. */
export function testDockerHost(): string {
  const host = process.env.PROCWIRE_TEST_DOCKER_HOST;
  if (host !== undefined && host !== '') return host;
  const reason = process.env.PROCWIRE_TEST_DOCKER_ERROR;
  throw new Error(
    reason ??
      'no Docker engine for the tests: run them with `pnpm test` (it starts one), or start one with ' +
        '`tools/scripts/ensure-docker.sh DIR` and set PROCWIRE_TEST_DOCKER_HOST to what it prints',
  );
}

/** A dockerode client of the test engine. */
export function testDocker(): Docker {
  const host = testDockerHost();
  return new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
}

/** Starts a container of the test image that sleeps until removed; returns its name. */
export async function startTestContainer(docker: Docker, name: string, hostConfig: Docker.HostConfig = {}): Promise<string> {
  await docker.getContainer(name).remove({ force: true }).catch(() => {});
  const container = await docker.createContainer({
    name,
    Image: TEST_IMAGE,
    Cmd: ['sleep', '2147483647'],
    HostConfig: { NetworkMode: 'none', ...hostConfig },
  });
  await container.start();
  return name;
}

/** Removes a container, whatever its state. */
export async function removeTestContainer(docker: Docker, name: string): Promise<void> {
  await docker.getContainer(name).remove({ force: true }).catch(() => {});
}

/**
 * The conformance fixtures in the test image: Debian's busybox-static has no `printenv`, so that
 * one fixture reads the environment with busybox's awk (`ENVIRON`) instead.
 */
export const busyboxCommands: ConformanceCommands = {
  ...posixCommands,
  printEnv: (name) => ['awk', 'BEGIN { n = ARGV[1]; if (n in ENVIRON) print ENVIRON[n]; else print "<unset>" }', name],
};
