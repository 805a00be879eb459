// A file of displacement figures as a table (server/displacement, issue 17): CSV (RFC 4180 by csv-parse:
// quoting, CRLF, a byte-order mark, `,` `;` or tab) with its HXL hashtag row found by scanning, or JSON
// records (an array, `{"result":[...]}` as the IOM DTM API answers, or a GeoJSON FeatureCollection of
// points), whose keys are the columns. Pure; runs on the import thread.
import { parse } from 'csv-parse/sync';

/** One column: its place (0-based), its header text and its HXL hashtag when the file has a hashtag row. */
export interface Column {
  index: number;
  header: string;
  /** As written in the file (`#affected+idps`), when it has one. */
  tag?: string;
}

/** One data row: its number as in the file (1-based, counting the header rows) and its cells. */
export interface Row {
  row: number;
  cells: string[];
}

export interface Table {
  format: 'csv' | 'json';
  columns: Column[];
  rows: Row[];
  /** The row number of the HXL hashtag row, when there is one. */
  hxlRow?: number;
}

/** Why a file cannot be read as a table at all: said to the analyst as it is. */
export class TableError extends Error {}

/** Rows scanned from the top for the hashtag row: libhxl looks at the first 25 too. */
export const HXL_SCAN_ROWS = 25;
/** Most columns a file may have: a record of more keys is not a table of figures. */
export const MAX_COLUMNS = 1000;

/**
 * One HXL hashtag with its attributes (`#affected +idps +ind`), or undefined when the text is not one.
 * Case and spaces do not matter; attributes keep their order.
 * @example parseTag('#Affected +IDPs') // { base: 'affected', attrs: ['idps'] }
 */
export function parseTag(text: string): { base: string; attrs: string[] } | undefined {
  const t = text.trim().toLowerCase();
  if (!/^#[a-z][a-z0-9_]*(\s*\+\s*[a-z][a-z0-9_]*)*$/.test(t)) return undefined;
  const [base, ...attrs] = t.slice(1).split('+').map((p) => p.trim());
  return { base, attrs };
}

/**
 * Whether a row is an HXL hashtag row: at least one cell, and every cell that is not empty a hashtag
 * (the rule of the HXL standard, 1.1 §4).
 * @example isHashtagRow(['#loc+name', '', '#geo+lat']) // true
 */
export function isHashtagRow(cells: readonly string[]): boolean {
  let tags = 0;
  for (const cell of cells) {
    if (cell.trim() === '') continue;
    if (!parseTag(cell)) return false;
    tags++;
  }
  return tags > 0;
}

/**
 * The field delimiter of a CSV text: of `,`, `;` and tab, the one most used outside quotes on its
 * first line (a European spreadsheet writes `;`).
 * @example sniffDelimiter('a;b;c\n1;2;3') // ';'
 */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (let i = 0; i < text.length && i < 65_536; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

/**
 * A cell's text: trimmed, and a spreadsheet's guard apostrophe before `=`, `+`, `-`, `@` dropped
 * (out/csv.ts writes it; one apostrophe of `''=x` too, which is how an export writes a text `'=x`).
 * @example cellText(" '=SUM(A1) ") // '=SUM(A1)'
 */
export function cellText(value: string): string {
  const t = value.trim();
  return /^'+[=+\-@]/.test(t) ? t.slice(1) : t;
}

/**
 * Reads a CSV text: records as written (an empty line is an empty row, so row numbers are the file's),
 * then the hashtag row looked for in the first {@link HXL_SCAN_ROWS}; the header is the row just above
 * it, or the first row when there is none. Throws {@link TableError} when the CSV cannot be read.
 * @example readCsv('name,total\n#loc+name,#affected+idps\nA,3').rows // [{ row: 3, cells: ['A', '3'] }]
 */
export function readCsv(text: string): Table {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let records: string[][];
  try {
    records = parse(body, { delimiter: sniffDelimiter(body), relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw new TableError(`the CSV cannot be read${e.lines ? ` at line ${e.lines}` : ''}: ${(e.message ?? 'unknown error').replace(/ at line \d+/, '').slice(0, 200)}`);
  }
  const tagIndex = records.slice(0, HXL_SCAN_ROWS).findIndex(isHashtagRow);
  const headerIndex = tagIndex > 0 ? tagIndex - 1 : tagIndex === 0 ? -1 : 0;
  const firstData = tagIndex >= 0 ? tagIndex + 1 : 1;
  const width = Math.max(0, ...records.slice(0, firstData).map((r) => r.length));
  if (width > MAX_COLUMNS) throw new TableError(`the file has ${width} columns; at most ${MAX_COLUMNS} are read`);
  const columns: Column[] = [];
  for (let i = 0; i < width; i++) {
    const header = headerIndex >= 0 ? (records[headerIndex][i] ?? '').trim() : '';
    const tag = tagIndex >= 0 ? (records[tagIndex][i] ?? '').trim() : '';
    columns.push(tag ? { index: i, header, tag } : { index: i, header });
  }
  const rows: Row[] = [];
  for (let r = firstData; r < records.length; r++) rows.push({ row: r + 1, cells: records[r].map(cellText) });
  return tagIndex >= 0 ? { format: 'csv', columns, rows, hxlRow: tagIndex + 1 } : { format: 'csv', columns, rows };
}

/**
 * Reads JSON records as a table whose columns are their keys, in the order first met: an array of
 * objects, `{"result": [...]}` (the IOM DTM API) or `{"data": [...]}`, or a GeoJSON FeatureCollection whose Point features
 * are records of their properties with `lon`, `lat` and, when the feature has one, `siteId` (its `id`).
 * Features of other geometries (an export's flows) are not records. A record's number is its place, from 1.
 * @example readJson('{"result":[{"a":1}]}').rows // [{ row: 1, cells: ['1'] }]
 */
export function readJson(text: string): Table {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new TableError(`the JSON cannot be read: ${(err as Error).message.slice(0, 200)}`);
  }
  const records = jsonRecords(value);
  const index = new Map<string, number>();
  const rows: Row[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      rows.push({ row: i + 1, cells: [] });
      continue;
    }
    const cells: string[] = [];
    for (const [key, v] of Object.entries(record)) {
      let at = index.get(key);
      if (at === undefined) {
        if (index.size >= MAX_COLUMNS) throw new TableError(`the records have more than ${MAX_COLUMNS} different keys`);
        at = index.size;
        index.set(key, at);
      }
      cells[at] = jsonCell(v);
    }
    for (let c = 0; c < cells.length; c++) cells[c] ??= '';
    rows.push({ row: i + 1, cells });
  }
  const columns: Column[] = [...index.keys()].map((header, i) => ({ index: i, header }));
  return { format: 'json', columns, rows };
}

/** The records of a JSON value, or a TableError saying what the value is instead. */
function jsonRecords(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.result)) return o.result;
    if (o.type === 'FeatureCollection' && Array.isArray(o.features)) {
      const out: unknown[] = [];
      for (const f of o.features as unknown[]) {
        const feature = f as { id?: unknown; geometry?: { type?: unknown; coordinates?: unknown }; properties?: unknown } | null;
        const c = feature?.geometry?.type === 'Point' ? feature.geometry.coordinates : undefined;
        if (!Array.isArray(c)) continue;
        const props = feature!.properties && typeof feature!.properties === 'object' ? (feature!.properties as Record<string, unknown>) : {};
        out.push({ ...(typeof feature!.id === 'string' || typeof feature!.id === 'number' ? { siteId: feature!.id } : {}), ...props, lon: c[0], lat: c[1] });
      }
      return out;
    }
    if (Array.isArray(o.data)) return o.data;
  }
  throw new TableError('the JSON must be an array of records, an object {"result": [records]} as the IOM DTM API gives, or a GeoJSON FeatureCollection of points');
}

/** A JSON value as a cell: text as it is, numbers and booleans as written, nothing as empty, objects as JSON. */
function jsonCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v).slice(0, 10_000);
}

/**
 * The format of a file: as asked, else by its name's extension, else by its first character.
 * @example guessFormat('dtm.json', 'x') // 'json'
 */
export function guessFormat(name: string, text: string, asked?: 'csv' | 'json'): 'csv' | 'json' {
  if (asked) return asked;
  if (/\.(geo)?json$/i.test(name)) return 'json';
  if (/\.(csv|tsv|txt)$/i.test(name)) return 'csv';
  const first = /\S/.exec(text.slice(0, 4096).replace(/^\uFEFF/, ''))?.[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

/** Reads a file's text as a table in the format given or guessed. */
export function readTable(name: string, text: string, asked?: 'csv' | 'json'): Table {
  return guessFormat(name, text, asked) === 'json' ? readJson(text) : readCsv(text);
}
