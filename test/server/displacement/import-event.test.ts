// The import as one event (issue 17, P35), over pure code: the fold keeps a site's previous figure when
// a figure of another date comes (single or imported), a correction of the same date keeps it; the
// command becomes one `sites.imported` event; and each recipient gets only the sites it may see.
import { describe, expect, it } from 'vitest';
import { applyEvents, applyEventsInPlace, emptyPicture, withPrevious, type EventOf, type NewEvent, type Picture, type PictureEvent, type Site } from '@corridor/protocol';
import { validateCommand } from '@corridor/protocol/validate';
import { commandToEvent, type CommandContext } from '../../../server/core/commands.js';
import { PendingView } from '../../../server/core/pending-view.js';
import { parseAgreement, SharingAgreement } from '../../../server/sharing/agreement.js';
import { AgreementPolicy, audienceKey } from '../../../server/sharing/policy.js';

const site = (id: string, population: number, date: string, extra: Partial<Site> = {}): Site => ({ id, name: id, lon: 1, lat: 2, population, date, source: 'DTM', updatedMs: 0, ...extra });
function stamp(events: NewEvent[], from = 0): PictureEvent[] {
  return events.map((e, i) => ({ ...e, seq: from + i + 1, timeMs: 1000 * (from + i + 1) }) as PictureEvent);
}
const imported = (sites: Site[], extra: Partial<EventOf<'sites.imported'>> = {}): NewEvent =>
  ({ type: 'sites.imported', import: { id: 'im-1', name: 'round.csv', by: 'UNHCR', rows: sites.length, sites: sites.length, flows: 0, skipped: 0 }, sites, flows: [], ...extra }) as NewEvent;

describe('P35: the figure before', () => {
  it('P35: an upsert of another date makes the stored figure previous; the same date (a correction) keeps it', () => {
    let p = applyEvents(emptyPicture(), stamp([{ type: 'site.upserted', site: site('st-a', 100, '2024-01-01') }]));
    expect(p.sites['st-a'].previous).toBeUndefined();
    p = applyEvents(p, stamp([{ type: 'site.upserted', site: site('st-a', 150, '2024-02-01') }], 1));
    expect(p.sites['st-a']).toMatchObject({ population: 150, date: '2024-02-01', previous: { population: 100, date: '2024-01-01' } });
    p = applyEvents(p, stamp([{ type: 'site.upserted', site: site('st-a', 155, '2024-02-01') }], 2));
    expect(p.sites['st-a']).toMatchObject({ population: 155, previous: { population: 100, date: '2024-01-01' } });
  });

  it('P35: what an upsert itself carries as previous is not taken', () => {
    const p = applyEvents(emptyPicture(), stamp([{ type: 'site.upserted', site: site('st-a', 1, '2024-01-01', { previous: { population: 9, date: '2000-01-01' } }) }]));
    expect(p.sites['st-a'].previous).toBeUndefined();
    expect(withPrevious(undefined, site('st-b', 1, '2024-01-01'))).toEqual(site('st-b', 1, '2024-01-01'));
  });

  it('P35: an import folds as an upsert of each site and flow, previous included, and its removed ids go', () => {
    let p = applyEvents(emptyPicture(), stamp([imported([site('st-a', 100, '2024-01-01'), site('st-b', 5, '2024-01-01')])]));
    expect(Object.keys(p.sites)).toEqual(['st-a', 'st-b']);
    p = applyEvents(p, stamp([imported([site('st-a', 120, '2024-02-01')], { flows: [{ id: 'fl-1', from: [0, 0], to: [1, 2], people: 3, date: '2024-02-01', updatedMs: 0 }], removed: { sites: ['st-b'] } })], 1));
    expect(p.sites['st-a'].previous).toEqual({ population: 100, date: '2024-01-01' });
    expect(p.sites['st-b']).toBeUndefined();
    expect(p.flows['fl-1'].people).toBe(3);
  });

  it('P35: the live fold in place and the replayed fold give the same picture', () => {
    const events = stamp([
      { type: 'site.upserted', site: site('st-a', 1, '2024-01-01') },
      imported([site('st-a', 2, '2024-02-01'), site('st-c', 3, '2024-02-01')]),
      imported([site('st-a', 4, '2024-02-01'), site('st-c', 5, '2024-03-01')]),
    ]);
    const live = emptyPicture();
    for (const e of events) applyEventsInPlace(live, [e]);
    expect(JSON.parse(JSON.stringify(applyEvents(emptyPicture(), events)))).toEqual(JSON.parse(JSON.stringify(live)));
    expect(live.sites['st-a'].previous).toEqual({ population: 1, date: '2024-01-01' });
    expect(live.sites['st-c'].previous).toEqual({ population: 3, date: '2024-02-01' });
  });
});

describe('the sites.import command', () => {
  const NOW = Date.parse('2026-12-01T00:00:00Z');
  const ctx = (picture: Picture): CommandContext => {
    let n = 0;
    return {
      nowMs: NOW,
      actor: { tokenId: 't1', org: 'UNHCR', role: 'analyst' },
      exists: (slice, id) => Object.hasOwn(picture[slice], id),
      newId: (prefix) => `${prefix}${++n}`,
      convoyState: () => undefined,
      alertStanding: () => undefined,
      proposalOf: () => undefined,
      entity: (kind, id) => (kind === 'site' ? (picture.sites[id] as never) : undefined),
    };
  };
  const cmd = {
    type: 'sites.import' as const,
    msgId: 'm1',
    import: { name: 'round.csv', rows: 3, skipped: 1 },
    sites: [
      { id: 'st-a', name: 'A', lon: 1, lat: 2, population: 10, date: '2024-01-01', source: 'DTM', marking: 'humanitarian' },
      { name: 'B', lon: 1, lat: 3, population: 4, date: '2024-01-01', source: 'DTM' },
    ],
    flows: [{ from: [0, 0] as [number, number], to: [1, 2] as [number, number], people: 3, date: '2024-01-01', source: 'DTM' }],
  };

  it('is valid on the wire, and refuses an id given twice or a date ahead of the clock', () => {
    expect(validateCommand(cmd, NOW).ok).toBe(true);
    const twice = validateCommand({ ...cmd, sites: [cmd.sites[0], cmd.sites[0]] }, NOW);
    expect(twice).toMatchObject({ ok: false, error: { code: 'invalid', path: 'sites[1].id' } });
    const future = validateCommand({ ...cmd, sites: [{ ...cmd.sites[0], date: '2030-01-01' }] }, NOW);
    expect(future).toMatchObject({ ok: false, error: { code: 'time_in_future', path: 'sites[0].date' } });
    expect(validateCommand({ ...cmd, sites: [] }, NOW).ok).toBe(false);
  });

  it('becomes one sites.imported event: each item normalised with its owner, the import recorded, was for a changed owner', () => {
    const picture = applyEvents(emptyPicture(), stamp([{ type: 'site.upserted', site: site('st-a', 1, '2023-01-01', { owner: 'IOM' }) }]));
    const r = commandToEvent(cmd, ctx(picture));
    expect(r.ok).toBe(true);
    const e = (r as unknown as { event: EventOf<'sites.imported'> }).event;
    expect(e.type).toBe('sites.imported');
    expect(e.import).toEqual({ id: 'im-3', name: 'round.csv', by: 'UNHCR', rows: 3, sites: 2, flows: 1, skipped: 1 });
    expect(e.sites[0]).toEqual({ id: 'st-a', name: 'A', lon: 1, lat: 2, population: 10, date: '2024-01-01', source: 'DTM', marking: 'humanitarian', owner: 'UNHCR', updatedMs: NOW });
    expect(e.sites[1].id).toBe('st-1');
    expect(e.flows[0]).toMatchObject({ id: 'fl-2', owner: 'UNHCR', people: 3 });
    expect(e.was).toEqual({ 'st-a': { owner: 'IOM' } });
    const given = commandToEvent({ ...cmd, import: { ...cmd.import, id: 'im-given' } }, ctx(emptyPicture())) as unknown as { event: EventOf<'sites.imported'> };
    expect(given.event.import.id).toBe('im-given');
  });
});

describe('an import queued for commit (the pending view)', () => {
  it('makes its sites exist for what is queued behind it, and what is queued after it wins', () => {
    const view = new PendingView(() => emptyPicture());
    view.note({ event: { type: 'site.removed', id: 'st-a' } as NewEvent });
    view.note({ event: imported([site('st-a', 1, '2024-01-01'), site('st-b', 2, '2024-01-01')]) });
    expect(view.exists('sites', 'st-a')).toBe(true);
    expect(view.entity('site', 'st-b')?.population).toBe(2);
    view.note({ event: { type: 'site.removed', id: 'st-b' } as NewEvent });
    expect(view.exists('sites', 'st-b')).toBe(false);
    expect(view.entity('site', 'st-b')).toBeUndefined();
    view.rebuild([]);
    expect(view.exists('sites', 'st-a')).toBe(false);
  });
});

describe('an import as each recipient receives it (P29, P35)', () => {
  const agreement = new SharingAgreement(
    parseAgreement(`
name: test
markings: [open, humanitarian, secret]
organisations:
  - { id: UNHCR, name: UNHCR, kind: humanitarian, defaultMarking: open }
  - { id: WFP, name: WFP, kind: humanitarian, defaultMarking: open }
  - { id: ARMY, name: Army, kind: military, defaultMarking: open }
rules:
  - { kinds: [site], markings: [open], to: { orgKinds: [military] }, remove: [source], coarsen_m: 1000 }
  - { kinds: ['*'], markings: [open, humanitarian], to: { orgKinds: [humanitarian] } }
  - { kinds: ['*'], markings: [open], to: { all: true } }
`),
  );
  const picture = emptyPicture();
  const policy = new AgreementPolicy(agreement, () => picture);
  const open = site('st-open', 10, '2024-01-01', { owner: 'UNHCR', marking: 'open', lon: 36.123456, lat: 33.654321 });
  const hum = site('st-hum', 20, '2024-01-01', { owner: 'UNHCR', marking: 'humanitarian' });
  const event = { ...imported([open, hum], { was: { 'st-hum': { owner: 'UNHCR', marking: 'open' } } }), seq: 5, timeMs: 5000 } as EventOf<'sites.imported'>;

  it('gives a humanitarian organisation every site, without was', () => {
    const got = policy.event(audienceKey({ org: 'WFP', role: 'viewer' }), event) as EventOf<'sites.imported'>;
    expect(got.sites.map((s) => s.id)).toEqual(['st-open', 'st-hum']);
    expect(got.was).toBeUndefined();
    expect(got.import.sites).toBe(2);
  });

  it('gives a military organisation the open site coarsened without its source, and removes the one it saw before', () => {
    const got = policy.event(audienceKey({ org: 'ARMY', role: 'viewer' }), event) as EventOf<'sites.imported'>;
    expect(got.sites).toHaveLength(1);
    expect(got.sites[0].id).toBe('st-open');
    expect(got.sites[0].source).toBeUndefined();
    expect([got.sites[0].lon, got.sites[0].lat]).not.toEqual([36.123456, 33.654321]);
    expect(got.removed).toEqual({ sites: ['st-hum'] });
    expect(got.import.sites).toBe(1);
    expect(JSON.stringify(got)).not.toContain('"population":20');
  });

  it('gives nothing to an audience none of it concerns', () => {
    const secret = { ...imported([site('st-s', 1, '2024-01-01', { owner: 'UNHCR', marking: 'secret' })]), seq: 6, timeMs: 6000 } as EventOf<'sites.imported'>;
    expect(policy.event(audienceKey({ org: 'ARMY', role: 'viewer' }), secret)).toBeUndefined();
  });
});
