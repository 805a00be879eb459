// The message reader thread (server/gateway): parses and validates large messages beside the main
// thread (read.ts), answering each request with what readMessage makes of it.
import { parentPort } from 'node:worker_threads';
import { readMessage, type ReadReply, type ReadRequest } from './read.js';

const port = parentPort!;
port.on('message', (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    reply = { id: req.id, read: readMessage(req.bytes, req.form, req.nowMs) };
  } catch (err) {
    reply = { id: req.id, read: { checked: { ok: false, error: { code: 'internal', message: `the server failed to read the message: ${(err as Error).message}`.slice(0, 200), path: '' } } } };
  }
  port.postMessage(reply);
});
