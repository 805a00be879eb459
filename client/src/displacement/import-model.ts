// The import page's state (client/src/displacement, issue 17): the files chosen, the server's reading of them
// (columns, its guess of the mapping, a preview, the rows it could not read), the mapping as the user edits it,
// and where a request stands. Pure: the page (ImportPage.tsx) dispatches, the server parses (import-request.ts).

/** The fields a column may be mapped to, in the order the mapping table lists them. */
export const IMPORT_FIELDS = ['name', 'lat', 'lon', 'population', 'date', 'pcode', 'admin', 'kind', 'source', 'id', 'originLat', 'originLon', 'originPcode'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** A column as the server read the file's header: its place, its header text, its HXL tag when the file has a tag row. */
export interface ImportColumn {
  index: number;
  header: string;
  tag?: string;
}

/** Which column a field is read from: the header text, the HXL tag (`#affected+idps`), or `#<index>` (`#6`, from 0); `''` for none. */
export type ColumnSpec = string;
export type ImportMapping = Partial<Record<ImportField, ColumnSpec>>;

/** A row the server could not read: its number in the file (the header is row 1), the field at fault, and why (the server's English). */
export interface ImportRowError {
  row: number;
  field?: string;
  message: string;
}

export interface ImportCounts {
  /** Data rows read. */
  rows: number;
  sites: number;
  flows: number;
  /** Rows that could not be read (and would be, or were, skipped). */
  skipped: number;
  /** Rows folded into a site of another row (the same site, a later figure). */
  merged: number;
}

/** One row as the server would post it: a site's input fields, and its row number in the file. */
export type PreviewRow = { row: number } & Record<string, unknown>;

/** The server's answer to a check (dry run, 200), an import (201), or an import refused for its rows (400 `invalid_rows`). */
export interface ImportAnswer {
  columns: ImportColumn[];
  mapping: ImportMapping;
  format: string;
  preview: PreviewRow[];
  errors: ImportRowError[];
  errorCount: number;
  counts: ImportCounts;
  /** The boundary features' property the P-codes were joined on, when boundaries were given. */
  pcodeProperty?: string;
  id?: string;
  seq?: number;
}

/** The data file chosen: kept as the browser's handle to it, read and sent as it is off the page's thread (import-request.ts). */
export interface ChosenFile {
  name: string;
  /** Bytes of the file as chosen. */
  size: number;
  blob: Blob;
}

/** A boundary file: its text (checked to be a GeoJSON FeatureCollection) and the properties of its features, for the P-code join. */
export interface ChosenBoundaries {
  name: string;
  /** Bytes of the file as chosen. */
  size: number;
  text: string;
  features: number;
  properties: string[];
}

/** What a request is for: a check of the file (dry run) or the import. */
export type Purpose = 'check' | 'import';

/** Where the page stands: idle, reading a file, sending one (bytes), waiting while the server reads it, or answered. */
export type Stage =
  | { kind: 'idle' }
  | { kind: 'reading'; name: string }
  | { kind: 'uploading'; purpose: Purpose; loaded: number; total: number }
  | { kind: 'server'; purpose: Purpose };

/** Why a request or a file failed, for the page to word: the server's code or status, a connection lost, a boundary file that is not GeoJSON. */
export type ImportFailure =
  | { kind: 'http'; status: number; code?: string; message?: string; path?: string }
  | { kind: 'network' }
  | { kind: 'boundaries'; reason: 'json' | 'notCollection' }
  | { kind: 'file' };

export interface ImportOptions {
  /** How to read the file: guessed by the server (`auto`), or said. */
  format: 'auto' | 'csv' | 'json';
  /** The boundary features' property holding the P-code; '' lets the server find it. */
  pcodeProperty: string;
  /** Source of the figures for rows that name none. */
  source: string;
  /** Date of the figures (YYYY-MM-DD) for rows that have none. */
  date: string;
  /** Marking of the sharing agreement the sites are posted under; '' for the organisation's default. */
  marking: string;
}

export interface ImportState {
  file: ChosenFile | null;
  boundaries: ChosenBoundaries | null;
  options: ImportOptions;
  /** The mapping as it stands: the server's guess, then the user's changes. */
  mapping: ImportMapping;
  /** The fields the user changed since the server's guess (shown as changed). */
  changed: ImportField[];
  /** The file, boundaries, options or mapping changed since the last check: check again before importing. */
  stale: boolean;
  stage: Stage;
  /** The last check's answer (or an import refused for its rows). */
  answer: ImportAnswer | null;
  /** The import's answer, once done. */
  result: ImportAnswer | null;
  failure: ImportFailure | null;
}

export const INITIAL_IMPORT: ImportState = {
  file: null,
  boundaries: null,
  options: { format: 'auto', pcodeProperty: '', source: '', date: '', marking: '' },
  mapping: {},
  changed: [],
  stale: false,
  stage: { kind: 'idle' },
  answer: null,
  result: null,
  failure: null,
};

export type ImportAction =
  | { type: 'reading'; name: string }
  | { type: 'file'; file: ChosenFile }
  | { type: 'boundaries'; boundaries: ChosenBoundaries | null }
  | { type: 'failed'; failure: ImportFailure }
  | { type: 'option'; options: Partial<ImportOptions> }
  | { type: 'map'; field: ImportField; column: number | null }
  | { type: 'progress'; purpose: Purpose; loaded: number; total: number }
  | { type: 'uploaded'; purpose: Purpose }
  | { type: 'answered'; purpose: Purpose; status: number; body: unknown };

/**
 * The spec that names column `index` for the server: `#<index>`, which no header or tag can be mistaken for.
 * @example specOfColumn(6) // '#6'
 */
export function specOfColumn(index: number): ColumnSpec {
  return `#${index}`;
}

/** HXL tags compare without case and without the order of their attributes: `#Affected+IDPs` is `#affected+idps`. */
function normalTag(tag: string): string {
  const [base, ...attributes] = tag.trim().toLowerCase().split('+');
  return [base, ...attributes.sort()].join('+');
}

/**
 * The column a spec names, or null: `#<index>`, else an HXL tag (`#adm1+code`), else a header (without case).
 * @example columnOfSpec([{ index: 0, header: 'id', tag: '#id+code' }, { index: 6, header: 'numPresentIdpInd', tag: '#affected+idps' }], '#affected+idps') // 6
 */
export function columnOfSpec(columns: readonly ImportColumn[], spec: ColumnSpec | undefined): number | null {
  if (spec === undefined || spec === '') return null;
  const index = /^#(\d+)$/.exec(spec.trim());
  if (index) return columns.some((c) => c.index === Number(index[1])) ? Number(index[1]) : null;
  if (spec.trim().startsWith('#')) {
    const tag = normalTag(spec);
    const hit = columns.find((c) => c.tag !== undefined && normalTag(c.tag) === tag);
    if (hit) return hit.index;
  }
  const header = spec.trim().toLowerCase();
  return columns.find((c) => c.header.trim().toLowerCase() === header)?.index ?? null;
}

/** One line of the mapping table: a field, the column it is read from (index, or null), and whether the user chose it. */
export interface MappingRow {
  field: ImportField;
  column: number | null;
  changed: boolean;
}

/**
 * The mapping table's rows, one per field, each with the column it is read from now.
 * @example mappingRows({ ...INITIAL_IMPORT, answer, mapping: { name: 'admin1Name' } })[0] // { field: 'name', column: 4, changed: false }
 */
export function mappingRows(s: Pick<ImportState, 'answer' | 'mapping' | 'changed'>): MappingRow[] {
  const columns = s.answer?.columns ?? [];
  return IMPORT_FIELDS.map((field) => ({ field, column: columnOfSpec(columns, s.mapping[field]), changed: s.changed.includes(field) }));
}

/**
 * What the final button offers: the sites and flows the last check found, the rows it would skip, and whether it
 * may be pressed (a current check with something to import, nothing under way, not imported yet).
 */
export function importOffer(s: ImportState): { sites: number; flows: number; skip: number; enabled: boolean } {
  const c = s.answer?.counts;
  const sites = c?.sites ?? 0;
  const flows = c?.flows ?? 0;
  const skip = s.answer ? Math.max(c?.skipped ?? 0, s.answer.errorCount) : 0;
  const busy = s.stage.kind !== 'idle';
  return { sites, flows, skip, enabled: !!s.file && !!s.answer && !s.stale && !busy && !s.result && sites + flows > 0 };
}

/** Whether a body is an answer with the report's shape (a check, an import, or `invalid_rows` inside `error`). */
function asAnswer(body: unknown): ImportAnswer | null {
  const b = body as Partial<ImportAnswer> & { error?: Partial<ImportAnswer> } | null;
  const a = b && Array.isArray(b.columns) ? b : b?.error && Array.isArray(b.error.columns) ? b.error : null;
  if (!a) return null;
  const errors = Array.isArray(a.errors) ? a.errors : [];
  const counts: ImportCounts = { rows: 0, sites: 0, flows: 0, skipped: 0, merged: 0, ...(a.counts ?? {}) };
  return {
    columns: a.columns ?? [],
    mapping: a.mapping ?? {},
    format: a.format ?? '',
    preview: Array.isArray(a.preview) ? a.preview : [],
    errors,
    errorCount: typeof a.errorCount === 'number' ? a.errorCount : errors.length,
    counts,
    ...(typeof a.pcodeProperty === 'string' ? { pcodeProperty: a.pcodeProperty } : {}),
    ...(a.id !== undefined ? { id: a.id } : {}),
    ...(a.seq !== undefined ? { seq: a.seq } : {}),
  };
}

/** The failure of an answer that is not a report: its status, and the code, message and field the server gave. */
function failureOf(status: number, body: unknown): ImportFailure {
  const e = (body as { error?: { code?: unknown; message?: unknown; path?: unknown } } | null)?.error;
  return {
    kind: 'http',
    status,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.message === 'string' ? { message: e.message } : {}),
    ...(typeof e?.path === 'string' ? { path: e.path } : {}),
  };
}

const reset = { stage: { kind: 'idle' } as Stage, failure: null };

/**
 * The page's state after `a`.
 * @example importReducer(INITIAL_IMPORT, { type: 'file', file: { name: 'idps.csv', size: 10, text: 'a,b' } }).stale // true
 */
export function importReducer(s: ImportState, a: ImportAction): ImportState {
  switch (a.type) {
    case 'reading':
      return { ...s, stage: { kind: 'reading', name: a.name }, failure: null };
    case 'file':
      // Another file: another header, so the server guesses its mapping afresh.
      return { ...s, ...reset, file: a.file, mapping: {}, changed: [], answer: null, result: null, stale: true };
    case 'boundaries':
      return { ...s, ...reset, boundaries: a.boundaries, options: { ...s.options, pcodeProperty: '' }, result: null, stale: true };
    case 'failed':
      return { ...s, stage: { kind: 'idle' }, failure: a.failure };
    case 'option':
      return { ...s, options: { ...s.options, ...a.options }, stale: true, result: null };
    case 'map': {
      // A field taken from no column is sent as '' (not left out), or the server would guess it again.
      const mapping = { ...s.mapping, [a.field]: a.column === null ? '' : specOfColumn(a.column) };
      const changed = s.changed.includes(a.field) ? s.changed : [...s.changed, a.field];
      return { ...s, mapping, changed, stale: true, result: null };
    }
    case 'progress':
      return { ...s, stage: { kind: 'uploading', purpose: a.purpose, loaded: a.loaded, total: a.total }, failure: null };
    case 'uploaded':
      return { ...s, stage: { kind: 'server', purpose: a.purpose } };
    case 'answered': {
      const answer = asAnswer(a.body);
      const ok = a.status >= 200 && a.status < 300;
      if (answer && ok && a.purpose === 'import') return { ...s, ...reset, result: answer, stale: false };
      if (answer && (ok || a.status === 400)) {
        // A check (or an import refused for its rows): the server's reading; its guess fills the fields the user left.
        // A refusal with its report (a whole-file problem, or rows that could not be read) says why as well.
        const mapping: ImportMapping = { ...answer.mapping };
        for (const f of s.changed) mapping[f] = s.mapping[f] ?? '';
        return { ...s, ...reset, answer, mapping, stale: false, failure: ok ? null : failureOf(a.status, a.body) };
      }
      return { ...s, stage: { kind: 'idle' }, failure: failureOf(a.status, a.body) };
    }
  }
}

/** The import request, as the server's contract has it (POST /api/displacement/import). */
export interface ImportRequest {
  name: string;
  format?: 'csv' | 'json';
  mapping?: ImportMapping;
  pcodeProperty?: string;
  date?: string;
  source?: string;
  marking?: string;
  dryRun: boolean;
  skipInvalid?: boolean;
}

/**
 * The request's small fields for `purpose`: the mapping, the options the user set, `skipInvalid` when importing a
 * file with rows that could not be read.
 * @example importRequest({ ...state, file }, 'check') // { name: 'idps.csv', dryRun: true }
 */
export function importRequest(s: ImportState, purpose: Purpose): ImportRequest {
  const o = s.options;
  const r: ImportRequest = { name: s.file?.name ?? '', dryRun: purpose === 'check' };
  if (o.format !== 'auto') r.format = o.format;
  // The mapping once the server has guessed one (the first check lets it guess), '' for a field read from no column.
  if (s.answer && Object.keys(s.mapping).length > 0) r.mapping = { ...s.mapping };
  if (s.boundaries && o.pcodeProperty) r.pcodeProperty = o.pcodeProperty;
  if (o.date) r.date = o.date;
  if (o.source.trim()) r.source = o.source.trim();
  if (o.marking) r.marking = o.marking;
  if (purpose === 'import' && importOffer(s).skip > 0) r.skipInvalid = true;
  return r;
}

/**
 * The request body as the parts of a Blob: the small fields, the file's text written as one JSON string, and the
 * boundary file's own text put in as it is (it was parsed once to check it). Built off the page's thread
 * (import-worker.ts): neither the file nor the body of a 10 MB import is ever a string on the page's thread.
 * @example requestParts({ name: 'a.csv', dryRun: true }, 'x,y', null).join('') // '{"name":"a.csv","dryRun":true,"text":"x,y"}'
 */
export function requestParts(request: ImportRequest, text: string, boundariesText: string | null): string[] {
  const head = JSON.stringify(request);
  return [head.slice(0, -1), ',"text":', JSON.stringify(text), ...(boundariesText !== null ? [',"boundaries":', boundariesText] : []), '}'];
}

/**
 * A boundary file checked and summed up: a GeoJSON FeatureCollection, its feature count and the properties its
 * features carry (those that look like P-code properties first), or why it is not one.
 * @example readBoundaries('b.json', '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADM1_PCODE":"HT01","ADM1_EN":"Ouest"},"geometry":null}]}').properties // ['ADM1_PCODE', 'ADM1_EN']
 */
export function readBoundaries(name: string, text: string, size = text.length): ChosenBoundaries | { reason: 'json' | 'notCollection' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { reason: 'json' };
  }
  const fc = parsed as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) return { reason: 'notCollection' };
  const keys = new Set<string>();
  for (const f of fc.features.slice(0, 200) as { properties?: Record<string, unknown> | null }[]) for (const k of Object.keys(f?.properties ?? {})) keys.add(k);
  const pcodeLike = (k: string) => /p_?code/i.test(k);
  const properties = [...keys].sort((a, b) => Number(pcodeLike(b)) - Number(pcodeLike(a)));
  return { name, size, text, features: fc.features.length, properties };
}

/** Fields of a preview row shown as columns, in this order, when any row has them. */
export const PREVIEW_FIELDS = ['name', 'population', 'date', 'lat', 'lon', 'placed', 'pcode', 'admin', 'kind', 'source', 'id'] as const;
export type PreviewField = (typeof PREVIEW_FIELDS)[number];

/**
 * The preview's columns: the fields any of its rows has.
 * @example previewFields([{ row: 3, name: 'Ouest', population: 10, pcode: 'HT01' }]) // ['name', 'population', 'pcode']
 */
export function previewFields(rows: readonly PreviewRow[]): PreviewField[] {
  return PREVIEW_FIELDS.filter((f) => rows.some((r) => r[f] !== undefined && r[f] !== null && r[f] !== ''));
}

/** Rows the server could not read for one reason: the field at fault, the server's words, the rows, in order. */
export interface RowErrorGroup {
  field?: string;
  message: string;
  rows: number[];
}

/**
 * The report's rows grouped by field and reason, in the order of their first row: the 2,900 rows of an admin-1
 * file whose P-codes are not among the boundaries read as one line per P-code, each with its rows.
 * @example groupRowErrors([{ row: 9, field: 'pcode', message: 'no boundary with P-code IQG01' }, { row: 4, field: 'pcode', message: 'no boundary with P-code IQG01' }])
 *   // [{ field: 'pcode', message: 'no boundary with P-code IQG01', rows: [4, 9] }]
 */
export function groupRowErrors(errors: readonly ImportRowError[]): RowErrorGroup[] {
  const groups = new Map<string, RowErrorGroup>();
  for (const e of errors) {
    const key = `${e.field ?? ''}\u0000${e.message}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...(e.field !== undefined ? { field: e.field } : {}), message: e.message, rows: [] }));
    g.rows.push(e.row);
  }
  const out = [...groups.values()];
  for (const g of out) g.rows.sort((a, b) => a - b);
  return out.sort((a, b) => a.rows[0] - b.rows[0]);
}

/**
 * Row numbers, sorted, as runs: [117, 118, 119, 135] → [[117, 119], [135, 135]].
 * @example rowRuns([3, 4, 5, 9]) // [[3, 5], [9, 9]]
 */
export function rowRuns(rows: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    if (last && r === last[1] + 1) last[1] = r;
    else if (!last || r > last[1]) runs.push([r, r]);
  }
  return runs;
}
