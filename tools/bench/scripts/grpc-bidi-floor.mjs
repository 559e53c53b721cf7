#!/usr/bin/env node
// The floor of an exec-shaped gRPC call on this machine (not a test, not shipped): a bare grpc-js
// bidirectional call between two processes, with the message pattern of procwire's Exec and no
// work in the server. The client writes one message; the server answers at once (`started`), again
// 2 ms later (`exit`, about what `true` takes to run here); the client half-closes on the second and
// waits for the status.
//   node tools/bench/scripts/grpc-bidi-floor.mjs [samples]
// Prints the p50 to the first answer and to the status, and the client's CPU time per call.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const grpc = createRequire(import.meta.url)('@grpc/grpc-js');
const same = (bytes) => bytes;
const service = {
  call: {
    path: '/floor.Floor/Call',
    requestStream: true,
    responseStream: true,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  },
};

if (process.argv[2] === '--server') {
  const server = new grpc.Server();
  server.addService(service, {
    call(call) {
      call.once('data', () => {
        call.write(Buffer.from('started'));
        setTimeout(() => call.write(Buffer.from('exit')), 2);
      });
      call.on('end', () => call.end());
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => process.send(error ? -1 : port));
} else {
  const samples = Number(process.argv[2] ?? 300);
  const server = fork(fileURLToPath(import.meta.url), ['--server']);
  const port = await new Promise((resolve) => server.once('message', resolve));
  const Client = grpc.makeGenericClientConstructor(service);
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const first = [];
  const whole = [];
  const once = () =>
    new Promise((resolve) => {
      const start = performance.now();
      const call = client.call();
      let answers = 0;
      call.on('data', () => {
        answers++;
        if (answers === 1) first.push(performance.now() - start);
        else call.end();
      });
      call.on('error', () => {});
      call.on('status', () => {
        whole.push(performance.now() - start);
        resolve();
      });
      call.write(Buffer.from('start'));
    });
  for (let i = 0; i < 50; i++) await once();
  first.length = 0;
  whole.length = 0;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < samples; i++) await once();
  const cpu = process.cpuUsage(cpuBefore);
  const p50 = (values) => values.sort((a, b) => a - b)[values.length >> 1].toFixed(2);
  console.log(`grpc-js bidi call between two processes: first answer p50 ${p50(first)} ms, status p50 ${p50(whole)} ms`);
  console.log(`client CPU per call: ${((cpu.user + cpu.system) / 1000 / samples).toFixed(2)} ms`);
  client.close();
  server.kill();
}
