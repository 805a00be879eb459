// Browser test of the sharing agreement (test/e2e, issue 13): two signed-in pages side by side in real
// Chromium, a humanitarian viewer (UN-OCHA) and a military one (BLUE-BDE), on the exercise under its
// agreement. BLUE-BDE posts a coalition-only no-go zone and reports a patrol: the military page shows
// both as posted; the humanitarian page has no trace of the zone, shows the patrol coarsened to 1 km
// without its callsign, and says that the picture is shared by agreement. Screenshots go to
// test-results/ (sharing-humanitarian.png, sharing-military.png).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coarsen } from '../../server/sharing/policy.js';
import { CHROMIUM, E2e, framesLater, RESULTS, repoRoot, TOKEN } from './helpers.js';

const e2e = new E2e();
const AT: [number, number] = [11.9637, 57.7121];
const ZONE = 'E2E COALITION ROADBLOCK';
const CALLSIGN = 'E2E BRAVO SECRET';

describe.skipIf(!existsSync(CHROMIUM))('who sees what, in Chromium (needs /usr/bin/chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
  });
  afterAll(async () => {
    await e2e.close();
  });

  const tokenOf = async (...args: string[]) => (await e2e.tokenCli('create', ...args)).trim().split('\n').pop()!;
  const post = async (pathname: string, token: string, body: unknown) => {
    const res = await fetch(`${e2e.baseUrl}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, `${pathname}: ${await res.clone().text()}`).toBeLessThan(300);
  };

  it('a humanitarian page lacks what is coalition-only and shows military units coarsened; a military page shows them as posted', async () => {
    const [ocha, blue, analyst, field] = [
      await tokenOf('--org', 'UN-OCHA', '--role', 'viewer'),
      await tokenOf('--org', 'BLUE-BDE', '--role', 'viewer'),
      await tokenOf('--org', 'BLUE-BDE', '--role', 'analyst'),
      await tokenOf('--org', 'BLUE-BDE', '--role', 'field', '--unit', 'E2E-PATROL'),
    ];
    const humanitarian = await e2e.openPicture('/', { width: 1280, height: 900 }, { token: ocha });
    const military = await e2e.openPicture('/', { width: 1280, height: 900 }, { token: blue });
    await post('/api/threats', analyst, {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [11.972, 57.706] },
      properties: { id: 'tz-e2e-coalition', severity: 'no-go', radius_m: 400, label: ZONE, source: 'E2E HUMINT', marking: 'coalition-only' },
    });
    await post('/api/positions', field, { unitId: 'E2E-PATROL', lon: AT[0], lat: AT[1], callsign: CALLSIGN, heading: 45, speed: 8 });

    // The military page: the zone in its panel, the patrol where it is.
    await military.getByTestId('zone-tz-e2e-coalition').waitFor({ timeout: 30_000 });
    await military.waitForFunction(() => window.__corridor!.unitPositions()['E2E-PATROL'] !== undefined, undefined, { timeout: 30_000, polling: 200 });
    expect(await military.evaluate(() => window.__corridor!.unitPositions()['E2E-PATROL'])).toEqual(AT);

    // The humanitarian page: the patrol, coarsened; no zone; the notice of the agreement.
    await humanitarian.waitForFunction(() => window.__corridor!.unitPositions()['E2E-PATROL'] !== undefined, undefined, { timeout: 30_000, polling: 200 });
    expect(await humanitarian.evaluate(() => window.__corridor!.unitPositions()['E2E-PATROL'])).toEqual(coarsen(AT, 1000));
    expect(await humanitarian.getByTestId('zone-tz-e2e-coalition').count()).toBe(0);
    const page = await humanitarian.content();
    for (const secret of [ZONE, 'E2E HUMINT', CALLSIGN, 'tz-e2e-coalition']) expect(page.includes(secret), secret).toBe(false);
    const notice = humanitarian.getByTestId('sharing-notice');
    await expect(notice.textContent()).resolves.toMatch(/UN-OCHA.*shared by agreement/);
    await expect(notice.getAttribute('title')).resolves.toContain('EXERCISE NORTHERN RIVER 26');
    // Its map labels name no hidden thing either.
    const labels = await humanitarian.evaluate(() => window.__corridor!.placedLabels.map((l) => l.text).join('|'));
    expect(labels.includes(CALLSIGN)).toBe(false);
    await framesLater(humanitarian);
    await framesLater(military);
    await humanitarian.screenshot({ path: path.join(RESULTS, 'sharing-humanitarian.png') });
    await military.screenshot({ path: path.join(RESULTS, 'sharing-military.png') });
    await humanitarian.close();
    await military.close();
  });

  it("an administrator reads the audit trail, filters it to one item and exports it; anyone else is told it is for administrators", async () => {
    const page = await e2e.browser!.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    await page.goto(`${e2e.baseUrl}/audit?token=${TOKEN}`);
    await page.getByTestId('audit-row').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('audit-item').fill('tz-e2e-coalition');
    await page.getByTestId('audit-show').click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      return rows.length === 1 && rows[0].textContent!.includes('tz-e2e-coalition');
    }, undefined, { timeout: 10_000 });
    const row = page.getByTestId('audit-row').first();
    await expect(row.textContent()).resolves.toMatch(/BLUE-BDE · analyst/);
    await expect(row.textContent()).resolves.toMatch(/threat\.upserted/);
    await row.locator('summary').click();
    await expect(row.locator('pre').nth(1).textContent()).resolves.toContain(ZONE);
    // The CSV the export link gives: RFC 4180 with a header, the one row.
    const csv = await page.evaluate(async () => {
      const href = (document.querySelector('[data-testid="audit-csv"]') as HTMLAnchorElement).href;
      return (await fetch(href)).text();
    });
    expect(csv.split('\r\n')[0].replace(/^\uFEFF/, '')).toBe('seq,time,type,kind,item,org,role,tokenId,before,after');
    expect(csv.split('\r\n').filter((l) => l.includes('tz-e2e-coalition'))).toHaveLength(1);
    await page.screenshot({ path: path.join(RESULTS, 'audit-trail.png') });
    await page.close();

    const viewer = await e2e.browser!.newPage({ viewport: { width: 1000, height: 600 } });
    await viewer.goto(`${e2e.baseUrl}/audit?token=${await tokenOf('--org', 'UN-OCHA', '--role', 'viewer')}`);
    await viewer.getByTestId('audit-refused').waitFor({ timeout: 30_000 });
    expect(await viewer.getByTestId('audit-row').count()).toBe(0);
    await viewer.close();
  });
});
