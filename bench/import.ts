// Import benchmark (`npm run bench:import`, issue 17): a generated HXL-tagged CSV of 100,000 rows
// (BENCH_ROWS) imported through a running server over HTTP, end to end (upload, reading on the import
// thread, the hand-over, the gateway, one event committed, folded and sent), and the server's longest
// event-loop stall meanwhile (GET /api/status, monitorEventLoopDelay), with two open maps (an admin
// and a humanitarian viewer under the exercise's sharing agreement) and a client asking /healthz every
// 50 ms, whose slowest answer says whether the server kept serving. Prints a table and writes it to
// docs/bench-import.md (BENCH_WRITE=0: print only).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * A displacement file as IOM DTM site lists look: header and hashtag rows, then one site a row (name,
 * code, point, IDPs, date, admin-1 code and name) in a box around Port-au-Prince; `round` moves the date on.
 */
function hxlCsv(rows: number, round: number): string {
  const out = ['Site name,Site code,Latitude,Longitude,IDPs,Date,Department code,Department', '#loc+name,#loc+code,#geo+lat,#geo+lon,#affected+idps+ind,#date+reported,#adm1+code,#adm1+name'];
  let seed = 17;
  const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const date = `2025-0${round + 1}-28`;
  for (let i = 0; i < rows; i++) {
    const lat = (18.2 + 0.8 * rand()).toFixed(6);
    const lon = (-72.9 + 1.2 * rand()).toFixed(6);
    out.push(`"Site ${i}, quartier ${i % 97}",S-${i},${lat},${lon},${Math.floor(50 + 5000 * rand()) + round * 10},${date},HT0${1 + (i % 9)},Département ${1 + (i % 9)}`);
  }
  return `${out.join('\r\n')}\r\n`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-import-'));
  const token = `bench-admin-token-${Math.random().toString(36).slice(2)}`;
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', CORRIDOR_DATA_DIR: dataDir, CORRIDOR_ADMIN_TOKEN: token, CORRIDOR_SCENARIO: 'none', CORRIDOR_COT_PORT: '0', LOG_LEVEL: 'warn' };
  // BENCH_SERVER_FLAGS: more Node flags for the server (`--cpu-prof --cpu-prof-dir=DIR` to see where its time goes).
  const extra = process.env.BENCH_SERVER_FLAGS ? process.env.BENCH_SERVER_FLAGS.split(' ') : [];
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...extra, '--import', 'tsx', path.join(root, 'server', 'main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const cleanup = () => {
    server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/token.ts'), 'create', '--org', 'WFP', '--role', 'viewer'], { cwd: root, env });
  const viewer = stdout.trim().split('\n').pop()!;
  const api = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, any> };
  };

  // Two open maps: an administrator's (the stored text) and a humanitarian viewer's (its own view).
  const maps = await Promise.all(
    [token, viewer].map(async (t) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${t}`, { maxPayload: 1024 * 1024 * 1024 });
      const seen = { imported: 0 };
      ws.on('message', (d) => {
        const text = d.toString();
        if (text.includes('"sites.imported"') || (text.startsWith('{"type":"snapshot"') && text.includes('"st-S-'))) seen.imported = performance.now();
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return { ws, seen };
    }),
  );

  // Other work on the machine shows in every figure: its load when the bench began is printed with them.
  const load = loadavg()[0];
  const rows: Array<[string, string]> = [];
  for (const round of [0, 1]) {
    const text = hxlCsv(ROWS, round);
    const body = JSON.stringify({ name: `sites-round-${round + 1}.csv`, text });
    progress(`round ${round + 1}: ${ROWS} rows, ${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MB`);
    await new Promise((r) => setTimeout(r, 500));
    await api('/api/status'); // restarts the event-loop figures
    for (const m of maps) m.seen.imported = 0;
    // The server keeps serving: a client asking /healthz every 50 ms, its slowest answer kept.
    let probing = true;
    let slowest = 0;
    const probe = (async () => {
      while (probing) {
        const t = performance.now();
        await fetch(`${base}/healthz`).then((r) => r.text());
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = performance.now();
    const res = await api('/api/displacement/import', { method: 'POST', body });
    const answeredMs = performance.now() - started;
    if (res.status !== 201) throw new Error(`the import was answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    const waitStart = performance.now();
    while (maps.some((m) => m.seen.imported === 0) && performance.now() - waitStart < 60_000) await new Promise((r) => setTimeout(r, 20));
    const shownMs = Math.max(...maps.map((m) => m.seen.imported)) - started;
    await new Promise((r) => setTimeout(r, 500));
    probing = false;
    await probe;
    const loop = (await api('/api/status')).body.eventLoop;
    progress(`round ${round + 1}: answered in ${answeredMs.toFixed(0)} ms, on both maps after ${shownMs.toFixed(0)} ms, longest stall ${loop.maxMs} ms, slowest /healthz ${slowest.toFixed(0)} ms`);
    const label = round === 0 ? `round 1 (${ROWS.toLocaleString('en')} new sites)` : `round 2 (the same sites, the next date: each keeps its previous figure)`;
    rows.push(
      [`${label}: file and request`, `${(Buffer.byteLength(body) / 1024 / 1024).toFixed(1)} MB, ${res.body.counts.rows.toLocaleString('en')} rows → ${res.body.counts.sites.toLocaleString('en')} sites, one event (seq ${res.body.seq})`],
      [`${label}: POST to 201 (upload, read on the import thread, hand-over, gateway, commit)`, `${(answeredMs / 1000).toFixed(2)} s`],
      [`${label}: POST to the event on both open maps`, `${(shownMs / 1000).toFixed(2)} s`],
      [`${label}: the server's longest event-loop stall (from before the POST to 0.5 s after the maps had it)`, `${loop.maxMs} ms (p99 ${loop.p99Ms} ms)`],
      [`${label}: slowest GET /healthz meanwhile (asked every 50 ms)`, `${slowest.toFixed(0)} ms`],
    );
  }

  const table = [
    `Machine: ${cpus()[0].model.trim()}, ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GB, Node ${process.version}, load average ${load.toFixed(1)} when the bench began; the server with no scenario under the exercise's sharing agreement, two open maps (an administrator and a WFP viewer), over HTTP on 127.0.0.1.`,
    '',
    '| what | figure |',
    '| --- | ---: |',
    ...rows.map(([what, figure]) => `| ${what} | ${figure} |`),
  ].join('\n');
  console.log(table);
  if (process.env.BENCH_WRITE !== '0') {
    writeFileSync(
      path.join(root, 'docs', 'bench-import.md'),
      `# Import benchmark\n\nProduced by \`npm run bench:import\` (${new Date().toISOString().slice(0, 10)}; \`BENCH_ROWS\` rows, 100,000 by default): a generated HXL-tagged CSV of site figures imported through the running server (\`POST /api/displacement/import\`), twice (the second round updates every site). Goal: under 10 s end to end, the server serving meanwhile.\n\n${table}\n`,
    );
  }
  for (const m of maps) m.ws.close();
  server.kill('SIGTERM');
  await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  cleanup();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
