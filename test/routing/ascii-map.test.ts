// Tiny hand-drawn graphs (STYLE: ASCII maps): `.` road, `@` road under a no-go (or `~` danger) zone,
// `#` the expected route, `S`/`E` its ends. Each cell is a junction; neighbouring cells are joined.
import { describe, expect, it } from 'vitest';
import { buildRoadGraph, Router } from '../../routing/index.js';
import type { RoadWay } from '../../routing/types.js';
import type { Polygonal } from '@corridor/protocol';
import { Log, polygonZone } from './helpers.js';

const STEP = 0.001;
const at = (col: number, row: number): [number, number] => [10 + col * STEP, 50 - row * STEP];

/** Routes S → E on the drawn map and returns the cells the route passes, as a set of "col,row". */
function solve(map: string, severity: 'no-go' | 'danger' = 'no-go'): { route: Set<string>; expected: Set<string>; ok: boolean } {
  // Drop blank lines and the common indentation; spaces inside a map are "no road".
  const lines = map.split('\n').filter((l) => l.trim() !== '');
  const indent = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  const rows = lines.map((l) => l.slice(indent));
  const cells = new Map<string, string>();
  rows.forEach((r, y) => [...r].forEach((ch, x) => ch !== ' ' && cells.set(`${x},${y}`, ch)));
  const ways: RoadWay[] = [];
  for (const [k] of cells) {
    const [x, y] = k.split(',').map(Number);
    for (const [dx, dy] of [[1, 0], [0, 1]]) {
      if (cells.has(`${x + dx},${y + dy}`)) {
        ways.push({ id: `way/${k}-${dx}${dy}`, highway: 'residential', coordinates: [at(x, y), at(x + dx, y + dy)], tags: { highway: 'residential' } });
      }
    }
  }
  const marked = [...cells].filter(([, ch]) => ch === '@' || ch === '~').map(([k]) => k.split(',').map(Number));
  const h = STEP * 0.3;
  const area: Polygonal = {
    type: 'MultiPolygon',
    coordinates: marked.map(([x, y]) => {
      const [cx, cy] = at(x, y);
      return [[[cx - h, cy - h], [cx + h, cy - h], [cx + h, cy + h], [cx - h, cy + h], [cx - h, cy - h]]];
    }),
  };
  const router = new Router(buildRoadGraph(ways));
  const log = new Log();
  if (marked.length) log.append({ type: 'threat.upserted', zone: polygonZone('tz-1', area, severity) });
  router.init(log.picture);
  const find = (c: string) => [...cells].find(([, ch]) => ch === c)![0].split(',').map(Number);
  const [sx, sy] = find('S');
  const [ex, ey] = find('E');
  const answer = router.route({ from: at(sx, sy), to: at(ex, ey) });
  const route = new Set<string>();
  if (answer.ok) {
    for (const [lon, lat] of answer.routes[0].coordinates) route.add(`${Math.round((lon - 10) / STEP)},${Math.round((50 - lat) / STEP)}`);
  }
  const expected = new Set([...cells].filter(([, ch]) => '#SE'.includes(ch)).map(([k]) => k));
  return { route, expected, ok: answer.ok };
}

describe('ASCII maps', () => {
  it('goes straight when nothing is in the way', () => {
    const { route, expected } = solve(`
      S####E
      ......
    `);
    expect(route).toEqual(expected);
  });

  it('detours around a no-go zone across the straight road', () => {
    const { route, expected } = solve(`
      S##@##E
      . ### .
      .......
    `);
    expect(route).toEqual(expected);
  });

  it('crosses a danger zone when the detour is absurd, and avoids it when it is cheap', () => {
    const cheap = solve(
      `
      S.~~.E
      #    #
      ######
    `,
      'danger',
    );
    expect(cheap.route).toEqual(cheap.expected);
    const absurd = solve(
      `
      S#~~#E
      .    .
      .    .
      .    .
      .    .
      .    .
      .    .
      ......
    `,
      'danger',
    );
    // Through the zone: S, the two road cells, the two danger cells, E.
    expect([...absurd.route].sort()).toEqual(['0,0', '1,0', '2,0', '3,0', '4,0', '5,0']);
  });

  it('no route when the zone cuts every path', () => {
    const { ok } = solve(`
      S..@..E
      ...@...
    `);
    expect(ok).toBe(false);
  });
});
