// The router on its own thread (server/routing-thread.ts over routing/thread.ts) on the Gothenburg
// roads: the same answers as the router in this thread, corridors kept current through its reactor,
// and a thread that dies is started again and brought back in line with the picture (issue 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, routesKey, type Corridor, type Picture, type PictureEvent } from '@corridor/protocol';
import { DEFAULT_ROADS_FILE, prepareRoadNetwork } from '../../routing/index.js';
import type { Router } from '../../routing/router.js';
import type { Reaction, ReactorContext } from '../../server/core/reactor.js';
import { RoutingThread } from '../../server/routing-thread.js';
import { CACHE_DIR, convoy, loadGothenburg, zone } from '../routing/helpers.js';
import { silentLogger, waitFor } from './helpers.js';

/** The corridors of a reaction from the thread, read from their text. */
const corridorsOf = (r: Reaction): Corridor[] => (r.updates ?? []).map((u) => JSON.parse(u.json) as Corridor);

const A: [number, number] = [11.9487, 57.7];
const B: [number, number] = [12.005, 57.728];

describe('RoutingThread', () => {
  let thread: RoutingThread;
  let inline: Router;
  beforeAll(async () => {
    const prepared = await prepareRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir: CACHE_DIR });
    thread = await RoutingThread.start({ cacheFile: prepared.cacheFile }, silentLogger);
    ({ router: inline } = await loadGothenburg());
    expect(thread.bbox).toEqual(inline.bbox);
  });
  afterAll(async () => {
    await thread.close();
  });

  it('answers route queries as the router in this thread does', async () => {
    const query = { from: A, to: B, alternatives: 1 };
    const answer = await thread.route(query);
    expect(answer).toEqual(inline.route(query));
    expect(answer.ok && answer.routes.length).toBe(2);
    const off = await thread.route({ from: [10, 50], to: B });
    expect(off).toMatchObject({ ok: false, code: 'off_network', path: 'from' });
  });

  it('keeps corridors current as a reactor: the picture at start, then the events it is sent', async () => {
    let picture: Picture = applyEvents(emptyPicture(), [{ seq: 1, timeMs: 0, type: 'convoy.upserted', convoy: convoy('cv-1', A, B) }]);
    const appended: Reaction[] = [];
    const ctx: ReactorContext = { append: (r) => appended.push(r), exists: () => true, picture: () => picture, now: () => 0 };
    const started = (await thread.reactor.start!(picture, ctx)) as Reaction;
    expect(started.updates).toHaveLength(1);
    expect(started.updates![0].refresh).toBeUndefined();
    const [first] = corridorsOf(started);
    expect(first).toMatchObject({ convoyId: 'cv-1', status: 'ok', why: { code: 'computed' } });
    // A no-go zone on the best route: the thread re-routes around it.
    const mid = first.routes[0].coordinates[Math.floor(first.routes[0].coordinates.length / 2)];
    const events: PictureEvent[] = [{ seq: 2, timeMs: 0, type: 'threat.upserted', zone: zone('tz-1', mid, 150) }];
    picture = applyEvents(picture, events);
    const reaction = (await thread.reactor.onCommitted(events, picture)) as Reaction;
    const next = corridorsOf(reaction).find((c: Corridor) => c.convoyId === 'cv-1')!;
    expect(next.status).toBe('ok');
    expect(next.why).toMatchObject({ code: 'rerouted_around', zones: [{ kind: 'zone', id: 'tz-1' }] });
    expect(next.routes[0].coordinates).not.toEqual(first.routes[0].coordinates);
    expect(reaction.updates!.find((u) => u.convoyId === 'cv-1')!.refresh).toBeUndefined();
    picture = applyEvents(picture, [{ seq: 3, timeMs: 0, type: 'corridor.recomputed', corridor: next }]);

    // A zone near the routes but off them changes only figures: the thread sends a refresh made
    // against the corridor it sent, keyed by that corridor's routes.
    const [x, y] = next.routes[0].coordinates[Math.floor(next.routes[0].coordinates.length / 3)];
    const near: PictureEvent[] = [{ seq: 4, timeMs: 0, type: 'threat.upserted', zone: zone('tz-2', [x + 0.004, y + 0.002], 60, 'danger') }];
    picture = applyEvents(picture, near);
    // As the store hands them over: with their stored text, which is what crosses to the thread.
    const refreshed = (await thread.reactor.onCommitted(near, picture, near.map((e) => JSON.stringify(e)))) as Reaction;
    const update = refreshed.updates!.find((u) => u.convoyId === 'cv-1')!;
    expect(update.refresh).toBeDefined();
    expect(update.refresh!.basis).toBe(routesKey(next));
    expect(update.refresh!.refresh.clearance).toEqual((JSON.parse(update.json) as Corridor).routes.map((r) => r.min_clearance_m));
  });

  it('starts again after its thread dies: a query then is answered, and the corridors are taken up again', async () => {
    const picture: Picture = applyEvents(emptyPicture(), [{ seq: 1, timeMs: 0, type: 'convoy.upserted', convoy: convoy('cv-9', A, B) }]);
    const appended: Reaction[] = [];
    const ctx: ReactorContext = { append: (r) => appended.push(r), exists: () => true, picture: () => picture, now: () => 0 };
    await thread.reactor.start!(picture, ctx);
    // The thread dies (a fault in it, or killed): what was asked fails, the next query waits for a new one.
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await waitFor(() => appended.length > 0, 20_000, 'corridors after the restart');
    expect(appended[0].updates?.map((u) => u.convoyId)).toEqual(['cv-9']);
    const answer = await thread.route({ from: A, to: B });
    expect(answer.ok).toBe(true);
  });
});
