export { exampleTransport } from './client.js';
export { type ExampleServer, serveExample } from './server.js';
