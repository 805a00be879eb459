// parseCot on small hand-written messages (server/cot/parse.ts): the auth message, the TAK protocol
// negotiation, times, unknown values, and reasons that name the element or attribute at fault.
import { describe, expect, it } from 'vitest';
import { parseCot, readTime, type CotEvent } from '../../server/cot/parse.js';

/** A minimal valid event with the given pieces replaced. */
function event(o: { attrs?: string; point?: string; detail?: string } = {}): string {
  const attrs = o.attrs ?? `version="2.0" uid="u-1" type="a-f-G-U-C" how="m-g" time="2026-01-02T03:04:05.678Z" start="2026-01-02T03:04:05.678Z" stale="2026-01-02T03:06:05.678Z"`;
  const point = o.point ?? `<point lat="18.5" lon="-72.3" hae="9999999.0" ce="12.5" le="9999999.0"/>`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<event ${attrs}>${point}<detail>${o.detail ?? ''}</detail></event>`;
}

function ok(xml: string): CotEvent {
  const r = parseCot(xml);
  if (!r.ok) throw new Error(r.reason);
  if (r.message.kind === 'auth' || !r.message.event) throw new Error('not an event');
  return r.message.event;
}

function reason(xml: string | Buffer): string {
  const r = parseCot(xml);
  if (r.ok) throw new Error('accepted');
  return r.reason;
}

describe('parseCot: events', () => {
  it('reads uid, type, how, the three times in ms, and the point, with 9999999 as unknown', () => {
    const e = ok(event());
    expect(e).toMatchObject({ uid: 'u-1', type: 'a-f-G-U-C', how: 'm-g', version: '2.0', timeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), staleMs: Date.UTC(2026, 0, 2, 3, 6, 5, 678) });
    expect(e.point).toEqual({ lat: 18.5, lon: -72.3, ce: 12.5 });
  });

  it('accepts a Buffer or a string, with or without a declaration or a BOM', () => {
    const xml = event();
    expect(ok(xml).uid).toBe('u-1');
    expect(parseCot(Buffer.from(xml)).ok).toBe(true);
    expect(parseCot('\uFEFF' + xml.replace(/^<\?xml[^>]*>\n/, '')).ok).toBe(true);
    expect(parseCot(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)])).ok).toBe(true);
  });

  it('keeps attribute values as strings, entities decoded, and text trimmed', () => {
    const e = ok(event({ detail: `<contact callsign="R&amp;B &lt;1&gt; &#x41;&#10;two" phone="0012"/><remarks>  a &amp; b  </remarks><foo n="007"/>` }));
    expect(e.detail.contact).toEqual({ callsign: 'R&B <1> A\ntwo', phone: '0012' });
    expect(e.detail.remarks).toBe('a & b');
    expect(e.detail.elements.find((x) => x.name === 'foo')!.attrs.n).toBe('007');
  });

  it('keeps CDATA text literally (no entity decoding inside it)', () => {
    expect(ok(event({ detail: '<remarks><![CDATA[a &amp; <b>]]></remarks>' })).detail.remarks).toBe('a &amp; <b>');
  });

  it.each([
    ['2020-02-09T19:22:01.2Z', Date.UTC(2020, 1, 9, 19, 22, 1, 200)],
    ['2022-10-27T13:55:26.688292Z', Date.UTC(2022, 9, 27, 13, 55, 26, 688)],
    ['2026-07-02T16:19:11Z', Date.UTC(2026, 6, 2, 16, 19, 11)],
    ['2026-07-02T18:19:11.5+02:00', Date.UTC(2026, 6, 2, 16, 19, 11, 500)],
    ['2026-07-02T11:49:11-04:30', Date.UTC(2026, 6, 2, 16, 19, 11)],
  ])('reads the time %s', (text, ms) => {
    expect(readTime(text, 'event@time')).toBe(ms);
  });

  it.each([
    ['no zone', '2026-07-02T16:19:11'],
    ['a date alone', '2026-07-02'],
    ['Feb 30', '2026-02-30T00:00:00Z'],
    ['hour 25', '2026-07-02T25:00:00Z'],
    ['words', 'yesterday'],
  ])('refuses a time with %s, naming the attribute', (_what, text) => {
    expect(reason(event({ attrs: `uid="u" type="a-f-G" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="${text}"` }))).toMatch(/^event@stale is .*not (an ISO 8601 time|a valid date)/);
  });

  it.each([
    ['a missing uid', `type="a-f-G" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z"`, /event@uid is missing/],
    ['a missing type', `uid="u" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z"`, /event@type is missing/],
    ['a type with a space', `uid="u" type="a f" time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z"`, /event@type is "a f": not a CoT type/],
    ['a missing start', `uid="u" type="a-f-G" time="2026-01-01T00:00:00Z" stale="2026-01-01T00:00:00Z"`, /event@start is missing/],
  ])('refuses %s', (_what, attrs, expected) => {
    expect(reason(event({ attrs }))).toMatch(expected);
  });

  it.each([
    ['lat 93', `<point lat="93" lon="0"/>`, /^point@lat is 93: outside -90\.\.90$/],
    ['lon -180.5', `<point lat="0" lon="-180.5"/>`, /^point@lon is -180.5: outside -180\.\.180$/],
    ['lat NaN', `<point lat="NaN" lon="0"/>`, /^point@lat is "NaN": not a number$/],
    ['lon Infinity', `<point lat="0" lon="Infinity"/>`, /^point@lon is "Infinity": not a number$/],
    ['lat 1e400', `<point lat="1e400" lon="0"/>`, /^point@lat is "1e400": not a finite number$/],
    ['a hex lat', `<point lat="0x10" lon="0"/>`, /^point@lat is "0x10": not a number$/],
    ['an empty lon', `<point lat="1" lon=""/>`, /^point@lon is "": not a number$/],
    ['no lat', `<point lon="1"/>`, /^point@lat is missing$/],
    ['hae text', `<point lat="1" lon="1" hae="high"/>`, /^point@hae is "high": not a number$/],
    ['no point', ``, /^event has no <point>$/],
  ])('refuses %s, naming the attribute', (_what, point, expected) => {
    expect(reason(event({ point }))).toMatch(expected);
  });

  it('reads hae/ce/le of 999999 or more as unknown and a negative ce as unknown', () => {
    expect(ok(event({ point: `<point lat="1" lon="2" hae="999999" ce="-1" le="9999999"/>` })).point).toEqual({ lat: 1, lon: 2 });
    expect(ok(event({ point: `<point lat="1" lon="2" hae="-12.5" ce="0" le="3"/>` })).point).toEqual({ lat: 1, lon: 2, hae: -12.5, ce: 0, le: 3 });
  });

  it('reads link points (lat,lon[,hae]) and refuses a bad one by index', () => {
    const e = ok(event({ detail: `<link point="1.5,2.5"/><link point="-3,4,120.5"/><link uid="x" relation="p-p" type="a-f-G" parent_callsign="P"/>` }));
    expect(e.detail.links).toEqual([
      { point: { lat: 1.5, lon: 2.5 } },
      { point: { lat: -3, lon: 4, hae: 120.5 } },
      { uid: 'x', relation: 'p-p', type: 'a-f-G', parentCallsign: 'P' },
    ]);
    expect(reason(event({ detail: `<link point="1,2"/><link point="1;2"/>` }))).toMatch(/^link\[1\]@point is "1;2": not lat,lon\[,hae\]$/);
    expect(reason(event({ detail: `<link point="95,2"/>` }))).toMatch(/^link\[0\]@point \(lat\) is 95: outside -90\.\.90$/);
  });

  it('reads track (course normalised to [0, 360), speed m/s), with "" and NaN as unknown', () => {
    expect(ok(event({ detail: `<track course="-90" speed="12.5"/>` })).detail.track).toEqual({ courseDeg: 270, speedMps: 12.5 });
    expect(ok(event({ detail: `<track course="NaN" speed=""/>` })).detail.track).toEqual({});
    expect(reason(event({ detail: `<track course="north" speed="1"/>` }))).toMatch(/^track@course is "north": not a number$/);
  });

  it('reads colours as signed ARGB, the severity detail, force-delete and the emergency', () => {
    const e = ok(event({ detail: `<strokeColor value="4294901760"/><fillColor value="-1761607681"/><severity value=" No-Go "/><__forcedelete/><emergency cancel="TRUE" type="911 Alert">BOB</emergency>` }));
    expect(e.detail).toMatchObject({ strokeColor: -65536, fillColor: -1761607681, severity: 'No-Go', forceDelete: true, emergency: { type: '911 Alert', cancel: true, text: 'BOB' } });
    expect(reason(event({ detail: `<fillColor value="red"/>` }))).toMatch(/^fillColor@value is "red": not an integer ARGB colour$/);
  });

  it('reads a circle ellipse in metres and refuses a negative axis', () => {
    expect(ok(event({ detail: `<shape><ellipse major="250.5" minor="250.5" angle="360"/></shape>` })).detail.shape).toEqual({ ellipse: { majorM: 250.5, minorM: 250.5, angleDeg: 360 } });
    expect(reason(event({ detail: `<shape><ellipse major="-3" minor="1"/></shape>` }))).toMatch(/negative axis/);
  });

  it('cuts a long callsign and long remarks, keeps the rest of the message', () => {
    const e = ok(event({ detail: `<contact callsign="${'c'.repeat(5000)}"/><remarks>${'r'.repeat(50_000)}</remarks>` }));
    expect(e.detail.contact!.callsign).toHaveLength(200);
    expect(e.detail.contact!.callsign!.endsWith('…')).toBe(true);
    expect(e.detail.remarks).toHaveLength(4000);
  });
});

describe('parseCot: auth and the TAK protocol negotiation', () => {
  it('reads the streaming auth (CONTRACT.md): username, password (the token), uid', () => {
    expect(parseCot('<?xml version="1.0"?>\n<auth><cot username="ops" password="tok &amp; en" uid="ANDROID-1"/></auth>')).toEqual({
      ok: true,
      message: { kind: 'auth', username: 'ops', password: 'tok & en', uid: 'ANDROID-1' },
    });
    expect(parseCot('<auth><cot/></auth>')).toEqual({ ok: true, message: { kind: 'auth' } });
  });

  it('refuses an auth without <cot>, and a root that is neither event nor auth', () => {
    expect(reason('<auth/>')).toMatch(/<auth> has no <cot/);
    expect(reason('<html><body/></html>')).toMatch(/^root element <html> is neither <event> nor <auth>$/);
  });

  // Templates from ATAK-CIV takproto/README.md, "Streaming Connection Protocol Negotiation".
  const takp = (type: string, control: string) =>
    `<event version='2.0' uid='protouid' type='${type}' time='2026-01-01T00:00:00Z' start='2026-01-01T00:00:00Z' stale='2026-01-01T00:01:00Z' how='m-g'>` +
    `<point lat='0.0' lon='0.0' hae='0.0' ce='999999' le='999999'/><detail><TakControl>${control}</TakControl></detail></event>`;

  it('reads the offer (t-x-takp-v, one or more versions, TAK Server version info)', () => {
    const r = parseCot(takp('t-x-takp-v', `<TakProtocolSupport version="1"/><TakProtocolSupport version="2"/><TakServerVersionInfo serverVersion="5.2-RELEASE-16"/>`));
    expect(r).toMatchObject({ ok: true, message: { kind: 'takcontrol', control: { kind: 'support', versions: [1, 2], serverVersion: '5.2-RELEASE-16' }, event: { uid: 'protouid' } } });
  });

  it('reads the request (t-x-takp-q, exactly one TakRequest) and the response (t-x-takp-r)', () => {
    expect(parseCot(takp('t-x-takp-q', `<TakRequest version="1"/>`))).toMatchObject({ ok: true, message: { kind: 'takcontrol', control: { kind: 'request', version: 1 } } });
    expect(parseCot(takp('t-x-takp-r', `<TakResponse status="true"/>`))).toMatchObject({ ok: true, message: { kind: 'takcontrol', control: { kind: 'response', status: true } } });
    expect(parseCot(takp('t-x-takp-r', `<TakResponse status="false"/>`))).toMatchObject({ ok: true, message: { control: { kind: 'response', status: false } } });
  });

  it.each([
    ['t-x-takp-q', `<TakRequest version="1"/><TakRequest version="2"/>`, /t-x-takp-q has 2 <TakRequest> elements, not one/],
    ['t-x-takp-q', `<TakRequest version="one"/>`, /TakRequest@version is "one": not a protocol version/],
    ['t-x-takp-q', `<TakRequest version="0"/>`, /not a protocol version/],
    ['t-x-takp-v', ``, /t-x-takp-v has no <TakProtocolSupport/],
    ['t-x-takp-r', `<TakResponse status="yes"/>`, /TakResponse@status is "yes": not true or false/],
  ])('refuses a malformed %s: %s', (type, control, expected) => {
    expect(reason(takp(type, control))).toMatch(expected);
  });
});
