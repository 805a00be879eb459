// `npm run import -- FILE [options]` (server/cli, issue 17): sends a CSV, HXL-tagged CSV or JSON file of
// displacement figures to a running server (`POST /api/displacement/import`), showing the upload's
// progress, then the mapping the server read it with, a preview, and the result or the rows it could
// not read (row number as in the file, field, why). Exit code 0 imported (or a dry run), 1 refused, 2 not sent.
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage:
  npm run import -- FILE [--url URL] [--token TOKEN] [--boundaries FILE] [--pcode-property NAME]
                         [--map field=column ...] [--date YYYY-MM-DD] [--source TEXT] [--marking MARKING]
                         [--format csv|json] [--dry-run] [--skip-invalid]
FILE is a CSV (HXL-tagged or not) or JSON file (an array of records, or {"result": [...]} as the IOM DTM
API gives). The server is http://127.0.0.1:$PORT (PORT as the server's, 8080 by default) unless --url;
the token is --token, else CORRIDOR_ADMIN_TOKEN (the admin token the server printed at start-up), of a
role that may post sites (analyst, admin).
  --boundaries FILE     GeoJSON FeatureCollection of admin areas: rows with a P-code and no coordinates
                        are placed on their area (--pcode-property names the property with the P-codes;
                        guessed otherwise: ADM1_PCODE, A1Code, ...)
  --map field=column    read a field from a column (its header, its #hashtag, or #<index> from 0), or
                        from none with field=; fields: name lat lon population date pcode admin kind
                        source id placed originLat originLon originPcode
  --date                the date of rows that give none      --source  the source of rows that give none
  --dry-run             show what would be imported, import nothing
  --skip-invalid        import the readable rows and report the others (without it, any unreadable row
                        refuses the whole file: nothing is ever half-imported)`;

/** The command line read: what to send and where. */
interface ImportArgs {
  file: string;
  url: string;
  token: string;
  body: Record<string, unknown>;
}

/** A command line that cannot be used: said with the usage, exit code 2. */
class UsageError extends Error {}

/**
 * Reads the command line (and the files it names) into the request to send.
 * @example importArgs(["a.csv", "--dry-run"], env).body.dryRun // true
 */
function importArgs(argv: string[], env: NodeJS.ProcessEnv): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        boundaries: { type: 'string' },
        'pcode-property': { type: 'string' },
        map: { type: 'string', multiple: true },
        date: { type: 'string' },
        source: { type: 'string' },
        marking: { type: 'string' },
        format: { type: 'string' },
        'dry-run': { type: 'boolean' },
        'skip-invalid': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'FILE is required' : `one FILE at a time, got ${positionals.length}`);
  const file = path.resolve(positionals[0]);
  const token = v.token ?? env.CORRIDOR_ADMIN_TOKEN;
  if (!token) throw new UsageError('a token is required: --token TOKEN, or CORRIDOR_ADMIN_TOKEN (the admin token the server printed at start-up)');
  if (v.format !== undefined && v.format !== 'csv' && v.format !== 'json') throw new UsageError(`--format must be csv or json, got "${v.format}"`);
  const mapping: Record<string, string> = {};
  for (const m of v.map ?? []) {
    const at = m.indexOf('=');
    if (at <= 0) throw new UsageError(`--map takes field=column, got "${m}"`);
    mapping[m.slice(0, at).trim()] = m.slice(at + 1);
  }
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new UsageError(`${what} ${f} cannot be read: ${(err as Error).message}`);
    }
  };
  const body: Record<string, unknown> = { name: path.basename(file), text: read(file, 'FILE') };
  if (v.format) body.format = v.format;
  if (Object.keys(mapping).length > 0) body.mapping = mapping;
  if (v.boundaries) {
    try {
      body.boundaries = JSON.parse(read(path.resolve(v.boundaries), '--boundaries'));
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError(`--boundaries ${v.boundaries} is not JSON: ${(err as Error).message}`);
    }
  }
  if (v['pcode-property']) body.pcodeProperty = v['pcode-property'];
  if (v.date) body.date = v.date;
  if (v.source) body.source = v.source;
  if (v.marking) body.marking = v.marking;
  if (v['dry-run']) body.dryRun = true;
  if (v['skip-invalid']) body.skipInvalid = true;
  const url = (v.url ?? `http://127.0.0.1:${env.PORT || 8080}`).replace(/\/+$/, '');
  return { file, url, token, body };
}

/** What the server answered: its status and JSON. */
interface Answer {
  status: number;
  json: Record<string, any>;
}

/** Posts the body, reporting the bytes sent as they go (`progress(sent, total)`). */
function post(url: string, token: string, body: string, progress: (sent: number, total: number) => void): Promise<Answer> {
  const bytes = Buffer.from(body, 'utf8');
  const target = new URL('/api/displacement/import', url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': bytes.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, any>;
          try {
            json = JSON.parse(text) as Record<string, any>;
          } catch {
            json = { error: { code: 'internal', message: `the server answered ${res.statusCode} with no JSON: ${text.slice(0, 200)}` } };
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    // In parts, so the progress is what the socket took, not what was queued.
    const PART = 256 * 1024;
    let sent = 0;
    const write = () => {
      while (sent < bytes.length) {
        const part = bytes.subarray(sent, Math.min(bytes.length, sent + PART));
        sent += part.length;
        const more = req.write(part);
        progress(sent, bytes.length);
        if (!more) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 1)} MB`;

/** The server's answer as lines for a person: mapping, preview, counts, rows not read, result. */
function describeAnswer(answer: Answer, dryRun: boolean): { lines: string[]; ok: boolean } {
  const j = answer.json;
  const lines: string[] = [];
  const error = j.error as { code: string; message: string; path?: string } | undefined;
  if (j.columns) {
    lines.push(`Read as ${j.format}${j.hxlRow ? `, HXL hashtags on row ${j.hxlRow}` : ', no HXL hashtag row'}, ${j.columns.length} columns.`);
    const mapping = Object.entries(j.mapping ?? {});
    lines.push('Mapping:');
    for (const [field, column] of mapping) lines.push(`  ${field.padEnd(12)} ← ${column}`);
    if (mapping.length === 0) lines.push('  (none)');
    if (j.pcodeProperty) lines.push(`P-codes joined on the boundaries' ${j.pcodeProperty}.`);
    if (j.preview?.length) {
      lines.push(`Preview (first ${Math.min(10, j.preview.length)} readable rows):`);
      lines.push(`  ${'row'.padStart(6)}  ${'name'.padEnd(28)} ${'lat'.padStart(10)} ${'lon'.padStart(11)} ${'people'.padStart(10)}  date        pcode`);
      for (const p of j.preview.slice(0, 10)) {
        lines.push(`  ${String(p.row).padStart(6)}  ${String(p.name).slice(0, 28).padEnd(28)} ${String(p.lat).padStart(10)} ${String(p.lon).padStart(11)} ${String(p.population).padStart(10)}  ${String(p.date).padEnd(10)}  ${p.pcode ?? ''}`);
      }
    }
    const c = j.counts;
    if (c) lines.push(`Rows ${c.rows}: ${c.sites} sites, ${c.flows} flows, ${c.merged} rows merged into the site of their place, ${c.skipped} rows not read.`);
    if (j.errors?.length) {
      lines.push(`Rows not read (${j.errorCount} problems${j.errorCount > 20 ? ', the first 20' : ''}):`);
      for (const e of j.errors.slice(0, 20)) lines.push(`  row ${String(e.row).padStart(6)}  ${e.field ? `${e.field}: ` : ''}${e.message}`);
    }
  }
  if (error) {
    lines.push(`Refused (${answer.status} ${error.code}${error.path ? `, ${error.path}` : ''}): ${error.message}`);
    return { lines, ok: false };
  }
  if (dryRun) lines.push('Dry run: nothing was imported.');
  else lines.push(`Imported as ${j.id} (one event, seq ${j.seq}): ${j.counts?.sites} sites, ${j.counts?.flows} flows.`);
  return { lines, ok: true };
}

async function main(): Promise<number> {
  let args: ImportArgs;
  try {
    args = importArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(err.message ? `${err.message}\n\n${USAGE}\n` : `${USAGE}\n`);
    return err.message ? 2 : 0;
  }
  const text = JSON.stringify(args.body);
  process.stderr.write(`${path.basename(args.file)} (${mb(statSync(args.file).size)}) to ${args.url}\n`);
  const tty = process.stderr.isTTY;
  let shown = -1;
  const progress = (sent: number, total: number) => {
    const pct = Math.floor((sent * 100) / total);
    if (tty) process.stderr.write(`\rUploading ${mb(sent)} / ${mb(total)} (${pct}%)`);
    else if (pct >= shown + 25 || sent === total) {
      shown = pct;
      process.stderr.write(`Uploading ${mb(sent)} / ${mb(total)} (${pct}%)\n`);
    }
  };
  let answer: Answer;
  const started = Date.now();
  try {
    answer = await post(args.url, args.token, text, progress);
  } catch (err) {
    process.stderr.write(`\nThe server at ${args.url} could not be reached: ${(err as Error).message}\n`);
    return 2;
  }
  if (tty) process.stderr.write('\n');
  process.stderr.write(`Answered ${answer.status} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  const { lines, ok } = describeAnswer(answer, args.body.dryRun === true);
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 2;
  },
);
