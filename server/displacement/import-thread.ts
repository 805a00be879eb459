// The import thread (server/displacement, issue 17): reads import requests beside the main thread
// (importer.ts), answering each with its report, and keeps an accepted import's sites and flows until
// the main thread takes them a part at a time (so no one hand-over holds its event loop for long).
import { parentPort } from 'node:worker_threads';
import { readBody, type Held, type ImportReply, type ImportRequestMessage } from './importer.js';

const port = parentPort!;
/** Accepted imports' items, by request id, until taken or dropped. */
const held = new Map<number, { items: Held; timer: NodeJS.Timeout }>();
/** An import's items not taken within this long are dropped (the request was answered or abandoned), ms. */
const HOLD_MS = 120_000;

port.on('message', (msg: ImportRequestMessage) => {
  let reply: ImportReply;
  try {
    if (msg.kind === 'read') {
      const { answer, items } = readBody(msg.bytes, msg.nowMs, msg.defaults);
      if (items) held.set(msg.id, { items, timer: setTimeout(() => held.delete(msg.id), HOLD_MS) });
      reply = { id: msg.id, kind: 'read', answer };
    } else if (msg.kind === 'take') {
      const h = held.get(msg.id);
      const list = h ? h.items[msg.part] : [];
      reply = { id: msg.id, kind: 'take', items: list.slice(msg.from, msg.from + msg.count) };
    } else {
      const h = held.get(msg.id);
      if (h) clearTimeout(h.timer);
      held.delete(msg.id);
      return;
    }
  } catch (err) {
    reply = { id: msg.id, kind: 'failed', message: `the server failed to read the import: ${(err as Error).message}`.slice(0, 200) };
  }
  port.postMessage(reply);
});
