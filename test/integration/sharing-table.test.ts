// Who sees what (issue 13), as a table that reads like the agreement: for every kind of posted item, every
// marking and every role@org of a set of tokens, what a real server under a small test agreement sends
// over the WebSocket (the snapshot, the live deltas) and over HTTP (the picture, the lists, the audit
// trail, per-id reads): withheld, in full, without named fields, or coarsened to a grid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, KINDS, pictureFromJson, type Kind, type Picture, type PictureEvent } from '@corridor/protocol';
import type { RunningServer } from '../../server/app.js';
import { parseAgreement } from '../../server/sharing/agreement.js';
import { coarsen } from '../../server/sharing/policy.js';
import { tempDir, waitFor } from '../server/helpers.js';
import { call, startTestServer, TestClient, type Json } from './helpers.js';

/**
 * The test agreement. Rules are looked at in order; an organisation always receives its own items in
 * full; no rule, nothing. `admin` is the organisation of the server's admin token.
 */
const AGREEMENT = parseAgreement(
  `name: TEST who sees what (sharing-table.test.ts)
markings: [releasable-all, humanitarian, coalition-only, restricted]
organisations:
  - { id: HUM-A, kind: humanitarian, defaultMarking: releasable-all }
  - { id: HUM-B, kind: humanitarian, defaultMarking: humanitarian }
  - { id: MIL, kind: military, defaultMarking: releasable-all }
  - { id: CIV, kind: civil, defaultMarking: releasable-all }
  - { id: admin, kind: civil, defaultMarking: releasable-all }
rules:
  # 1. The server's administrators: everything, in full.
  - { kinds: ['*'], markings: ['*'], to: { orgs: [admin], roles: [admin] } }
  # 2. Restricted: military analysts only (a rule narrowed to a role).
  - { kinds: ['*'], markings: [restricted], to: { orgKinds: [military], roles: [analyst] } }
  # 3. Coalition only: military organisations.
  - { kinds: ['*'], markings: [coalition-only], to: { orgKinds: [military] } }
  # 4. Humanitarian convoys reach civil planners too, without contact and plates.
  - { kinds: [convoy], markings: [humanitarian], to: { orgKinds: [civil], roles: [planner] }, remove: [contact, plates] }
  # 5. Humanitarian: humanitarian organisations.
  - { kinds: ['*'], markings: [humanitarian], to: { orgKinds: [humanitarian] } }
  # 6. Military units reach humanitarian organisations on a 1 km grid, without callsign, heading and speed.
  - { kinds: [unit], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [humanitarian] }, remove: [callsign, heading, speed], coarsen_m: 1000 }
  # 7. Military threat zones and sites reach them without their source; military flows on a 1 km grid.
  - { kinds: [threat, site], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [humanitarian] }, remove: [source] }
  - { kinds: [flow], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [humanitarian] }, coarsen_m: 1000 }
  # 8. Military convoys reach civil organisations on a 1 km grid; military constraints reach
  #    humanitarian ones without who verified them and why.
  - { kinds: [convoy], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [civil] }, coarsen_m: 1000 }
  - { kinds: [constraint], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [humanitarian] }, remove: [reason, verifiedBy] }
  # 8b. Military field reports reach humanitarian organisations on a 1 km grid, without the unit and its words (a protected source).
  - { kinds: [report], markings: [releasable-all], from: { orgKinds: [military] }, to: { orgKinds: [humanitarian] }, remove: [unitId, text], coarsen_m: 1000 }
  # 9. Civil viewers receive havens on a 1 km grid (a haven's figures are never removed: they decide where convoys go).
  - { kinds: [haven], markings: [releasable-all], to: { orgKinds: [civil], roles: [viewer] }, coarsen_m: 1000 }
  # 10. Everything else releasable to all: everyone, in full.
  - { kinds: ['*'], markings: [releasable-all], to: { all: true } }
`,
  'sharing-table.yaml',
);

/** The recipients: one token each (admin@admin is the server's admin token). */
const RECIPIENTS = [
  'field@HUM-A',
  'analyst@HUM-A',
  'viewer@HUM-A',
  'admin@HUM-A',
  'field@HUM-B',
  'planner@HUM-B',
  'analyst@HUM-B',
  'viewer@HUM-B',
  'field@MIL',
  'planner@MIL',
  'analyst@MIL',
  'viewer@MIL',
  'planner@CIV',
  'viewer@CIV',
  'admin@admin',
] as const;
type Recipient = (typeof RECIPIENTS)[number];

type ItemKind = 'unit' | Kind;
/**
 * Who receives an item, and how: keys name recipients (`role@org`, an organisation, or `*` for the
 * rest; several separated by spaces); a `role@org` beats an organisation, an organisation beats `*`.
 * Values: `withheld`, `full`, `without <fields>`, `coarsened <N> m`, or both of the last joined by `;`.
 */
type Receives = Record<string, string>;
type Row = readonly [kind: ItemKind, marking: string, postedBy: Recipient, receives: Receives];

const COARSE_UNIT = 'without callsign, heading, speed; coarsened 1000 m';
const ONLY_HUMANITARIAN = { 'HUM-A HUM-B admin': 'full', '*': 'withheld' };
const ONLY_MILITARY = { 'MIL admin': 'full', '*': 'withheld' };
const ONLY_MILITARY_ANALYSTS = { 'analyst@MIL admin': 'full', '*': 'withheld' };

// prettier-ignore
const TABLE: readonly Row[] = [
  // kind          marking           posted by        who receives it, and how
  ['unit',       'releasable-all', 'field@MIL',     { 'HUM-A HUM-B': COARSE_UNIT, '*': 'full' }],
  ['unit',       'releasable-all', 'field@HUM-A',   { '*': 'full' }],
  ['unit',       'humanitarian',   'field@HUM-B',   ONLY_HUMANITARIAN],
  ['unit',       'coalition-only', 'field@MIL',     ONLY_MILITARY],
  ['unit',       'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['threat',     'releasable-all', 'analyst@MIL',   { 'HUM-A HUM-B': 'without source', '*': 'full' }],
  ['threat',     'releasable-all', 'analyst@HUM-A', { '*': 'full' }],
  ['threat',     'humanitarian',   'analyst@HUM-B', ONLY_HUMANITARIAN],
  ['threat',     'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  // Its owner receives its own in full, whatever the role: every role of MIL.
  ['threat',     'restricted',     'analyst@MIL',   ONLY_MILITARY],
  ['threat',     'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['haven',      'releasable-all', 'planner@MIL',   { 'viewer@CIV': 'coarsened 1000 m', '*': 'full' }],
  ['haven',      'humanitarian',   'planner@HUM-B', ONLY_HUMANITARIAN],
  ['haven',      'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  ['haven',      'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['site',       'releasable-all', 'analyst@MIL',   { 'HUM-A HUM-B': 'without source', '*': 'full' }],
  ['site',       'humanitarian',   'analyst@HUM-B', ONLY_HUMANITARIAN],
  ['site',       'coalition-only', 'analyst@MIL',   ONLY_MILITARY],
  ['site',       'restricted',     'analyst@MIL',   ONLY_MILITARY],
  ['flow',       'releasable-all', 'analyst@MIL',   { 'HUM-A HUM-B': 'coarsened 1000 m', '*': 'full' }],
  ['flow',       'humanitarian',   'analyst@HUM-B', ONLY_HUMANITARIAN],
  ['flow',       'coalition-only', 'analyst@MIL',   ONLY_MILITARY],
  ['flow',       'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['constraint', 'releasable-all', 'planner@MIL',   { 'HUM-A HUM-B': 'without reason, verifiedBy', '*': 'full' }],
  ['constraint', 'humanitarian',   'analyst@HUM-B', ONLY_HUMANITARIAN],
  ['constraint', 'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  ['constraint', 'restricted',     'analyst@MIL',   ONLY_MILITARY],
  ['convoy',     'releasable-all', 'planner@MIL',   { CIV: 'coarsened 1000 m', '*': 'full' }],
  ['convoy',     'humanitarian',   'planner@HUM-B', { ...ONLY_HUMANITARIAN, 'planner@CIV': 'without contact, plates' }],
  ['convoy',     'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  ['convoy',     'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['plan',       'releasable-all', 'planner@MIL',   { '*': 'full' }],
  ['plan',       'humanitarian',   'planner@HUM-B', ONLY_HUMANITARIAN],
  ['plan',       'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  ['plan',       'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
  ['report',     'releasable-all', 'field@MIL',     { 'HUM-A HUM-B': 'without unitId, text; coarsened 1000 m', '*': 'full' }],
  ['report',     'humanitarian',   'field@HUM-B',   ONLY_HUMANITARIAN],
  ['report',     'coalition-only', 'planner@MIL',   ONLY_MILITARY],
  ['report',     'restricted',     'admin@admin',   ONLY_MILITARY_ANALYSTS],
];

/** What a recipient receives of an item. */
interface Outcome {
  receives: boolean;
  without: string[];
  coarsenM?: number;
}

/** The table's words for one recipient: the most specific key naming it. */
function outcomeText(receives: Receives, recipient: string): string {
  const org = recipient.slice(recipient.indexOf('@') + 1);
  let best: { rank: number; key: string; text: string } | undefined;
  for (const [key, text] of Object.entries(receives)) {
    for (const who of key.split(' ')) {
      const rank = who === recipient ? 2 : who === org ? 1 : who === '*' ? 0 : -1;
      if (rank < 0) continue;
      if (best?.rank === rank && best.key !== key) throw new Error(`the table names ${recipient} twice alike: "${best.key}" and "${key}"`);
      if (!best || rank > best.rank) best = { rank, key, text };
    }
  }
  if (!best) throw new Error(`the table does not say what ${recipient} receives`);
  return best.text;
}

/** `without a, b; coarsened 1000 m` → its outcome. */
function outcomeOf(text: string): Outcome {
  if (text === 'withheld') return { receives: false, without: [] };
  if (text === 'full') return { receives: true, without: [] };
  const out: Outcome = { receives: true, without: [] };
  for (const part of text.split(';').map((p) => p.trim())) {
    const without = /^without (.+)$/.exec(part);
    const coarse = /^coarsened (\d+) m$/.exec(part);
    if (without) out.without = without[1].split(',').map((f) => f.trim());
    else if (coarse) out.coarsenM = Number(coarse[1]);
    else throw new Error(`the table says "${part}", which is not an outcome`);
  }
  return out;
}

const SLICE: Record<ItemKind, Exclude<keyof Picture, 'seq'>> = {
  unit: 'units',
  threat: 'threats',
  haven: 'havens',
  site: 'sites',
  flow: 'flows',
  constraint: 'constraints',
  convoy: 'convoys',
  plan: 'plans',
  report: 'reports',
};
const PREFIX: Record<ItemKind, string> = { unit: 'un-', ...Object.fromEntries(Object.entries(KINDS).map(([k, s]) => [k, s.prefix])) } as Record<ItemKind, string>;
/** The kinds of item whose positions a grid coarsens, and the fields holding them. */
const POSITIONS: Partial<Record<ItemKind, (item: Json) => number[][]>> = {
  unit: (u) => [[u.lon, u.lat]],
  haven: (h) => [[h.lon, h.lat]],
  flow: (f) => [f.from, f.to],
  convoy: (c) => [c.origin, c.destination, ...c.checkpoints.map((p: Json) => p.at)],
  report: (r) => [r.at],
};

/** A row's item: its id (a token no other text contains) and where it lies (its own coordinates). */
function idOf(i: number): string {
  return `${PREFIX[TABLE[i][0]]}r${String(i).padStart(2, '0')}z`;
}
function placeOf(i: number): { lon: number; lat: number; lon2: number; lat2: number; lon3: number; lat3: number } {
  // Six decimals, the last always 3 or 4 (longitudes), 7 or 8 (latitudes): no position's text is in another's.
  const lon = Number((11.960003 + i * 0.00037).toFixed(6));
  const lat = Number((57.700007 + i * 0.00023).toFixed(6));
  const near = (x: number, d: number) => Number((x + d).toFixed(6));
  return { lon, lat, lon2: near(lon, 0.00411), lat2: near(lat, 0.00212), lon3: near(lon, 0.00201), lat3: near(lat, 0.00101) };
}

/** What the row's poster sends: every removable field set, with texts unique to the item. */
function bodyOf(i: number): { path: string; body: unknown } {
  const [kind, marking, postedBy] = TABLE[i];
  const id = idOf(i);
  const { lon, lat, lon2, lat2, lon3, lat3 } = placeOf(i);
  // A post at its organisation's default names no marking: the default is what it takes.
  const org = postedBy.slice(postedBy.indexOf('@') + 1);
  const m = AGREEMENT.organisations.find((o) => o.id === org)!.defaultMarking === marking ? {} : { marking };
  switch (kind) {
    case 'unit':
      return { path: '/api/positions', body: { unitId: id, lon, lat, callsign: `CALLSIGN-${id}`, heading: 90, speed: 5, accuracy: 12, ...m } };
    case 'threat':
      return {
        path: '/api/threats',
        body: { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { id, severity: 'danger', radius_m: 150, label: `LABEL-${id}`, source: `SOURCE-${id}`, ...m } },
      };
    case 'haven':
      return { path: '/api/havens', body: { id, name: `Haven ${id}`, lon, lat, capacity: 100, occupancy: 7, status: 'open', ...m } };
    case 'site':
      return { path: '/api/sites', body: { id, name: `Site ${id}`, lon, lat, population: 40, date: '2026-12-06', source: `SOURCE-${id}`, kind: 'camp', ...m } };
    case 'flow':
      return { path: '/api/flows', body: { id, from: [lon, lat], to: [lon2, lat2], people: 30, date: '2026-12-06', source: `SOURCE-${id}`, ...m } };
    case 'constraint':
      return {
        path: '/api/constraints',
        body: {
          id,
          status: 'restricted',
          category: 'movement-restriction',
          reason: `REASON-${id}`,
          geometry: { type: 'LineString', coordinates: [[lon, lat], [lon2, lat2]] },
          verifiedAt: '2026-12-06T10:00:00Z',
          verifiedBy: `VERIFIER-${id}`,
          ...m,
        },
      };
    case 'convoy':
      return {
        path: '/api/convoys',
        body: {
          id,
          name: `Convoy ${id}`,
          origin: [lon, lat],
          destination: [lon2, lat2],
          checkpoints: [{ name: `Bridge ${id}`, at: [lon3, lat3] }],
          people: 12,
          contact: `CONTACT-${id}`,
          plates: [`PLATE-${id}`],
          organisation: `ORGANISATION-${id}`,
          ...m,
        },
      };
    case 'plan':
      return { path: '/api/plans', body: { id, name: `Plan ${id}`, organisation: `ORGANISATION-${id}`, note: `NOTE-${id}`, targetGroups: [{ id: 'children', name: 'Children' }], ...m } };
    case 'report':
      return { path: '/api/reports', body: { id, kind: 'incident', unitId: `UNIT-${id}`, at: [lon, lat], casualties: true, text: `TEXT-${id}`, accuracy: 9, ...m } };
  }
}

/** The item as the table says a recipient receives it, from the item as stored (the admin's copy). */
function expectedItem(kind: ItemKind, stored: Json, outcome: Outcome): Json | undefined {
  if (!outcome.receives) return undefined;
  const out: Json = { ...stored };
  for (const f of outcome.without) delete out[f];
  // A constraint's history repeats its reason and verifier at each change (P32): removed there too.
  if (kind === 'constraint' && Array.isArray(stored.history)) {
    out.history = stored.history.map((h: Json) => {
      const entry = { ...h };
      for (const f of outcome.without) delete entry[f];
      return entry;
    });
  }
  if (outcome.coarsenM !== undefined) {
    const m = outcome.coarsenM;
    if (kind === 'unit' || kind === 'haven') [out.lon, out.lat] = coarsen([stored.lon, stored.lat], m);
    else if (kind === 'flow') [out.from, out.to] = [coarsen(stored.from, m), coarsen(stored.to, m)];
    else if (kind === 'report') out.at = coarsen(stored.at, m);
    else if (kind === 'convoy') {
      [out.origin, out.destination] = [coarsen(stored.origin, m), coarsen(stored.destination, m)];
      out.checkpoints = stored.checkpoints.map((c: Json) => ({ ...c, at: coarsen(c.at, m) }));
    }
    else throw new Error(`the test does not coarsen a ${kind}`);
  }
  return out;
}

/** What the HTTP lists add to an item (convoy-view.ts, the haven book, the plan book). */
const LIST_EXTRAS: Partial<Record<ItemKind, readonly string[]>> = {
  haven: ['reserved', 'free', 'convoys'],
  convoy: ['havenId', 'corridor', 'progress', 'eta', 'checkpoints_passed', 'position', 'alerts', 'proposal', 'notice'],
  plan: ['planId', 'order', 'groups', 'waitingFor'],
};
function withoutExtras(kind: ItemKind, listed: Json): Json {
  const out = { ...listed };
  for (const k of LIST_EXTRAS[kind] ?? []) delete out[k];
  return out;
}

/** Everything one recipient got, read once all posts were in. */
interface Seen {
  token: string;
  /** The pictures each path gives: the fresh snapshot, the first snapshot with the live deltas folded in, `GET /api/picture`, `GET /api/events` folded. */
  pictures: Record<'websocket snapshot' | 'websocket deltas' | 'GET /api/picture' | 'GET /api/events', Picture>;
  lists: { havens: Json[]; convoys: Json[]; plans: Json[] };
  events: PictureEvent[];
  /** Every byte of its sockets and of its HTTP reads (not the per-id reads, which name the id asked for). */
  bytes: string;
  /** Messages of its fresh snapshot's socket that broke their schema (protocol/server-messages.ts). */
  violations: string[];
}

/** A TestClient that also keeps the raw text of every frame it is sent. */
async function connectRaw(url: string, token: string): Promise<{ client: TestClient; bytes: () => string }> {
  const client = await TestClient.connect(url, token);
  let all = '';
  // Attached before the first frame is read: `connect` resolves on `open`, frames come in later reads.
  client.ws.on('message', (d) => (all += d.toString()));
  return { client, bytes: () => all };
}

describe('who sees what, as the test agreement says (issue 13)', () => {
  const tmp = tempDir();
  let server: RunningServer;
  let url: string;
  const tokens = new Map<Recipient, string>();
  const live = new Map<Recipient, { client: TestClient; bytes: () => string }>();
  const seen = new Map<Recipient, Seen>();
  /** The items as stored: the admin's picture, which the agreement gives everything in full. */
  let stored: Picture;

  /** The admin's picture once the server is quiet: every convoy has its corridor, and no event came for 150 ms. */
  async function settled(): Promise<Picture> {
    let last = -1;
    for (;;) {
      const p = (await call(`${url}/api/picture`, { token: server.adminToken })).body.picture as Picture;
      if (p.seq === last && Object.keys(p.convoys).every((id) => Object.hasOwn(p.corridors, id))) return p;
      last = p.seq;
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  beforeAll(async () => {
    server = await startTestServer(tmp.dir, {}, { agreement: AGREEMENT });
    url = server.url;
    for (const r of RECIPIENTS) {
      const [role, org] = r.split('@');
      tokens.set(r, r === 'admin@admin' ? server.adminToken : server.tokens.create({ org, role }).token);
    }
    for (const r of RECIPIENTS) live.set(r, await connectRaw(url, tokens.get(r)!));
    for (const [i] of TABLE.entries()) {
      const { path, body } = bodyOf(i);
      const posted = await call(`${url}${path}`, { token: tokens.get(TABLE[i][2]), body });
      if (posted.status !== 201 && posted.status !== 202) throw new Error(`row ${i} (${TABLE[i].slice(0, 3).join(' ')}) was refused: ${posted.text}`);
    }
    stored = await settled();
    await Promise.all(RECIPIENTS.map((r) => waitFor(() => live.get(r)!.client.seq() >= stored.seq, 5000, `${r}'s deltas up to seq ${stored.seq}`)));
    for (const r of RECIPIENTS) {
      const token = tokens.get(r)!;
      const fresh = await connectRaw(url, token);
      const snapshot = await fresh.client.next((m) => m.type === 'snapshot');
      const reads = await Promise.all(['/api/picture', '/api/havens', '/api/convoys', '/api/plans', '/api/alerts', '/api/events?since=0&limit=10000'].map((p) => call(`${url}${p}`, { token })));
      const [picture, havens, convoyList, plans, , events] = reads;
      const own = live.get(r)!;
      const first = own.client.received.find((m) => m.type === 'snapshot')!;
      const deltas = own.client.received.filter((m) => m.type === 'delta').flatMap((m) => m.events as PictureEvent[]);
      seen.set(r, {
        token,
        pictures: {
          'websocket snapshot': pictureFromJson(snapshot.picture),
          'websocket deltas': applyEvents(pictureFromJson(first.picture), deltas),
          'GET /api/picture': pictureFromJson(picture.body.picture),
          'GET /api/events': applyEvents(emptyPicture(), events.body.events),
        },
        lists: { havens: havens.body.havens, convoys: convoyList.body.convoys, plans: plans.body.plans },
        events: events.body.events,
        bytes: [own.bytes(), fresh.bytes(), ...reads.map((x) => x.text)].join('\n'),
        violations: fresh.client.violations,
      });
      // A message outside its schema is asserted below, per recipient, not thrown here.
      await fresh.client.close().catch(() => undefined);
    }
  });
  afterAll(async () => {
    // Messages outside their schemas are asserted per recipient above.
    await Promise.all([...live.values()].map((l) => l.client.close().catch(() => undefined)));
    await server?.close();
    tmp.cleanup();
  });

  it('each item is stored with its poster as owner and the marking of its row (its organisation default when it named none)', () => {
    for (const [i, [kind, marking, postedBy]] of TABLE.entries()) {
      const item = stored[SLICE[kind]][idOf(i)] as Json;
      const owner = postedBy.slice(postedBy.indexOf('@') + 1);
      expect(item, idOf(i)).toMatchObject({ owner });
      // A unit reported without a marking keeps none: its owner's default is read then.
      expect(item.marking ?? AGREEMENT.organisations.find((o) => o.id === owner)!.defaultMarking, idOf(i)).toBe(marking);
    }
  });

  describe.each(TABLE.map((row, i) => [`${row[0]} ${idOf(i)} marked ${row[1]}, posted by ${row[2]}`, i] as const))('%s', (_name, i) => {
    const [kind, , , receives] = TABLE[i];
    const id = idOf(i);
    const slice = SLICE[kind];
    it.each(RECIPIENTS.map((r) => [r, outcomeText(receives, r)] as const))('to %s: %s', async (recipient, text) => {
      const outcome = outcomeOf(text);
      const s = seen.get(recipient)!;
      const original = stored[slice][id] as Json;
      const expected = expectedItem(kind, original, outcome);
      // The same over every path: snapshot, live deltas, the picture read, the audit trail folded.
      for (const [path, picture] of Object.entries(s.pictures)) {
        const got = (picture[slice] as Record<string, Json>)[id];
        expect(got, `${path}: ${id}`).toEqual(expected);
        for (const f of outcome.without) {
          expect(original, `the stored ${id} has ${f}, so its removal shows`).toHaveProperty(f);
          expect(got, `${path}: ${id}.${f}`).not.toHaveProperty(f);
        }
      }
      const list = kind === 'haven' ? s.lists.havens : kind === 'convoy' ? s.lists.convoys : kind === 'plan' ? s.lists.plans : undefined;
      if (list) {
        const listed = list.find((x) => x.id === id);
        expect(listed && withoutExtras(kind, listed), `GET /api/${slice}: ${id}`).toEqual(expected);
      }
      if (kind === 'convoy') expect(Object.hasOwn(s.pictures['GET /api/picture'].corridors, id), `its corridor follows it`).toBe(outcome.receives);
      if (kind === 'convoy' || kind === 'plan') {
        const one = await call(`${url}/api/${slice}/${id}`, { token: s.token });
        if (outcome.receives) {
          expect(one.status).toBe(200);
          expect(withoutExtras(kind, one.body[kind]), `GET /api/${slice}/${id}`).toEqual(expected);
        } else {
          const never = `${PREFIX[kind]}never-r99z`;
          const none = await call(`${url}/api/${slice}/${never}`, { token: s.token });
          expect({ status: one.status, code: one.body.error?.code, path: one.body.error?.path, message: one.body.error?.message.replace(id, 'X') }).toEqual({
            status: none.status,
            code: none.body.error?.code,
            path: none.body.error?.path,
            message: none.body.error?.message.replace(never, 'X'),
          });
          expect(none.status).toBe(404);
        }
      }
      // Not a byte: the id of a withheld item, the texts of removed fields, the exact position of a coarsened one.
      if (!outcome.receives) expect(s.bytes.includes(id), `${id} in what ${recipient} received`).toBe(false);
      for (const f of outcome.without) {
        for (const value of [original[f]].flat()) if (typeof value === 'string') expect(s.bytes.includes(value), `${value} in what ${recipient} received`).toBe(false);
      }
      if (outcome.coarsenM !== undefined) {
        for (const [lon, lat] of POSITIONS[kind]!(original)) {
          expect(s.bytes.includes(String(lon)), `exact longitude ${lon} in what ${recipient} received`).toBe(false);
          expect(s.bytes.includes(String(lat)), `exact latitude ${lat} in what ${recipient} received`).toBe(false);
        }
      }
    });
  });

  it.each(RECIPIENTS)('%s: every slice and list holds exactly the items the table gives it (no count includes a withheld one)', (recipient) => {
    const s = seen.get(recipient)!;
    const given = (kind: ItemKind) => TABLE.flatMap((row, i) => (row[0] === kind && outcomeOf(outcomeText(row[3], recipient)).receives ? [idOf(i)] : [])).sort();
    for (const kind of Object.keys(SLICE) as ItemKind[]) {
      for (const [path, picture] of Object.entries(s.pictures)) expect(Object.keys(picture[SLICE[kind]]).sort(), `${path}: ${SLICE[kind]}`).toEqual(given(kind));
      const upserts = s.events.filter((e) => (kind === 'unit' ? e.type === 'position.reported' : e.type === `${kind}.upserted`));
      expect(upserts.length, `GET /api/events: ${kind} upserts`).toBe(given(kind).length);
    }
    for (const path of Object.keys(s.pictures) as (keyof Seen['pictures'])[]) expect(Object.keys(s.pictures[path].corridors).sort(), `${path}: corridors`).toEqual(given('convoy'));
    expect(s.lists.havens.map((h) => h.id).sort()).toEqual(given('haven'));
    expect(s.lists.convoys.map((c) => c.id).sort()).toEqual(given('convoy'));
    expect(s.lists.plans.map((p) => p.id).sort()).toEqual(given('plan'));
  });

  it.each(RECIPIENTS)('%s: every message it is sent keeps its schema (protocol/server-messages.ts)', (recipient) => {
    expect([...live.get(recipient)!.client.violations, ...seen.get(recipient)!.violations]).toEqual([]);
  });

  // Then writes: refused ones, if the server is right.
  it.each(RECIPIENTS)('%s: removing an item it may not see is answered as for an id that never existed', async (recipient) => {
    const token = tokens.get(recipient)!;
    for (const [i, [kind, , , receives]] of TABLE.entries()) {
      if (kind === 'unit' || outcomeOf(outcomeText(receives, recipient)).receives) continue;
      const id = idOf(i);
      const never = `${PREFIX[kind]}never-r99z`;
      const [hidden, none] = await Promise.all([call(`${url}/api/${SLICE[kind]}/${id}`, { token, method: 'DELETE' }), call(`${url}/api/${SLICE[kind]}/${never}`, { token, method: 'DELETE' })]);
      const answer = (r: Awaited<ReturnType<typeof call>>, asked: string) => ({ status: r.status, code: r.body.error?.code, path: r.body.error?.path, message: String(r.body.error?.message).replace(asked, 'X') });
      expect(answer(hidden, id), `DELETE /api/${SLICE[kind]}/${id}`).toEqual(answer(none, never));
      expect([403, 404]).toContain(hidden.status);
    }
  });

  it('those removals removed nothing', async () => {
    const now = (await call(`${url}/api/picture`, { token: server.adminToken })).body.picture as Picture;
    for (const slice of Object.values(SLICE)) expect(Object.keys(now[slice]).sort(), slice).toEqual(Object.keys(stored[slice]).sort());
  });

  /**
   * An item a recipient receives may name another by id (a plan its havens, a convoy its plan, the
   * convoy it leaves after, its lead unit and units). When that other is withheld from the recipient,
   * its id must not reach it through the one it receives: the server may refuse the post, or name it
   * no more than a withheld zone is named; what it may not do is pass the id on.
   */
  const WITHHELD_NAMED: readonly (readonly [what: string, secret: string, posts: readonly (readonly [poster: Recipient, path: string, body: Json])[]])[] = [
    [
      "a releasable-all plan's havenIds naming a coalition-only haven",
      'hv-named-q1z',
      [
        ['planner@MIL', '/api/havens', { id: 'hv-named-q1z', name: 'Haven q1', lon: 11.9651, lat: 57.7021, capacity: 10, status: 'open', marking: 'coalition-only' }],
        ['planner@MIL', '/api/plans', { id: 'ep-names-q1z', name: 'Plan q1', targetGroups: [{ id: 'children', name: 'Children' }], havenIds: ['hv-named-q1z'] }],
      ],
    ],
    [
      "a releasable-all convoy's planId naming a coalition-only plan",
      'ep-named-q2z',
      [
        ['planner@MIL', '/api/plans', { id: 'ep-named-q2z', name: 'Plan q2', targetGroups: [{ id: 'children', name: 'Children' }], marking: 'coalition-only' }],
        ['planner@MIL', '/api/convoys', { id: 'cv-names-q2z', name: 'Convoy q2', origin: [11.9632, 57.7012], destination: [11.9682, 57.7042], planId: 'ep-named-q2z' }],
      ],
    ],
    [
      "a releasable-all convoy's after naming a coalition-only convoy of its plan",
      'cv-named-q3z',
      [
        ['planner@MIL', '/api/plans', { id: 'ep-open-q3z', name: 'Plan q3', targetGroups: [{ id: 'children', name: 'Children' }] }],
        ['planner@MIL', '/api/convoys', { id: 'cv-named-q3z', name: 'Convoy q3 first', origin: [11.9633, 57.7013], destination: [11.9683, 57.7043], planId: 'ep-open-q3z', marking: 'coalition-only' }],
        ['planner@MIL', '/api/convoys', { id: 'cv-names-q3z', name: 'Convoy q3 after', origin: [11.9633, 57.7013], destination: [11.9683, 57.7043], planId: 'ep-open-q3z', after: 'cv-named-q3z' }],
      ],
    ],
    [
      "a releasable-all convoy's leadUnitId and unitIds naming a coalition-only unit",
      'un-named-q4z',
      [
        ['field@MIL', '/api/positions', { unitId: 'un-named-q4z', lon: 11.9634, lat: 57.7014, marking: 'coalition-only' }],
        ['planner@MIL', '/api/convoys', { id: 'cv-names-q4z', name: 'Convoy q4', origin: [11.9634, 57.7014], destination: [11.9684, 57.7044], leadUnitId: 'un-named-q4z', unitIds: ['un-named-q4z'] }],
      ],
    ],
  ];

  /** The id of the table's first item of a kind and marking. */
  const idWhere = (kind: ItemKind, marking: string) => idOf(TABLE.findIndex((r) => r[0] === kind && r[1] === marking));
  const ROUTE = { origin: [11.9635, 57.7015], destination: [11.9685, 57.7045] };
  /** Posts that name another item by id, made by planner@HUM-B, who may not see the coalition-only ones. */
  const NAMING: readonly (readonly [what: string, path: string, withheld: () => string, never: string, body: (named: string, n: number) => Json])[] = [
    ["a plan's havenIds", '/api/plans', () => idWhere('haven', 'coalition-only'), 'hv-never-q9z', (h, n) => ({ id: `ep-asks-q${n}z`, name: 'Asking plan', targetGroups: [{ id: 'children', name: 'Children' }], havenIds: [h] })],
    ["a convoy's planId", '/api/convoys', () => idWhere('plan', 'coalition-only'), 'ep-never-q9z', (p, n) => ({ id: `cv-asks-q${n}z`, name: 'Asking convoy', ...ROUTE, planId: p })],
    ["a convoy's planId, with people of a group the plan lacks", '/api/convoys', () => idWhere('plan', 'coalition-only'), 'ep-never-q9z', (p, n) => ({ id: `cv-asks-q${n}z`, name: 'Asking convoy', ...ROUTE, planId: p, peopleByGroup: { nosuchgroup: 1 } })],
    ["a convoy's after", '/api/convoys', () => idWhere('convoy', 'coalition-only'), 'cv-never-q9z', (c, n) => ({ id: `cv-asks-q${n}z`, name: 'Asking convoy', ...ROUTE, after: c })],
  ];

  it.each(NAMING.map((c, i) => [...c, i] as const))('planner@HUM-B: a post naming a withheld item in %s is answered as one naming an id that never existed', async (_what, path, withheld, never, body, i) => {
    const token = tokens.get('planner@HUM-B')!;
    const hidden = withheld();
    const answer = async (named: string, n: number) => {
      const r = await call(`${url}${path}`, { token, body: body(named, n) });
      return { status: r.status, code: r.body.error?.code, path: r.body.error?.path, message: r.body.error?.message?.replace(named, 'X') };
    };
    const none = await answer(never, 20 + i * 2);
    expect(none.status, 'naming an id that never existed').toBe(404);
    expect(await answer(hidden, 21 + i * 2), `naming ${hidden}, which planner@HUM-B may not see`).toEqual(none);
  });

  it.each(WITHHELD_NAMED)('viewer@HUM-A: %s does not give the withheld id away', async (_what, secret, posts) => {
    const viewer = live.get('viewer@HUM-A')!;
    const before = viewer.bytes().length;
    const accepted: string[] = [];
    for (const [poster, path, body] of posts) {
      const posted = await call(`${url}${path}`, { token: tokens.get(poster), body });
      // The withheld item itself must be accepted; the one naming it may be refused.
      if (posted.status >= 300 && accepted.length === 0) throw new Error(`${path} was refused: ${posted.text}`);
      if (posted.status < 300) accepted.push(path);
    }
    const now = await settled();
    await waitFor(() => viewer.client.seq() >= now.seq, 5000, `viewer@HUM-A's deltas up to seq ${now.seq}`);
    const token = tokens.get('viewer@HUM-A')!;
    const reads = await Promise.all(['/api/picture', '/api/convoys', '/api/plans', '/api/havens', '/api/events?since=0&limit=10000'].map(async (p) => [p, (await call(`${url}${p}`, { token })).text] as const));
    const leaks = [['WebSocket deltas', viewer.bytes().slice(before)] as const, ...reads].filter(([, text]) => text.includes(secret)).map(([where]) => where);
    expect(leaks, `${secret} (withheld from viewer@HUM-A) named in`).toEqual([]);
  });
});
