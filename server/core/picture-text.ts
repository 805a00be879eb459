// The JSON text of a picture made a piece at a time (server/core), yielding to the event loop between
// pieces, so a large picture (tens of thousands of units, zones of thousands of positions) never holds
// it: for snapshots on disk and, later, for each audience's snapshot on the wire.
import { PICTURE_SLICES, type Picture } from '@corridor/protocol';

/** Time one piece may take before the loop gets a turn, ms. */
const PIECE_MS = 4;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `JSON.stringify(picture)`, made in pieces of about {@link PIECE_MS} with a turn of the event loop
 * between them. The text is the picture as of the seq it starts at: every slice but `units` is
 * replaced when it changes, never changed in place (apply-event.ts), so the slices taken at the start
 * stay as they were while the text is made; `units` is updated in place, so a unit in the text may be
 * newer than that seq, which is harmless, since replaying the events after it leaves every unit at its
 * newest fix (P6). Equal to `JSON.stringify(picture)` when nothing changes meanwhile (a property test).
 * @example await pictureJson(emptyPicture()) // '{"seq":0,"units":{},"threats":{},…}'
 */
export async function pictureJson(picture: Picture, pieceMs = PIECE_MS): Promise<string> {
  const seq = picture.seq;
  const slices = PICTURE_SLICES.map((name) => [name, picture[name]] as const);
  const out: string[] = [`{"seq":${seq}`];
  let started = performance.now();
  for (const [name, slice] of slices) {
    const keys = Object.keys(slice);
    const entries: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const value = (slice as Record<string, unknown>)[keys[i]];
      if (value !== undefined) entries.push(`${JSON.stringify(keys[i])}:${JSON.stringify(value)}`);
      if ((i & 63) === 63 && performance.now() - started > pieceMs) {
        await yieldTurn();
        started = performance.now();
      }
    }
    out.push(`${JSON.stringify(name)}:{${entries.join(',')}}`);
  }
  return `${out.join(',')}}`;
}
