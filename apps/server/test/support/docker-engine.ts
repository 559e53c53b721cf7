/**
 * The private Docker engine the test script starts (tools/scripts/ensure-docker.sh), for the
 * docker backend's tests: its address comes in PROCWIRE_TEST_DOCKER_HOST. Without one, the tests
 * fail with the reason (never a silent skip).
 */
import Docker from 'dockerode';

/** The image ensure-docker.sh imports: busybox-static and nothing else. */
export const TEST_IMAGE = 'procwire-test-busybox';

/** The test engine's address (`unix:///...`); throws the reason the engine is not there. */
export function testDockerHost(): string {
  const host = process.env.PROCWIRE_TEST_DOCKER_HOST;
  if (host !== undefined && host !== '') return host;
  throw new Error(
    process.env.PROCWIRE_TEST_DOCKER_ERROR ??
      'no Docker engine for the tests: run them with `pnpm test` (it starts one), or start one with ' +
        '`tools/scripts/ensure-docker.sh DIR` and set PROCWIRE_TEST_DOCKER_HOST to what it prints',
  );
}

/** A dockerode client of the test engine. */
export function testDocker(): Docker {
  return new Docker({ socketPath: testDockerHost().replace(/^unix:\/\//, '') });
}

/** The containers the server made for `principal` (by their labels). */
export async function principalContainers(docker: Docker, principal: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: ['dev.procwire.managed=true', `dev.procwire.principal=${principal}`] } });
}
