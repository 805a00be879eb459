// Browser test of the movement paperwork (test/e2e, issue 18): in real Chromium against the real server on the
// exercise, a convoy posted with its focal point, window, time zone, checkpoints and radio plan is approved; its
// deconfliction notice and route card print to A4 PDFs whose text (read back with poppler's pdftotext) has the
// roads in the notice's order, the window in both clocks, the reference and version, the turn list in order, the
// checkpoints with their times and the route version. Then the notice is sent and acknowledged from its page, a
// no-go zone is posted across the route, and the page shows version 2 as a draft with what changed and version 1
// superseded. Screenshots and PDFs go to test-results/ (paperwork-*.png, paperwork-*.pdf).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { along, length as turfLength, lineString } from '@turf/turf';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRoads, routeTurns, type Corridor, type Notice } from '@corridor/protocol';
import { CHROMIUM, E2e, RESULTS, repoRoot, TOKEN } from './helpers.js';

const e2e = new E2e();
const NAME = 'E2E PAPERWORK';
const ZONE = 'Europe/Stockholm';
/** Backaplan to near Chalmers, across the river: a route of several named roads on the exercise network. */
const ORIGIN: [number, number] = [11.956627, 57.722691];
const DESTINATION: [number, number] = [11.9745, 57.6905];
const HAS_POPPLER = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');

/** Text of a PDF as pdftotext lays it out, with bidi isolates dropped and runs of blanks made one space. */
function pdfText(file: string): string {
  return execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
const flat = (s: string) => s.replace(/[\u2068\u2069\u200e\u200f]/g, '').replace(/\s+/g, ' ');
function pdfPages(file: string): number {
  const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
}
/** Where each of `items` is found in `text`, each after the one before; -1 for one not found in order. */
function positionsInOrder(text: string, items: string[]): number[] {
  let from = 0;
  // Without blanks: pdftotext may close up a narrow gap ("E 6" comes out as "E6").
  text = text.replace(/\s+/g, '');
  return items.map((item) => {
    item = item.replace(/\s+/g, '');
    const at = text.indexOf(item, from);
    if (at >= 0) from = at + item.length;
    return at;
  });
}
/** Polls `read` every 250 ms until `ok` holds of its value (expect.poll works only inside a test, not in beforeAll). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)?.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
/** A 24-hour HH:MM in a zone, as the pages write it in English. */
const hhmm = (ms: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

describe.skipIf(!existsSync(CHROMIUM) || !HAS_POPPLER)('movement paperwork in Chromium (needs /usr/bin/chromium and poppler-utils)', () => {
  const api = async (pathname: string, body?: unknown) => {
    const res = await fetch(`${e2e.baseUrl}${pathname}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  const corridorOf = async (id: string) => (await api('/api/picture')).body.picture?.corridors?.[id] as Corridor | undefined;
  const noticeOf = async (id: string) => {
    const r = await api(`/api/convoys/${id}/notice`);
    return r.status === 200 ? (r.body as Notice) : undefined;
  };

  let convoyId = '';
  let windowFrom = 0;
  let windowUntil = 0;

  /** A page of the paperwork, opened as a planner opens it from a sign-in link: `?token=` sets the cookie and leads back to the page. */
  async function openPaper(pathname: string): Promise<Page> {
    const context = await e2e.browser!.newContext({ viewport: { width: 1000, height: 1300 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`[console] ${m.text()}`);
    });
    const address = new URL(pathname, e2e.baseUrl);
    address.searchParams.set('token', TOKEN);
    await page.goto(address.toString());
    // The server kept the page (and its other parameters) and dropped the token from the address.
    expect(new URL(page.url()).pathname).toBe(address.pathname);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    return page;
  }

  /** Waits for `selector` on a paperwork page; on a timeout, says what the page shows instead. */
  async function shown(page: Page, selector: string, timeout = 30_000): Promise<void> {
    try {
      await page.locator(selector).first().waitFor({ timeout });
    } catch (err) {
      const body = await page.evaluate(() => document.body.innerText.slice(0, 1500)).catch(() => '(no body)');
      throw new Error(`${selector} not shown at ${page.url()}; the page shows:\n${body}\n${(err as Error).message}`);
    }
  }

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    mkdirSync(RESULTS, { recursive: true });
    await e2e.start();
    // The window: from the next full hour on, four hours.
    windowFrom = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
    windowUntil = windowFrom + 4 * 3_600_000;
    const convoy = {
      name: NAME,
      origin: ORIGIN,
      destination: DESTINATION,
      vehicleClass: 'light_truck',
      vehicles: 3,
      people: 24,
      personnel: 7,
      organisation: 'E2E Relief',
      contact: 'E2E LEAD, channel 4',
      focalPoint: { name: 'Amina Haddad', phone: '+46 31 555 0101', radio: 'VHF ch. 12', email: 'amina@relief.example' },
      vehicleType: '2 Land Cruiser, 1 truck 10 t',
      markings: 'white, emblem on roof and doors',
      plates: ['UN-101', 'UN-102', 'UN-103'],
      cargo: 'medical supplies, 2 t',
      purpose: 'evacuation of patients to hospital',
      timeZone: ZONE,
      window: { from: new Date(windowFrom).toISOString(), until: new Date(windowUntil).toISOString() },
      radioPlan: [
        { net: 'Convoy net', channel: 'VHF 12', callsign: 'RELIEF 1', use: 'inside the convoy' },
        { net: 'Ops room', channel: 'HF 7.654 MHz', use: 'position reports every 30 min' },
      ],
      onAlert: 'Stop at the next hold point, report on the ops-room net and wait for orders.',
    };
    const posted = await api('/api/convoys', convoy);
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    convoyId = posted.body.id;
    await until(async () => (await corridorOf(convoyId))?.status, (s) => s === 'ok', 'the convoy\'s corridor');
    // Checkpoints on the route as found: a third and two thirds of the way, the second a hold point.
    const leg = (await corridorOf(convoyId))!.routes[0];
    const line = lineString(leg.coordinates);
    const km = turfLength(line);
    const cp = (f: number) => along(line, km * f).geometry.coordinates as [number, number];
    const again = await api('/api/convoys', { ...convoy, id: convoyId, checkpoints: [{ name: 'Bridge check', at: cp(0.3) }, { name: 'Fuel stop', at: cp(0.65), hold: true }] });
    expect(again.status, JSON.stringify(again.body)).toBeLessThan(300);
    await until(async () => (await api(`/api/convoys/${convoyId}`)).body.convoy?.checkpoints?.length ?? 0, (n) => n > 0, 'the checkpoints');
    const approved = await api(`/api/convoys/${convoyId}/state`, { to: 'approved' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  });
  afterAll(async () => {
    await e2e.close();
  });

  it('prints the notice on one A4 page: roads in order, the window in both clocks, reference and version', async () => {
    await expect.poll(async () => (await noticeOf(convoyId))?.version, { timeout: 60_000 }).toBe(1);
    const notice = (await noticeOf(convoyId))!;
    const page = await openPaper(`/convoys/${convoyId}/notice`);
    await shown(page, '[data-testid=notice][data-version="1"]', 60_000);
    await expect(page.getByTestId('notice-not-acknowledged').isVisible()).resolves.toBe(true);
    // The road network under the map: the basemap drawn once, kept as an image (it prints; a WebGL canvas may not).
    await shown(page, '[data-testid=notice-map]:not([data-basemap=loading])', 30_000);
    await expect(page.getByTestId('notice-map').getAttribute('data-basemap')).resolves.toBe('ready');

    await page.screenshot({ path: path.join(RESULTS, 'paperwork-notice-screen.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(RESULTS, 'paperwork-notice-print.png'), fullPage: true });
    const file = path.join(RESULTS, 'paperwork-notice.pdf');
    writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
    await page.emulateMedia({ media: 'screen' });

    const text = flat(pdfText(file));
    expect(pdfPages(file)).toBe(1);
    expect(text).toContain(notice.reference);
    expect(text).toContain('Version 1');
    expect(text).toContain('DRAFT');
    // The tools are not printed.
    expect(text).not.toContain('Send to the parties');
    // The roads, in the notice's order.
    expect(notice.roads.length, 'the router names the roads of the route').toBeGreaterThan(0);
    expect(positionsInOrder(text, notice.roads).every((p) => p >= 0), `roads ${JSON.stringify(notice.roads)} in order in:\n${text}`).toBe(true);
    // The window in the convoy's zone and in UTC.
    expect(text).toContain(`${hhmm(windowFrom, ZONE)} (${ZONE})`);
    expect(text).toContain(`${hhmm(windowUntil, ZONE)} (${ZONE})`);
    expect(text).toContain(`${hhmm(windowFrom, 'UTC')} UTC`);
    expect(text).toContain(`${hhmm(windowUntil, 'UTC')} UTC`);
    expect(text).toContain('Amina Haddad');
    expect(text).toContain('VHF ch. 12');
    // The map is drawn (SVG: it prints).
    await expect(page.locator('[data-testid=notice-map-route]').getAttribute('d')).resolves.toMatch(/^M[\d.]+ [\d.]+(L[\d.-]+ [\d.-]+){3,}/);
    await page.context().close();
  });

  it('prints the route card on one or two A4 pages: the turns in order, checkpoints with times, the route version', async () => {
    const corridor = (await corridorOf(convoyId))!;
    const leg = corridor.routes[0];
    const page = await openPaper(`/convoys/${convoyId}/card`);
    await shown(page, '[data-testid=route-card]', 60_000);
    await shown(page, '[data-testid=card-map]:not([data-basemap=loading])', 30_000);
    await expect(page.getByTestId('card-map').getAttribute('data-basemap')).resolves.toBe('ready');
    await page.screenshot({ path: path.join(RESULTS, 'paperwork-card-screen.png'), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(RESULTS, 'paperwork-card-print.png'), fullPage: true });
    const file = path.join(RESULTS, 'paperwork-card.pdf');
    writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
    await page.emulateMedia({ media: 'screen' });

    const text = flat(pdfText(file));
    const pages = pdfPages(file);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(2);
    expect(text).toContain(`Route version ${corridor.version ?? 1} · computed`);
    // The turn list in order: each named road of the turns after the one before.
    const turns = routeTurns(leg);
    const named = turns.filter((t) => t.kind !== 'arrive' && t.road).map((t) => t.road!);
    expect(named.length).toBeGreaterThan(0);
    const rows = await page.locator('[data-testid=card-turns] tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.road ?? ''));
    expect(rows).toEqual(turns.map((t) => t.road ?? ''));
    const turnsText = text.slice(text.toLowerCase().indexOf('turn by turn'));
    expect(positionsInOrder(turnsText, named).every((p) => p >= 0), `turns ${JSON.stringify(named)} in order in:\n${turnsText}`).toBe(true);
    // Each named road of the turns is one of the route's roads (the notice's list).
    for (const r of named) expect(routeRoads(leg)).toContain(r);
    // The checkpoints with their times, from the window's start (no departure set), in the zone and in UTC.
    const etas = await page.locator('[data-testid=card-checkpoints] tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.checkpoint, Number((tr as HTMLElement).dataset.etaMs)] as const));
    expect(etas.map(([n]) => n)).toEqual(['Bridge check', 'Fuel stop']);
    for (const [name, eta] of etas) {
      expect(eta).toBeGreaterThan(windowFrom);
      expect(eta).toBeLessThan(windowFrom + leg.duration_s * 1000 + 1000);
      const row = text.slice(text.indexOf(name!));
      expect(row.slice(0, 200)).toContain(`${hhmm(eta, ZONE)} (${ZONE})`);
      expect(row.slice(0, 260)).toContain(`${hhmm(eta, 'UTC')} UTC`);
    }
    expect(text).toContain('HOLD POINT');
    expect(text).toContain('Hold points: Fuel stop');
    expect(text).toContain('Stop at the next hold point');
    expect(text).toContain('HF 7.654 MHz');
    await expect(page.locator('[data-testid=card-map-route]').getAttribute('d')).resolves.toMatch(/^M[\d.]+ [\d.]+(L[\d.-]+ [\d.-]+){3,}/);
    await page.context().close();
  });

  it('sent, acknowledged, then superseded by a re-route: version 2 as a draft with what changed, version 1 in the history; the card follows', async () => {
    const notice = await openPaper(`/convoys/${convoyId}/notice`);
    const card = await openPaper(`/convoys/${convoyId}/card`);
    await shown(notice, '[data-testid=notice][data-version="1"]', 60_000);
    await shown(card, '[data-testid=route-card]', 60_000);
    const versionBefore = Number(await card.getByTestId('route-card').getAttribute('data-route-version'));

    await notice.getByTestId('notice-send').click();
    await shown(notice, '[data-testid=notice][data-status=sent]', 30_000);
    await notice.getByTestId('notice-ack-open').click();
    await notice.locator('[data-testid=notice-ack-form] input[name=by]').fill('Maj. Berg, liaison cell');
    await notice.locator('[data-testid=notice-ack-form] input[name=remark]').fill('Cleared for the window');
    await notice.getByTestId('notice-ack-submit').click();
    await shown(notice, '[data-testid=notice][data-status=acknowledged]', 30_000);
    await expect(notice.getByTestId('notice-not-acknowledged').count()).resolves.toBe(0);
    await expect(notice.getByTestId('notice-ack').textContent()).resolves.toContain('Maj. Berg, liaison cell');
    await notice.screenshot({ path: path.join(RESULTS, 'paperwork-notice-acknowledged.png'), fullPage: true });

    // A no-go zone across the middle of the route: the corridor is re-routed around it.
    const leg = (await corridorOf(convoyId))!.routes[0];
    const line = lineString(leg.coordinates);
    const [x, y] = along(line, turfLength(line) * 0.5).geometry.coordinates;
    const d = 0.0015;
    const zone = await api('/api/threats', {
      type: 'Feature',
      properties: { severity: 'no-go', label: 'E2E paperwork roadblock' },
      geometry: { type: 'Polygon', coordinates: [[[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]] },
    });
    expect(zone.status, JSON.stringify(zone.body)).toBe(201);

    // The notice page shows version 2, a draft, what changed, and version 1 superseded in its history.
    await shown(notice, '[data-testid=notice][data-version="2"][data-status=draft]', 60_000);
    await notice.getByTestId('notice-not-acknowledged').waitFor();
    const changes = (await notice.getByTestId('notice-changes').textContent())!;
    expect(changes).toMatch(/route/);
    const v2 = (await noticeOf(convoyId))!;
    if (v2.changes?.roadsAdded?.length) expect(changes).toContain(`Roads added: `);
    if (v2.changes?.roadsDropped?.length) expect(changes).toContain(`Roads dropped: `);
    expect((v2.changes?.roadsAdded?.length ?? 0) + (v2.changes?.roadsDropped?.length ?? 0)).toBeGreaterThan(0);
    const history = notice.locator('[data-testid=notice-history] tbody tr[data-version="1"]');
    await expect(history.getAttribute('data-status')).resolves.toBe('superseded');
    await expect(history.textContent()).resolves.toMatch(/ACKNOWLEDGED.*SUPERSEDED/);
    await shown(notice, '[data-testid=notice-map]:not([data-basemap=loading])', 30_000);
    await notice.screenshot({ path: path.join(RESULTS, 'paperwork-notice-superseded.png'), fullPage: true });
    // Still one page with its history.
    const file = path.join(RESULTS, 'paperwork-notice-v2.pdf');
    writeFileSync(file, await notice.pdf({ format: 'A4', printBackground: true }));
    expect(pdfPages(file)).toBe(1);
    const text = flat(pdfText(file));
    expect(text).toContain('Version 2');
    expect(text).toMatch(/1 ACKNOWLEDGED.*SUPERSEDED/);

    // The card, open all along, re-rendered with the new route version.
    await shown(card, `[data-testid=route-card][data-route-version="${versionBefore + 1}"]`, 30_000);
    await expect(card.getByTestId('card-threats').textContent()).resolves.toContain('E2E paperwork roadblock');
    await shown(card, '[data-testid=card-map]:not([data-basemap=loading])', 30_000);
    await card.screenshot({ path: path.join(RESULTS, 'paperwork-card-rerouted.png'), fullPage: true });
    await notice.context().close();
    await card.context().close();
  });

  it('reads right to left in Arabic (screenshots for the eye)', async () => {
    for (const which of ['notice', 'card'] as const) {
      const page = await openPaper(`/convoys/${convoyId}/${which}?lang=ar`);
      await shown(page, which === 'notice' ? '[data-testid=notice]' : '[data-testid=route-card]', 60_000);
      await shown(page, `[data-testid=${which}-map]:not([data-basemap=loading])`, 30_000);
      await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
      await page.screenshot({ path: path.join(RESULTS, `paperwork-${which}-ar.png`), fullPage: true });
      await page.emulateMedia({ media: 'print' });
      const file = path.join(RESULTS, `paperwork-${which}-ar.pdf`);
      writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
      expect(pdfPages(file)).toBeLessThanOrEqual(which === 'notice' ? 1 : 2);
      await page.context().close();
    }
  });
});
