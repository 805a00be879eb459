// Browser test helpers (test/e2e): a real server on the exercise scenario, real Chromium with WebGL2, and pages opened signed in.
// Tests wait on the page's read-only hooks (window.__corridor), never on fixed sleeps; screenshots go to test-results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
// The page's test hooks (`window.__corridor`), typed.
import type {} from '../../client/src/test-hooks.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS = path.join(repoRoot, 'test-results');
export const TOKEN = 'e2e-admin-token-0123456789abcdef';
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

/** A page whose live stream can be paused, so a screenshot and the page hooks show the same picture. */
export interface FreezablePage {
  page: Page;
  freeze(): void;
}

/** How to open a page. */
export interface OpenOptions {
  freezable?: FreezablePage;
  token?: string;
  /** Extra query parameters (`lang`). */
  query?: Record<string, string>;
  /** The browser's languages (`navigator.languages`, Accept-Language), most preferred first. */
  locale?: string;
  /** Whether to wait for units in the picture too (default true; a picture with none, `CORRIDOR_SCENARIO=none`, sets false). */
  units?: boolean;
}

/** One server on the exercise scenario, its data directory, and one Chromium. */
export class E2e {
  baseUrl = '';
  browser: Browser | undefined;
  private server: ChildProcess | undefined;
  private dataDir = '';
  private log = '';

  /** `env`: the server's environment over the defaults (`CORRIDOR_ROADS`, `CORRIDOR_SCENARIO=none`, ...). */
  constructor(private readonly env: Record<string, string> = {}) {}

  /** Starts the server (on a free port, or `port` to come back where it was) and, the first time, Chromium. */
  async start(port = 0): Promise<string> {
    this.baseUrl = await this.startServer(port);
    this.browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await this.browser?.close();
    await this.stopServer();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Starts `tsx server/main.ts` on `port` (0: a free one) and resolves with its base URL once /healthz answers. */
  async startServer(port = 0): Promise<string> {
    this.dataDir ||= mkdtempSync(path.join(tmpdir(), 'corridor-e2e-'));
    this.log = '';
    const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'server/main.ts'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CORRIDOR_DATA_DIR: this.dataDir, CORRIDOR_ADMIN_TOKEN: TOKEN, CORRIDOR_COT_PORT: '0', CORRIDOR_SCENARIO: 'exercise', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = child;
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString();
        const m = /(http:\/\/[^\s/]+)\/\?token=/.exec(this.log);
        if (m) resolve(m[1]);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => (this.log += c.toString()));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${this.log.slice(-3000)}`)));
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
    throw new Error(`server did not answer /healthz:\n${this.log.slice(-3000)}`);
  }

  async stopServer(): Promise<void> {
    const server = this.server;
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }

  /** Runs `npm run token -- ARGS` (the real CLI) on the test server's database; resolves with its output. */
  tokenCli(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'server/cli/token.ts', ...args], {
        cwd: repoRoot,
        env: { ...process.env, CORRIDOR_DATA_DIR: this.dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
      child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`token ${args.join(' ')} exited with ${code}: ${out}`))));
    });
  }

  /**
   * Opens a page signed in with the admin token (in a fresh browser context: its own storage and
   * languages) and waits until map, deck, labels and link are all up. With `freezable`, the page's
   * WebSocket goes through a Playwright route that can stop passing server messages on (the socket stays
   * open), so the picture holds still for evidence screenshots.
   */
  async openPicture(pathname: string, viewport = { width: 1600, height: 1000 }, o: OpenOptions = {}): Promise<Page> {
    const page = await this.browser!.newPage({ viewport, ...(o.locale ? { locale: o.locale } : {}) });
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
    const query = new URLSearchParams({ token: o.token ?? TOKEN, ...o.query });
    await page.goto(`${this.baseUrl}${pathname}?${query}`);
    await waitForPicture(page, o.units ?? true);
    return page;
  }
}

/** Waits until the page's map, deck layers and link are up with units in the picture (or without, `units` false). */
export async function waitForPicture(page: Page, units = true): Promise<void> {
  await page.waitForFunction(
    (withUnits) => {
      const h = window.__corridor;
      return !!h && h.mapIdle && h.deckRendered && h.connection === 'live' && (!withUnits || h.counts().units > 0);
    },
    units,
    { timeout: 90_000, polling: 200 },
  );
}

/** Waits for `n` more deck.gl frames: what was changed has been drawn. */
export async function framesLater(page: Page, n = 2): Promise<void> {
  await page.waitForFunction((target) => window.__corridor!.deckFrames > target, await page.evaluate((k) => window.__corridor!.deckFrames + k, n), { timeout: 60_000 });
}
