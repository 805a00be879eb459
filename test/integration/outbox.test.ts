// Every path out passes the outbox with its recipient (issue 10): a server started with a sharing
// policy that withholds a sensitive source's zones and one force's units from civil staff must keep
// them out of the WebSocket snapshot, frames and resyncs, and out of every HTTP read, while the
// military staff on the same server see everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PictureEvent } from '@corridor/protocol';
import { InlineRouting } from '../../server/routing-service.js';
import { startServer, type RunningServer } from '../../server/app.js';
import type { SharingPolicy } from '../../server/out/outbox.js';
import { FakeEngine, silentLogger, tempDir } from '../server/helpers.js';
import { call, TestClient, testConfig } from './helpers.js';

const hiddenUnit = (id: string) => id.startsWith('mil-');
const CIVIL_ONLY: SharingPolicy = {
  audienceOf: (r) => (r.org === 'ngo' ? 'civil' : 'all'),
  seesAll: (audience) => audience !== 'civil',
  picture: (_a, p) => ({
    ...p,
    units: Object.fromEntries(Object.entries(p.units).filter(([id]) => !hiddenUnit(id))),
    threats: Object.fromEntries(Object.entries(p.threats).filter(([, z]) => z.source !== 'sigint')),
  }),
  event: (_a, e): PictureEvent | undefined => {
    if (e.type === 'threat.upserted') return e.zone.source === 'sigint' ? undefined : e;
    if (e.type !== 'position.reported') return e;
    const units = e.units.filter((u) => !hiddenUnit(u.unitId));
    return units.length === 0 ? undefined : units.length === e.units.length ? e : { ...e, units };
  },
  zones: (_a, ids, picture) => ids.filter((id) => picture.threats[id]?.source !== 'sigint'),
};

const zone = (source: string, label: string) => ({
  type: 'Feature',
  geometry: { type: 'Polygon', coordinates: [[[11.9625, 57.7005], [11.9645, 57.7005], [11.9645, 57.7025], [11.9625, 57.7025], [11.9625, 57.7005]]] },
  properties: { severity: 'no-go', source, label },
});

describe('one way out: a sharing policy applies to every path', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let civil: string;
  let military: string;

  beforeAll(async () => {
    server = await startServer(testConfig(tmp.dir), { routing: new InlineRouting(new FakeEngine()), logger: silentLogger, clientDir: tmp.dir, sharing: CIVIL_ONLY });
    civil = server.tokens.create({ org: 'ngo', role: 'viewer' }).token;
    military = server.tokens.create({ org: 'army', role: 'viewer' }).token;
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('withholds from the civil audience, on the socket and over HTTP, what it shows the military one', async () => {
    const admin = server.adminToken;
    expect((await call(`${server.url}/api/positions`, { token: admin, body: [{ unitId: 'mil-1', lon: 11.963, lat: 57.701 }, { unitId: 'ngo-1', lon: 11.964, lat: 57.702 }] })).status).toBe(202);
    const secret = await call(`${server.url}/api/threats`, { token: admin, body: zone('sigint', 'reported ambush') });
    const open = await call(`${server.url}/api/threats`, { token: admin, body: zone('ocha', 'shelling') });
    expect([secret.status, open.status]).toEqual([201, 201]);

    const c = await TestClient.connect(server.url, civil);
    const m = await TestClient.connect(server.url, military);
    const [cs, ms] = await Promise.all([c.next((x) => x.type === 'snapshot'), m.next((x) => x.type === 'snapshot')]);
    expect(Object.keys(cs.picture.units)).toEqual(['ngo-1']);
    expect(Object.keys(cs.picture.threats)).toEqual([open.body.id]);
    expect(Object.keys(ms.picture.units).sort()).toEqual(['mil-1', 'ngo-1']);
    expect(Object.keys(ms.picture.threats).sort()).toEqual([open.body.id, secret.body.id].sort());

    // Frames.
    await call(`${server.url}/api/positions`, { token: admin, body: [{ unitId: 'mil-2', lon: 11.963, lat: 57.701 }, { unitId: 'ngo-2', lon: 11.964, lat: 57.702 }] });
    const another = await call(`${server.url}/api/threats`, { token: admin, body: zone('sigint', 'second report') });
    const seq = another.body.seq as number;
    const framed = async (client: TestClient) => {
      await client.next((x) => x.type === 'delta' && x.seq >= seq);
      return client.received.filter((x) => x.type === 'delta').flatMap((x) => x.events as Array<Record<string, any>>);
    };
    const civilEvents = await framed(c);
    const militaryEvents = await framed(m);
    expect(civilEvents.flatMap((e) => (e.units ?? []).map((u: { unitId: string }) => u.unitId))).toEqual(['ngo-2']);
    expect(civilEvents.some((e) => e.type === 'threat.upserted')).toBe(false);
    expect(militaryEvents.flatMap((e) => (e.units ?? []).map((u: { unitId: string }) => u.unitId))).toEqual(['mil-2', 'ngo-2']);
    expect(militaryEvents.filter((e) => e.type === 'threat.upserted').map((e) => e.zone.id)).toEqual([another.body.id]);

    // A resync from the log.
    c.received.length = 0;
    c.send({ type: 'resync', since: cs.seq });
    const resync = await c.next((x) => x.type === 'delta');
    expect(JSON.stringify(resync)).not.toMatch(/mil-|sigint/);
    expect(JSON.stringify(resync)).toMatch(/ngo-2/);
    await Promise.all([c.close(), m.close()]);

    // Every HTTP read.
    const picture = await call(`${server.url}/api/picture`, { token: civil });
    expect(Object.keys(picture.body.picture.units).sort()).toEqual(['ngo-1', 'ngo-2']);
    expect(Object.keys(picture.body.picture.threats)).toEqual([open.body.id]);
    expect(Object.keys((await call(`${server.url}/api/picture`, { token: military })).body.picture.threats)).toHaveLength(3);
    const audit = await call(`${server.url}/api/events?since=0`, { token: civil });
    expect(audit.text).not.toMatch(/mil-|sigint/);
    expect((await call(`${server.url}/api/events?since=0`, { token: military })).text).toMatch(/mil-1[\s\S]*sigint/);
    // A refused route names only the zones its reader may know of.
    const inside = 'from=11.963,57.701&to=11.968,57.704';
    const refusedCivil = await call(`${server.url}/api/route?${inside}`, { token: civil });
    const refusedMilitary = await call(`${server.url}/api/route?${inside}`, { token: military });
    expect(refusedMilitary.body.error.blockedBy.sort()).toEqual([open.body.id, secret.body.id, another.body.id].sort());
    expect(refusedCivil.body.error).toMatchObject({ code: 'no_safe_route', blockedBy: [open.body.id] });
  });
});
