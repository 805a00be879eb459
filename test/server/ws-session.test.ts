// WsSession (server/net/ws-session.ts) over an in-memory socket the test flushes, with the real
// gateway and store on a temp log: answers, message order around the reader thread, pausing when the
// peer does not read its answers (P15), and no exception escaping a message (issue 9).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PictureStore } from '../../server/core/store.js';
import { Gateway } from '../../server/gateway/gateway.js';
import { READ_INLINE_BYTES } from '../../server/gateway/read.js';
import { senderOf } from '../../server/gateway/sender.js';
import { databaseFile, SqliteEventLog } from '../../server/log/event-log.js';
import { FileSnapshotStore, snapshotDir } from '../../server/log/snapshot-store.js';
import { WsSession, type SessionSocket } from '../../server/net/ws-session.js';
import { silentLogger, tempDir, waitFor } from './helpers.js';

/** An in-memory socket: keeps what is sent, says whether reading is paused, buffers what the test says. */
class MemorySocket implements SessionSocket {
  open = true;
  bufferedAmount = 0;
  paused = false;
  readonly sent: Array<Record<string, any>> = [];
  sendTexts(texts: readonly string[]): void {
    for (const t of texts) this.sent.push(JSON.parse(t));
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

const record = { id: 'tk-1', org: 'test', role: 'admin' as const, createdMs: 0, revoked: false };
const bytes = (m: unknown) => Buffer.from(typeof m === 'string' ? m : JSON.stringify(m));
const flush = () => new Promise((r) => setImmediate(r));

describe('WsSession', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: PictureStore;
  let gateway: Gateway;
  let socket: MemorySocket;
  let session: WsSession;
  beforeEach(async () => {
    tmp = tempDir();
    store = await PictureStore.open({ log: new SqliteEventLog(databaseFile(tmp.dir)), snapshots: new FileSnapshotStore(snapshotDir(tmp.dir)), logger: silentLogger });
    gateway = new Gateway({ store, logger: silentLogger });
    socket = new MemorySocket();
    session = new WsSession(socket, senderOf(record), { gateway, logger: silentLogger, bufferLimitBytes: 1000 });
  });
  afterEach(async () => {
    await gateway.close();
    await store.close();
    tmp.cleanup();
  });

  it('P3/P5: acks an update once stored, answers a bad one with its error, a ping with pong', async () => {
    session.onMessage(bytes({ type: 'position', msgId: 'a', unitId: 'u1', lon: 11.9, lat: 57.7 }));
    session.onMessage(bytes({ type: 'position', msgId: 'b', unitId: 'u1', lon: 11.9, lat: 91 }));
    session.onMessage(bytes({ type: 'ping', msgId: 'c' }));
    await waitFor(() => socket.sent.length === 3);
    expect(socket.sent.find((m) => m.msgId === 'a')).toEqual({ type: 'ack', msgId: 'a', seq: 1 });
    expect(socket.sent.find((m) => m.msgId === 'b')).toMatchObject({ type: 'error', code: 'invalid', path: 'lat' });
    expect(socket.sent.find((m) => m.msgId === 'c')).toMatchObject({ type: 'pong' });
  });

  it('issue 9: an exception while handling one message is that message\'s internal error; the next is handled', async () => {
    vi.spyOn(gateway, 'readCommand').mockImplementationOnce(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    expect(() => session.onMessage(bytes({ type: 'ping', msgId: 'x' }))).not.toThrow();
    session.onMessage(bytes({ type: 'ping', msgId: 'y' }));
    await waitFor(() => socket.sent.length === 2);
    expect(socket.sent[0]).toMatchObject({ type: 'error', code: 'internal' });
    expect(socket.sent[1]).toMatchObject({ type: 'pong', msgId: 'y' });
  });

  it('keeps the order of messages while a large one is read on the reader thread, and reads nothing meanwhile', async () => {
    const large = bytes({ type: 'haven.upsert', msgId: 'big', haven: { id: 'hv-1', name: 'x'.repeat(READ_INLINE_BYTES), lon: 11.9, lat: 57.7, capacity: 5, status: 'open' } });
    session.onMessage(large);
    expect(socket.paused).toBe(true);
    session.onMessage(bytes({ type: 'haven.remove', msgId: 'small', id: 'hv-1' }));
    await waitFor(() => socket.sent.length === 2, 5000);
    expect(socket.sent.map((m) => m.msgId)).toEqual(['big', 'small']);
    // The large one was refused (its name is too long), so the removal after it finds no haven.
    expect(socket.sent[0]).toMatchObject({ type: 'error', code: 'invalid', path: 'haven.name' });
    expect(socket.sent[1]).toMatchObject({ type: 'error', code: 'not_found' });
    expect(socket.paused).toBe(false);
  });

  it('P15: stops reading a peer whose answers pile up unread, and reads again once they drain', async () => {
    socket.bufferedAmount = 5000;
    session.onMessage(bytes({ type: 'ping', msgId: 'p' }));
    await flush();
    expect(socket.sent).toHaveLength(1);
    expect(socket.paused).toBe(true);
    session.onDrain();
    expect(socket.paused).toBe(true); // still over the limit
    socket.bufferedAmount = 0;
    session.onDrain();
    expect(socket.paused).toBe(false);
  });

  it('P13: a send-only session refuses resync; a closing socket takes nothing', async () => {
    session.onMessage(bytes({ type: 'resync', since: 0 }));
    await flush();
    expect(socket.sent[0]).toMatchObject({ type: 'error', code: 'invalid', path: 'type' });
    socket.open = false;
    session.onMessage(bytes({ type: 'position', msgId: 'late', unitId: 'u1', lon: 11.9, lat: 57.7 }));
    await flush();
    await store.idle();
    expect(store.seq).toBe(0);
  });
});
