// The CoT reader thread (server/cot): parses large Cursor-on-Target messages beside the main thread
// (reader.ts), answering each request with what parseCot or decodeTakMessage makes of it.
import { parentPort } from 'node:worker_threads';
import { parseCot } from './parse.js';
import { decodeTakMessage } from './protobuf.js';
import type { CotReadReply, CotReadRequest } from './reader.js';

const port = parentPort!;
port.on('message', (req: CotReadRequest) => {
  let reply: CotReadReply;
  try {
    reply = { id: req.id, parsed: req.kind === 'xml' ? parseCot(Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength)) : decodeTakMessage(req.bytes) };
  } catch (err) {
    reply = { id: req.id, parsed: { ok: false, reason: `the message could not be read: ${(err as Error).message}`.slice(0, 200) } };
  }
  port.postMessage(reply);
});
