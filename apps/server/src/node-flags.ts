/**
 * The Node flags procwire-server runs with. Its launchers pass them: the shebang of `main.ts`, the
 * root `pnpm start` script and the Dockerfile's entrypoint (a test keeps all three in step with
 * this list). Embedders that serve output from their own process want the same flags.
 *
 * `--initial-old-space-size=64` is for throughput. V8 counts the ArrayBuffer memory allocated
 * since its last full (mark-compact) collection against the old generation's allocation limit,
 * and derives that limit from the JS heap. A server relaying output allocates a buffer per pipe
 * read, hundreds of MB a second, while its heap stays near 8 MB; the limit derived from it (about
 * 20 MB) is crossed every 10 MB or so of output. Measured here: 12-20 full collections a second,
 * a quarter of the server's CPU, though the buffers die young and a cheap young-generation
 * collection would free them. With the limit held at 64 MB or more, the young collections come
 * first: 0-3 full collections per 768 MiB relayed, and 1.2-1.5x the throughput over WebSocket and
 * gRPC (BENCHMARKS.md, "Server Node flags"). The cost is up to 64 MB of heap before a full
 * collection. The flag cannot be set at run time (`v8.setFlagsFromString` comes after the heap is
 * sized) nor in NODE_OPTIONS (Node refuses it there).
 */
export const serverNodeFlags: readonly string[] = ['--initial-old-space-size=64'];
