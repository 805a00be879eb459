// The CoT writers (server/cot/out.ts) read back by an independent CoT library, @tak-ps/node-cot
// (CloudTAK's; STACK.md), and by our own parseCot/cotInput: same geometry, labels, colours and times.
import { CoTParser } from '@tak-ps/node-cot';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cotInput, type CotInput } from '../../server/cot/inputs.js';
import {
  argb,
  deleteEvent,
  MARKER_COLORS,
  markerEvent,
  pongEvent,
  routeEvent,
  takProtocolResponseEvent,
  takProtocolSupportEvent,
  toStreamXml,
  unitEvent,
  ZONE_COLORS,
  zoneEvent,
  type LonLat,
} from '../../server/cot/out.js';
import { parseCot, type CotEvent } from '../../server/cot/parse.js';
import { distanceM, SEED } from './helpers.js';

console.info(`cot writers property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const STALE = T0 + 10 * 60_000;

/** node-cot's GeoJSON of one event. */
async function nodeCot(xml: string) {
  return CoTParser.to_geojson(CoTParser.from_xml(xml));
}

function ours(xml: string): CotEvent {
  const r = parseCot(xml);
  if (!r.ok) throw new Error(r.reason);
  if (r.message.kind === 'auth' || !r.message.event) throw new Error('not an event');
  return r.message.event;
}

function oursInput<K extends CotInput['kind']>(xml: string, kind: K): Extract<CotInput, { kind: K }> {
  const i = cotInput(ours(xml));
  expect(i.kind).toBe(kind);
  return i as Extract<CotInput, { kind: K }>;
}

/** Coordinates equal to 7 decimals (the writers' precision: within 5e-8°, about half a centimetre). */
function expectSamePositions(actual: readonly (readonly number[])[], expected: readonly LonLat[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((p, i) => {
    expect(Math.abs(p[0]! - expected[i]![0])).toBeLessThanOrEqual(5.1e-8);
    expect(Math.abs(p[1]! - expected[i]![1])).toBeLessThanOrEqual(5.1e-8);
  });
}

// A corridor in Port-au-Prince with awkward values: many decimals, a negative zero, near the antimeridian no.
const CORRIDOR: LonLat[] = [
  [-72.3388123456789, 18.5392],
  [-72.3301, 18.5401],
  [-72.32, 18.55],
  [-72.3105, 18.5612345],
];

describe('routeEvent: a convoy corridor as b-m-r', () => {
  const xml = routeEvent({ uid: 'cv-7', name: 'Convoy 7 "Water" & <Food>', line: CORRIDOR, startName: 'Depot', endName: 'Haven 3', timeMs: T0, staleMs: STALE });

  it('node-cot reads it as a LineString through the same points, named', async () => {
    const f = await nodeCot(xml);
    expect(f.geometry.type).toBe('LineString');
    if (f.geometry.type !== 'LineString') return;
    expectSamePositions(f.geometry.coordinates, CORRIDOR);
    expect(f.properties).toMatchObject({ type: 'b-m-r', callsign: 'Convoy 7 "Water" & <Food>', time: '2026-01-02T03:04:05.678Z', stale: '2026-01-02T03:14:05.678Z' });
  });

  it('parseCot reads the ordered links: waypoints at the ends, control points between, uids <uid>.<i>', () => {
    const e = ours(xml);
    expect(e.detail.links.map((l) => [l.uid, l.type, l.callsign ?? '', l.relation])).toEqual([
      ['cv-7.0', 'b-m-p-w', 'Depot', 'c'],
      ['cv-7.1', 'b-m-p-c', '', 'c'],
      ['cv-7.2', 'b-m-p-c', '', 'c'],
      ['cv-7.3', 'b-m-p-w', 'Haven 3', 'c'],
    ]);
    expectSamePositions(
      e.detail.links.map((l) => [l.point!.lon, l.point!.lat]),
      CORRIDOR,
    );
    expect(e.detail.elements.map((el) => el.name)).toEqual(expect.arrayContaining(['link_attr', '__routeinfo', 'contact']));
    expect(e.detail.elements.find((el) => el.name === 'link_attr')!.attrs).toMatchObject({ method: 'Driving', type: 'Vehicle', direction: 'Infil' });
    expect(cotInput(e)).toMatchObject({ kind: 'ignore', what: 'route' });
  });

  it('writes coordinates at 7 decimals, times as ISO 8601 with ms and Z, version 2.0', () => {
    expect(xml).toMatch(/point="18\.5392000,-72\.3388123"/);
    expect(xml).toMatch(/^<event version="2\.0" uid="cv-7" type="b-m-r" how="h-e" time="2026-01-02T03:04:05\.678Z" start="2026-01-02T03:04:05\.678Z" stale="2026-01-02T03:14:05\.678Z">/);
    expect(xml).not.toMatch(/\d\.\d{8,}/);
  });

  it('refuses a corridor of one point or with a latitude of 93', () => {
    expect(() => routeEvent({ uid: 'cv', name: 'x', line: [[0, 0]], timeMs: T0, staleMs: STALE })).toThrow(RangeError);
    expect(() => routeEvent({ uid: 'cv', name: 'x', line: [[0, 0], [0, 93]], timeMs: T0, staleMs: STALE })).toThrow(/route\.line\[1\]: lat 93/);
  });
});

describe('zoneEvent: threat zones as drawn shapes', () => {
  const ring: LonLat[] = [
    [-72.35, 18.53],
    [-72.33, 18.53],
    [-72.33, 18.55],
    [-72.35, 18.55],
  ];

  it.each(['no-go', 'danger', 'advisory'] as const)('a %s polygon: node-cot reads the closed Polygon and the severity colour', async (severity) => {
    const xml = zoneEvent({ uid: 'tz-1', label: 'Bridge out', severity, ring, remarks: 'seen 10:00', timeMs: T0, staleMs: STALE });
    const f = await nodeCot(xml);
    expect(f.geometry.type).toBe('Polygon');
    if (f.geometry.type !== 'Polygon') return;
    expectSamePositions(f.geometry.coordinates[0]!, [...ring, ring[0]!]);
    const stroke = ZONE_COLORS[severity].stroke;
    const hex = `#${[(stroke >> 16) & 0xff, (stroke >> 8) & 0xff, stroke & 0xff].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    expect(String(f.properties.stroke).toLowerCase()).toBe(hex);
    expect(f.properties.callsign).toBe('Bridge out');
  });

  it('our reader gives back the same zone: ring, severity, label, remarks after the tag', () => {
    const z = oursInput(zoneEvent({ uid: 'tz-1', label: 'Bridge out', severity: 'no-go', ring, remarks: 'seen 10:00', timeMs: T0, staleMs: STALE }), 'zone');
    expect(z).toMatchObject({ uid: 'tz-1', label: 'Bridge out', severity: 'no-go', remarks: '#no-go seen 10:00', timeMs: T0, staleMs: STALE, cotType: 'u-d-f' });
    if (z.geometry.type !== 'Polygon') throw new Error('not a polygon');
    expectSamePositions(z.geometry.coordinates[0]!, [...ring, ring[0]!]);
  });

  it('severity tags already in the remarks are not repeated (a zone drawn on a TAK device, sent back)', () => {
    const z = oursInput(zoneEvent({ uid: 'tz-1', severity: 'no-go', ring, remarks: '#NO-GO bridge out #danger', timeMs: T0, staleMs: STALE }), 'zone');
    expect(z).toMatchObject({ severity: 'no-go', remarks: '#no-go bridge out' });
  });

  it('a ring already closed is not closed twice', () => {
    const e = ours(zoneEvent({ uid: 'tz-1', severity: 'danger', ring: [...ring, ring[0]!], timeMs: T0, staleMs: STALE }));
    expect(e.detail.links).toHaveLength(5);
  });

  it('a circle: u-d-c-c with the radius as ellipse major/minor; node-cot draws it around the same centre', async () => {
    const center: LonLat = [-72.3388, 18.5392];
    const xml = zoneEvent({ uid: 'tz-2', label: 'Crowd', severity: 'danger', circle: { center, radiusM: 750 }, timeMs: T0, staleMs: STALE });
    const f = await nodeCot(xml);
    expect(f.properties.type).toBe('u-d-c-c');
    expectSamePositions([f.properties.center as number[]], [center]);
    expect(f.properties.shape).toMatchObject({ ellipse: { major: 750, minor: 750 } });
    expect(f.geometry.type).toBe('Polygon');
    if (f.geometry.type !== 'Polygon') return;
    for (const p of f.geometry.coordinates[0]!) expect(Math.abs(distanceM(center, [p[0]!, p[1]!]) - 750)).toBeLessThan(750 * 0.006);
    expect(oursInput(xml, 'zone')).toMatchObject({ severity: 'danger', label: 'Crowd', geometry: { type: 'Circle', center, radiusM: 750 } });
  });

  it('colours are signed ARGB: opaque red stroke and translucent red fill for no-go', () => {
    expect(ZONE_COLORS['no-go'].stroke).toBe(-65536);
    expect(argb(0x60, 0xff, 0, 0)).toBe(0x60ff0000);
    const e = ours(zoneEvent({ uid: 'tz-1', severity: 'no-go', ring, timeMs: T0, staleMs: STALE }));
    expect(e.detail).toMatchObject({ strokeColor: -65536, fillColor: 0x60ff0000, severity: 'no-go' });
  });

  it('refuses both or neither shape, fewer than 3 corners (at 7 decimals), a zero radius', () => {
    expect(() => zoneEvent({ uid: 'z', severity: 'danger', ring: [[0, 0], [0, 1e-9], [1, 1]], timeMs: T0, staleMs: STALE })).toThrow(/at least 3 distinct vertices at 7 decimals/);
    expect(() => zoneEvent({ uid: 'z', severity: 'danger', timeMs: T0, staleMs: STALE })).toThrow(RangeError);
    expect(() => zoneEvent({ uid: 'z', severity: 'danger', ring: ring.slice(0, 2), timeMs: T0, staleMs: STALE })).toThrow(/at least 3/);
    expect(() => zoneEvent({ uid: 'z', severity: 'danger', circle: { center: [0, 0], radiusM: 0 }, timeMs: T0, staleMs: STALE })).toThrow(/radiusM/);
  });

  it('any ring, label and severity round-trip through our reader (fast-check)', () => {
    const lonLat = fc.tuple(fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: -90, max: 90, noNaN: true }));
    fc.assert(
      fc.property(
        // Distinct at the writers' 7 decimals (closer vertices are one vertex, and refused below 3).
        fc.uniqueArray(lonLat, { minLength: 3, maxLength: 30, selector: ([lon, lat]) => `${Math.round(lon * 1e7) || 0},${Math.round(lat * 1e7) || 0}` }),
        fc.string({ maxLength: 60 }),
        fc.constantFrom('no-go', 'danger', 'advisory'),
        (points, label, severity) => {
          const z = oursInput(zoneEvent({ uid: 'tz-p', label, severity, ring: points, timeMs: T0, staleMs: STALE }), 'zone');
          expect(z.severity).toBe(severity);
          // Labels come back trimmed, with characters XML cannot carry as U+FFFD; empty ones are absent.
          const expectedLabel = label.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu, '\ufffd').trim();
          expect(z.label ?? '').toBe(expectedLabel);
          if (z.geometry.type !== 'Polygon') throw new Error('not a polygon');
          expectSamePositions(z.geometry.coordinates[0]!, [...points, points[0]!]);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('markerEvent, unitEvent: havens, sites and units', () => {
  it('a haven is a coloured spot-map marker node-cot places and colours', async () => {
    const xml = markerEvent({ uid: 'hv-3', label: 'École Saint-Louis (full)', lon: -72.3301, lat: 18.5401, colorArgb: MARKER_COLORS.havenFull, remarks: '120/120', timeMs: T0, staleMs: STALE });
    const f = await nodeCot(xml);
    expect(f.geometry).toMatchObject({ type: 'Point' });
    if (f.geometry.type !== 'Point') return;
    expectSamePositions([f.geometry.coordinates], [[-72.3301, 18.5401]]);
    expect(f.properties).toMatchObject({ type: 'b-m-p-s-m', callsign: 'École Saint-Louis (full)' });
    expect(String(f.properties['marker-color']).toLowerCase()).toBe('#ff8c00');
    const e = ours(xml);
    expect(e.detail.remarks).toBe('120/120');
    expect(cotInput(e)).toMatchObject({ kind: 'ignore', what: 'marker' });
  });

  it('a unit is a position event of its own type that both readers see with its callsign, course and speed', async () => {
    const xml = unitEvent({
      uid: 'u-12',
      callsign: 'Medic 12',
      cotType: 'a-f-G-U-C-I',
      lon: -72.3301,
      lat: 18.5401,
      accuracyM: 8,
      courseDeg: 370,
      speedMps: 4.25,
      group: { name: 'Cyan', role: 'Team Lead' },
      timeMs: T0,
      staleMs: STALE,
    });
    const f = await nodeCot(xml);
    expect(f.properties).toMatchObject({ type: 'a-f-G-U-C-I', callsign: 'Medic 12', course: 10, speed: 4.25, how: 'm-g' });
    expect(oursInput(xml, 'position')).toMatchObject({
      uid: 'u-12',
      callsign: 'Medic 12',
      identity: 'friend',
      lon: -72.3301,
      lat: 18.5401,
      accuracyM: 8,
      courseDeg: 10,
      speedMps: 4.25,
      group: { name: 'Cyan', role: 'Team Lead' },
      sidc: 'SFGPUCI--------',
      staleMs: STALE,
    });
  });

  it('refuses a unit type that is not a-…', () => {
    expect(() => unitEvent({ uid: 'u', callsign: 'x', cotType: 'b-m-p', lon: 0, lat: 0, timeMs: T0, staleMs: STALE })).toThrow(/not an a-… CoT type/);
  });
});

describe('deleteEvent, pongEvent, the TAK protocol offer and answer', () => {
  it('a forced delete of the named item, read by both', async () => {
    const xml = deleteEvent({ targetUid: 'tz-1', timeMs: T0, staleMs: T0 + 60_000 });
    const f = await nodeCot(xml);
    expect(f.properties).toMatchObject({ type: 't-x-d-d', links: [{ uid: 'tz-1', relation: 'none', type: 'none' }] });
    expect(oursInput(xml, 'delete')).toEqual({ kind: 'delete', uid: 'tz-1', uids: ['tz-1'], timeMs: T0, force: true });
    expect(ours(xml).uid).toBe('tz-1.delete');
  });

  it('the pong is t-x-c-t-r from takPong', async () => {
    const xml = pongEvent({ timeMs: T0, staleMs: T0 + 20_000 });
    expect((await nodeCot(xml)).properties).toMatchObject({ type: 't-x-c-t-r' });
    expect(ours(xml)).toMatchObject({ uid: 'takPong', type: 't-x-c-t-r', staleMs: T0 + 20_000 });
  });

  it('the offer and the answer parse as negotiation steps with the given uid', () => {
    expect(parseCot(takProtocolSupportEvent({ uid: 'takp-9', versions: [1], timeMs: T0, staleMs: STALE }))).toMatchObject({
      ok: true,
      message: { kind: 'takcontrol', control: { kind: 'support', versions: [1] }, event: { uid: 'takp-9', type: 't-x-takp-v' } },
    });
    expect(parseCot(takProtocolResponseEvent({ uid: 'takp-9', status: true, timeMs: T0, staleMs: STALE }))).toMatchObject({
      ok: true,
      message: { kind: 'takcontrol', control: { kind: 'response', status: true } },
    });
  });

  it('toStreamXml puts the declaration and one line feed before the event, nothing after', () => {
    const s = toStreamXml(pongEvent({ timeMs: T0, staleMs: T0 }));
    expect(s).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n<event /);
    expect(s.endsWith('</event>')).toBe(true);
  });
});

describe('escaping', () => {
  it('labels and remarks with markup, quotes, line breaks and control characters come back intact (controls as U+FFFD)', () => {
    const label = `A<B>&"C"'D'\n\tE\u0001`;
    const xml = markerEvent({ uid: 'hv-<1>', label, remarks: '</remarks></detail></event><event>', lon: 1, lat: 1, timeMs: T0, staleMs: STALE });
    const e = ours(xml);
    expect(e.uid).toBe('hv-<1>');
    expect(e.detail.contact!.callsign).toBe(`A<B>&"C"'D'\n\tE\ufffd`);
    expect(e.detail.remarks).toBe('</remarks></detail></event><event>');
  });
});
