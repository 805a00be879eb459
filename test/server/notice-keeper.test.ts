// The notice keeper on its own (server/convoys/notice-keeper.ts, P36): what it appends at start-up for
// convoys approved while it was not running, each with a reference no other notice has.
import { describe, expect, it } from 'vitest';
import { emptyPicture, type Convoy, type Corridor, type NewEvent, type Picture } from '@corridor/protocol';
import { NoticeKeeper } from '../../server/convoys/notice-keeper.js';
import type { ReactorContext } from '../../server/core/reactor.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const convoy = (id: string, state: Convoy['state']): Convoy => ({ id, name: id, origin: [11.95, 57.7], destination: [11.99, 57.71], vehicleClass: '4wd', state, updatedMs: 0 });
const corridor = (convoyId: string): Corridor => ({
  convoyId,
  status: 'ok',
  routes: [{ coordinates: [[11.95, 57.7], [11.97, 57.705], [11.99, 57.71]], distance_m: 2600, duration_s: 240, exposure_m: 0, min_clearance_m: null, roads: [{ name: 'Nya Allén', from: 0, distance_m: 2600, duration_s: 240 }] }],
  reason: 'computed',
  computedMs: 0,
  version: 1,
});
const context = (picture: Picture): ReactorContext => ({ append: () => {}, exists: () => true, picture: () => picture, now: () => NOW });

describe('the notice keeper at start-up', () => {
  it('drafts one notice per approved or moving convoy with a corridor, each with its own reference', () => {
    const picture = emptyPicture();
    picture.seq = 41;
    for (const [id, state] of [['cv-a', 'approved'], ['cv-b', 'moving'], ['cv-c', 'holding'], ['cv-p', 'planned'], ['cv-n', 'approved']] as const) picture.convoys[id] = convoy(id, state);
    for (const id of ['cv-a', 'cv-b', 'cv-c', 'cv-p']) picture.corridors[id] = corridor(id);
    // A notice already holds the first reference this look would give.
    picture.notices['cv-old'] = { convoyId: 'cv-old', reference: 'DN-2026-0041', version: 1, status: 'sent', draftedMs: 0, convoyName: 'old', origin: { at: [0, 0] }, destination: { at: [0, 0] }, route: null, roads: [], places: [], checkpoints: [], vehicles: { class: '4wd' }, routeVersion: 1 };
    const keeper = new NoticeKeeper();
    const events = (keeper.start(picture, context(picture)) as { events: NewEvent[] }).events;
    keeper.stop();
    const drafted = events.filter((e) => e.type === 'notice.drafted') as Extract<NewEvent, { type: 'notice.drafted' }>[];
    // Planned and unrouted convoys have none yet.
    expect(drafted.map((e) => e.convoyId).sort()).toEqual(['cv-a', 'cv-b', 'cv-c']);
    const references = drafted.map((e) => e.notice.reference);
    expect(new Set(references).size).toBe(3);
    expect(references).not.toContain('DN-2026-0041');
    for (const r of references) expect(r).toMatch(/^DN-2026-0041-\d$/);
    expect(drafted[0].notice).toMatchObject({ version: 1, status: 'draft', roads: ['Nya Allén'], routeVersion: 1 });
  });
});
