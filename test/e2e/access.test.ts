// The access page in Chromium (issue 16): a real server on the Port-au-Prince road network, whose assessment
// tags some roads closed or restricted (IOM `operational_status`). The list holds those roads, the status
// filter narrows it (checked against the server's own count and export), a row is selected from the map;
// "can we get from A to B now" finds a route between two points on open roads, and none once a no-go zone
// is posted around one end, naming the zone and offering "open if … is lifted". Screenshots in test-results/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, E2e, RESULTS, repoRoot, TOKEN } from './helpers.js';

const PAP = path.resolve(repoRoot, '../shared/data/haiti-port-au-prince');
const ROADS = path.join(PAP, 'port-au-prince-2021-08-14.osm.pbf');
const HIGHWAYS = path.join(PAP, 'port-au-prince-2021-08-14-highways.geojson');
const haveData = existsSync(ROADS) && existsSync(HIGHWAYS);
if (!haveData) console.warn(`access.test.ts skipped: the Port-au-Prince road network is not at ${ROADS} (the shared data folder, ../shared/data, is absent)`);

const e2e = new E2e({ CORRIDOR_ROADS: ROADS, CORRIDOR_SCENARIO: 'none' });
const VIEWPORT = { width: 1700, height: 1050 };

async function api<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${e2e.baseUrl}${pathname}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Opens `/access` signed in and waits for the map, its layers, the live link and the list. */
async function openAccess(query = ''): Promise<Page> {
  const page = await e2e.browser!.newPage({ viewport: VIEWPORT, locale: 'en-GB' });
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  await page.goto(`${e2e.baseUrl}/access?token=${TOKEN}${query}`);
  await page.waitForFunction(
    () => {
      const h = window.__corridor;
      return !!h && h.mapIdle && h.deckRendered && h.connection === 'live' && !!h.access?.loaded && h.access.total > 0;
    },
    undefined,
    { timeout: 90_000, polling: 200 },
  );
  return page;
}

/** Waits for `n` more deck.gl frames: what was changed has been drawn. */
async function framesLater(page: Page, n = 3): Promise<void> {
  await page.waitForFunction((target) => window.__corridor!.deckFrames > target, await page.evaluate((k) => window.__corridor!.deckFrames + k, n), { timeout: 60_000 });
}

/** Distinct colours of the map area of a screenshot, on a grid: a blank map has one or two, a drawn one hundreds. */
async function mapColours(page: Page): Promise<number> {
  const png = PNG.sync.read(await page.locator('.maplibregl-map').screenshot());
  const colours = new Set<number>();
  for (let y = 0; y < png.height; y += 4) {
    for (let x = 0; x < png.width; x += 4) {
      const i = (y * png.width + x) * 4;
      colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
    }
  }
  return colours.size;
}

/** The page position of [lon, lat], and whether it lies on the map clear of the check form and the legend. */
async function onScreen(page: Page, at: [number, number]): Promise<{ x: number; y: number; clear: boolean }> {
  return page.evaluate(([lon, lat]) => {
    const map = document.querySelector('.maplibregl-map')!.getBoundingClientRect();
    const [px, py] = window.__corridor!.project(lon, lat)!;
    const x = map.left + px;
    const y = map.top + py;
    const inside = (r: DOMRect, m = 16) => x >= r.left - m && x <= r.right + m && y >= r.top - m && y <= r.bottom + m;
    const furniture = ['.access-check-dock', '.legend-dock', '.maplibregl-ctrl-top-left', '.maplibregl-ctrl-top-right'].flatMap((s) => [...document.querySelectorAll(s)].map((e) => e.getBoundingClientRect()));
    const clear = x > map.left + 20 && x < map.right - 20 && y > map.top + 20 && y < map.bottom - 40 && !furniture.some((r) => inside(r));
    return { x, y, clear };
  }, at);
}

/** Vertices of roads the assessment says are open, [lon, lat]. */
function openRoadPoints(): [number, number][] {
  const fc = JSON.parse(readFileSync(HIGHWAYS, 'utf8')) as { features: { geometry: { type: string; coordinates: unknown }; properties: Record<string, string> }[] };
  const out: [number, number][] = [];
  for (const f of fc.features) {
    const p = f.properties;
    if (f.geometry.type !== 'LineString' || p.operational_status !== 'open' || !['primary', 'secondary', 'tertiary'].includes(p.highway)) continue;
    const line = f.geometry.coordinates as [number, number][];
    out.push(line[Math.floor(line.length / 2)]);
  }
  return out;
}

const metres = (a: [number, number], b: [number, number]) => Math.hypot((a[0] - b[0]) * 111_320 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110_540);

describe.skipIf(!existsSync(CHROMIUM) || !haveData)('the access page on the Port-au-Prince network, in Chromium (needs /usr/bin/chromium and ../shared/data)', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
  });
  afterAll(async () => {
    await e2e.close();
  });

  it('lists the roads the assessment tags closed or restricted, narrows them by status, and selects one from the map', async () => {
    const all = await api<{ constraints: { id: string; origin: string; status: string; sinceMs: number | null }[] }>('/api/access/constraints');
    const closed = all.constraints.filter((c) => c.status === 'closed');
    expect(closed.length).toBeGreaterThan(10);
    expect(all.constraints.some((c) => c.status === 'restricted')).toBe(true);

    const page = await openAccess();
    // Every tagged road is in the list, and the map is drawn (not blank: basemap, roads by status).
    const hooks = await page.evaluate(() => window.__corridor!.access!);
    expect(hooks.total).toBe(all.constraints.length);
    expect(hooks.rows.length).toBe(all.constraints.length);
    expect(hooks.rows.filter((id) => id.startsWith('ac-osm-'))).toHaveLength(all.constraints.filter((c) => c.origin === 'network').length);
    expect(await page.evaluate(() => window.__corridor!.mapError)).toBeNull();
    await framesLater(page);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await expect(page.getByTestId('access-row').count()).resolves.toBe(all.constraints.length);
    await expect(page.getByTestId('access-legend').textContent()).resolves.toContain('Closed road or area');

    // Only the closed ones: the count, the rows, the address and the exports all say so.
    await page.getByTestId('access-status-restricted').uncheck();
    await page.getByTestId('access-status-open').uncheck();
    await page.waitForFunction((n) => window.__corridor!.access!.rows.length === n, closed.length, { timeout: 10_000 });
    await expect(page.getByTestId('access-count').getAttribute('data-count')).resolves.toBe(String(closed.length));
    await expect(page.getByTestId('access-count').textContent()).resolves.toBe(`${closed.length} constraints shown of ${all.constraints.length}`);
    expect(new Set(await page.getByTestId('access-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))))).toEqual(new Set(['closed']));
    expect(new URL(page.url()).searchParams.get('status')).toBe('closed');
    const geojsonHref = (await page.getByTestId('access-geojson').getAttribute('href'))!;
    expect(geojsonHref).toContain('status=closed');
    const exported = await api<{ features: unknown[] }>(geojsonHref);
    expect(exported.features).toHaveLength(closed.length);

    // Sorted by time in force, longest first, then the other way round.
    await page.getByTestId('access-sort-age').click();
    const since = new Map(all.constraints.map((c) => [c.id, c.sinceMs ?? Infinity]));
    const oldest = Math.min(...closed.map((c) => c.sinceMs ?? Infinity));
    const newest = Math.max(...closed.map((c) => c.sinceMs ?? -Infinity));
    await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === 'age', undefined, { timeout: 10_000 });
    expect(since.get((await page.evaluate(() => window.__corridor!.access!.rows))[0])).toBe(oldest);
    await expect(page.getByTestId('access-sort-age').locator('..').getAttribute('aria-sort')).resolves.toBe('descending');
    await page.getByTestId('access-sort-age').click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('order') === 'asc', undefined, { timeout: 10_000 });
    expect(since.get((await page.evaluate(() => window.__corridor!.access!.rows))[0])).toBe(newest);
    // The export follows in the server's terms: the shortest in force first is the latest start first.
    const csvHref = new URL((await page.getByTestId('access-csv').getAttribute('href'))!, e2e.baseUrl);
    expect([csvHref.pathname, csvHref.searchParams.get('sort'), csvHref.searchParams.get('order')]).toEqual(['/api/access/constraints.csv', 'since', 'desc']);

    // The address is the view: opened again from it, the page shows the same rows.
    const shared = await openAccess(`&${new URL(page.url()).searchParams.toString()}`);
    expect((await shared.evaluate(() => window.__corridor!.access!.rows)).sort()).toEqual([...closed.map((c) => c.id)].sort());
    await shared.close();

    // A closed road clicked on the map selects its row, which the list brings into view, with its history.
    const rows = await page.evaluate(() => window.__corridor!.access!.rows);
    const geometries = new Map(all.constraints.map((c) => [c.id, (c as unknown as { geometry: { type: string; coordinates: unknown } }).geometry]));
    let target: { id: string; x: number; y: number } | undefined;
    for (const id of rows) {
      const g = geometries.get(id)!;
      const line = (g.type === 'LineString' ? g.coordinates : (g.coordinates as unknown[])[0]) as [number, number][];
      if (line.length < 2) continue;
      const mid: [number, number] = [(line[0][0] + line[1][0]) / 2, (line[0][1] + line[1][1]) / 2];
      const at = await onScreen(page, mid);
      if (at.clear) {
        target = { id, x: at.x, y: at.y };
        break;
      }
    }
    expect(target, 'a closed road in view').toBeDefined();
    await page.mouse.click(target!.x, target!.y);
    await page.waitForFunction(() => window.__corridor!.access!.selected !== null, undefined, { timeout: 10_000 });
    const selected = await page.evaluate(() => window.__corridor!.access!.selected!);
    expect(rows).toContain(selected);
    const row = page.locator(`[data-row-id="${selected}"]`);
    await expect(row.getAttribute('aria-selected')).resolves.toBe('true');
    await expect(row.isVisible()).resolves.toBe(true);
    const rowBox = (await row.boundingBox())!;
    const listBox = (await page.locator('.access-list').boundingBox())!;
    expect(rowBox.y).toBeGreaterThanOrEqual(listBox.y - 1);
    expect(rowBox.y + rowBox.height).toBeLessThanOrEqual(listBox.y + listBox.height + 1);
    await expect(page.getByTestId('access-history').textContent()).resolves.toContain(selected);
    expect(new URL(page.url()).searchParams.get('sel')).toBe(selected);
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'access-list.png') });
    await page.close();
  });

  it('shows a constraint posted while the page is open, live, and its history when selected', async () => {
    const page = await openAccess();
    const before = await page.evaluate(() => window.__corridor!.access!.total);
    const constraint = {
      id: 'ac-e2e-1',
      status: 'restricted',
      category: 'movement-restriction',
      reason: 'Police checkpoint, papers checked',
      source: 'Liaison officer',
      geometry: { type: 'LineString', coordinates: [[-72.3, 18.585], [-72.295, 18.586]] },
      verifiedAt: new Date(Date.now() - 3_600_000).toISOString(),
      verifiedBy: 'OCHA access unit',
    };
    await api('/api/constraints', { method: 'POST', body: JSON.stringify(constraint) });
    await page.waitForFunction((n) => window.__corridor!.access!.total === n + 1, before, { timeout: 30_000 });
    // Closed an hour later: the same row, its status changed, its history longer.
    await api('/api/constraints', { method: 'POST', body: JSON.stringify({ ...constraint, status: 'closed', reason: 'Checkpoint closed the road', verifiedAt: new Date().toISOString() }) });
    const row = page.locator('[data-row-id="ac-e2e-1"]');
    await page.waitForFunction(() => document.querySelector('[data-row-id="ac-e2e-1"]')?.getAttribute('data-status') === 'closed', undefined, { timeout: 30_000 });
    await expect(row.textContent()).resolves.toContain('Checkpoint closed the road');
    await expect(row.textContent()).resolves.toContain('Restriction of movement within the country');
    await expect(row.textContent()).resolves.toContain('Liaison officer');
    await row.click();
    await page.waitForFunction(() => window.__corridor!.access!.selected === 'ac-e2e-1', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="access-history-item"]').length >= 2, undefined, { timeout: 10_000 });
    const items = await page.getByTestId('access-history-item').allTextContents();
    // Newest first: closed, then the restriction it replaced; each says who changed it.
    expect(items[0]).toMatch(/closed/);
    expect(items[0]).toContain('Checkpoint closed the road');
    expect(items[1]).toMatch(/restricted/);
    for (const item of items) expect(item).toMatch(/changed by|verified by/);
    await framesLater(page);
    await page.screenshot({ path: path.join(RESULTS, 'access-history.png') });
    await page.close();
  });

  it('reads right to left in Arabic: the list on the right, the A-to-B form on the map\'s left, labels from the catalogue', async () => {
    const page = await openAccess('&lang=ar&status=closed');
    const box = async (sel: string) => (await page.locator(sel).first().boundingBox())!;
    const [panel, map, dock] = [await box('.access-panel'), await box('.access-map'), await box('.access-check-dock')];
    expect(panel.x).toBeGreaterThan(map.x);
    expect(dock.x).toBeLessThan(map.x + map.width / 2);
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(page.getByTestId('access-check').locator('h2').textContent()).resolves.toBe('هل يمكننا الذهاب من A إلى B الآن؟');
    await expect(page.getByTestId('access-row').first().locator('.st').textContent()).resolves.toBe('مغلق');
    await framesLater(page);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'access-ar.png') });
    await page.close();
  });

  it('finds a route from A to B on open roads, then none once a no-go zone cuts every path to B, naming it and what would open one', async () => {
    const page = await openAccess();
    // Two points on open main roads, in view and clear of the furniture, a kilometre or more apart, with a route between them.
    const candidates: { at: [number, number]; x: number; y: number }[] = [];
    for (const at of openRoadPoints()) {
      const s = await onScreen(page, at);
      if (s.clear) candidates.push({ at, x: s.x, y: s.y });
    }
    expect(candidates.length).toBeGreaterThan(2);
    let pair: [(typeof candidates)[number], (typeof candidates)[number]] | undefined;
    search: for (const a of candidates) {
      for (const b of candidates) {
        if (metres(a.at, b.at) < 1500) continue;
        const q = new URLSearchParams({ from: a.at.join(','), to: b.at.join(','), vehicleClass: '4wd' });
        const answer = await api<{ ok: boolean }>(`/api/access/check?${q}`);
        if (answer.ok) {
          pair = [a, b];
          break search;
        }
      }
    }
    expect(pair, 'two points on open roads with a route between them').toBeDefined();
    const [a, b] = pair!;

    await page.getByTestId('access-pick-A').click();
    await page.mouse.click(a.x, a.y);
    await page.getByTestId('access-pick-B').click();
    await page.mouse.click(b.x, b.y);
    await expect(page.getByTestId('access-pick-B').textContent()).resolves.toMatch(/^18\.\d+, -72\.\d+$/);
    await page.getByTestId('access-check-run').click();
    await page.waitForFunction(() => window.__corridor!.access!.check === 'route', undefined, { timeout: 30_000 });
    await expect(page.getByTestId('access-route').textContent()).resolves.toMatch(/^Route: [\d.,]+ k?m, \d+ (min|s)|^Route: [\d.,]+ k?m, \d+ h/);
    await framesLater(page);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'access-route.png') });

    // The same from a site to a haven chosen from the lists (posted where A and B are).
    await api('/api/sites', { method: 'POST', body: JSON.stringify({ id: 'st-e2e', name: 'Camp Delmas E2E', lon: a.at[0], lat: a.at[1], population: 1200, date: '2026-12-06', source: 'IOM DTM' }) });
    await api('/api/havens', { method: 'POST', body: JSON.stringify({ id: 'hv-e2e', name: 'Shelter Tabarre E2E', lon: b.at[0], lat: b.at[1], capacity: 500, status: 'open' }) });
    await page.waitForFunction(() => window.__corridor!.counts().sites > 0 && window.__corridor!.counts().havens > 0, undefined, { timeout: 30_000 });
    await page.getByTestId('access-place-A').selectOption({ label: 'Camp Delmas E2E' });
    await page.getByTestId('access-place-B').selectOption({ label: 'Shelter Tabarre E2E' });
    await expect(page.getByTestId('access-check-answer').getAttribute('data-state')).resolves.toBe('idle');
    await page.getByTestId('access-check-run').click();
    await page.waitForFunction(() => window.__corridor!.access!.check === 'route', undefined, { timeout: 30_000 });

    // A no-go zone around B: every path to it is cut.
    const picked = await page.getByTestId('access-pick-B').textContent();
    const [lat, lon] = picked!.split(',').map((s) => Number(s.trim()));
    const zone = await api<{ id: string }>('/api/threats', {
      method: 'POST',
      body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { severity: 'no-go', radius_m: 250, label: 'Barricade E2E' } }),
    });
    // The live picture brings the zone (its label is how the page names it), and the answer shown is asked
    // again without a click: it stays live.
    await page.waitForFunction(() => window.__corridor!.counts().threats > 0, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => window.__corridor!.access!.check === 'none', undefined, { timeout: 30_000 });
    const none = (await page.getByTestId('access-no-route').textContent())!.replace(/[\u2068\u2069]/g, '');
    expect(none).toContain('No route now.');
    expect(none).toContain(`every path is cut by zone ${zone.id} (Barricade E2E)`);
    const opens = (await page.getByTestId('access-opens-if').textContent())!.replace(/[\u2068\u2069]/g, '');
    expect(opens).toMatch(new RegExp(`^Open if zone ${zone.id} \\(Barricade E2E\\) is lifted: [\\d.,]+ k?m, `));
    await framesLater(page);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'access-no-route.png') });
    await page.close();
  });
});
