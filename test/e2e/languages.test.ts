// Browser test of the four languages (test/e2e): each language on / and /wall in real Chromium, the switcher, the browser's default, and Arabic labels on the map.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUES as ALL, EN_CATALOGUE } from '@corridor/protocol/i18n';
import { DEFAULT_LOCALES, type Lang } from '../../client/src/i18n/languages.js';
import { CHROMIUM, E2e, framesLater, RESULTS, repoRoot, TOKEN } from './helpers.js';

const e2e = new E2e();
// Read through English's shape: every catalogue has its keys (test/client/catalogues.test.ts).
const CATALOGUES = ALL as unknown as Record<Lang, typeof EN_CATALOGUE>;

/** Arabic names given to a unit, a haven and a displacement site, to be read on the map as typed here. */
const ARABIC = {
  unit: { id: 'u-ar-1', callsign: 'دورية الأمل ٣' },
  haven: { id: 'hv-ar-1', name: 'مدرسة النور' },
  site: { id: 'st-ar-1', name: 'مخيم الزهراء' },
};

async function post(pathname: string, body: unknown): Promise<void> {
  const res = await fetch(`${e2e.baseUrl}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${pathname}: ${res.status} ${await res.text()}`);
}

/**
 * How many distinct colours the map area of a screenshot holds, counted on a grid: a blank or failed map
 * is one or two (background, a few controls), the basemap with the picture's layers hundreds.
 */
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

/** Text of a test id as written (CSS may show it in capitals). */
const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent()) ?? '';

describe.skipIf(!existsSync(CHROMIUM))('the picture in four languages, in Chromium (needs /usr/bin/chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
    // Before any page opens, so the first framing of the map takes them in.
    await post('/api/positions', { unitId: ARABIC.unit.id, callsign: ARABIC.unit.callsign, affiliation: 'humanitarian', lon: 12.035, lat: 57.733, msgId: 'ar-unit-1' });
    await post('/api/havens', { id: ARABIC.haven.id, name: ARABIC.haven.name, lon: 12.06, lat: 57.722, capacity: 300, occupancy: 120, status: 'open' });
    await post('/api/sites', { id: ARABIC.site.id, name: ARABIC.site.name, lon: 12.03, lat: 57.712, population: 1250, date: '2026-11-21', source: 'IOM DTM' });
  });

  afterAll(async () => {
    await e2e.close();
  });

  for (const lang of ['en', 'fr', 'ar', 'es'] as const satisfies readonly Lang[]) {
    // The wall in Arabic only (right to left); its English layout is wall.test.ts's, and French and Spanish differ from English only in words.
    for (const pathname of lang === 'ar' ? (['/', '/wall'] as const) : (['/'] as const)) {
      it(`${pathname}?lang=${lang}: direction, legend, numbers, date and a drawn map`, async () => {
        const c = CATALOGUES[lang];
        const page = await e2e.openPicture(pathname, { width: 1600, height: 1000 }, { query: { lang } });
        const doc = await page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang, title: document.title }));
        expect(doc).toEqual({ dir: lang === 'ar' ? 'rtl' : 'ltr', lang, title: c.document.title });

        // The legend in the language, from its catalogue.
        const legend = await text(page, 'legend');
        for (const entry of [c.legend.title, c.severity.noGo.name, c.legend.military, c.legend.haven]) expect(legend).toContain(entry);

        // The unit count with the language's digits, and the clock's date in the language's form (the
        // browser's own Intl, as a user there reads it).
        const n = Number(await page.getByTestId('unit-count').getAttribute('data-count'));
        const expected = await page.evaluate(
          ([locale, count]) => ({
            count: new Intl.NumberFormat(locale as string).format(count as number),
            date: new Intl.DateTimeFormat(locale as string, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(Date.now()),
          }),
          [DEFAULT_LOCALES[lang], n] as const,
        );
        expect(await text(page, 'unit-count')).toContain(expected.count);
        expect(await page.locator('.clock-date').textContent()).toBe(expected.date);
        const clock = (await page.locator('.clock-time').textContent()) ?? '';
        if (lang === 'ar') {
          expect(clock).toMatch(/^[^0-9]*[٠-٩]{2}:[٠-٩]{2}:[٠-٩]{2}[^0-9]*$/);
          expect(expected.count).toMatch(/^[٠-٩٬]+$/);
        } else {
          expect(clock).toMatch(/\d\d:\d\d:\d\d/);
        }

        // Right to left, the legend sits on the right of the map and the side panel on the left of it.
        const box = await page.evaluate(() => {
          const r = (sel: string) => document.querySelector(sel)?.getBoundingClientRect() ?? null;
          return { legend: r('[data-testid="legend"]'), map: r('.maplibregl-map'), side: r('[data-testid="side-panel"]') };
        });
        const legendCentre = box.legend!.x + box.legend!.width / 2;
        const mapCentre = box.map!.x + box.map!.width / 2;
        expect(legendCentre > mapCentre).toBe(lang === 'ar');
        if (box.side) expect(box.side.x < box.map!.x).toBe(lang === 'ar');

        // Labels are worded in the language too (a site's label says how many are displaced).
        const labels = await page.evaluate(() => window.__corridor!.placedLabels.map((l) => l.text));
        expect(labels.length).toBeGreaterThan(5);
        await framesLater(page);
        expect(await mapColours(page)).toBeGreaterThan(50);
        await page.screenshot({ path: path.join(RESULTS, `lang-${lang}${pathname === '/' ? '' : '-wall'}.png`) });
        await page.close();
      });
    }
  }

  it('switches language in place, keeping the page, its link and its picture; remembers it; follows the browser by default', async () => {
    // The browser says French first: the page opens in French with no ?lang= and nothing remembered.
    const page = await e2e.openPicture('/', { width: 1600, height: 1000 }, { locale: 'fr-FR' });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    expect(await text(page, 'legend')).toContain(CATALOGUES.fr.severity.noGo.name);

    let socketsOpened = 0;
    page.on('websocket', () => socketsOpened++);
    const before = await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
      return { seq: window.__corridor!.seq, units: window.__corridor!.counts().units };
    });
    await page.getByTestId('language').selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl' && document.documentElement.lang === 'ar');
    expect(await text(page, 'legend')).toContain(CATALOGUES.ar.severity.noGo.name);
    // The Arabic labels are placed again, in Arabic.
    await page.waitForFunction((word) => window.__corridor!.placedLabels.some((l) => l.text.includes(word)), CATALOGUES.ar.label.siteDisplaced_other.replace('{{n}}', '').trim());
    const after = await page.evaluate(() => ({
      same: (window as unknown as { __sameDocument?: boolean }).__sameDocument === true,
      seq: window.__corridor!.seq,
      units: window.__corridor!.counts().units,
      connection: window.__corridor!.connection,
    }));
    expect(after.same).toBe(true);
    expect(after.connection).toBe('live');
    expect(after.seq).toBeGreaterThanOrEqual(before.seq);
    expect(after.units).toBe(before.units);
    expect(socketsOpened).toBe(0);

    // Remembered: a new visit without ?lang= opens in Arabic, though the browser still prefers French.
    await page.goto(`${e2e.baseUrl}/`);
    await page.waitForFunction(() => window.__corridor?.connection === 'live');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    // And ?lang= outranks what was remembered.
    await page.goto(`${e2e.baseUrl}/wall?lang=es`);
    await page.waitForFunction(() => window.__corridor?.connection === 'live');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    expect(await text(page, 'legend')).toContain(CATALOGUES.es.severity.noGo.name);
    await page.close();
  });

  it('draws Arabic unit, haven and site labels shaped and right to left on the map, beside the same strings typed in the page', async () => {
    // A fresh report, so the callsign is not marked stale by the time this test runs.
    await post('/api/positions', { unitId: ARABIC.unit.id, callsign: ARABIC.unit.callsign, affiliation: 'humanitarian', lon: 12.035, lat: 57.733, msgId: 'ar-unit-2' });
    const page = await e2e.openPicture('/', { width: 1600, height: 1000 }, { query: { lang: 'ar' } });
    const ids = [`unit:${ARABIC.unit.id}`, `haven:${ARABIC.haven.id}`, `site:${ARABIC.site.id}`];
    await page.waitForFunction((want) => want.every((id) => window.__corridor!.placedLabels.some((l) => l.id === id)), ids, { timeout: 30_000 }).catch(async (e) => {
      // What was placed instead, and the page, for whoever reads the failure.
      console.error('labels placed when the wait ran out:', JSON.stringify(await page.evaluate(() => window.__corridor!.placedLabels.map((l) => l.id))));
      await page.screenshot({ path: path.join(RESULTS, 'arabic-labels-missing.png') });
      throw e;
    });
    await framesLater(page, 3);
    const placed = await page.evaluate((want) => window.__corridor!.placedLabels.filter((l) => want.includes(l.id)), ids);
    // The labels hold the strings as posted, first line the name (the haven and site add their figures).
    const byId = Object.fromEntries(placed.map((l) => [l.id, l]));
    expect(byId[ids[0]].text).toBe(ARABIC.unit.callsign);
    expect(byId[ids[1]].text.split('\n')[0]).toBe(ARABIC.haven.name);
    expect(byId[ids[2]].text.split('\n')[0]).toBe(ARABIC.site.name);

    // The same strings typed into the page, in the page's font, for the eye to compare letter by letter.
    await page.evaluate((s) => {
      const div = document.createElement('div');
      div.id = 'typed';
      div.dir = 'rtl';
      div.style.cssText = 'position:fixed;top:70px;left:50%;transform:translateX(-50%);z-index:9;background:#fff;color:#000;padding:8px 14px;font:600 22px "Noto Sans Arabic";line-height:1.6';
      div.innerText = s.join('\n');
      document.body.append(div);
    }, [ARABIC.unit.callsign, ARABIC.haven.name, ARABIC.site.name]);
    const map = (await page.locator('.maplibregl-map').boundingBox())!;
    const pad = 12;
    const minX = Math.min(...placed.map((l) => l.box.minX)) - pad;
    const minY = Math.min(...placed.map((l) => l.box.minY)) - pad;
    const maxX = Math.max(...placed.map((l) => l.box.maxX)) + pad;
    const maxY = Math.max(...placed.map((l) => l.box.maxY)) + pad;
    await page.screenshot({ path: path.join(RESULTS, 'arabic-labels.png'), clip: { x: map.x + minX, y: map.y + minY, width: maxX - minX, height: maxY - minY } });
    await page.locator('#typed').screenshot({ path: path.join(RESULTS, 'arabic-typed.png') });
    writeFileSync(path.join(RESULTS, 'arabic-labels.txt'), placed.map((l) => `${l.id}\t${JSON.stringify(l.text)}`).join('\n') + '\n');
    await page.screenshot({ path: path.join(RESULTS, 'lang-ar-labels-full.png') });
    await page.close();
  });
});
