// Browser test (test/e2e): real Chromium against the Vite build and a real server running the exercise scenario.
// Waits on the page's read-only hooks (window.__corridor), never on fixed sleeps; screenshots go to test-results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The page's test hooks (`window.__corridor`), typed.
import type {} from '../../client/src/test-hooks.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = path.join(repoRoot, 'test-results');
const TOKEN = 'e2e-admin-token-0123456789abcdef';
// Flags for WebGL2 through SwiftShader in headless Chromium (STACK.md).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let server: ChildProcess | undefined;
let baseUrl = '';
let dataDir = '';
let browser: Browser | undefined;
let serverLog = '';

/** Starts `tsx server/main.ts` on a free port and resolves with its base URL once /healthz answers. */
async function startServer(port = 0): Promise<string> {
  dataDir ||= mkdtempSync(path.join(tmpdir(), 'corridor-e2e-'));
  serverLog = '';
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: TOKEN, CORRIDOR_COT_PORT: '0', CORRIDOR_SCENARIO: 'exercise' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      serverLog += chunk.toString();
      const m = /(http:\/\/[^\s/]+)\/\?token=/.exec(serverLog);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (serverLog += c.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${serverLog.slice(-3000)}`)));
  });
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not answer /healthz:\n${serverLog.slice(-3000)}`);
}

async function stopServer(): Promise<void> {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
}

/** Runs `npm run token -- ARGS` (the real CLI) on the test server's database; resolves with its output. */
function tokenCli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'server/cli/token.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, CORRIDOR_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`token ${args.join(' ')} exited with ${code}: ${out}`))));
  });
}

/** A page whose live stream can be paused, so a screenshot and the page hooks show the same picture. */
interface FreezablePage {
  page: Page;
  freeze(): void;
}

/**
 * Opens a page signed in with the admin token and waits until map, deck and link are all up.
 * With `freezable`, the page's WebSocket goes through a Playwright route that can stop passing server
 * messages on (the socket stays open), so the picture holds still for evidence screenshots.
 */
async function openPicture(
  pathname: string,
  viewport = { width: 1600, height: 1000 },
  o: { freezable?: FreezablePage; token?: string } = {},
): Promise<Page> {
  const page = await browser!.newPage({ viewport });
  page.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
  if (o.freezable) {
    let frozen = false;
    o.freezable.page = page;
    o.freezable.freeze = () => (frozen = true);
    await page.routeWebSocket(/\/ws/, (ws) => {
      const upstream = ws.connectToServer();
      upstream.onMessage((m) => {
        if (!frozen) ws.send(m);
      });
      ws.onMessage((m) => upstream.send(m));
    });
  }
  await page.goto(`${baseUrl}${pathname}?token=${o.token ?? TOKEN}`);
  await page.waitForFunction(
    () => {
      const h = window.__corridor;
      return !!h && h.mapIdle && h.deckRendered && h.connection === 'live' && h.counts().units > 0;
    },
    undefined,
    { timeout: 90_000, polling: 200 },
  );
  return page;
}

describe.skipIf(!existsSync(CHROMIUM))('operations picture in Chromium (needs /usr/bin/chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) {
      throw new Error('dist/client is missing: run `npm run test:e2e`, which builds the client first');
    }
    mkdirSync(RESULTS, { recursive: true });
    baseUrl = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await stopServer();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the offline basemap, the legend, a live link and units that move', async () => {
    const page = await openPicture('/');
    // The token left the address bar once the session cookie was set.
    expect(page.url()).not.toContain('token=');
    const hooks = await page.evaluate(() => ({
      mapError: window.__corridor!.mapError,
      roads: window.__corridor!.roadFeatures(),
      counts: window.__corridor!.counts(),
    }));
    expect(hooks.mapError).toBeNull();
    expect(hooks.roads).toBeGreaterThan(50);
    // Seeded by the exercise at start (threat zones come later, as timed injects).
    expect(hooks.counts.havens).toBeGreaterThan(0);
    expect(hooks.counts.sites).toBeGreaterThan(0);
    expect(hooks.counts.convoys).toBeGreaterThan(0);

    await expect(page.getByTestId('legend').textContent()).resolves.toContain('No-go zone');
    await expect(page.getByTestId('connection-state').getAttribute('data-state')).resolves.toBe('live');
    await expect(page.getByTestId('last-update').textContent()).resolves.toMatch(/\d\d:\d\d:\d\dZ/);
    const shown = Number(await page.getByTestId('unit-count').getAttribute('data-count'));
    expect(shown).toBe(hooks.counts.units);
    await expect(page.locator('.maplibregl-ctrl-attrib').textContent()).resolves.toContain('© OpenStreetMap contributors');
    await expect(page.locator('.exercise-mark').first().textContent()).resolves.toBe('EXERCISE');

    const before = await page.evaluate(() => ({ seq: window.__corridor!.seq, pos: window.__corridor!.unitPositions() }));
    await page.waitForFunction(
      (prev) => {
        const now = window.__corridor!.unitPositions();
        return Object.entries(prev).some(([id, [lon, lat]]) => now[id] && (now[id][0] !== lon || now[id][1] !== lat));
      },
      before.pos,
      { timeout: 30_000, polling: 250 },
    );
    const after = await page.evaluate(() => window.__corridor!.seq);
    expect(after).toBeGreaterThan(before.seq);
    // Let the moved units and label atlas draw before the evidence shot.
    await page.waitForFunction((n) => window.__corridor!.deckFrames > n, await page.evaluate(() => window.__corridor!.deckFrames + 2));
    await page.screenshot({ path: path.join(RESULTS, 'picture.png') });
    await page.close();
  });

  it('shows the wall layout with the big legend and clock, without the side panel', async () => {
    const page = await openPicture('/wall');
    await expect(page.getByTestId('legend').getAttribute('class')).resolves.toContain('legend-large');
    await expect(page.getByTestId('side-panel').count()).resolves.toBe(0);
    await expect(page.getByTestId('clock').textContent()).resolves.toMatch(/\d\d:\d\d:\d\dZ/);
    await page.screenshot({ path: path.join(RESULTS, 'wall.png') });
    await page.close();
  });

  // The issue: unit, site, haven and convoy labels piled up in central Gothenburg, worst on /wall.
  for (const [pathname, width, height] of [
    ['/', 1920, 1080],
    ['/wall', 1920, 1080],
    ['/wall', 3840, 2160],
  ] as const) {
    it(`keeps map labels apart and off the legend, and labels every unit in view (${pathname} at ${width}×${height})`, async () => {
      const f = {} as FreezablePage;
      const page = await openPicture(pathname, { width, height }, { freezable: f });
      // Let the picture draw, then hold it still so the hooks and the screenshot agree.
      await page.waitForFunction((n) => window.__corridor!.deckFrames > n, await page.evaluate(() => window.__corridor!.deckFrames + 3), { timeout: 60_000 });
      f.freeze();
      await page.waitForFunction((n) => window.__corridor!.deckFrames > n, await page.evaluate(() => window.__corridor!.deckFrames + 2), { timeout: 60_000 });
      const { labels, units, legend, map } = await page.evaluate(() => {
        const h = window.__corridor!;
        const rect = (sel: string) => {
          const r = document.querySelector(sel)!.getBoundingClientRect();
          return { minX: r.left, minY: r.top, maxX: r.right, maxY: r.bottom };
        };
        const units = Object.entries(h.unitPositions()).map(([id, [lon, lat]]) => ({ id, xy: h.project(lon, lat)! }));
        return { labels: h.placedLabels, units, legend: rect('[data-testid="legend"]'), map: rect('.maplibregl-map') };
      });
      type Box = typeof legend;
      const overlap = (a: Box, b: Box) => Math.min(a.maxX, b.maxX) > Math.max(a.minX, b.minX) && Math.min(a.maxY, b.maxY) > Math.max(a.minY, b.minY);
      const inside = ([x, y]: [number, number], b: Box) => x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY;
      expect(labels.length).toBeGreaterThan(5);
      // Placed in priority order: a label may overlap an earlier one only if it is a required one with no free slot.
      labels.forEach((l, j) => {
        if (!l.forced) for (const k of labels.slice(0, j)) expect(overlap(k.box, l.box), `${k.id} × ${l.id}`).toBe(false);
      });
      // Hook boxes are relative to the map; the legend's is relative to the page.
      const legendOnMap = { minX: legend.minX - map.minX, minY: legend.minY - map.minY, maxX: legend.maxX - map.minX, maxY: legend.maxY - map.minY };
      for (const l of labels) expect(overlap(l.box, legendOnMap), `${l.id} under the legend`).toBe(false);
      // Every unit on screen and not under the legend has its callsign drawn.
      const ids = new Set(labels.map((l) => l.id));
      const view = { minX: 0, minY: 0, maxX: map.maxX - map.minX, maxY: map.maxY - map.minY };
      const visible = units.filter((u) => inside(u.xy, view) && !inside(u.xy, legendOnMap));
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.filter((u) => !ids.has(`unit:${u.id}`)).map((u) => u.id)).toEqual([]);
      await page.screenshot({ path: path.join(RESULTS, `labels-${pathname === '/' ? 'ops' : 'wall'}-${width}x${height}.png`) });
      await page.close();
    });
  }

  it('says RECONNECTING with the age of its data when the server goes away, and resumes from its seq when it returns', async () => {
    const page = await openPicture('/');
    const port = new URL(baseUrl).port;
    const seqBefore = await page.evaluate(() => window.__corridor!.seq);
    await stopServer();
    await page.waitForFunction(() => window.__corridor!.connection !== 'live', undefined, { timeout: 30_000, polling: 200 });
    await expect(page.getByTestId('connection-state').getAttribute('data-state')).resolves.toMatch(/reconnecting|offline/);
    await page.waitForFunction(() => /last data \d+ s ago/.test(document.querySelector('[data-testid="connection-state"]')?.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    await page.screenshot({ path: path.join(RESULTS, 'reconnecting.png') });
    // The picture stays on screen while the link is down.
    expect(await page.evaluate(() => window.__corridor!.counts().units)).toBeGreaterThan(0);

    await startServer(Number(port));
    await page.waitForFunction(() => window.__corridor!.connection === 'live', undefined, { timeout: 60_000, polling: 200 });
    await page.waitForFunction((s) => window.__corridor!.seq > s, seqBefore, { timeout: 30_000, polling: 200 });
    await page.close();
  });

  it('says SIGNED OUT and stops retrying when its token is revoked while the page is open, keeping the picture', async () => {
    const created = await tokenCli('create', '--org', 'partner-ngo', '--role', 'viewer');
    const token = created.trim().split('\n').pop()!;
    const id = /Created (tk-[0-9a-f]+)/.exec(created)![1];
    const page = await openPicture('/', undefined, { token });
    let socketsOpened = 0;
    page.on('websocket', () => socketsOpened++);
    await tokenCli('revoke', id);
    await page.waitForFunction(() => window.__corridor!.connection === 'signed-out', undefined, { timeout: 30_000, polling: 200 });
    const badge = page.getByTestId('connection-state');
    await expect(badge.textContent()).resolves.toMatch(/SIGNED OUT.*access revoked: sign in again/);
    await page.screenshot({ path: path.join(RESULTS, 'signed-out.png') });
    expect(await page.evaluate(() => window.__corridor!.counts().units)).toBeGreaterThan(0);
    // No reconnect attempts follow (the first retry would come within a second): watched for 3 s, the
    // one bounded wait of this file, as it checks that something does not happen.
    await page.waitForTimeout(3000);
    expect(socketsOpened).toBe(0);
    expect(await page.evaluate(() => window.__corridor!.connection)).toBe('signed-out');
    await page.close();
  });
});
