// The havens' book (protocol/haven-book.ts, P23): which haven a convoy is bound for, and each haven's
// places occupied, reserved by convoys approved or under way, and free.
import { describe, expect, it } from 'vitest';
import { boundHaven, emptyPicture, havenBook, type Convoy, type ConvoyState, type Picture } from '@corridor/protocol';

const haven = (id: string, lon: number, capacity: number, occupancy: number) => ({ id, name: id, lon, lat: 57.7, capacity, occupancy, status: 'open' as const, updatedMs: 0 });
const convoy = (id: string, state: ConvoyState, people: number, destination: Convoy['destination']): Convoy => ({ id, name: id, origin: [11.9, 57.7], destination, vehicleClass: '4wd', state, people, updatedMs: 0 });

function picture(): Picture {
  const p = emptyPicture();
  p.havens = { 'hv-a': haven('hv-a', 11.96, 100, 50), 'hv-b': haven('hv-b', 11.99, 50, 0) };
  for (const c of [
    convoy('cv-planned', 'planned', 30, [11.96, 57.7]),
    convoy('cv-approved', 'approved', 10, [11.9601, 57.7]),
    convoy('cv-moving', 'moving', 5, 'nearest-haven'),
    convoy('cv-holding', 'holding', 7, [11.99, 57.7]),
    convoy('cv-arrived', 'arrived', 20, [11.96, 57.7]),
    convoy('cv-elsewhere', 'moving', 9, [11.93, 57.7]),
  ])
    p.convoys[c.id] = c;
  p.corridors['cv-moving'] = { convoyId: 'cv-moving', status: 'ok', routes: [], havenId: 'hv-a', reason: 'r', computedMs: 0 };
  return p;
}

describe('boundHaven', () => {
  it('is the haven a corridor leads to, or one within 100 m of a point destination', () => {
    const p = picture();
    expect(boundHaven(p.convoys['cv-moving'], p.corridors['cv-moving'], p.havens)).toBe('hv-a');
    expect(boundHaven(p.convoys['cv-approved'], undefined, p.havens)).toBe('hv-a');
    expect(boundHaven(p.convoys['cv-elsewhere'], undefined, p.havens)).toBeUndefined();
  });
});

describe('havenBook', () => {
  it('counts the people of convoys approved, moving or holding, not those planned or arrived', () => {
    const book = havenBook(picture());
    expect(book['hv-a']).toEqual({ havenId: 'hv-a', capacity: 100, occupied: 50, reserved: 15, free: 35, convoys: ['cv-approved', 'cv-moving'] });
    expect(book['hv-b']).toMatchObject({ reserved: 7, free: 43, convoys: ['cv-holding'] });
  });

  it('leaves out one convoy on request, and answers the same object while the slices are the same', () => {
    const p = picture();
    expect(havenBook(p, 'cv-approved')['hv-a']).toMatchObject({ reserved: 5, free: 45 });
    expect(havenBook(p)).toBe(havenBook(p));
  });
});
