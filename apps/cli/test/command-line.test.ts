import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, ExitCode, parseCommandLine, parseEndpoint, resolveConnection } from 'procwire';

function usageFailure(args: string[]): string {
  try {
    parseCommandLine(args);
  } catch (error) {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, ExitCode.Usage);
    return error.message;
  }
  assert.fail(`expected a usage error for ${args.join(' ')}`);
}

describe('procwire command line', () => {
  it('stops exec options at the command, with or without --', () => {
    const plain = parseCommandLine(['exec', '-it', '-e', 'A=1', '--cwd', '/tmp', 'ls', '-la', '--url', 'x']);
    assert.equal(plain.name, 'exec');
    assert.ok(plain.name === 'exec');
    assert.deepEqual(plain.argv, ['ls', '-la', '--url', 'x']);
    assert.equal(plain.interactive, true);
    assert.equal(plain.tty, true);
    assert.equal(plain.cwd, '/tmp');
    assert.deepEqual(plain.env, { A: '1' });
    const dashed = parseCommandLine(['exec', '--timeout', '2.5', '--', '-weird-name', 'x']);
    assert.ok(dashed.name === 'exec');
    assert.deepEqual(dashed.argv, ['-weird-name', 'x']);
    assert.equal(dashed.timeoutSeconds, 2.5);
  });

  it('attach replays by default and not with --no-replay; other commands refuse --no-replay', () => {
    assert.deepEqual(parseCommandLine(['attach', 'p-1']), { name: 'attach', connection: {}, processId: 'p-1', replay: true });
    assert.deepEqual(parseCommandLine(['attach', '--no-replay', 'p-1']), { name: 'attach', connection: {}, processId: 'p-1', replay: false });
    assert.match(usageFailure(['wait', '--no-replay', 'p-1']), /unknown option '--no-replay'.*procwire wait --help/);
  });

  it('takes -e NAME from the local environment and -eNAME=V inline', () => {
    const command = parseCommandLine(['exec', '-e', 'HOME', '-eX=y=z', '-e', 'UNSET_HERE', '--', 'env'], { HOME: '/h' });
    assert.ok(command.name === 'exec');
    assert.deepEqual(command.env, { HOME: '/h', X: 'y=z' });
  });

  it('names the bad flag, the bad value and the missing argument', () => {
    assert.match(usageFailure(['exec', '--bogus', '--', 'true']), /unknown option '--bogus'.*procwire exec --help/);
    assert.match(usageFailure(['exec', '--timeout', 'soon', '--', 'true']), /--timeout .*'soon'/);
    assert.match(usageFailure(['exec', '-i']), /missing the command/);
    assert.match(usageFailure(['kill']), /missing the process id/);
    assert.match(usageFailure(['kill', 'p1', 'SIGNOPE']), /unknown signal 'SIGNOPE'/);
    assert.match(usageFailure(['frobnicate']), /unknown command 'frobnicate'/);
    assert.match(usageFailure(['ps', '--url']), /'--url' needs a value/);
  });

  it('accepts signals as kill(1) does', () => {
    for (const [text, expected] of [['9', 'SIGKILL'], ['term', 'SIGTERM'], ['SIGUSR1', 'SIGUSR1'], ['HUP', 'SIGHUP']]) {
      const command = parseCommandLine(['kill', 'p1', text!]);
      assert.ok(command.name === 'kill');
      assert.equal(command.signal, expected);
    }
  });

  it('picks the transport from the URL scheme', () => {
    assert.deepEqual(parseEndpoint(undefined), { kind: 'local' });
    assert.deepEqual(parseEndpoint('grpc://127.0.0.1:7070'), {
      kind: 'grpc',
      address: '127.0.0.1:7070',
      tls: false,
      url: 'grpc://127.0.0.1:7070',
    });
    assert.equal(parseEndpoint('grpcs://h.example:443').kind, 'grpc');
    assert.deepEqual(parseEndpoint('ws://127.0.0.1:7071'), { kind: 'websocket', url: 'ws://127.0.0.1:7071/procwire' });
    assert.deepEqual(parseEndpoint('wss://h.example/x'), { kind: 'websocket', url: 'wss://h.example/x' });
    assert.throws(() => parseEndpoint('http://h:1'), /unknown scheme 'http:'/);
    assert.throws(() => parseEndpoint('grpc://h'), /needs a host and a port/);
  });

  it('takes URL and token from the environment, flags first, and never both token flags', () => {
    const fromEnv = resolveConnection({}, { PROCWIRE_URL: 'ws://127.0.0.1:9', PROCWIRE_TOKEN: 't0k' });
    assert.equal(fromEnv.endpoint.kind, 'websocket');
    assert.equal(fromEnv.token, 't0k');
    assert.equal(fromEnv.tokenSource, 'PROCWIRE_TOKEN');
    const fromFlags = resolveConnection({ url: 'grpc://127.0.0.1:1', token: 'mine' }, { PROCWIRE_TOKEN: 't0k' });
    assert.equal(fromFlags.endpoint.kind, 'grpc');
    assert.equal(fromFlags.token, 'mine');
    assert.throws(() => resolveConnection({ token: 'a', tokenFile: '/x' }, {}), /either --token or --token-file/);
    assert.throws(() => resolveConnection({ tokenFile: '/nonexistent/token' }, {}), /cannot read the token file \/nonexistent\/token \(ENOENT\)/);
  });
});
