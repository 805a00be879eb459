// Router benchmark (`npm run bench:routing`): preparation, cold start, single queries and zone changes
// on the Gothenburg network and a ten-times tiled copy, against ngraph.path and a bare typed-array A*.
// Prints a table (figures with units, machine, Node version) and writes it to docs/bench-routing.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { circle } from '@turf/turf';
import ngraphPath from 'ngraph.path';
import { corridorEvent, emptyPicture, pictureFromJson, refreshedCorridor, routesKey, type Convoy, type Corridor, type Picture, type PictureEvent, type Polygonal, type ThreatZone } from '@corridor/protocol';
import { buildRoadGraph, DEFAULT_ROADS_FILE, loadRoadNetwork, readRoadWays, type LoadedNetwork } from '../routing/index.js';
import { EARTH_RADIUS_M, type RoadGraph } from '../routing/road-graph.js';
import type { RoadWay } from '../routing/types.js';
import { isRoutable } from '../routing/profile.js';
import { cachePath } from '../routing/graph-cache.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Reaction, ReactorContext } from '../server/core/reactor.js';
import { RoutingThread } from '../server/routing-thread.js';

const SEED = 42;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 1000);
const CORRIDORS = 100;
const NGRAPH_PAIRS_LARGE = Number(process.env.BENCH_NGRAPH_PAIRS ?? 200);
const ZONES_LARGE = Number(process.env.BENCH_ZONES_LARGE ?? 15);
const ZONES = Number(process.env.BENCH_ZONES ?? 200);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Seeded PRNG (mulberry32), so every run draws the same pairs and zones. */
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
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

/**
 * The reference: a bare A* over the same typed arrays (no overlays, snapping or geometry), the
 * floor of what one thread does here. Written apart from routing/ on purpose.
 */
function makeReference(g: RoadGraph, base: Float64Array, perM: number, blocked?: Uint16Array) {
  const n = g.nodeCount;
  const dist = new Float64Array(n);
  const stamp = new Uint32Array(n);
  const done = new Uint32Array(n);
  let keys = new Float64Array(1 << 16);
  let nodes = new Int32Array(1 << 16);
  let gen = 0;
  const xyz = g.nodeXyz;
  const { adjStart, adjArc } = g;
  const { edgeFrom, edgeTo } = g.data;
  return (from: number, to: number): number => {
    gen++;
    let size = 0;
    const tx = xyz[3 * to];
    const ty = xyz[3 * to + 1];
    const tz = xyz[3 * to + 2];
    const k = EARTH_RADIUS_M * perM;
    const push = (v: number, key: number) => {
      if (size === keys.length) {
        const nk = new Float64Array(size * 2);
        nk.set(keys);
        keys = nk;
        const nn = new Int32Array(size * 2);
        nn.set(nodes);
        nodes = nn;
      }
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (keys[p] <= key) break;
        keys[i] = keys[p];
        nodes[i] = nodes[p];
        i = p;
      }
      keys[i] = key;
      nodes[i] = v;
    };
    const pop = () => {
      const top = nodes[0];
      size--;
      const key = keys[size];
      const node = nodes[size];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && keys[c + 1] < keys[c]) c++;
        if (keys[c] >= key) break;
        keys[i] = keys[c];
        nodes[i] = nodes[c];
        i = c;
      }
      keys[i] = key;
      nodes[i] = node;
      return top;
    };
    const h = (v: number) => Math.hypot(xyz[3 * v] - tx, xyz[3 * v + 1] - ty, xyz[3 * v + 2] - tz) * k;
    stamp[from] = gen;
    dist[from] = 0;
    push(from, h(from));
    while (size > 0) {
      const u = pop();
      if (done[u] === gen) continue;
      done[u] = gen;
      if (u === to) return dist[u];
      for (let a = adjStart[u]; a < adjStart[u + 1]; a++) {
        const arc = adjArc[a];
        const e = arc >> 1;
        if (blocked && blocked[e] > 0) continue;
        const v = arc & 1 ? edgeFrom[e] : edgeTo[e];
        const nd = dist[u] + base[e];
        if (stamp[v] !== gen || nd < dist[v]) {
          stamp[v] = gen;
          dist[v] = nd;
          push(v, nd + h(v));
        }
      }
    }
    return Infinity;
  };
}

/** Nodes of the base graph that can reach and be reached from its middle (its main strong component). */
function mainComponent(g: RoadGraph): number[] {
  const [w, s, e, n] = g.bbox;
  let start = 0;
  let bestD = Infinity;
  for (let v = 0; v < g.nodeCount; v++) {
    const dd = Math.hypot(g.data.nodeLon[v] - (w + e) / 2, g.data.nodeLat[v] - (s + n) / 2);
    if (dd < bestD && g.adjStart[v + 1] - g.adjStart[v] >= 3) {
      bestD = dd;
      start = v;
    }
  }
  const reach = (backward: boolean) => {
    const seen = new Uint8Array(g.nodeCount);
    // Reverse arcs for the backward pass.
    const rev: number[][] = backward ? Array.from({ length: g.nodeCount }, () => []) : [];
    if (backward)
      for (let u = 0; u < g.nodeCount; u++)
        for (let k = g.adjStart[u]; k < g.adjStart[u + 1]; k++) {
          const arc = g.adjArc[k];
          const v = arc & 1 ? g.data.edgeFrom[arc >> 1] : g.data.edgeTo[arc >> 1];
          rev[v].push(u);
        }
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const u = stack.pop()!;
      const next: number[] = [];
      if (backward) next.push(...rev[u]);
      else for (let k = g.adjStart[u]; k < g.adjStart[u + 1]; k++) {
        const arc = g.adjArc[k];
        next.push(arc & 1 ? g.data.edgeFrom[arc >> 1] : g.data.edgeTo[arc >> 1]);
      }
      for (const v of next) if (!seen[v]) {
        seen[v] = 1;
        stack.push(v);
      }
    }
    return seen;
  };
  const f = reach(false);
  const b = reach(true);
  const out: number[] = [];
  for (let v = 0; v < g.nodeCount; v++) if (f[v] && b[v]) out.push(v);
  return out;
}

/**
 * The Gothenburg ways tiled `cols × rows` times with offsets; neighbouring tiles are stitched by 12
 * two-way primary roads between nodes of the main strong component near the shared border.
 */
function tileWays(ways: RoadWay[], cols: number, rows: number): RoadWay[] {
  const routable = ways.filter((w) => isRoutable(w.tags));
  const base = buildRoadGraph(routable);
  const [w, s, e, n] = base.bbox;
  const dx = e - w + 0.002;
  const dy = n - s + 0.002;
  const main = mainComponent(base).map((v): [number, number] => [base.data.nodeLon[v], base.data.nodeLat[v]]);
  // Border bands of the main component itself (outlying scraps widen the network's own bbox).
  const mw = Math.min(...main.map((c) => c[0]));
  const me = Math.max(...main.map((c) => c[0]));
  const ms_ = Math.min(...main.map((c) => c[1]));
  const mn = Math.max(...main.map((c) => c[1]));
  const band = (pred: (c: [number, number]) => boolean, key: (c: [number, number]) => number) => main.filter(pred).sort((a, b) => key(a) - key(b));
  const eastEnds = band((c) => c[0] > me - 0.1 * (me - mw), (c) => c[1]);
  const westEnds = band((c) => c[0] < mw + 0.1 * (me - mw), (c) => c[1]);
  const northEnds = band((c) => c[1] > mn - 0.1 * (mn - ms_), (c) => c[0]);
  const southEnds = band((c) => c[1] < ms_ + 0.1 * (mn - ms_), (c) => c[0]);
  progress(`tiling: main component ${main.length} of ${base.nodeCount} nodes; border nodes E ${eastEnds.length} W ${westEnds.length} N ${northEnds.length} S ${southEnds.length}`);
  const out: RoadWay[] = [];
  const links = 12;
  for (let i = 0; i < cols; i++)
    for (let j = 0; j < rows; j++) {
      const ox = i * dx;
      const oy = j * dy;
      for (const way of routable) {
        out.push({ ...way, id: `${way.id}@${i},${j}`, coordinates: way.coordinates.map(([x, y]) => [x + ox, y + oy]) });
      }
      const stitch = (a: [number, number][], b: [number, number][], bx: number, by: number, tag: string) => {
        for (let k = 0; k < links; k++) {
          const p = a[Math.floor(((k + 0.5) / links) * a.length)];
          const q = b[Math.floor(((k + 0.5) / links) * b.length)];
          if (!p || !q) continue;
          out.push({
            id: `link/${tag}${i},${j},${k}`,
            highway: 'primary',
            coordinates: [
              [p[0] + ox, p[1] + oy],
              [q[0] + ox + bx, q[1] + oy + by],
            ],
            tags: { highway: 'primary', oneway: 'no' },
          });
        }
      };
      if (i + 1 < cols) stitch(eastEnds, westEnds, dx, 0, 'e');
      if (j + 1 < rows) stitch(northEnds, southEnds, 0, dy, 'n');
    }
  return out;
}

interface Row {
  graph: string;
  figure: string;
  value: string;
}


async function benchNetwork(label: string, file: string, rows: Row[]): Promise<void> {
  progress(`${label}: preparing`);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'corridor-bench-'));
  try {
    let t = performance.now();
    const first = await loadRoadNetwork(file, { cacheDir });
    const prepMs = performance.now() - t;
    t = performance.now();
    const net = await loadRoadNetwork(file, { cacheDir });
    const coldMs = performance.now() - t;
    if (!net.fromCache || first.fromCache) throw new Error('cache did not behave');
    rows.push({ graph: label, figure: 'nodes / edges', value: `${net.nodeCount} / ${net.edgeCount}` });
    rows.push({ graph: label, figure: 'preparation from the source file (read, parse, build, write cache)', value: `${ms(prepMs)} ms` });
    rows.push({ graph: label, figure: 'cold start from the cache (read, index, engine)', value: `${ms(coldMs)} ms` });
    progress(`${label}: ${net.nodeCount} nodes, single queries`);
    await queries(label, net, rows);
    progress(`${label}: zone changes`);
    await zoneChanges(label, net, rows, cachePath(cacheDir, net.key));
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function queries(label: string, net: LoadedNetwork, rows: Row[]): Promise<void> {
  const { graph, router } = net;
  const rand = rng(SEED);
  const d = graph.data;
  // Pairs of nodes that have arcs (so both ends are on the routable network).
  const usable: number[] = [];
  for (let v = 0; v < graph.nodeCount; v++) if (graph.adjStart[v + 1] > graph.adjStart[v]) usable.push(v);
  const pairs: [number, number][] = [];
  for (let i = 0; i < PAIRS; i++) pairs.push([usable[Math.floor(rand() * usable.length)], usable[Math.floor(rand() * usable.length)]]);
  const pt = (v: number): [number, number] => [d.nodeLon[v], d.nodeLat[v]];

  const prod: number[] = [];
  const prodSearch: number[] = [];
  let found = 0;
  for (const [a, b] of pairs) router.route({ from: pt(a), to: pt(b) }); // warm-up
  for (const [a, b] of pairs) {
    const t = performance.now();
    const r = router.route({ from: pt(a), to: pt(b) });
    prod.push(performance.now() - t);
    if (r.ok) found++;
  }
  const costs = router.costs[0];
  for (const [a, b] of pairs) {
    const t = performance.now();
    router.searcher.routeNodes(costs, 1, a, b);
    prodSearch.push(performance.now() - t);
  }
  const ref = makeReference(graph, costs.base, costs.heuristicPerM);
  const refT: number[] = [];
  let mismatch = 0;
  for (const [a, b] of pairs) ref(a, b);
  for (const [a, b] of pairs) {
    const t = performance.now();
    const c = ref(a, b);
    refT.push(performance.now() - t);
    const ours = router.searcher.routeNodes(costs, 1, a, b).cost;
    if (!(c === ours || Math.abs(c - ours) < 1e-6 * c)) mismatch++;
  }
  const ng = graph.toNgraph((e) => costs.base[e]);
  const xyz = graph.nodeXyz;
  const perM = EARTH_RADIUS_M * costs.heuristicPerM;
  const heuristic = (p: { id: unknown }, q: { id: unknown }) => {
    const i = p.id as number;
    const j = q.id as number;
    return Math.hypot(xyz[3 * i] - xyz[3 * j], xyz[3 * i + 1] - xyz[3 * j + 1], xyz[3 * i + 2] - xyz[3 * j + 2]) * perM;
  };
  const astar = ngraphPath.aStar(ng, { oriented: true, distance: (_a, _b, l) => l.data.cost, heuristic });
  const nba = ngraphPath.nba(ng, { oriented: true, distance: (_a, _b, l) => l.data.cost, heuristic });
  const ngT: number[] = [];
  const nbaT: number[] = [];
  // ngraph.path takes seconds per query on the large graph: a subset of the same pairs there.
  const ngPairs = graph.nodeCount > 50_000 ? pairs.slice(0, NGRAPH_PAIRS_LARGE) : pairs;
  for (const [a, b] of ngPairs.slice(0, 50)) astar.find(a, b);
  for (const [a, b] of ngPairs) {
    let t = performance.now();
    astar.find(a, b);
    ngT.push(performance.now() - t);
    t = performance.now();
    nba.find(a, b);
    nbaT.push(performance.now() - t);
  }
  const line = (name: string, xs: number[]) =>
    rows.push({ graph: label, figure: `single query, ${name}: p50 / p95`, value: `${ms(pct(xs, 50))} / ${ms(pct(xs, 95))} ms` });
  line('production (`route()`: snap, A*, geometry, figures)', prod);
  line('production search alone (compact A*, node to node)', prodSearch);
  line('reference typed-array A* (bare)', refT);
  line(`ngraph.path A*${ngPairs.length < pairs.length ? ` (first ${ngPairs.length} pairs)` : ''}`, ngT);
  line(`ngraph.path NBA${ngPairs.length < pairs.length ? ` (first ${ngPairs.length} pairs)` : ''}`, nbaT);
  rows.push({ graph: label, figure: 'production p50 / p95 as a multiple of the reference', value: `${(pct(prod, 50) / pct(refT, 50)).toFixed(2)}× / ${(pct(prod, 95) / pct(refT, 95)).toFixed(2)}×` });
  rows.push({ graph: label, figure: `pairs routed (of ${PAIRS}); cost mismatches vs reference`, value: `${found}; ${mismatch}` });
}

async function zoneChanges(label: string, net: LoadedNetwork, rows: Row[], cacheFile: string): Promise<void> {
  const { graph, router } = net;
  const rand = rng(SEED + 1);
  const d = graph.data;
  const usable: number[] = [];
  for (let v = 0; v < graph.nodeCount; v++) if (graph.adjStart[v + 1] > graph.adjStart[v]) usable.push(v);
  const pt = (): [number, number] => {
    const v = usable[Math.floor(rand() * usable.length)];
    return [d.nodeLon[v], d.nodeLat[v]];
  };
  // 100 standing corridors with both ends in the central half of the network, so zones cross several.
  const [w, s, e, n] = graph.bbox;
  const cx = (w + e) / 2;
  const cy = (s + n) / 2;
  const local = (): [number, number] => {
    for (;;) {
      const p = pt();
      if (Math.abs(p[0] - cx) < (e - w) / 4 && Math.abs(p[1] - cy) < (n - s) / 4) return p;
    }
  };
  const picture: Picture = emptyPicture();
  for (let i = 0; i < CORRIDORS; i++) {
    const id = `cv-${String(i).padStart(3, '0')}`;
    const c: Convoy = { id, name: id, origin: local(), destination: local(), vehicleClass: '4wd', state: 'approved', updatedMs: 0 };
    picture.convoys[id] = c;
  }
  // The same convoys and zones go through the routing thread afterwards, as the server routes.
  const convoysOnly = structuredClone(picture);
  const zonesUsed: ThreatZone[] = [];
  let t = performance.now();
  const initial = router.init(picture);
  const initMs = performance.now() - t;
  for (const c of initial) picture.corridors[c.convoyId] = c;
  const okCorridors = initial.filter((c) => c.status === 'ok');
  const times: number[] = [];
  const liftTimes: number[] = [];
  const affected: number[] = [];
  const bytes: number[] = [];
  const rerouted: number[] = [];
  const refTimes: number[] = [];
  const ngTimes: number[] = [];
  const costs = router.costs[0];
  let seq = 0;
  // The large graph's corridors are long and ngraph.path re-routes them in seconds: fewer zones there.
  const zones = graph.nodeCount > 50_000 ? Math.min(ZONES, ZONES_LARGE) : ZONES;
  for (let z = 0; z < zones; z++) {
    // A no-go zone centred on a point of a random corridor's route, radius 100-400 m.
    const c = okCorridors[Math.floor(rand() * okCorridors.length)];
    const coords = c.routes[0].coordinates;
    const center = coords[Math.floor(rand() * coords.length)];
    const radiusM = 100 + rand() * 300;
    const area = circle(center, radiusM / 1000, { steps: 32, units: 'kilometers' }).geometry as Polygonal;
    const zone: ThreatZone = { id: `tz-${z}`, severity: 'no-go', label: 'bench', geometry: { type: 'Point', coordinates: center }, area, radiusM, updatedMs: 0 };
    picture.threats[zone.id] = zone;
    zonesUsed.push(zone);
    const up: PictureEvent = { seq: ++seq, timeMs: 0, type: 'threat.upserted', zone };
    t = performance.now();
    const out = router.onEvents([up], picture);
    const payload = JSON.stringify(out.map((corridor) => corridorEvent(picture.corridors[corridor.convoyId], corridor)));
    times.push(performance.now() - t);
    if (payload.length === 0) throw new Error('empty broadcast');
    bytes.push(Buffer.byteLength(payload));
    affected.push(out.length);
    const moved = out.filter((o) => JSON.stringify(o.routes.map((r) => r.coordinates)) !== JSON.stringify(picture.corridors[o.convoyId]?.routes.map((r) => r.coordinates)) || o.status !== picture.corridors[o.convoyId]?.status);
    rerouted.push(moved.length);
    // The same recomputation (best routes of the re-routed convoys) with the two references.
    const pairs = moved.map((o) => {
      const cv = picture.convoys[o.convoyId];
      const a = router.snap(cv.origin, 1).snap!;
      const b = router.snap(cv.destination as [number, number], 1).snap!;
      return [d.edgeFrom[a.edge], d.edgeTo[b.edge]] as [number, number];
    });
    const ref = makeReference(graph, costs.base, costs.heuristicPerM, costs.blocked);
    t = performance.now();
    for (const [a, b] of pairs) ref(a, b);
    refTimes.push(performance.now() - t);
    const ng = graph.toNgraph((ed) => costs.base[ed]);
    const finder = ngraphPath.aStar(ng, { oriented: true, distance: (_a, _b, l) => l.data.cost, blocked: (_a, _b, l) => costs.blocked[l.data.edge] > 0 });
    t = performance.now();
    for (const [a, b] of pairs) finder.find(a, b);
    ngTimes.push(performance.now() - t);
    delete picture.threats[zone.id];
    const down: PictureEvent = { seq: ++seq, timeMs: 0, type: 'threat.removed', id: zone.id, reason: 'deleted' };
    t = performance.now();
    const back = router.onEvents([down], picture);
    JSON.stringify(back.map((corridor) => corridorEvent(picture.corridors[corridor.convoyId], corridor)));
    liftTimes.push(performance.now() - t);
    for (const b of [...out, ...back]) picture.corridors[b.convoyId] = b;
  }
  await throughThread(label, cacheFile, convoysOnly, zonesUsed, rows);
  const avg = affected.reduce((a, b) => a + b, 0) / affected.length;
  rows.push({ graph: label, figure: `${CORRIDORS} standing corridors (best route + 1 alternative each): initial computation`, value: `${ms(initMs)} ms` });
  rows.push({ graph: label, figure: `no-go zone appears → affected corridors recomputed + JSON: p50 / p95 (${zones} zones)`, value: `${ms(pct(times, 50))} / ${ms(pct(times, 95))} ms` });
  const avgR = rerouted.reduce((a, b) => a + b, 0) / rerouted.length;
  rows.push({ graph: label, figure: 'corridors broadcast per zone (re-routed or figures refreshed): mean / p95 / max', value: `${avg.toFixed(1)} / ${pct(affected, 95)} / ${Math.max(...affected)}` });
  rows.push({ graph: label, figure: 'of which re-routed (route or alternatives changed): mean / p95 / max', value: `${avgR.toFixed(1)} / ${pct(rerouted, 95)} / ${Math.max(...rerouted)}` });
  const kb = (x: number) => (x / 1024).toFixed(0);
  rows.push({ graph: label, figure: 'events appended per zone (whole corridors + figure refreshes), JSON: mean / p95', value: `${kb(bytes.reduce((a, b) => a + b, 0) / bytes.length)} / ${kb(pct(bytes, 95))} KiB` });
  rows.push({ graph: label, figure: 'zone lifted → affected corridors recomputed + JSON: p50 / p95', value: `${ms(pct(liftTimes, 50))} / ${ms(pct(liftTimes, 95))} ms` });
  rows.push({ graph: label, figure: 'best routes of the re-routed corridors, reference typed-array A*: p50 / p95', value: `${ms(pct(refTimes, 50))} / ${ms(pct(refTimes, 95))} ms` });
  rows.push({ graph: label, figure: 'best routes of the re-routed corridors, ngraph.path A*: p50 / p95', value: `${ms(pct(ngTimes, 50))} / ${ms(pct(ngTimes, 95))} ms` });
}

/**
 * The same zones through the routing thread the server uses (server/routing-thread.ts): from handing a
 * committed zone to the thread until its corridors are back on the main thread as events (JSON), and
 * the longest stall of the main thread's event loop meanwhile.
 */
async function throughThread(label: string, cacheFile: string, start: Picture, zones: ThreatZone[], rows: Row[]): Promise<void> {
  progress(`${label}: zone changes through the routing thread`);
  const thread = await RoutingThread.start({ cacheFile }, pino({ level: 'silent' }));
  const picture = pictureFromJson(start);
  const ctx: ReactorContext = { append: () => {}, exists: () => true, picture: () => picture, now: Date.now };
  /** What the store does on the main thread with the thread's updates (store.ts appendReaction): the events, as JSON. */
  const take = (reaction: Reaction): number => {
    const started = performance.now();
    const events: unknown[] = [];
    for (const u of reaction.updates ?? []) {
      const held = picture.corridors[u.convoyId];
      if (u.refresh && held && routesKey(held) === u.refresh.basis) {
        events.push({ type: 'corridor.refreshed', refresh: u.refresh.refresh });
        picture.corridors[u.convoyId] = refreshedCorridor(held, u.refresh.refresh);
      } else {
        const c = JSON.parse(u.json) as Corridor;
        events.push(corridorEvent(held, c));
        picture.corridors[u.convoyId] = c;
      }
    }
    JSON.stringify(events);
    return performance.now() - started;
  };
  take((await thread.reactor.start!(picture, ctx)) as Reaction);
  const times: number[] = [];
  const mainMs: number[] = [];
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  let seq = 0;
  for (const zone of zones) {
    picture.threats[zone.id] = zone;
    const up: PictureEvent = { seq: ++seq, timeMs: 0, type: 'threat.upserted', zone };
    const t = performance.now();
    mainMs.push(take((await thread.reactor.onCommitted([up], picture)) as Reaction));
    times.push(performance.now() - t);
    delete picture.threats[zone.id];
    const down: PictureEvent = { seq: ++seq, timeMs: 0, type: 'threat.removed', id: zone.id, reason: 'deleted' };
    take((await thread.reactor.onCommitted([down], picture)) as Reaction);
  }
  stalls.disable();
  await thread.close();
  rows.push({ graph: label, figure: 'no-go zone appears → through the routing thread, corridors back as JSON events: p50 / p95', value: `${ms(pct(times, 50))} / ${ms(pct(times, 95))} ms` });
  rows.push({ graph: label, figure: "of which on the main thread (the store's part: refreshes, reading whole corridors, events as JSON): p50 / p95", value: `${ms(pct(mainMs, 50))} / ${ms(pct(mainMs, 95))} ms` });
  rows.push({ graph: label, figure: "longest stall of the main thread's event loop meanwhile", value: `${ms(stalls.max / 1e6)} ms` });
}

const METHOD = [
  '- Preparation: `loadRoadNetwork` on an empty cache folder (read, parse, build the graph, write the cache);',
  '  cold start: `loadRoadNetwork` again, now from the cache (same process, so the file is in the page cache).',
  '- Single queries: random node pairs (seed 42), each routed once after a warm-up pass. "Production" is',
  '  `route()` from the coordinates (snapping, A*, geometry, distance/duration/exposure/clearance);',
  '  "production search alone" the same compact A* node to node; the "reference" a bare typed-array A*',
  '  written in the benchmark with the same costs and the chord heuristic (its answers are checked equal);',
  '  ngraph.path A* and NBA run on `RoadGraph.toNgraph()` with the same costs and heuristic.',
  '- Zone changes: 100 convoys with random ends in the central half of the network, corridors computed',
  '  by `init`; then, for each random no-go zone (radius 100-400 m, centred on a point of a random',
  "  corridor's best route), the time of `onEvents([threat.upserted])` plus `JSON.stringify` of the events the store appends for the",
  '  returned corridors (`corridor.recomputed`, or `corridor.refreshed` when only figures changed: what the server appends and broadcasts); the zone is then lifted',
  '  (`threat.removed`, timed separately) before the next one. The references re-route the best routes',
  '  of the corridors that the zone re-routed (node to node, blocked edges skipped).',
  '- Through the routing thread: the same zones, each handed as a committed event to `RoutingThread`',
  "  (the server's router: a worker thread with the prepared graph), timed until its corridor updates are",
  "  back and taken as the store takes them (a figures-only refresh applied, or the whole corridor read",
  "  from its JSON text) and the events made JSON; the main thread's part is timed apart, and the",
  "  event loop's longest stall meanwhile is from `monitorEventLoopDelay`.",
  '- The 10x graph is the Gothenburg network tiled 5x2 with offsets, neighbouring tiles joined by 12',
  "  two-way primary links between nodes of the network's main strong component near the shared border.",
].join('\n');

async function main(): Promise<void> {
  const rows: Row[] = [];
  await benchNetwork('Gothenburg', DEFAULT_ROADS_FILE, rows);
  if (process.env.BENCH_LARGE === '0') return print(rows);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'corridor-bench-10x-'));
  try {
    const ways = tileWays(await readRoadWays(DEFAULT_ROADS_FILE), 5, 2);
    const file = path.join(tmp, 'gothenburg-10x.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: ways.map((w) => ({ type: 'Feature', properties: { '@id': w.id, ...w.tags }, geometry: { type: 'LineString', coordinates: w.coordinates } })),
      }),
    );
    await benchNetwork('Gothenburg ×10 (5×2 tiles)', file, rows);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  print(rows);
}

/** Prints the table; writes docs/bench-routing.md only for a full run (both graphs). */
function print(rows: Row[]): void {
  const full = process.env.BENCH_LARGE !== '0';
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    `Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
    `Seed ${SEED}, ${PAIRS} random node pairs per graph, ${CORRIDORS} standing corridors, ${ZONES} random no-go zones on Gothenburg and ${Math.min(ZONES, ZONES_LARGE)} on the 10x graph (radius 100-400 m, centred on a point of a corridor's best route).`,
  ];
  const table = ['| graph | figure | value |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.graph} | ${r.figure} | ${r.value} |`)];
  console.log([...header, '', ...table].join('\n'));
  const doc = [
    '# Router benchmark',
    '',
    'Produced by `npm run bench:routing` (bench/routing.ts); the latest output is below.',
    '',
    ...header.map((h) => `${h}  `),
    '',
    ...table,
    '',
    '## Method',
    '',
    METHOD,
    '',
  ].join('\n');
  if (full) writeFileSync(path.join(repoRoot, 'docs/bench-routing.md'), doc);
}

await main();
