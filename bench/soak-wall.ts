// `npm run soak:wall` (issue 17): does the wall display run all day without its memory growing? Starts a real
// server on the built-in exercise at CORRIDOR_EXERCISE_SPEEDUP=10 (a day's events in a fraction of one) and
// Chromium on /wall at 1920×1080, and every SOAK_EVERY_S seconds (30) forces a garbage collection
// (CDP HeapProfiler.collectGarbage) and reads the page's JS heap (Runtime.getHeapUsage), its DOM nodes and
// listeners (Performance.getMetrics), the ticker's length and the picture's seq. Prints a table, then the
// least-squares slope of the heap in MB per hour. Runs SOAK_MINUTES (30); SOAK_MAX_MB_PER_HOUR, when set, makes
// the exit code 1 above it. Needs the built client (npm run build) and /usr/bin/chromium.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { E2e, repoRoot } from '../test/e2e/helpers.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const everyS = Number(process.env.SOAK_EVERY_S ?? 30);
const maxSlope = process.env.SOAK_MAX_MB_PER_HOUR ? Number(process.env.SOAK_MAX_MB_PER_HOUR) : undefined;

/**
 * Least-squares slope of `ys` over `xs` (units of y per unit of x); 0 with fewer than two points.
 * @example leastSquaresSlope([0, 1, 2], [1, 3, 5]) // 2
 */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

interface Sample {
  minute: number;
  heapMB: number;
  nodes: number;
  listeners: number;
  ticker: number;
  seq: number;
  connection: string;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(repoRoot, 'dist/client/index.html'))) throw new Error('dist/client is missing: run `npm run build` first');
  const e2e = new E2e({ CORRIDOR_EXERCISE_SPEEDUP: process.env.CORRIDOR_EXERCISE_SPEEDUP ?? '10' });
  await e2e.start();
  const page = await e2e.openPicture('/wall', { width: 1920, height: 1080 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const samples: Sample[] = [];
  const started = Date.now();
  console.log(`soak:wall: ${minutes} min on ${e2e.baseUrl}/wall (exercise ×${process.env.CORRIDOR_EXERCISE_SPEEDUP ?? '10'}), a sample every ${everyS} s after a forced GC`);
  console.log('  min   heap MB   DOM nodes  listeners  ticker      seq  link');
  try {
    for (;;) {
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      const metric = (name: string) => metrics.metrics.find((m) => m.name === name)?.value ?? 0;
      const hooks = await page.evaluate(() => ({ ticker: window.__corridor!.wall?.ticker ?? 0, seq: window.__corridor!.seq, connection: window.__corridor!.connection }));
      const s: Sample = { minute: (Date.now() - started) / 60_000, heapMB: heap.usedSize / 1e6, nodes: metric('Nodes'), listeners: metric('JSEventListeners'), ...hooks };
      samples.push(s);
      console.log(
        `${s.minute.toFixed(1).padStart(5)} ${s.heapMB.toFixed(2).padStart(9)} ${String(s.nodes).padStart(11)} ${String(s.listeners).padStart(10)} ${String(s.ticker).padStart(7)} ${String(s.seq).padStart(8)}  ${s.connection}`,
      );
      if (s.minute >= minutes) break;
      await page.waitForTimeout(Math.min(everyS * 1000, Math.max(1000, (minutes - s.minute) * 60_000)));
    }
  } finally {
    await e2e.close();
  }
  // The first samples hold the start-up (fonts, tiles, the first picture): the slope is taken after them.
  const steady = samples.length > 4 ? samples.slice(2) : samples;
  const slope = leastSquaresSlope(
    steady.map((s) => s.minute / 60),
    steady.map((s) => s.heapMB),
  );
  const nodes = leastSquaresSlope(
    steady.map((s) => s.minute / 60),
    steady.map((s) => s.nodes),
  );
  console.log(`heap: ${steady[0]?.heapMB.toFixed(2)} → ${steady.at(-1)?.heapMB.toFixed(2)} MB; least-squares slope ${slope.toFixed(2)} MB/hour over ${steady.length} samples`);
  console.log(`DOM nodes: slope ${nodes.toFixed(0)} per hour; machine: Node ${process.version}, ${process.platform} ${process.arch}`);
  if (maxSlope !== undefined && slope > maxSlope) {
    console.error(`soak:wall: the heap grows ${slope.toFixed(2)} MB/hour, above SOAK_MAX_MB_PER_HOUR=${maxSlope}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
