// The routing thread (routing/): the router over the prepared graph, beside the server's main thread,
// so a zone change with corridors to recompute never stalls socket reading and frames (issue 10). It
// keeps its own copy of the routing part of the picture, folded from the events it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { applyEvents, corridorEvent, emptyPicture, pictureFromJson, routesKey, type Corridor, type CorridorUpdate, type Picture, type PictureEvent } from '@corridor/protocol';
import { readGraphCache } from './graph-cache.js';
import { Router } from './router.js';
import type { FromRouting, RoutingThreadData, ToRouting } from './thread-protocol.js';

const port = parentPort!;
const post = (msg: FromRouting) => port.postMessage(msg);

try {
  const { cacheFile, options, networkWays } = workerData as RoutingThreadData;
  const graph = readGraphCache(cacheFile);
  if (!graph) throw new Error(`the prepared road graph ${cacheFile} is missing or of another version`);
  const router = new Router(graph, options);
  if (networkWays) router.setNetworkWays(networkWays);
  let picture: Picture = emptyPicture();
  /** The corridor last sent for each convoy: what the store will hold, against which refreshes are made. */
  const sent = new Map<string, Corridor>();
  /** The router's corridors as updates for the store (CorridorUpdate), made here, off the main thread. */
  const updatesOf = (corridors: readonly Corridor[]): CorridorUpdate[] =>
    corridors.map((c) => {
      const before = sent.get(c.convoyId);
      sent.set(c.convoyId, c);
      const event = corridorEvent(before, c);
      const json = JSON.stringify(c);
      return event.type === 'corridor.refreshed' ? { convoyId: c.convoyId, json, refresh: { refresh: event.refresh, basis: routesKey(before!) } } : { convoyId: c.convoyId, json };
    });
  const forgetRemoved = (events: readonly PictureEvent[]) => {
    for (const e of events) if (e.type === 'convoy.removed') sent.delete(e.id);
  };
  port.on('message', (msg: ToRouting) => {
    const started = performance.now();
    try {
      switch (msg.kind) {
        case 'init': {
          // Cloned across threads, the slices lost their missing prototype: give it back (issue 9).
          picture = pictureFromJson(msg.picture);
          sent.clear();
          for (const c of Object.values(picture.corridors)) sent.set(c.convoyId, c);
          const updates = updatesOf(router.init(picture));
          return post({ kind: 'corridors', id: msg.id, updates, ms: performance.now() - started });
        }
        case 'events': {
          const events = msg.texts ? msg.texts.map((text) => JSON.parse(text) as PictureEvent) : msg.events;
          picture = applyEvents(picture, events);
          forgetRemoved(events);
          const updates = updatesOf(router.onEvents(events, picture));
          return post({ kind: 'corridors', id: msg.id, updates, ms: performance.now() - started });
        }
        case 'route':
          return post({ kind: 'route', id: msg.id, answer: router.route(msg.query) });
        case 'check':
          return post({ kind: 'check', id: msg.id, answer: router.check(msg.query), ms: performance.now() - started });
      }
    } catch (err) {
      post({ kind: 'failed', id: msg.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  post({ kind: 'ready', bbox: router.bbox, nodeCount: graph.nodeCount, edgeCount: graph.edgeCount });
} catch (err) {
  post({ kind: 'fatal', message: err instanceof Error ? err.message : String(err) });
}
