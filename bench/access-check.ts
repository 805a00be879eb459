// Access-check benchmark (`npm run bench:access`, issue 16): how long the router takes to answer "can we
// get from A to B now" (Router.check, the work the routing thread does per GET /api/access/check) on the
// Gothenburg exercise network at the exercise's worst moment (every river crossing shut: Götaälvbron,
// the Tingstad tunnel, Älvsborgsbron) and on Port-au-Prince with its IOM road assessment and a few
// no-go zones. Prints figures with their units, the machine and Node version.
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { circle } from '@turf/turf';
import { emptyPicture, type Picture, type Polygonal } from '@corridor/protocol';
import { DEFAULT_ROADS_FILE, loadRoadNetwork } from '../routing/index.js';
import type { Router } from '../routing/router.js';
import { NetworkAccess } from '../server/access/network.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PAP = path.resolve(repoRoot, '../shared/data/haiti-port-au-prince/port-au-prince-2021-08-14.osm.pbf');
const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);

/** Seeded PRNG (mulberry32), so every run draws the same pairs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const f = (x: number) => (Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));

interface Step {
  action: string;
  id: string;
  severity?: 'no-go' | 'danger' | 'advisory';
  center?: [number, number];
  radius_m?: number;
  polygon?: [number, number][];
  status?: 'open' | 'restricted' | 'closed';
  category?: string;
  lines?: [number, number][][];
}

/** The exercise's zones and constraints in force just after its step at `atS` (inject 8: no river crossing left). */
function exercisePicture(atS: number): { picture: Picture; places: Record<string, [number, number]> } {
  const s = JSON.parse(readFileSync(path.join(repoRoot, 'data/scenarios/gothenburg-exercise.json'), 'utf8')) as { timeline: (Step & { atS: number })[]; places: { id: string; lon: number; lat: number }[] };
  const picture = emptyPicture();
  for (const st of s.timeline) {
    if (st.atS > atS) break;
    if (st.action === 'threat.upsert') {
      const area = (st.polygon ? { type: 'Polygon', coordinates: [st.polygon] } : circle(st.center!, st.radius_m! / 1000, { steps: 48, units: 'kilometers' }).geometry) as Polygonal;
      picture.threats[st.id] = { id: st.id, severity: st.severity!, geometry: area, area, updatedMs: 0 };
    } else if (st.action === 'constraint.upsert') {
      picture.constraints[st.id] = { id: st.id, status: st.status!, category: 'physical-environment', geometry: { type: 'MultiLineString', coordinates: st.lines! }, verifiedAt: '2026-01-01T00:00:00Z', verifiedBy: 'bench', updatedMs: 0 };
    } else if (st.action === 'threat.remove') delete picture.threats[st.id];
    else if (st.action === 'constraint.remove') delete picture.constraints[st.id];
  }
  return { picture, places: Object.fromEntries(s.places.map((p) => [p.id, [p.lon, p.lat] as [number, number]])) };
}

interface Figures {
  label: string;
  ok: number[];
  refused: number[];
  opened: number;
  openerTries: number[];
}

function measure(label: string, router: Router, pairs: [[number, number], [number, number]][]): Figures {
  const fig: Figures = { label, ok: [], refused: [], opened: 0, openerTries: [] };
  // Warm up the JIT and the snap cache on other points.
  for (const [a, b] of pairs.slice(0, 20)) router.check({ from: a, to: b });
  for (const [a, b] of pairs) {
    const t0 = performance.now();
    const r = router.check({ from: a, to: b, vehicleClass: '4wd' });
    const ms = performance.now() - t0;
    if (r.ok) fig.ok.push(ms);
    else if (r.code === 'no_safe_route') {
      fig.refused.push(ms);
      fig.openerTries.push(r.tried);
      if (r.openers.length > 0) fig.opened++;
    }
  }
  return fig;
}

function row(x: Figures): string {
  const all = [...x.ok, ...x.refused];
  return `| ${x.label} | ${all.length} | ${f(pct(all, 50))} / ${f(pct(all, 95))} / ${f(Math.max(...all))} | ${x.ok.length}: ${f(pct(x.ok, 50))} / ${f(pct(x.ok, 95))} | ${x.refused.length} (${x.opened} with an opener): ${f(pct(x.refused, 50))} / ${f(pct(x.refused, 95))} / ${f(x.refused.length ? Math.max(...x.refused) : NaN)} | ${f(x.openerTries.reduce((s, t) => s + t, 0) / Math.max(1, x.openerTries.length))} |`;
}

async function main(): Promise<void> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'corridor-bench-access-'));
  const rows: string[] = [];
  try {
    // Gothenburg at inject 8: Hisingen's places to the city centre's and back cross a river no bridge spans.
    const got = await loadRoadNetwork(DEFAULT_ROADS_FILE, { cacheDir });
    const { picture, places } = exercisePicture(330);
    got.router.init(picture);
    const north = ['pl-backaplan', 'pl-kvillebacken', 'pl-lindholmen', 'pl-eriksberg', 'pl-biskopsgarden', 'pl-wieselgrensplatsen', 'pl-tingstad', 'pl-brunnsbo'];
    const south = ['pl-centralen', 'pl-gullbergsvass', 'pl-sahlgrenska', 'pl-ullevi-gate', 'pl-massan-gate', 'pl-chalmers-gate', 'pl-slottsskogsvallen-gate', 'pl-gamlestaden'];
    const cross: [[number, number], [number, number]][] = [];
    for (const a of north) for (const b of south) cross.push([places[a], places[b]], [places[b], places[a]]);
    rows.push(row(measure('Gothenburg exercise, inject 8: across the river (Hisingen ↔ centre)', got.router, cross)));
    const r = rng(7);
    const [w, s, e, n] = got.router.bbox;
    const random: [[number, number], [number, number]][] = [];
    for (let i = 0; i < PAIRS; i++) random.push([[w + r() * (e - w), s + r() * (n - s)], [w + r() * (e - w), s + r() * (n - s)]]);
    rows.push(row(measure(`Gothenburg exercise, inject 8: ${PAIRS} random pairs`, got.router, random)));

    if (existsSync(PAP)) {
      const pap = await loadRoadNetwork(PAP, { cacheDir });
      const network = await NetworkAccess.load({ file: PAP, cacheDir, key: pap.key });
      pap.router.setNetworkWays(network.ways);
      const rp = rng(11);
      const [pw, ps, pe, pn] = pap.router.bbox;
      const at = (): [number, number] => [pw + rp() * (pe - pw), ps + rp() * (pn - ps)];
      const zones = emptyPicture();
      for (let i = 0; i < 6; i++) {
        const area = circle(at(), (150 + rp() * 250) / 1000, { steps: 48, units: 'kilometers' }).geometry as Polygonal;
        zones.threats[`tz-${i}`] = { id: `tz-${i}`, severity: 'no-go', geometry: area, area, updatedMs: 0 };
      }
      pap.router.init(zones);
      const pairs: [[number, number], [number, number]][] = [];
      for (let i = 0; i < PAIRS; i++) pairs.push([at(), at()]);
      rows.push(row(measure(`Port-au-Prince (IOM assessment, 6 no-go zones): ${PAIRS} random pairs`, pap.router, pairs)));
    } else {
      rows.push(`| Port-au-Prince: ${PAP} absent, not measured | | | | | |`);
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Access check (Router.check, one thread), 4wd, ms: p50 / p95 / max. ${cpu}, ${os.cpus().length} cores, Node ${process.version}.\n`);
  console.log('| case | checks | all, ms | with a route, ms | refused, ms | zones lifted per refusal |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

await main();
