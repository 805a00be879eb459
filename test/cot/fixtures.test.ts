// Every real CoT capture in ../shared/data/cot (ATAK, WinTAK, iTAK, TAK Server) read by parseCot and
// classified by cotInput as its name says (issue 14), with callsigns, identities, coordinates and shapes
// checked against the files, and the shapes and routes against an independent reader (@tak-ps/node-cot).
import { CoTParser } from '@tak-ps/node-cot';
import { describe, expect, it } from 'vitest';
import { cotInput, type CotInput } from '../../server/cot/inputs.js';
import { parseCot, type CotEvent } from '../../server/cot/parse.js';
import { cotFiles, hasCotData, MALFORMED, NEEDS_DATA, readCot, wireForm } from './helpers.js';

type Expect =
  | { message: 'auth'; username: string }
  | { message: 'error'; reason: RegExp }
  | { input: CotInput['kind']; what?: string };

/** What each capture must give. A capture added to the folder without a line here fails the first test. */
const EXPECTED: Record<string, Expect> = {
  'auth-streaming-atak.xml': { message: 'auth', username: 'piotr' },
  'casevac-b-r-f-h-c-9line-all-fields-atak.xml': { input: 'casevac' },
  'chat-b-t-f-all-chat-rooms-itak-via-takserver.xml': { input: 'ignore', what: 'chat' },
  'chat-b-t-f-direct-atak-3.12-to-wintak.xml': { input: 'ignore', what: 'chat' },
  'chat-b-t-f-direct-atak.xml': { input: 'ignore', what: 'chat' },
  'chat-b-t-f-group-atak.xml': { input: 'ignore', what: 'chat' },
  'chat-b-t-f-to-mission-atak-takserver-test.xml': { input: 'ignore', what: 'chat' },
  'chatreceipt-b-t-f-d-delivered-atak.xml': { input: 'ignore', what: 'chat-receipt' },
  'chatreceipt-b-t-f-r-read-wintak.xml': { input: 'ignore', what: 'chat-receipt' },
  [MALFORMED]: { message: 'error', reason: /not well-formed XML: Attributes for 'event' have open quote.*line 1, column 46/ },
  'delete-t-x-d-d.xml': { input: 'delete' },
  'emergency-b-a-o-can-cancel.xml': { input: 'emergency' },
  'emergency-b-a-o-manual-alert-wearos.xml': { input: 'emergency' },
  'emergency-b-a-o-opn-in-contact.xml': { input: 'emergency' },
  'emergency-b-a-o-tbl-911-alert-takserver-test.xml': { input: 'emergency' },
  'geofence-circle-u-d-c-c-atak.xml': { input: 'zone' },
  'geofence-rectangle-u-d-r-atak.xml': { input: 'zone' },
  // Markers of a-* tracks are positions of what they mark (a hostile seen by a TAK user), placed by a device.
  'marker-a-h-G-hostile-2525-wintak.xml': { input: 'position' },
  'marker-a-n-G-neutral-2525-atak.xml': { input: 'position' },
  'marker-a-u-G-itak.xml': { input: 'position' },
  'marker-a-u-G-unknown-2525-atak.xml': { input: 'position' },
  'ping-t-x-c-t-atak.xml': { input: 'ping' },
  'point-b-m-p-s-p-op-observation-atak.xml': { input: 'ignore', what: 'marker' },
  'position-atak-3.12-a-f-G-U-C-takserver-test.xml': { input: 'position' },
  'position-atak-4.0-a-f-G-U-C.xml': { input: 'position' },
  'position-itak-2.5-a-f-G-E-V-C.xml': { input: 'position' },
  'position-wintak-1.10-a-f-G-E-V-C.xml': { input: 'position' },
  // WinTAK without a GPS fix reports 0,0: not a place to draw a unit.
  'position-wintak-1.10-a-f-G-U-C-I.xml': { input: 'ignore', what: 'no-fix' },
  'quickpic-b-i-x-i-atak.xml': { input: 'ignore', what: 'marker' },
  'rangebearing-line-u-rb-a-atak.xml': { input: 'ignore', what: 'drawing' },
  'route-b-m-r-atak-5.4-navcues.xml': { input: 'ignore', what: 'route' },
  'route-b-m-r-atak.xml': { input: 'ignore', what: 'route' },
  'shape-circle-u-d-c-c-atak.xml': { input: 'zone' },
  // ATAK's sample freehand is an open stroke: a line, not an area.
  'shape-freehand-u-d-f-m-atak.xml': { input: 'ignore', what: 'open-line' },
  'shape-polygon-u-d-f-atak.xml': { input: 'zone' },
  'shape-polygon-u-d-f-transparent.xml': { input: 'zone' },
  'shape-rectangle-u-d-r-atak.xml': { input: 'zone' },
  'spi-b-m-p-s-p-i-wintak.xml': { input: 'ignore', what: 'marker' },
  'spot-b-m-p-s-m-atak.xml': { input: 'ignore', what: 'marker' },
  'waypoint-b-m-p-w-GOTO-atak.xml': { input: 'ignore', what: 'marker' },
};

/** parseCot of a capture, as an event (fails the test otherwise). */
function eventOf(file: string): CotEvent {
  const r = parseCot(readCot(file));
  if (!r.ok) throw new Error(`${file}: ${r.reason}`);
  if (r.message.kind === 'auth' || !r.message.event) throw new Error(`${file}: not an event`);
  return r.message.event;
}

function inputOf<K extends CotInput['kind']>(file: string, kind: K): Extract<CotInput, { kind: K }> {
  const input = cotInput(eventOf(file));
  expect(input.kind).toBe(kind);
  return input as Extract<CotInput, { kind: K }>;
}

describe.skipIf(!hasCotData)(`the real captures${NEEDS_DATA}`, () => {
  it('has an expectation for every capture, and every expectation has its capture', () => {
    expect(cotFiles()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s gives what its name says', (file, expected) => {
    const r = parseCot(readCot(file));
    if ('message' in expected && expected.message === 'error') {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(expected.reason);
      return;
    }
    if (!r.ok) throw new Error(`${file}: ${r.reason}`);
    if ('message' in expected) {
      expect(r.message).toMatchObject({ kind: 'auth', username: expected.username });
      return;
    }
    const m = r.message;
    expect(m.kind).toBe('event');
    if (m.kind !== 'event') return;
    const input = cotInput(m.event);
    expect(input.kind).toBe(expected.input);
    if (expected.what !== undefined && input.kind === 'ignore') expect(input.what).toBe(expected.what);
  });

  it.each(Object.keys(EXPECTED).filter((f) => f !== MALFORMED))('%s reads the same in single-line wire form', (file) => {
    const original = parseCot(readCot(file));
    const wire = parseCot(Buffer.from(wireForm(readCot(file).toString('utf8'))));
    expect(wire.ok).toBe(true);
    if (!original.ok || !wire.ok) return;
    if (original.message.kind === 'event' && wire.message.kind === 'event') {
      expect(cotInput(wire.message.event)).toEqual(cotInput(original.message.event));
    } else expect(wire.message).toEqual(original.message);
  });

  describe('positions: uid, callsign, identity, coordinates, track and accuracy as written', () => {
    it.each([
      ['position-atak-4.0-a-f-G-U-C.xml', 'ANDROID-53af0912586418dc', 'dasuberdog', 'friend', 'a-f-G-U-C', -104.99452709918448, 39.71401955573084],
      ['position-atak-3.12-a-f-G-U-C-takserver-test.xml', 'ANDROID-352413144215585', 'coolata', 'friend', 'a-f-G-U-C', -72.045306, 40.255716],
      ['position-wintak-1.10-a-f-G-E-V-C.xml', 'aa0b0312-b5cd-4c2c-bbbc-9c4c70216261', 'Eliopoli HQ', 'friend', 'a-f-G-E-V-C', -66.07737696, 43.97957317],
      ['position-itak-2.5-a-f-G-E-V-C.xml', '8EC57F43-7765-433B-B050-2CBC6372CC89', 'Echo Mike', 'friend', 'a-f-G-E-V-C', -92.481731, 34.805606],
      ['marker-a-h-G-hostile-2525-wintak.xml', 'abc9a11f-0dcf-489f-94fa-629e078bec42', 'Command & Control Team', 'hostile', 'a-h-G', -66.1405296, 44.2202054],
      ['marker-a-n-G-neutral-2525-atak.xml', '47e9b7fd-969d-471c-b9de-0acc8aa84ef2', 'N.16.135210', 'neutral', 'a-n-G', -77.06384765331286, 38.850093743724976],
      ['marker-a-u-G-unknown-2525-atak.xml', 'a0c524c6-0422-4382-9981-e39d1dc71730', 'U.16.135057', 'unknown', 'a-u-G', -77.06364199776728, 38.856650047254725],
      ['marker-a-u-G-itak.xml', 'EB77220E-6299-4CA3-95FC-0200BD9FE78A', 'poop', 'unknown', 'a-u-G', 9.755263, 54.338986],
    ] as const)('%s', (file, uid, callsign, identity, cotType, lon, lat) => {
      const p = inputOf(file, 'position');
      expect(p).toMatchObject({ uid, callsign, identity, affiliation: identity, cotType, lon, lat });
    });

    it('keeps track course (°) and speed (m/s), accuracy (ce, m), times, group and symbol', () => {
      const p = inputOf('position-atak-3.12-a-f-G-U-C-takserver-test.xml', 'position');
      expect(p).toMatchObject({
        courseDeg: 344.72362164876733,
        speedMps: 0,
        accuracyM: 4.9,
        timeMs: Date.parse('2020-02-12T13:16:07Z'),
        staleMs: Date.parse('2020-02-12T13:16:50Z'),
        group: { name: 'Dark Blue', role: 'Team Member' },
        sidc: 'SFGPUC---------',
      });
      expect(p.placedBy).toBeUndefined();
    });

    it('reads ce 9999999 as unknown accuracy and an empty <track /> as no course or speed', () => {
      const p = inputOf('position-itak-2.5-a-f-G-E-V-C.xml', 'position');
      expect(p.accuracyM).toBeUndefined();
      expect(p.courseDeg).toBeUndefined();
      expect(p.speedMps).toBeUndefined();
      expect(p.haeM).toBe(106.9);
    });

    it('names the device that placed a marker (link p-p) and decodes &amp; in the callsign', () => {
      const p = inputOf('marker-a-h-G-hostile-2525-wintak.xml', 'position');
      expect(p.placedBy).toEqual({ uid: 'aa0b0312-b5cd-4c2c-bbbc-9c4c70216261', callsign: 'Eliopoli HQ' });
      expect(p.sidc).toBe('SHGP-----------');
    });
  });

  describe('shapes: closed polygons, rectangles closed here, circles with centre and radius', () => {
    it('u-d-f polygon: the seven link points in order, [lon, lat], first = last', () => {
      const z = inputOf('shape-polygon-u-d-f-atak.xml', 'zone');
      expect(z).toMatchObject({ uid: 'b112202e-dd33-4fc7-8d3d-09a14e296011', label: 'Shape 1', severity: 'danger' });
      if (z.geometry.type !== 'Polygon') throw new Error('not a polygon');
      const ring = z.geometry.coordinates[0]!;
      expect(ring).toHaveLength(7);
      expect(ring[0]).toEqual([-77.06616468204862, 38.838231810315555]);
      expect(ring[3]).toEqual([-77.06520237484105, 38.83703273315412]);
      expect(ring[6]).toEqual(ring[0]);
    });

    it.each([
      ['shape-rectangle-u-d-r-atak.xml', [-77.06896916307281, 38.83884480020009], [-77.06911560643489, 38.83665521881576]],
      ['geofence-rectangle-u-d-r-atak.xml', [-105.24931298523292, 39.93470375464395], [-105.08000930131891, 39.93425862060156]],
    ] as const)('u-d-r %s: four corners, closed by repeating the first', (file, first, fourth) => {
      const z = inputOf(file, 'zone');
      if (z.geometry.type !== 'Polygon') throw new Error('not a polygon');
      const ring = z.geometry.coordinates[0]!;
      expect(ring).toHaveLength(5);
      expect(ring[0]).toEqual(first);
      expect(ring[3]).toEqual(fourth);
      expect(ring[4]).toEqual(first);
    });

    it.each([
      ['shape-circle-u-d-c-c-atak.xml', [-77.0729993250914, 38.83737606453269], 226.98412686380018, 'Drawing Circle 1'],
      ['geofence-circle-u-d-c-c-atak.xml', [-77.06586686880725, 38.830898851915514], 297.72, 'Geo Fence Circle'],
    ] as const)('u-d-c-c %s: centre from <point>, radius from ellipse@major (m)', (file, center, radiusM, label) => {
      const z = inputOf(file, 'zone');
      expect(z.geometry).toEqual({ type: 'Circle', center, radiusM });
      expect(z.label).toBe(label);
    });

    it('reads the rectangle geofence remarks and keeps the default severity (no tag)', () => {
      expect(inputOf('geofence-rectangle-u-d-r-atak.xml', 'zone')).toMatchObject({ remarks: 'Rmks', severity: 'danger', label: 'Warning' });
    });

    it('unescapes the freehand event inside link@line (46 vertices) and finds it open', () => {
      const e = eventOf('shape-freehand-u-d-f-m-atak.xml');
      expect(e.detail.links[0]!.line).toHaveLength(46);
      expect(e.detail.links[0]!.line![0]).toEqual({ lat: 38.838027634047705, lon: -77.06337210808186 });
    });
  });

  describe('deletes, alerts, CASEVAC, ping', () => {
    it('t-x-d-d deletes the linked uid', () => {
      expect(inputOf('delete-t-x-d-d.xml', 'delete')).toMatchObject({ uid: 'gvs_QARack1_1', uids: ['gvs_QARack1_1'], force: false });
    });

    it.each([
      ['emergency-b-a-o-tbl-911-alert-takserver-test.xml', '16173334444-9-1-1', '911 Alert', false, 'BOB-Alert', -71.147716, 42.389128],
      ['emergency-b-a-o-opn-in-contact.xml', '19027480992-9-1-1', 'In Contact', false, 'corvo-Alert', -66.11718428195833, 43.84456191618114],
      ['emergency-b-a-o-can-cancel.xml', 'ANDROID-352614100054990-9-1-1', 'Cancel Alert', true, 'helioClient1', 37.6270905, 55.7555821],
      ['emergency-b-a-o-manual-alert-wearos.xml', '17eaa1c4-e137-4328-b5e4-294d2a7fd01d', 'Manual Alert: Gunshot', false, 'SP-Dev\nManual Alert: Gunshot', -87.6590334, 41.8838397],
    ] as const)('%s', (file, uid, emergencyType, cancel, callsign, lon, lat) => {
      expect(inputOf(file, 'emergency')).toMatchObject({ uid, emergencyType, cancel, callsign, lon, lat, positionKnown: true });
    });

    it('the 911 alert names the device that raised it', () => {
      expect(inputOf('emergency-b-a-o-tbl-911-alert-takserver-test.xml', 'emergency').senderUid).toBe('ANDROID-358982072593830');
    });

    it('CASEVAC: a summary of the 9-line fields worth showing', () => {
      const c = inputOf('casevac-b-r-f-h-c-9line-all-fields-atak.xml', 'casevac');
      expect(c).toMatchObject({ uid: '5100a84f-0c90-4f53-8651-3af1637b8130', callsign: 'calllsign', lat: 39.65004002280003, lon: -105.09973608933406 });
      expect(c.summary).toBe(
        'title; 1 urgent, 2 priority, 3 routine; 4 litter, 5 ambulatory; equipment: hoist, extraction equipment, ventilator, other equipment; ' +
          'freq 67MHz; security: Enemy Troops, armed escort required; marked by E - panel of lasers; remarks: remark',
      );
    });

    it('ping: the uid ATAK sends', () => {
      expect(inputOf('ping-t-x-c-t-atak.xml', 'ping').uid).toBe('ANDROID-82cd68af1fb8fd80-ping');
    });
  });

  describe('an independent reader (@tak-ps/node-cot) sees the same geometry in the captures', () => {
    it.each(['shape-polygon-u-d-f-atak.xml', 'shape-polygon-u-d-f-transparent.xml', 'shape-rectangle-u-d-r-atak.xml', 'geofence-rectangle-u-d-r-atak.xml'])(
      '%s: the same Polygon ring',
      async (file) => {
        const feature = await CoTParser.to_geojson(CoTParser.from_xml(readCot(file).toString('utf8')));
        const z = inputOf(file, 'zone');
        expect(feature.geometry.type).toBe('Polygon');
        if (z.geometry.type !== 'Polygon' || feature.geometry.type !== 'Polygon') return;
        expect(z.geometry.coordinates).toEqual(feature.geometry.coordinates);
      },
    );

    it.each(['route-b-m-r-atak.xml', 'route-b-m-r-atak-5.4-navcues.xml'])('%s: the link points are its LineString, in order', async (file) => {
      const feature = await CoTParser.to_geojson(CoTParser.from_xml(readCot(file).toString('utf8')));
      expect(feature.geometry.type).toBe('LineString');
      if (feature.geometry.type !== 'LineString') return;
      const ours = eventOf(file).detail.links.flatMap((l) => (l.point ? [[l.point.lon, l.point.lat]] : []));
      expect(ours).toEqual(feature.geometry.coordinates.map((c) => [c[0], c[1]]));
    });
  });
});
