// The schemas of what the server sends (protocol/server-messages.ts): they accept what the server
// makes (snapshots of folded pictures, frames, acks, errors) and refuse a message with a field out
// of place, so every integration test that holds the server's messages to them can fail.
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, PROTOCOL_VERSION } from '@corridor/protocol';
import { serverMessageProblem } from '../integration/helpers.js';

describe('server message schemas', () => {
  const zone = { id: 'tz-1', severity: 'no-go', geometry: { type: 'Point', coordinates: [12, 57] }, area: { type: 'Polygon', coordinates: [[[12, 57], [12.1, 57], [12, 57.1], [12, 57]]] }, updatedMs: 1 };
  const picture = applyEvents(emptyPicture(), [
    { seq: 1, timeMs: 1, type: 'threat.upserted', zone: zone as never },
    { seq: 2, timeMs: 2, type: 'position.reported', units: [{ unitId: 'u1', lon: 12, lat: 57, timeMs: 1, seenMs: 2, callsign: 'ALPHA' }] },
  ]);

  it('accept a snapshot, a frame, an ack, an error, a pong and resync-required as the server makes them', () => {
    const messages = [
      { type: 'snapshot', protocol: PROTOCOL_VERSION, seq: 2, staleAfterMs: 1000, serverTimeMs: 3, picture: JSON.parse(JSON.stringify(picture)) },
      { type: 'delta', since: 0, seq: 2, events: [{ seq: 2, timeMs: 2, type: 'position.reported', fixes: [['u1', 12, 57, -1, 0], { unitId: 'u2', lon: 1, lat: 2, timeMs: 1, seenMs: 2, callsign: 'B' }] }] },
      { type: 'ack', msgId: 'm1', seq: 2 },
      { type: 'error', msgId: 'm2', code: 'invalid', message: 'lat must be at most 90, got 91', path: 'lat' },
      { type: 'pong', serverTimeMs: 5 },
      { type: 'resync-required', seq: 2 },
    ];
    for (const m of messages) expect(serverMessageProblem(m), m.type).toBeUndefined();
  });

  it('refuse a field out of place, a missing one, or an unknown type', () => {
    expect(serverMessageProblem({ type: 'ack', msgId: 'm1', seq: 2, actor: { tokenId: 'x' } })).toMatch(/ack breaks its schema/);
    expect(serverMessageProblem({ type: 'ack', msgId: 'm1' })).toMatch(/seq/);
    expect(serverMessageProblem({ type: 'snapshot', seq: 1, staleAfterMs: 1, serverTimeMs: 1, picture: JSON.parse(JSON.stringify(picture)) })).toMatch(/protocol/);
    const leaky = JSON.parse(JSON.stringify(picture));
    leaky.units.u1.secretSource = 'informant';
    expect(serverMessageProblem({ type: 'snapshot', protocol: PROTOCOL_VERSION, seq: 2, staleAfterMs: 1, serverTimeMs: 1, picture: leaky })).toMatch(/snapshot breaks/);
    expect(serverMessageProblem({ type: 'hello' })).toMatch(/unknown server message type/);
  });
});
