// The largest and most hostile single messages the limits admit (test/integration), by name: for the
// event-loop test and for `npm run bench:messages`. Each is made afresh per attempt (its msgIds differ).
import { MAX_GEOMETRY_POSITIONS, MAX_MESSAGE_BYTES, PositionBatchSchema } from '@corridor/protocol';
import { WS_MAX_PAYLOAD } from '../../server/net/ws-adapter.js';

type Pt = [number, number];
const at = (x: number, y: number): Pt => [11 + x * 1e-5, 57 + y * 1e-5];

/** A circle of n positions (closed). */
function circle(n: number): Pt[] {
  const ring: Pt[] = [];
  for (let i = 0; i < n - 1; i++) ring.push(at(500 + 400 * Math.cos((2 * Math.PI * i) / (n - 1)), 500 + 400 * Math.sin((2 * Math.PI * i) / (n - 1))));
  ring.push(ring[0]);
  return ring;
}

/**
 * A comb of long slanted parallel teeth whose bounding boxes all overlap, with no crossing: the worst
 * case for a crossing check (4 × teeth + 5 positions).
 */
export function comb(teeth: number): Pt[] {
  const L = 2 * teeth;
  const pts: Pt[] = [];
  for (let k = 0; k < teeth; k++) pts.push(at(2 * k, 0), at(2 * k + L, 1000), at(2 * k + 1 + L, 1000), at(2 * k + 1, 0));
  const end = 2 * teeth - 1;
  pts.push(at(end, -10), at(Math.round((2 * end) / 3), -11), at(Math.round(end / 3), -11), at(0, -10));
  return [...pts, pts[0]];
}

/** A star whose edges cross everywhere. */
function star(n: number): Pt[] {
  const ring: Pt[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * ((i * ((n - 2) / 2 + 0.5)) % (n - 1))) / (n - 1);
    ring.push(at(500 + 400 * Math.cos(a), 500 + 400 * Math.sin(a)));
  }
  ring.push(ring[0]);
  return ring;
}

export const zone = (coordinates: Pt[][], id: string) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates }, properties: { id, severity: 'advisory' } });

/** WebSocket messages: a name, and the text of attempt n. */
export const HEAVY_MESSAGES: Array<[string, (attempt: number) => string]> = [
  [
    `a batch of ${PositionBatchSchema.maxItems} reports`,
    (attempt) =>
      JSON.stringify({
        type: 'positions',
        msgId: `batch-${attempt}`,
        reports: Array.from({ length: PositionBatchSchema.maxItems! }, (_, i) => ({
          unitId: `unit-${i}`,
          lon: 11.9 + i / 1e6,
          lat: 57.7,
          time: new Date(Date.now() - 1000).toISOString(),
          heading: 90,
          speed: 3.5,
          accuracy: 5,
          callsign: `CALLSIGN-${i}`,
          msgId: `r-${attempt}-${i}`,
        })),
      }),
  ],
  [`a zone of ${MAX_GEOMETRY_POSITIONS} positions (circle)`, (attempt) => JSON.stringify({ type: 'threat.upsert', msgId: `circle-${attempt}`, feature: zone([circle(MAX_GEOMETRY_POSITIONS)], 'circle') })],
  [`a zone of ${MAX_GEOMETRY_POSITIONS} positions (comb, the crossing check's worst case)`, (attempt) => JSON.stringify({ type: 'threat.upsert', msgId: `comb-${attempt}`, feature: zone([comb(Math.floor((MAX_GEOMETRY_POSITIONS - 5) / 4))], 'comb') })],
  [`a self-crossing star of ${MAX_GEOMETRY_POSITIONS} positions`, (attempt) => JSON.stringify({ type: 'threat.upsert', msgId: `star-${attempt}`, feature: zone([star(MAX_GEOMETRY_POSITIONS)], 'star') })],
  [
    `a MultiPolygon of 1,000 rings, ${MAX_GEOMETRY_POSITIONS} positions`,
    (attempt) =>
      JSON.stringify({
        type: 'threat.upsert',
        msgId: `multi-${attempt}`,
        feature: {
          type: 'Feature',
          geometry: { type: 'MultiPolygon', coordinates: Array.from({ length: 1000 }, (_, k) => [[at(k * 3, 0), at(k * 3 + 1, 0), at(k * 3 + 1, 1), at(k * 3, 1), at(k * 3, 0)].concat(Array.from({ length: 5 }, () => at(k * 3, 0)))]) },
          properties: { severity: 'danger' },
        },
      }),
  ],
  [
    `a constraint line of ${MAX_GEOMETRY_POSITIONS} positions`,
    (attempt) =>
      JSON.stringify({
        type: 'constraint.upsert',
        msgId: `line-${attempt}`,
        constraint: {
          status: 'closed',
          category: 'hostilities',
          geometry: { type: 'LineString', coordinates: Array.from({ length: MAX_GEOMETRY_POSITIONS }, (_, i) => at(i, (i * 7919) % 1000)) },
          verifiedAt: new Date().toISOString(),
          verifiedBy: 'test',
        },
      }),
  ],
  [`2 MiB of JSON nested 1,000,000 deep`, (attempt) => `{"type":"position","msgId":"deep-${attempt}","lon":${'['.repeat(MAX_MESSAGE_BYTES / 2 - 100)}${']'.repeat(MAX_MESSAGE_BYTES / 2 - 100)}}`],
  [`2 MiB that are not JSON`, (attempt) => `{"msgId":"junk-${attempt}",` + 'x'.repeat(MAX_MESSAGE_BYTES - 40)],
  [`an array of 2 MiB of numbers where an object belongs`, (attempt) => `{"type":"threat.upsert","msgId":"nums-${attempt}","feature":[${'1,'.repeat(MAX_MESSAGE_BYTES / 2 - 100)}1]}`],
  [`a message between 2 MiB and ${WS_MAX_PAYLOAD / 1024 / 1024} MiB (WS_MAX_PAYLOAD)`, (attempt) => JSON.stringify({ type: 'ping', msgId: `big-${attempt}`, pad: 'x'.repeat(WS_MAX_PAYLOAD - 100) })],
  ];
