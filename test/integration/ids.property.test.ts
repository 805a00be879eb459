// Issue 9, item 7 and its siblings: ids of every shape the schema admits (names of Object's own
// members among them, and whole-number feature ids) round-trip through post, picture, delete and
// replay, for every kind of entity, against a real server (property, fast-check).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

const ADMIN = 'admin-token-for-tests-0123456789';
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`id round-trip property: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

/** Names an id-keyed plain object would find on its prototype. */
const MEMBERS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'length', 'prototype', 'call'];
/** Any id the schema admits: a letter or digit, then letters, digits and . _ : - (1 to 64 characters). */
const id = fc.oneof(
  fc.constantFrom(...MEMBERS),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/),
  fc.stringMatching(/^[0-9]{1,16}$/),
);

const square = { type: 'Polygon', coordinates: [[[11.9, 57.7], [11.901, 57.7], [11.901, 57.701], [11.9, 57.701], [11.9, 57.7]]] };
/** A body of each kind with the given id. */
const bodies: Record<string, (id: string) => unknown> = {
  threats: (id) => ({ type: 'Feature', geometry: square, properties: { id, severity: 'advisory' } }),
  havens: (id) => ({ id, name: `Haven ${id}`, lon: 11.96, lat: 57.7, capacity: 10, status: 'open' }),
  sites: (id) => ({ id, name: `Site ${id}`, lon: 11.96, lat: 57.7, population: 10, date: '2026-11-01', source: 'test' }),
  flows: (id) => ({ id, from: [11.96, 57.7], to: [11.97, 57.71], people: 10, date: '2026-11-01', source: 'test' }),
  constraints: (id) => ({ id, status: 'open', category: 'hostilities', geometry: square, verifiedAt: '2026-11-01T10:00:00Z', verifiedBy: 'test' }),
  convoys: (id) => ({ id, name: `Convoy ${id}`, origin: [11.963, 57.701], destination: [11.968, 57.703] }),
};

describe('issue 9: ids round-trip through post, picture, delete and replay (property)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer(tmp.dir);
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('every kind, every id shape: posted, seen under its id, deleted by it, replayed alike', async () => {
    await fc.assert(
      fc.asyncProperty(id, fc.boolean(), async (entityId, keep) => {
        for (const [kind, body] of Object.entries(bodies)) {
          const posted = await call(`${server.url}/api/${kind}`, { token: ADMIN, body: body(entityId) });
          expect(posted.status, `${kind} ${entityId}`).toBe(201);
          expect(posted.body.id).toBe(entityId);
          const picture = (await call(`${server.url}/api/picture`, { token: ADMIN })).body.picture;
          expect(Object.hasOwn(picture[kind], entityId), `${kind} ${entityId} in the picture`).toBe(true);
          expect(picture[kind][entityId].id).toBe(entityId);
          if (!keep) {
            const removed = await call(`${server.url}/api/${kind}/${encodeURIComponent(entityId)}`, { token: ADMIN, method: 'DELETE' });
            expect(removed.status, `DELETE ${kind} ${entityId}`).toBe(200);
            const after = (await call(`${server.url}/api/picture`, { token: ADMIN })).body.picture;
            expect(Object.hasOwn(after[kind], entityId)).toBe(false);
          }
        }
        // Units have no removal: a fix under the id shows as that unit.
        const fix = await call(`${server.url}/api/positions`, { token: ADMIN, body: { unitId: entityId, lon: 11.96, lat: 57.7 } });
        expect(fix.status).toBe(202);
        expect((await call(`${server.url}/api/picture`, { token: ADMIN })).body.picture.units[entityId]).toMatchObject({ unitId: entityId });
      }),
      { seed: SEED, numRuns: 25 },
    );
    // A whole-number GeoJSON feature id is the same id as its decimal text, everywhere.
    const numeric = await call(`${server.url}/api/threats`, { token: ADMIN, body: { type: 'Feature', id: 9007199254740991, geometry: square, properties: { severity: 'advisory' } } });
    expect(numeric).toMatchObject({ status: 201, body: { id: '9007199254740991' } });
    expect((await call(`${server.url}/api/threats/9007199254740991`, { token: ADMIN, method: 'DELETE' })).status).toBe(200);

    // Replay: a restarted server (snapshot + log) holds the same picture, ids and all. The router's
    // corridors follow the zone changes' acks: wait for them to be committed first.
    await server.store.idle();
    const before = (await call(`${server.url}/api/picture`, { token: ADMIN })).body;
    await server.close();
    server = await startTestServer(tmp.dir);
    const after = (await call(`${server.url}/api/picture`, { token: ADMIN })).body;
    expect(after.seq).toBe(before.seq);
    expect(after.picture).toEqual(before.picture);
    for (const name of MEMBERS) expect(typeof server.store.picture.units[name] === 'function').toBe(false);
  });
});
