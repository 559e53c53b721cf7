import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@procwire/core';
import { isProcwireError } from '@procwire/core/transport';
import { type Stack, startStack } from './support/stack.js';
import { type CertificatePair, selfSignedCertificate } from './support/self-signed.js';

describe('TLS with a certificate and key', () => {
  let stack: Stack;
  let pair: CertificatePair;
  before(async () => {
    pair = selfSignedCertificate();
    stack = await startStack({ tokens: { 'tls-token': 'carol' }, tls: { cert: pair.cert, key: pair.key } });
  });
  after(() => stack.close());

  test('a client that trusts the certificate runs a process over TLS', async () => {
    const client = createClient(stack.transport({ token: 'tls-token', tls: { ca: pair.cert } }));
    const p = await client.exec(['sh', '-c', 'cat; exit 4']);
    p.stdin.write('over tls');
    p.stdin.writeEof();
    assert.equal(await p.stdout.read(), 'over tls');
    assert.equal(await p.wait(), 4);
  });

  test('the certificate is checked against serverName when given', async () => {
    const transport = stack.transport({ token: 'tls-token', tls: { ca: pair.cert, serverName: 'localhost' } });
    const info = await transport.start({ processId: 'tls-named', argv: ['true'], stdout: 'pipe', stderr: 'pipe' });
    assert.equal((await transport.wait({ processId: info.processId })).code, 0);
  });

  test('a client that does not trust the certificate cannot connect', async () => {
    const other = selfSignedCertificate();
    const transport = stack.transport({ token: 'tls-token', tls: { ca: other.cert } });
    await assert.rejects(transport.list(), (error) => isProcwireError(error, 'unavailable'));
  });

  test('a plaintext client cannot talk to the TLS server', async () => {
    const transport = stack.transport({ token: 'tls-token' });
    await assert.rejects(transport.list(), (error) => isProcwireError(error, 'unavailable'));
  });
});

describe('mutual TLS', () => {
  test('requireClientCert admits a client with a certificate the server trusts and refuses one without', async () => {
    const serverPair = selfSignedCertificate();
    const clientPair = selfSignedCertificate('procwire-client');
    const stack = await startStack({
      tokens: { 'mtls-token': 'ivan' },
      tls: { cert: serverPair.cert, key: serverPair.key, ca: clientPair.cert, requireClientCert: true },
    });
    try {
      const admitted = stack.transport({
        token: 'mtls-token',
        tls: { ca: serverPair.cert, cert: clientPair.cert, key: clientPair.key },
      });
      const info = await admitted.start({ processId: 'mtls', argv: ['true'], stdout: 'pipe', stderr: 'pipe' });
      assert.equal((await admitted.wait({ processId: info.processId })).code, 0);
      const refused = stack.transport({ token: 'mtls-token', tls: { ca: serverPair.cert } });
      await assert.rejects(refused.list(), (error) => isProcwireError(error, 'unavailable'));
    } finally {
      await stack.close();
    }
  });
});

test('serveGrpc rejects with unavailable when the port is taken', async () => {
  const first = await startStack({});
  try {
    await assert.rejects(startStack({ port: first.server.port }), (error) => isProcwireError(error, 'unavailable'));
  } finally {
    await first.close();
  }
});
