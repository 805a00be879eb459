// `npm run bench:field`: the bytes per minute a field unit's phone receives on its low-bandwidth stream
// (`/ws?stream=field`, issue 15) during the built-in exercise, counted on the wire (TCP bytes, after
// permessage-deflate) over real sockets. Starts the real server as a child process (npm start's flags)
// on loopback with the exercise at its own speed, and holds three phones on it at once: the lead of
// EVAC BLUE (`ex-blue-lead`) with the default settings, the same unit with `units=1` (other units
// nearby), and a phone `PHONE-1` sending its own position every 30 s (what a phone sends upstream).
// The goal is under 20 KiB per minute with the default settings: a GPRS-class link. Knobs
// (environment): BENCH_FIELD_S seconds measured (300); BENCH_WRITE=0 prints without writing
// docs/bench-field.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIELD_S = Number(process.env.BENCH_FIELD_S ?? 300);
const ADMIN = 'bench-field-admin-token-0123456789';
/** An organisation of the exercise's sharing agreement (data/agreements/exercise.yaml), humanitarian. */
const ORG = 'UNHCR';
const LEAD = 'ex-blue-lead';
const CONVOY = 'cv-ex-blue';
const PHONE = 'PHONE-1';
const PHONE_EVERY_S = 30;
const LIMIT_BYTES_PER_MIN = 20 * 1024;

interface Server {
  child: ChildProcess;
  url: string;
  dir: string;
}

/** Runs the token CLI on `dir` (`npm run token -- create …`); resolves with the token, its output's last line. */
function createToken(dir: string, unit: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/cli/token.ts', 'create', '--org', ORG, '--role', 'field', '--unit', unit], {
      cwd: root,
      env: { ...process.env, CORRIDOR_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      const lines = out.trim().split('\n');
      if (code === 0) resolve(lines[lines.length - 1].trim());
      else reject(new Error(`token create --unit ${unit} exited with ${code}: ${out}`));
    });
  });
}

async function startServer(dir: string): Promise<Server> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      CORRIDOR_DATA_DIR: dir,
      CORRIDOR_ADMIN_TOKEN: ADMIN,
      CORRIDOR_COT_PORT: '0',
      CORRIDOR_SCENARIO: 'exercise',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/[^\s/]+)\/\?token=/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url, dir };
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise((r) => s.child.once('exit', r));
    s.child.kill('SIGTERM');
    await exited;
  }
}

/** The kind of an item key: `convoy`, `progress`, or its prefix (`z:`, `c:`, `a:`, `r:`, `u:`). */
function kindOf(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(0, i + 1);
}

/** One phone on the field stream, counting what crosses its socket. */
class Phone {
  readonly ws: WebSocket;
  messages = 0;
  textBytes = 0;
  /** Wire bytes read by the time the first message (the whole view) was handled, handshake included. */
  firstWireBytes = 0;
  firstFull = false;
  /** Ms from open to the first message holding the convoy item. */
  convoyAfterMs: number | undefined;
  acks = 0;
  /** Per item kind: how many times an item of it was sent after the first view, and its text bytes. */
  readonly sets = new Map<string, { count: number; bytes: number }>();
  private openedMs = 0;
  private final: { read: number; written: number } | undefined;

  constructor(url: string, token: string, query: string) {
    // The ws client offers permessage-deflate by default; the field stream accepts it.
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?stream=field${query}`, { headers: { authorization: `Bearer ${token}` } });
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    this.ws.on('error', (err) => console.error(`field socket error: ${err.message}`));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.openedMs = Date.now();
        if (!this.ws.extensions.includes('permessage-deflate')) reject(new Error('the field stream was not compressed'));
        else resolve();
      });
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`field stream refused: ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  /** The TCP socket under the WebSocket. */
  get socket(): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket;
  }

  /** Wire bytes in and out since the connection was made, handshake included (TCP payload; not IP or TCP headers). */
  get wire(): { read: number; written: number } {
    return this.final ?? { read: this.socket.bytesRead, written: this.socket.bytesWritten };
  }

  /** Fixes the counts (before the close handshake adds its frames) and closes. */
  close(): void {
    this.final = this.wire;
    this.ws.close();
  }

  private onMessage(data: Buffer): void {
    if (this.final) return;
    this.messages++;
    this.textBytes += data.length;
    const m = JSON.parse(data.toString()) as { type: string; full?: boolean; set?: Record<string, { k: string; id?: string }> };
    if (this.messages === 1) {
      this.firstWireBytes = this.socket.bytesRead;
      this.firstFull = m.type === 'field' && m.full === true;
    }
    if (m.type === 'ack') this.acks++;
    if (m.type !== 'field') return;
    if (this.convoyAfterMs === undefined && m.set?.convoy?.id === CONVOY) this.convoyAfterMs = Date.now() - this.openedMs;
    if (m.full) return;
    for (const [key, item] of Object.entries(m.set ?? {})) {
      const kind = kindOf(key);
      const s = this.sets.get(kind) ?? { count: 0, bytes: 0 };
      s.count++;
      s.bytes += Buffer.byteLength(`${JSON.stringify(key)}:${JSON.stringify(item)}`);
      this.sets.set(kind, s);
    }
  }
}

interface Row {
  settings: string;
  minutes: number;
  downKiBPerMin: number;
  textKiBPerMin: number;
  messagesPerMin: number;
  upKiBPerMin: number;
  firstKiB: number;
}

function rowOf(settings: string, phone: Phone, seconds: number): Row {
  const perMin = 60 / seconds;
  const wire = phone.wire;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    settings,
    minutes: r1(seconds / 60),
    downKiBPerMin: r1((wire.read * perMin) / 1024),
    textKiBPerMin: r1((phone.textBytes * perMin) / 1024),
    messagesPerMin: r1(phone.messages * perMin),
    upKiBPerMin: r1((wire.written * perMin) / 1024),
    firstKiB: r1(phone.firstWireBytes / 1024),
  };
}

async function main(): Promise<void> {
  console.log(`bench:field on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}: ${FIELD_S} s of the exercise`);
  const dir = mkdtempSync(path.join(tmpdir(), 'corridor-bench-field-'));
  let s: Server | undefined;
  try {
    // Made before the server starts, so the phones connect as the exercise begins.
    const [leadToken, phoneToken] = await Promise.all([createToken(dir, LEAD), createToken(dir, PHONE)]);
    s = await startServer(dir);
    const lead = new Phone(s.url, leadToken, '');
    const leadUnits = new Phone(s.url, leadToken, '&units=1');
    const phone = new Phone(s.url, phoneToken, '');
    await Promise.all([lead.opened(), leadUnits.opened(), phone.opened()]);
    const started = Date.now();
    let fixes = 0;
    const report = () =>
      phone.ws.send(JSON.stringify({ type: 'position', msgId: `bench-fix-${++fixes}`, unitId: PHONE, lon: 11.9668, lat: 57.7089, accuracy: 8 }));
    report();
    const reporting = setInterval(report, PHONE_EVERY_S * 1000);
    await new Promise((r) => setTimeout(r, FIELD_S * 1000));
    clearInterval(reporting);
    const seconds = (Date.now() - started) / 1000;
    for (const p of [lead, leadUnits, phone]) p.close();
    // A phone that reconnects in the middle of the exercise: what its whole first view costs.
    const late = new Phone(s.url, leadToken, '');
    await late.opened();
    for (let i = 0; i < 100 && late.messages === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const lateFirst = { wire: late.firstWireBytes, text: late.textBytes };
    late.close();

    const rows = [
      rowOf(`${LEAD}, default (radius 5000 m)`, lead, seconds),
      rowOf(`${LEAD}, \`units=1\` (other units within 5000 m)`, leadUnits, seconds),
      rowOf(`${PHONE}, default, sending its position every ${PHONE_EVERY_S} s`, phone, seconds),
    ];
    for (const r of rows) console.log(JSON.stringify(r));
    const table = [
      '| settings | minutes | received on the wire (KiB/min) | received as text (KiB/min) | messages received /min | sent on the wire (KiB/min) | first view on the wire (KiB) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.settings} | ${r.minutes} | ${r.downKiBPerMin} | ${r.textKiBPerMin} | ${r.messagesPerMin} | ${r.upKiBPerMin} | ${r.firstKiB} |`),
    ].join('\n');
    const kinds = (p: Phone) =>
      [...p.sets.entries()]
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .map(([kind, x]) => `\`${kind}\` ${x.count} × (${Math.round(x.bytes / 1024)} KiB of text)`)
        .join(', ') || 'none';
    const verdict = rows[0].downKiBPerMin * 1024 <= LIMIT_BYTES_PER_MIN ? 'under' : 'over';
    const notes = [
      `With the default settings the lead of EVAC BLUE receives **${rows[0].downKiBPerMin} KiB per minute** on the wire: ${verdict} the goal of ${LIMIT_BYTES_PER_MIN / 1024} KiB per minute (a GPRS-class link). Its convoy item came ${lead.convoyAfterMs === undefined ? 'never' : `${(lead.convoyAfterMs / 1000).toFixed(1)} s after it connected`}.`,
      `Items sent after the first view, by kind (default settings): ${kinds(lead)}. With \`units=1\`: ${kinds(leadUnits)}.`,
      `${PHONE} sent ${fixes} positions and was answered ${phone.acks} acks.`,
      `A phone of ${LEAD} that connects after the ${Math.round(seconds)} s (a reconnect in the middle of the exercise) is sent its whole view at once: **${(lateFirst.wire / 1024).toFixed(1)} KiB on the wire**, handshake included (${(lateFirst.text / 1024).toFixed(1)} KiB of text).`,
    ].join('\n\n');
    const text = `${table}\n\n${notes}\n`;
    console.log(`\n${text}`);
    if (process.env.BENCH_WRITE !== '0') {
      const doc =
        `# bench:field\n\n\`BENCH_FIELD_S=${FIELD_S} npm run bench:field\` on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: ` +
        `the real server (npm start's flags) with the built-in exercise at its own speed, and three phones on the field stream (\`/ws?stream=field\`, permessage-deflate as the \`ws\` client offers it) over loopback, connected as the exercise starts and held for ${Math.round(seconds)} s at once: ` +
        `the lead of EVAC BLUE (\`${LEAD}\`, a field token of ${ORG}) with the default settings, the same unit with \`units=1\`, and \`${PHONE}\` sending its position every ${PHONE_EVERY_S} s on its own socket. ` +
        `"On the wire" is the TCP payload the phone's socket read or wrote from the connection to the end (\`bytesRead\`, \`bytesWritten\`), handshake, frames and pings included, IP and TCP headers not; "as text" is the JSON of the messages after decompression; the first view is counted in the figures. The phones connect as the exercise starts, before it has seeded its convoys and zones, so their first view is nearly empty (that column is mostly the handshake) and the exercise's items come in the messages after it.\n\n${text}`;
      writeFileSync(path.join(root, 'docs', 'bench-field.md'), doc);
      console.log('written to docs/bench-field.md');
    }
  } finally {
    if (s) await stopServer(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
