// Node flags the server runs with, in `npm start` (scripts/start.mjs) and in `npm run bench:ingest`.
// - A young generation of 64 MB cuts collection time under a stream of position reports.
// - The old generation is collected once it has grown 50 % past what the last full collection left.
//   Without it, V8 lets garbage promoted under load pile up to a limit set by the start-up peak
//   (1 GB of RSS at 50,000 updates/s, for about 35 MB live), and the tail latency suffers. It is a
//   growth factor, not a cap: a large road network still gets all the memory it needs.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64', '--heap-growing-percent=50'];
