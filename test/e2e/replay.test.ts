// Browser test of the replay (test/e2e, issue 16): real Chromium against the Vite build and a real server on the
// exercise scenario. Seeks back, checks the page says it shows the past and shows what `GET /api/picture?at=`
// gives, plays at 60×, goes back to live; the wall with `?replay=1`. Screenshots in test-results/ are evidence.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Picture } from '@corridor/protocol';
import { CHROMIUM, E2e, framesLater, RESULTS, repoRoot, TOKEN } from './helpers.js';

const e2e = new E2e();

async function api<T>(pathname: string): Promise<{ status: number; type: string; body: T }> {
  const res = await fetch(`${e2e.baseUrl}${pathname}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, body: (type.includes('json') ? await res.json() : await res.text()) as T };
}

/** Distinct colours of the map area on a grid: a blank or failed map has one or two, a drawn one hundreds. */
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

const replayOf = (page: Page) => page.evaluate(() => window.__corridor!.replay);

describe.skipIf(!existsSync(CHROMIUM))('replay of the picture in Chromium (issue 16, needs /usr/bin/chromium)', () => {
  let firstMs = 0;

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
  });

  afterAll(async () => {
    await e2e.close();
  });

  it('seeks back to an earlier moment, says so, shows what the server says stood then, plays at 60× and goes back to live', async () => {
    const page = await e2e.openPicture('/');
    // The timeline is folded to one row on a desk by default (the live map keeps its room); it opens on a click.
    await expect(page.getByTestId('replay').getAttribute('data-open')).resolves.toBe('false');
    expect(await page.getByTestId('replay-slider').count()).toBe(0);
    const folded = (await page.getByTestId('replay').boundingBox())!;
    await page.getByTestId('replay-toggle').click();
    await page.getByTestId('replay-slider').waitFor();
    expect((await page.getByTestId('replay').boundingBox())!.height).toBeGreaterThan(folded.height + 60);
    const range = await api<{ firstSeq: number; firstMs: number; lastSeq: number; lastMs: number }>('/api/replay/range');
    expect(range.status).toBe(200);
    firstMs = range.body.firstMs;
    // Let the exercise run for 40 s of log (its first inject, a zone, comes at 20 s).
    await page.waitForFunction((t) => window.__corridor!.lastUpdateMs >= t, firstMs + 40_000, { timeout: 90_000, polling: 500 });
    await page.waitForFunction(() => window.__corridor!.replay.listed > 0, undefined, { timeout: 30_000 });
    await expect(page.getByTestId('replay-mode').textContent()).resolves.toBe('LIVE');
    expect(await page.getByTestId('replay-banner').count()).toBe(0);

    // Seek with the slider to 25 s into the log.
    const atMs = Math.ceil((firstMs + 25_000) / 1000) * 1000;
    await page.getByTestId('replay-slider').fill(String(atMs));
    await page.waitForFunction((t) => window.__corridor!.replay.past && window.__corridor!.replay.atMs === t, atMs, { timeout: 30_000, polling: 100 });
    const banner = (await page.getByTestId('replay-banner').textContent()) ?? '';
    expect(banner).toContain('SHOWING THE PAST');
    expect(banner).toContain(`${new Date(atMs).toISOString().slice(11, 19)}Z`);
    expect(banner).toContain('Back to live');
    await expect(page.getByTestId('replay-mode').textContent()).resolves.toBe('PAST');

    // The page's picture is the server's picture of that moment: same seq, same units at the same places.
    const past = await api<{ seq: number; atMs: number; live: boolean; picture: Picture }>(`/api/picture?at=${new Date(atMs).toISOString()}`);
    expect(past.status).toBe(200);
    expect(past.body.live).toBe(false);
    const shown = await replayOf(page);
    expect(shown.seq).toBe(past.body.seq);
    expect(shown.units).toEqual(Object.fromEntries(Object.values(past.body.picture.units).map((u) => [u.unitId, [u.lon, u.lat]])));
    // …and the header counts the past picture's units, while the live picture went on underneath.
    await expect(page.getByTestId('unit-count').getAttribute('data-count')).resolves.toBe(String(Object.keys(past.body.picture.units).length));
    const live = await page.evaluate(() => window.__corridor!.seq);
    expect(live).toBeGreaterThan(shown.seq);
    await framesLater(page, 3);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'replay-past.png') });

    // Play at 60×: the replayed picture moves forward through the log.
    await page.getByTestId('replay-speed-60').click();
    await page.getByTestId('replay-play').click();
    await page.waitForFunction((s) => window.__corridor!.replay.seq > s, shown.seq, { timeout: 30_000, polling: 100 });
    const played = await replayOf(page);
    expect(played.speed).toBe(60);
    expect(played.atMs).toBeGreaterThan(atMs);
    await page.screenshot({ path: path.join(RESULTS, 'replay-playing.png') });
    // Reaching the present, it pauses there, still in the past until asked.
    await page.waitForFunction(() => !window.__corridor!.replay.playing, undefined, { timeout: 30_000, polling: 100 });
    expect((await replayOf(page)).past).toBe(true);

    // Clicking an event in the list shows the picture at its time.
    const event = page.getByTestId('replay-event').first();
    const eventMs = Number(await event.getAttribute('data-ms'));
    await event.click();
    await page.waitForFunction((t) => window.__corridor!.replay.atMs === t, eventMs, { timeout: 30_000, polling: 100 });
    // Next event: the picture steps to the time of the next event in the list, folding what lies before it.
    const nextMs = Number(await page.locator(`[data-testid="replay-event"]`).evaluateAll((els, t) => els.map((e) => Number(e.getAttribute('data-ms'))).find((ms) => ms > t), eventMs));
    const seqAtEvent = (await replayOf(page)).seq;
    await page.getByTestId('replay-next').click();
    await page.waitForFunction((t) => window.__corridor!.replay.atMs === t, nextMs, { timeout: 30_000, polling: 100 });
    expect((await replayOf(page)).seq).toBeGreaterThan(seqAtEvent);

    // Back to live: the banner goes, and the page shows the live picture, whose seq has kept up.
    await page.getByTestId('replay-live').click();
    await page.waitForFunction(() => !window.__corridor!.replay.past, undefined, { timeout: 10_000 });
    expect(await page.getByTestId('replay-banner').count()).toBe(0);
    await expect(page.getByTestId('replay-mode').textContent()).resolves.toBe('LIVE');
    const before = await page.evaluate(() => window.__corridor!.seq);
    await page.waitForFunction((s) => window.__corridor!.seq > s, before, { timeout: 30_000, polling: 200 });
    const liveNow = await page.evaluate(() => ({ seq: window.__corridor!.seq, units: window.__corridor!.counts().units, lastUpdateMs: window.__corridor!.lastUpdateMs }));
    expect(liveNow.seq).toBeGreaterThan(played.seq);
    await expect(page.getByTestId('unit-count').getAttribute('data-count')).resolves.toBe(String(liveNow.units));
    const server = await api<{ seq: number }>('/api/events?since=0&limit=1');
    expect(server.body.seq - liveNow.seq).toBeLessThan(200);
    await framesLater(page, 2);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'replay-live.png') });

    // The exports of the window are links to the server's CSV and GeoJSON.
    const csvHref = (await page.getByTestId('replay-csv').getAttribute('href'))!;
    const geoHref = (await page.getByTestId('replay-geojson').getAttribute('href'))!;
    expect(csvHref).toMatch(/^\/api\/replay\/events\.csv\?from=.+&to=.+/);
    const csv = await api<string>(csvHref);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.body.split('\n').length).toBeGreaterThan(2);
    const geo = await api<{ type: string; features: unknown[] }>(geoHref);
    expect(geo.status).toBe(200);
    expect(geo.body.type).toBe('FeatureCollection');
    await page.close();
  });

  it('gives the wall its timeline only with ?replay=1, and a large banner when it shows the past', async () => {
    const plain = await e2e.openPicture('/wall');
    expect(await plain.getByTestId('replay').count()).toBe(0);
    await plain.close();

    const page = await e2e.openPicture('/wall', { width: 1920, height: 1080 }, { query: { replay: '1' } });
    await page.waitForFunction(() => window.__corridor!.replay.listed > 0, undefined, { timeout: 30_000 });
    const atMs = Math.ceil((firstMs + 30_000) / 1000) * 1000;
    await page.getByTestId('replay-slider').fill(String(atMs));
    await page.waitForFunction((t) => window.__corridor!.replay.past && window.__corridor!.replay.atMs === t, atMs, { timeout: 30_000, polling: 100 });
    const fontPx = await page.getByTestId('replay-banner').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontPx).toBeGreaterThanOrEqual(24);
    await framesLater(page, 3);
    expect(await mapColours(page)).toBeGreaterThan(50);
    await page.screenshot({ path: path.join(RESULTS, 'replay-wall.png') });
    await page.getByTestId('replay-banner-live').click();
    await page.waitForFunction(() => !window.__corridor!.replay.past, undefined, { timeout: 10_000 });
    await page.close();
  });

  it('words the timeline and the banner in Arabic, right to left', async () => {
    const page = await e2e.openPicture('/', { width: 1600, height: 1000 }, { query: { lang: 'ar', replay: '1' } });
    await page.waitForFunction(() => window.__corridor!.replay.listed > 0, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    const atMs = Math.ceil((firstMs + 30_000) / 1000) * 1000;
    await page.getByTestId('replay-slider').fill(String(atMs));
    await page.waitForFunction((t) => window.__corridor!.replay.past && window.__corridor!.replay.atMs === t, atMs, { timeout: 30_000, polling: 100 });
    await expect(page.getByTestId('replay-banner').textContent()).resolves.toContain('عرض لوقت مضى');
    await expect(page.getByTestId('replay-mode').textContent()).resolves.toBe('الماضي');
    await expect(page.getByTestId('replay-live').textContent()).resolves.toBe('العودة إلى البث المباشر');
    // The list's lines are worded in Arabic too (every line names who or "the system").
    await expect(page.getByTestId('replay-events').textContent()).resolves.toMatch(/النظام|تنبيه|منطقة|مسار/);
    // Time runs from the start side: in Arabic the slider's start (the log's beginning) is on the right.
    const box = (await page.getByTestId('replay-slider').boundingBox())!;
    const startRight = await page.getByTestId('replay-slider').evaluate((el) => getComputedStyle(el).direction === 'rtl');
    expect(startRight).toBe(true);
    expect(box.width).toBeGreaterThan(300);
    await framesLater(page, 2);
    await page.screenshot({ path: path.join(RESULTS, 'replay-ar.png') });
    await page.close();
  });
});
