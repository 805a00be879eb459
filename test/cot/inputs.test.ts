// cotInput on hand-written events (server/cot/inputs.ts): the severity convention, identities and
// symbols, shapes that are not areas, deletes, alerts and what is ignored, each with its reason.
import { describe, expect, it } from 'vitest';
import { casevacSummary, cotIdentity, cotInput, cotSidc, zoneSeverity, type CotInput } from '../../server/cot/inputs.js';
import { parseCot } from '../../server/cot/parse.js';

const T = `time="2026-01-02T03:04:05Z" start="2026-01-02T03:04:05Z" stale="2026-01-02T04:04:05Z"`;

/** cotInput of an event of this type, point and detail. */
function input(type: string, detail = '', point = `<point lat="18.5" lon="-72.3" hae="9999999" ce="9999999" le="9999999"/>`): CotInput {
  const r = parseCot(`<event version="2.0" uid="x-1" type="${type}" how="h-e" ${T}>${point}<detail>${detail}</detail></event>`);
  if (!r.ok) throw new Error(r.reason);
  if (r.message.kind === 'auth' || !r.message.event) throw new Error('not an event');
  return cotInput(r.message.event);
}

const square = `<link point="18.50,-72.30"/><link point="18.50,-72.20"/><link point="18.60,-72.20"/><link point="18.60,-72.30"/>`;
const closedSquare = square + `<link point="18.50,-72.30"/>`;

describe('the zone severity convention (issue 14, README)', () => {
  it('a <severity value> detail wins over the remarks', () => {
    expect(input('u-d-f', closedSquare + `<severity value="advisory"/><remarks>#no-go</remarks>`)).toMatchObject({ kind: 'zone', severity: 'advisory' });
  });

  it('else a remarks hashtag, case-insensitive; the most severe of several', () => {
    expect(input('u-d-f', closedSquare + `<remarks>Bridge out #NO-GO</remarks>`)).toMatchObject({ severity: 'no-go', remarks: 'Bridge out #NO-GO' });
    expect(input('u-d-r', square + `<remarks>#advisory, maybe #Danger</remarks>`)).toMatchObject({ severity: 'danger' });
    expect(zoneSeverity(undefined, '#advisory #no-go #danger')).toBe('no-go');
  });

  it('else danger; an unknown severity value or a longer word is passed over', () => {
    expect(input('u-d-c-c', `<shape><ellipse major="100" minor="100" angle="360"/></shape>`)).toMatchObject({ severity: 'danger' });
    expect(zoneSeverity('extreme', '#advisory')).toBe('advisory');
    expect(zoneSeverity(undefined, '#dangerous #advisoryish')).toBe('danger');
  });
});

describe('zones', () => {
  it('a u-d-f polygon keeps its ring in [lon, lat] and its label', () => {
    const z = input('u-d-f', closedSquare + `<contact callsign="Checkpoint"/>`);
    expect(z).toMatchObject({ kind: 'zone', uid: 'x-1', cotType: 'u-d-f', label: 'Checkpoint' });
    if (z.kind !== 'zone') return;
    expect(z.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [-72.3, 18.5],
          [-72.2, 18.5],
          [-72.2, 18.6],
          [-72.3, 18.6],
          [-72.3, 18.5],
        ],
      ],
    });
  });

  it('an open u-d-f line is ignored as an open polyline', () => {
    expect(input('u-d-f', square)).toMatchObject({ kind: 'ignore', what: 'open-line' });
  });

  it('a u-d-f of fewer than 3 distinct vertices is not an area', () => {
    expect(input('u-d-f', `<link point="1,1"/><link point="1,2"/><link point="1,1"/>`)).toMatchObject({ kind: 'ignore', what: 'bad-shape' });
  });

  it('a rectangle needs 4 corners (a closing 5th is accepted)', () => {
    expect(input('u-d-r', square.split('/>').slice(0, 3).join('/>') + '/>')).toMatchObject({ kind: 'ignore', what: 'bad-shape', why: 'a rectangle (u-d-r) with 3 corners, not 4' });
    expect(input('u-d-r', closedSquare)).toMatchObject({ kind: 'zone' });
  });

  it('a circle needs a radius', () => {
    expect(input('u-d-c-c', '')).toMatchObject({ kind: 'ignore', what: 'bad-shape' });
    expect(input('u-d-c-c', `<shape><ellipse major="0" minor="0"/></shape>`)).toMatchObject({ kind: 'ignore', what: 'bad-shape' });
    expect(input('u-d-c-c', `<shape><ellipse major="750" minor="700"/></shape>`)).toMatchObject({ geometry: { type: 'Circle', center: [-72.3, 18.5], radiusM: 750 } });
  });

  it('a closed freehand (u-d-f-m) is a zone; its embedded event is unescaped', () => {
    const inner = `<event version='2.0' uid='in' type='u-d-f' ${T.replace(/"/g, "'")}><point lat='0' lon='0'/><detail>${closedSquare.replace(/"/g, "'")}</detail></event>`;
    const escaped = inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
    const z = input('u-d-f-m', `<link line="${escaped}"/>`, `<point lat="0" lon="0"/>`);
    expect(z).toMatchObject({ kind: 'zone', cotType: 'u-d-f-m' });
  });
});

describe('positions', () => {
  it.each([
    ['a-f-G-U-C', 'friend', 'friend'],
    ['a-a-G', 'assumed-friend', 'friend'],
    ['a-n-G', 'neutral', 'neutral'],
    ['a-u-G', 'unknown', 'unknown'],
    ['a-p-G', 'pending', 'unknown'],
    ['a-s-G', 'suspect', 'hostile'],
    ['a-h-G', 'hostile', 'hostile'],
    ['a-j-G', 'joker', 'hostile'],
    ['a-k-G', 'faker', 'hostile'],
    ['a-o-G', 'none', 'unknown'],
    ['a-x-G', 'unknown', 'unknown'],
  ])('%s is %s, drawn %s', (type, identity, affiliation) => {
    expect(input(type)).toMatchObject({ kind: 'position', identity, affiliation, cotType: type });
  });

  it.each([
    ['a-f-G-U-C-I', 'SFGPUCI--------'],
    ['a-h-G', 'SHGP-----------'],
    ['a-f-G-E-V-C', 'SFGPEVC--------'],
    ['a-f-A-M-F-Q', 'SFAPMFQ--------'],
    ['a-n-G-U-C-I-d', 'SNGPUCI--------'],
    ['a-f-X', undefined],
    ['b-m-p-s-m', undefined],
  ])('%s has the 2525B code %s', (type, sidc) => {
    expect(cotSidc(type)).toBe(sidc);
  });

  it('reads the identity from the third character, upper case too', () => {
    expect(cotIdentity('a-H-G')).toBe('hostile');
  });

  it('a fix of exactly 0,0 is no fix', () => {
    expect(input('a-f-G-U-C', '', `<point lat="0" lon="0"/>`)).toMatchObject({ kind: 'ignore', what: 'no-fix' });
    expect(input('a-f-G-U-C', '', `<point lat="0" lon="0.0001"/>`)).toMatchObject({ kind: 'position' });
  });

  it('a self-report that links to itself has no placedBy', () => {
    expect(input('a-f-G', `<link uid="x-1" relation="p-p"/>`)).not.toHaveProperty('placedBy');
  });
});

describe('deletes, alerts, control', () => {
  it('t-x-d-d: every linked uid, forced or not; without a link it is ignored', () => {
    expect(input('t-x-d-d', `<link uid="tz-1" relation="none" type="none"/><link uid="tz-2"/><__forcedelete/>`)).toEqual({
      kind: 'delete',
      uid: 'tz-1',
      uids: ['tz-1', 'tz-2'],
      timeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
      force: true,
    });
    expect(input('t-x-d-d')).toMatchObject({ kind: 'ignore', what: 'delete-without-target' });
  });

  it.each([
    ['b-a-o-tbl', '911 Alert', false],
    ['b-a-o-pan', 'Ring The Bell', false],
    ['b-a-o-opn', 'In Contact', false],
    ['b-a-o-c', 'Custom', false],
    ['b-a-g', 'Geo-fence Breached', false],
    ['b-a-o-can', 'Cancel Alert', true],
  ])('%s without an <emergency> type is "%s", cancel %s', (type, emergencyType, cancel) => {
    expect(input(type)).toMatchObject({ kind: 'emergency', emergencyType, cancel });
  });

  it('an emergency with cancel="true" is a cancel; one without a fix has positionKnown false', () => {
    expect(input('b-a-o-tbl', `<emergency cancel="true" type="911 Alert">Bob</emergency>`, `<point lat="0" lon="0"/>`)).toMatchObject({
      cancel: true,
      callsign: 'Bob',
      positionKnown: false,
    });
  });

  it('ping is t-x-c-t only; a pong is ignored', () => {
    expect(input('t-x-c-t')).toEqual({ kind: 'ping', uid: 'x-1', timeMs: Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(input('t-x-c-t-r')).toMatchObject({ kind: 'ignore', what: 'pong' });
  });

  it('the negotiation events give takcontrol', () => {
    expect(input('t-x-takp-q', `<TakControl><TakRequest version="1"/></TakControl>`)).toEqual({ kind: 'takcontrol', uid: 'x-1', control: { kind: 'request', version: 1 } });
  });

  it.each([
    ['b-t-f', 'chat'],
    ['b-t-f-d', 'chat-receipt'],
    ['b-t-f-r', 'chat-receipt'],
    ['b-m-r', 'route'],
    ['b-m-p-s-p-i', 'marker'],
    ['b-m-p-w-GOTO', 'marker'],
    ['b-i-x-i', 'marker'],
    ['u-rb-a', 'drawing'],
    ['u-d-c-e', 'drawing'],
    ['y-z', 'other'],
  ])('%s is ignored as %s, with a reason', (type, what) => {
    const i = input(type);
    expect(i).toMatchObject({ kind: 'ignore', what });
    if (i.kind === 'ignore') expect(i.why.length).toBeGreaterThan(10);
  });
});

describe('casevacSummary', () => {
  it('leaves out what is absent, zero or not a count', () => {
    expect(casevacSummary({ title: 'Bravo', urgent: '1', urgent_surgical: '0', routine: 'x', litter: '2' }, undefined)).toBe('Bravo; 1 urgent; 2 litter');
    expect(casevacSummary({}, '  ')).toBe('CASEVAC request');
    expect(casevacSummary({ freq: '45.5' }, 'LZ\nhot')).toBe('freq 45.5; remarks: LZ hot');
  });
});
