// The field page in Chromium (issue 15): a phone-sized page signed in as a field unit shares a (mocked)
// position and sends reports; offline, what it sends waits in its queue, survives a reload of the page
// (served by its service worker), and once back online every item reaches the server once, in order
// (checked on the server's log). Screenshots at 390×844, online and offline with a queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { E2e, RESULTS, TOKEN } from './helpers.js';

const UNIT = 'FIELD-7';
const PHONE = { width: 390, height: 844 };
const HERE = { latitude: 57.7089, longitude: 11.9668, accuracy: 8 };
const MOVED = { latitude: 57.7101, longitude: 11.9702, accuracy: 12 };

interface FieldHooks {
  queue(): string[];
  link(): string;
  keys(): string[];
}
declare global {
  interface Window {
    __field?: FieldHooks;
  }
}

/** Every event of the server's log (as the admin sees it), in order. */
async function serverLog(baseUrl: string): Promise<{ seq: number; type: string; msgId?: string; units?: { unitId: string }[]; report?: { unitId: string; kind: string } }[]> {
  const out = [];
  for (let since = 0; ; ) {
    const res = await fetch(`${baseUrl}/api/events?since=${since}&limit=10000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { seq: number; events: { seq: number; type: string }[] };
    out.push(...body.events);
    if (body.events.length === 0 || body.events[body.events.length - 1].seq >= body.seq) return out as never;
    since = body.events[body.events.length - 1].seq;
  }
}

describe('the field page (issue 15)', () => {
  const e2e = new E2e();
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    baseUrl = await e2e.start();
    const out = await e2e.tokenCli('create', '--org', 'UNHCR', '--role', 'field', '--unit', UNIT);
    const token = out.trim().split('\n').pop()!.trim();
    context = await e2e.browser!.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, geolocation: HERE, permissions: ['geolocation'], locale: 'en-GB' });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    await page.goto(`${baseUrl}/field?token=${token}`);
    await page.waitForFunction(() => window.__field?.link() === 'live', undefined, { timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await e2e.close();
  });

  it('shares the phone position and sends a report while online', async () => {
    // The position is shared at once (30 s by default) and leaves the queue once the server has it.
    await page.getByText(/sent at/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Checkpoint' }).click();
    await page.getByRole('textbox').fill('Police checkpoint, documents checked');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => window.__field!.queue().length === 0, undefined, { timeout: 30_000 });
    // The analysts' view of it reaches the phone: its own report, unverified.
    await page.getByText(/Checkpoint · .* · unverified/).waitFor({ timeout: 30_000 });
    const log = await serverLog(baseUrl);
    expect(log.some((e) => e.type === 'position.reported' && e.units?.[0]?.unitId === UNIT)).toBe(true);
    expect(log.filter((e) => e.type === 'report.upserted' && e.report?.unitId === UNIT).map((e) => e.report!.kind)).toEqual(['checkpoint']);
    // The service worker controls the page from here on; a reload online lets it keep the map too.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => window.__field?.link() === 'live' && navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await page.waitForFunction(
      async () => {
        const keys = await (await caches.open('corridor-field-basemap-v1')).keys();
        return keys.some((k) => k.url.endsWith('.pmtiles'));
      },
      undefined,
      { timeout: 60_000, polling: 500 },
    );
    await page.screenshot({ path: path.join(RESULTS, 'field-online.png') });
    // Installable: Chromium finds nothing missing (a test browser's context is always incognito).
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
  }, 180_000);

  it('keeps what it sends offline across a reload, then delivers each item once, in order', async () => {
    await page.getByLabel('Share my position').selectOption('10');
    await context.setOffline(true);
    await page.waitForFunction(() => window.__field!.link() === 'offline', undefined, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Road blocked' }).click();
    await page.getByRole('textbox').fill('Bridge closed by the police');
    await page.getByRole('button', { name: 'Send' }).click();
    await context.setGeolocation(MOVED);
    await page.getByRole('button', { name: 'Needs' }).click();
    await page.getByLabel('Water').check();
    await page.getByLabel('Medical').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('button', { name: 'Displaced people' }).click();
    await page.getByLabel('About how many people').fill('120');
    // A point picked on the map instead of the phone's position.
    const map = page.locator('.field-map canvas').first();
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.4);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(() => window.__field!.queue().length >= 4, undefined, { timeout: 30_000 });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.screenshot({ path: path.join(RESULTS, 'field-offline-queue.png') });
    const waiting = await page.evaluate(() => window.__field!.queue());

    // Reloaded with no network: the page comes from the service worker, the queue from IndexedDB.
    await page.reload();
    await page.waitForFunction(() => window.__field !== undefined, undefined, { timeout: 30_000 });
    const afterReload = await page.evaluate(() => window.__field!.queue());
    expect(afterReload.slice(0, waiting.length)).toEqual(waiting);
    await page.locator('[data-queue-line]').getByText(/items waiting/).waitFor();
    // The map too, from the archive the service worker kept: roads are drawn with no network.
    await page.waitForFunction(() => ((window as unknown as { __fieldMap?: { roads(): number } }).__fieldMap?.roads() ?? 0) > 0, undefined, { timeout: 30_000 });
    await page.screenshot({ path: path.join(RESULTS, 'field-offline-reloaded.png') });

    await context.setOffline(false);
    await page.waitForFunction(() => window.__field!.link() === 'live' && window.__field!.queue().length === 0, undefined, { timeout: 60_000 });
    const log = await serverLog(baseUrl);
    const mine = log.filter((e) => e.msgId !== undefined && afterReload.includes(e.msgId));
    // Each once, in the order made on the phone.
    expect(mine.map((e) => e.msgId)).toEqual(afterReload);
    expect(mine.filter((e) => e.type === 'report.upserted').map((e) => e.report!.kind)).toEqual(['road-blocked', 'needs', 'displaced']);
  }, 240_000);

  it("shows a convoy lead's phone its convoy: the corridor on the map, the next checkpoint, the haven", async () => {
    const out = await e2e.tokenCli('create', '--org', 'UN-OCHA', '--role', 'field', '--unit', 'ex-blue-lead');
    const token = out.trim().split('\n').pop()!.trim();
    // No location permission: this phone shares nothing (the exercise moves the lead itself).
    const lead = await e2e.browser!.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, permissions: [], locale: 'en-GB' });
    const phone = await lead.newPage();
    await phone.goto(`${baseUrl}/field?token=${token}`);
    await phone.waitForFunction(() => window.__field?.link() === 'live' && window.__field.keys().includes('convoy'), undefined, { timeout: 60_000 });
    await phone.getByText(/My convoy: EVAC BLUE/).waitFor();
    await phone.getByText(/^to /).first().waitFor({ timeout: 30_000 });
    await phone.waitForFunction(() => ((window as unknown as { __fieldMap?: { roads(): number } }).__fieldMap?.roads() ?? 0) > 0, undefined, { timeout: 30_000 });
    await phone.screenshot({ path: path.join(RESULTS, 'field-convoy-lead.png') });
    await phone.locator('.field-convoy').screenshot({ path: path.join(RESULTS, 'field-convoy-card.png') });
    await lead.close();
  }, 120_000);

  it('lets an analyst confirm a blocked road on the picture and close it in one step', async () => {
    const sent = await fetch(`${baseUrl}/api/reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ unitId: 'FIELD-9', kind: 'road-blocked', at: [11.9702, 57.7101], text: 'Tree across the road' }),
    });
    expect(sent.status).toBe(201);
    const desk = await e2e.openPicture('/');
    const row = desk.getByTestId('reports-panel').locator('li', { hasText: 'Tree across the road' });
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Confirm and close the road' }).click();
    // Names are isolated (U+2068 … U+2069) in the sentence.
    await row.getByText(/confirmed by .admin. at/).waitFor({ timeout: 30_000 });
    await row.getByText(/became access constraint/).waitFor();
    const log = await serverLog(baseUrl);
    const closed = log.find((e) => e.type === 'constraint.upserted' && (e as { constraint?: { reason?: string } }).constraint?.reason?.includes('FIELD-9'));
    expect(closed, 'a closed constraint made from the report').toBeDefined();
    expect((closed as unknown as { constraint: { status: string } }).constraint.status).toBe('closed');
    await desk.getByTestId('reports-panel').screenshot({ path: path.join(RESULTS, 'field-reports-panel.png') });
    await desk.close();
  }, 120_000);
});
