// An import of displacement figures read (server/displacement, issue 17): the request checked, the file
// read as a table, the mapping guessed or taken, each row read into a site (and a flow from where its
// people came from) with every problem reported by row number, field and why, admin-level rows placed
// by P-code, and the rows of one place merged into one site. Pure: the import thread runs it (big files
// never hold the server's event loop), tests call it directly.
import { Type, type Static } from '@sinclair/typebox';
import { checkSchema, validateFlow, validateSite, type Result } from '@corridor/protocol/validate';
import { ID_PATTERN, MAX_IMPORT_ITEMS, type FlowInput, type ProtocolError, type SiteInput } from '@corridor/protocol';
import { hash53 } from '../core/fingerprint.js';
import { Boundaries, BoundaryError, pcodeKey } from './boundaries.js';
import { dayFirstOf, readDate } from './dates.js';
import { FIELDS, mappingSpecs, MappingError, resolveMapping, type Field, type Mapping } from './mapping.js';
import { readTable, TableError, type Column, type Row, type Table } from './table.js';

/** `POST /api/displacement/import`'s body (README "Displacement import"). */
export const ImportRequestSchema = Type.Object(
  {
    /** The file's name: the import's name in the log, and its sites' source when no other is given. */
    name: Type.String({ minLength: 1, maxLength: 200, format: 'line' }),
    /** The file's contents. */
    text: Type.String(),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])),
    /** Field → column: its header, its hashtag, or `#<index>` from 0; `""` for no column. */
    mapping: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 200 }), { maxProperties: 40 })),
    /** The admin areas, a GeoJSON FeatureCollection, for rows placed by P-code. */
    boundaries: Type.Optional(Type.Unknown()),
    /** The property of the boundary features holding the P-code; guessed when absent. */
    pcodeProperty: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    /** The date of rows that give none. */
    date: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    /** The source of rows that give none (default: the file's name). */
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 200, format: 'line' })),
    /** The sharing agreement's marking of every site and flow (issue 13). */
    marking: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: ID_PATTERN })),
    dryRun: Type.Optional(Type.Boolean()),
    skipInvalid: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ImportRequest = Static<typeof ImportRequestSchema>;

/** One row that could not be read: its number as in the file, the field, what was wrong. */
export interface RowError {
  row: number;
  field?: Field;
  message: string;
}

/** A readable row as it will be imported, before rows of one place are merged. */
export type PreviewRow = SiteInput & { row: number; origin?: [number, number] };

/** What the analyst is told of a file, imported or not. */
export interface ImportReport {
  format: 'csv' | 'json';
  columns: Column[];
  /** Field → the column it is read from (its hashtag, header or `#<index>`). */
  mapping: Partial<Record<Field, string>>;
  /** The first readable rows. */
  preview: PreviewRow[];
  /** At most {@link MAX_REPORTED_ERRORS}; `errorCount` says how many there are. */
  errors: RowError[];
  errorCount: number;
  counts: { rows: number; sites: number; flows: number; skipped: number; merged: number };
  /** The row number of the HXL hashtag row, when the file has one. */
  hxlRow?: number;
  /** The boundary property the P-codes were joined on, when boundaries were given. */
  pcodeProperty?: string;
}

/** The report, why the file cannot be imported at all (what is missing) when so, and what it gives. */
export interface ImportOutcome {
  report: ImportReport;
  problem?: ProtocolError;
  sites: SiteInput[];
  flows: FlowInput[];
}

export const MAX_REPORTED_ERRORS = 1000;
/**
 * Rows reported for one and the same problem (same field, same words): a file with 1,500 rows of one
 * unknown P-code must not crowd the other problems out of the report (the IOM admin-1 file: Iraq's rows
 * come before Sudan's, and both must be named).
 */
export const MAX_ROWS_PER_PROBLEM = 20;
export const PREVIEW_ROWS = 20;
/** Most people one site may hold (the protocol's Count). */
const MAX_PEOPLE = 100_000_000;

/**
 * The request checked against {@link ImportRequestSchema}: an `invalid` error naming the field, or it.
 * @example readImportRequest({ name: 'a.csv' }) // { ok: false, error: { code: 'invalid', path: 'text', ... } }
 */
export function readImportRequest(raw: unknown): Result<ImportRequest> {
  return checkSchema(ImportRequestSchema, raw);
}

/** Cells that say there is no value. */
const BLANK = new Set(['', 'n/a', 'na', 'n.a.', 'not available', 'unknown', 'null', 'none', '-', '--', 'nd', 's/o']);
/** Whether a cell holds no value (empty, or a word for nothing). */
export function isBlank(cell: string | undefined): boolean {
  return cell === undefined || BLANK.has(cell.trim().toLowerCase());
}

/**
 * A whole number of people from a cell: digits with thousands separators (`1,234,567`, `1 234`,
 * `1'234`), or `12.0`; an error saying what is wrong otherwise.
 * @example readCount('1,059,849') // { value: 1059849 }
 */
export function readCount(cell: string): { value: number } | { error: string } {
  const t = cell.trim().replace(/[\s\u00a0\u202f']/g, '');
  let digits: string | undefined;
  if (/^\d+$/.test(t)) digits = t;
  else if (/^\d{1,3}(,\d{3})+$/.test(t)) digits = t.replace(/,/g, '');
  else if (/^\d{1,3}(\.\d{3}){2,}$/.test(t)) digits = t.replace(/\./g, '');
  else if (/^\d+[.,]0+$/.test(t)) digits = t.replace(/[.,]0+$/, '');
  if (digits === undefined) {
    if (/^-\d/.test(t)) return { error: `"${clip(cell)}" is negative` };
    if (/^\d+[.,]\d+$/.test(t)) return { error: `"${clip(cell)}" is not a whole number of people` };
    return { error: `"${clip(cell)}" is not a number` };
  }
  const value = Number(digits);
  if (value > MAX_PEOPLE) return { error: `${digits} is more people than one place holds (at most ${MAX_PEOPLE.toLocaleString('en')})` };
  return { value };
}

/**
 * A coordinate from a cell: a decimal number, with a decimal comma too (`33,5`); undefined otherwise.
 * @example readCoordinate('-72,335') // -72.335
 */
export function readCoordinate(cell: string): number | undefined {
  const t = cell.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(t) || /^[+-]?\.\d+$/.test(t)) return Number(t);
  if (/^[+-]?\d+,\d+$/.test(t)) return Number(t.replace(',', '.'));
  return undefined;
}

/**
 * The kind of site a cell names: one of the four, or a phrase that says it (`IDPs Camps`,
 * `Collective Centre`, `informal settlement`, `host families`); undefined otherwise.
 * @example readKind('Refugee Camp') // 'camp'
 */
export function readKind(cell: string): SiteInput['kind'] {
  const t = cell.trim().toLowerCase();
  if (t.includes('collective')) return 'collective-centre';
  if (t.includes('informal') || t.includes('spontaneous') || t.includes('self-settled')) return 'informal';
  if (t.includes('host')) return 'host-community';
  if (t.includes('camp')) return 'camp';
  return undefined;
}

const clip = (text: string, n = 60) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** An id made from a text: `st-` (or the prefix) and the text where it fits an id, else a hash of it. */
function idFrom(prefix: string, text: string): string {
  if (text.startsWith(prefix) && text.length <= 64 && new RegExp(ID_PATTERN).test(text)) return text;
  const slug = text.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  if (slug !== '' && slug === text && prefix.length + slug.length <= 64) return prefix + slug;
  return prefix + hash53(text).toString(36);
}

/**
 * A site's id, the same for the same place in every round (so the next round's import updates it): its
 * own code column's, else for a figure placed by P-code the P-code's, else one from its name and
 * position (to 5 decimals, about a metre).
 * @example siteId({ pcode: 'HT0111', name: 'x', lon: 0, lat: 0 }, undefined, true) // 'st-HT0111'
 */
export function siteId(site: { pcode?: string; name: string; lon: number; lat: number }, code: string | undefined, byArea: boolean): string {
  if (code !== undefined) return idFrom('st-', code);
  if (byArea && site.pcode !== undefined) return idFrom('st-', pcodeKey(site.pcode) || site.pcode);
  return `st-${hash53(`${site.name.toLowerCase()}|${site.lon.toFixed(5)}|${site.lat.toFixed(5)}`).toString(36)}`;
}

/** What a file holds once its rows are read, before rows of one place are merged. */
interface ReadRow {
  row: number;
  site: SiteInput;
  flow?: FlowInput;
}

/** Whole-file refusal: the report as far as it got, and what is missing. */
function refused(report: ImportReport, code: ProtocolError['code'], message: string, path: string): ImportOutcome {
  return { report, problem: { code, message, path }, sites: [], flows: [] };
}

/** A column's name in a sentence: its hashtag, else its header, else its place. */
function columnName(c: Column): string {
  return c.tag ?? (c.header !== '' ? `"${c.header}"` : `#${c.index}`);
}

/**
 * Reads an import: the whole pipeline from request to sites. Never throws for anything in the file;
 * whole-file problems (no population column, no location, no boundaries for P-codes, no date) come as
 * `problem` with the report as far as it got, so the analyst still sees the columns and the guess.
 */
export function readImport(req: ImportRequest, nowMs: number): ImportOutcome {
  let table: Table;
  const empty: ImportReport = { format: req.format ?? 'csv', columns: [], mapping: {}, preview: [], errors: [], errorCount: 0, counts: { rows: 0, sites: 0, flows: 0, skipped: 0, merged: 0 } };
  try {
    table = readTable(req.name, req.text, req.format);
  } catch (err) {
    if (err instanceof TableError) return refused(empty, 'invalid', err.message, 'text');
    throw err;
  }
  const report: ImportReport = { ...empty, format: table.format, columns: table.columns, ...(table.hxlRow !== undefined ? { hxlRow: table.hxlRow } : {}) };
  let mapping: Mapping;
  try {
    mapping = resolveMapping(table.columns, req.mapping);
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    report.mapping = mappingSpecs(table.columns, resolveMapping(table.columns, undefined));
    return refused(report, 'invalid', err.message, err.path);
  }
  report.mapping = mappingSpecs(table.columns, mapping);
  const rows = table.rows.filter((r) => r.cells.some((c) => c !== ''));
  if (rows.length === 0) return refused(report, 'invalid', `the file has no data rows${table.hxlRow ? ` after its hashtag row (row ${table.hxlRow})` : ''}`, 'text');

  // What the file must give as a whole: the figure, where, and when.
  const named = table.columns.map(columnName).slice(0, 30).join(', ');
  if (mapping.population === undefined) {
    return refused(report, 'invalid', `no column gives the number of displaced people: map population to one (the file's columns: ${named})`, 'mapping.population');
  }
  if ((mapping.lat === undefined) !== (mapping.lon === undefined)) {
    const missing = mapping.lat === undefined ? 'lat' : 'lon';
    return refused(report, 'invalid', `${mapping.lat === undefined ? 'lon' : 'lat'} is mapped but not ${missing}: map both (the file's columns: ${named})`, `mapping.${missing}`);
  }
  const points = mapping.lat !== undefined;
  if (!points && mapping.pcode === undefined) {
    return refused(report, 'invalid', `no column says where: map lat and lon, or a P-code (pcode) with boundaries to place admin-level figures (the file's columns: ${named})`, 'mapping.lat');
  }
  if (!points && req.boundaries === undefined) {
    return refused(report, 'invalid', `the figures have no coordinates and are placed by P-code (column ${columnName(table.columns[mapping.pcode!])}): give boundaries, a GeoJSON FeatureCollection of the admin areas with their P-codes`, 'boundaries');
  }
  let fallbackDate: string | undefined;
  if (req.date !== undefined) {
    fallbackDate = readDate(req.date);
    if (fallbackDate === undefined) return refused(report, 'invalid', `date: "${clip(req.date)}" is not a date (ISO 8601 like 2024-05-31, or like 31 May 2024)`, 'date');
  }
  if (mapping.date === undefined && fallbackDate === undefined) {
    return refused(report, 'invalid', `no column gives the date of the figures: map date to one, or give date for every row (the file's columns: ${named})`, 'date');
  }
  let boundaries: Boundaries | undefined;
  if (req.boundaries !== undefined && (mapping.pcode !== undefined || mapping.originPcode !== undefined)) {
    const wanted = new Set<string>();
    for (const r of rows) {
      for (const f of ['pcode', 'originPcode'] as const) {
        const cell = mapping[f] === undefined ? undefined : r.cells[mapping[f]!];
        if (!isBlank(cell)) wanted.add(cell!);
      }
    }
    try {
      boundaries = Boundaries.read(req.boundaries, req.pcodeProperty, wanted);
    } catch (err) {
      if (err instanceof BoundaryError) return refused(report, 'invalid', err.message, err.path);
      throw err;
    }
    report.pcodeProperty = boundaries.property;
  }

  const read = readRows(rows, table.columns, mapping, { req, nowMs, fallbackDate, boundaries, points });
  report.errors = read.errors;
  report.errorCount = read.errorCount;
  report.preview = read.preview;
  const merged = mergeRows(read.rows);
  report.errors.push(...merged.errors.slice(0, Math.max(0, MAX_REPORTED_ERRORS - report.errors.length)));
  report.errorCount += merged.errors.length;
  const skipped = read.skipped + merged.errors.length;
  report.counts = { rows: rows.length, sites: merged.sites.length, flows: merged.flows.length, skipped, merged: merged.merged };
  if (read.rows.length === 0) {
    const first = report.errors.slice(0, 3).map((e) => `row ${e.row}${e.field ? ` ${e.field}` : ''}: ${e.message}`).join('; ');
    return refused(report, 'invalid', `no row of the file could be read (${read.errorCount} problems; ${first})`, 'text');
  }
  if (merged.sites.length > MAX_IMPORT_ITEMS || merged.flows.length > MAX_IMPORT_ITEMS) {
    return refused(report, 'invalid', `the file gives ${merged.sites.length} sites and ${merged.flows.length} flows; one import holds at most ${MAX_IMPORT_ITEMS} of each: split it`, 'text');
  }
  return { report, sites: merged.sites, flows: merged.flows };
}

interface ReadContext {
  req: ImportRequest;
  nowMs: number;
  fallbackDate?: string;
  boundaries?: Boundaries;
  /** Whether the mapping has coordinates (else every row is placed by P-code). */
  points: boolean;
}

/** Reads each row: its site and flow, or its problems. */
function readRows(rows: readonly Row[], columns: readonly Column[], mapping: Mapping, ctx: ReadContext) {
  const errors: RowError[] = [];
  const perProblem = new Map<string, number>();
  const keep = (p: RowError) => {
    const key = `${p.field ?? ''}\u0000${p.message}`;
    const n = perProblem.get(key) ?? 0;
    if (n >= MAX_ROWS_PER_PROBLEM || errors.length >= MAX_REPORTED_ERRORS) return;
    perProblem.set(key, n + 1);
    errors.push(p);
  };
  let errorCount = 0;
  let skipped = 0;
  const out: ReadRow[] = [];
  const preview: PreviewRow[] = [];
  const dayFirst = mapping.date === undefined ? true : dayFirstOf(rows.map((r) => r.cells[mapping.date!] ?? ''));
  const colName = (f: Field) => columnName(columns[mapping[f]!]);
  for (const r of rows) {
    const problems: RowError[] = [];
    const problem = (field: Field | undefined, message: string) => problems.push(field === undefined ? { row: r.row, message } : { row: r.row, field, message });
    // A cell's text on one line: a line break or tab inside a spreadsheet cell is a space in a name.
    const cell = (f: Field): string | undefined => {
      const at = mapping[f];
      if (at === undefined) return undefined;
      const v = r.cells[at];
      return isBlank(v) ? undefined : v.replace(/\s+/g, ' ');
    };

    let population: number | undefined;
    const popCell = cell('population');
    if (popCell === undefined) problem('population', `no number of people: column ${colName('population')} is empty`);
    else {
      const n = readCount(popCell);
      if ('error' in n) problem('population', `${n.error} (column ${colName('population')})`);
      else population = n.value;
    }

    let position: [number, number] | undefined;
    let byArea = false;
    const pcode = cell('pcode');
    const latCell = cell('lat');
    const lonCell = cell('lon');
    if (latCell !== undefined || lonCell !== undefined) {
      const lat = latCell === undefined ? undefined : readCoordinate(latCell);
      const lon = lonCell === undefined ? undefined : readCoordinate(lonCell);
      if (latCell === undefined) problem('lat', `no latitude: column ${colName('lat')} is empty while the longitude is given`);
      else if (lat === undefined) problem('lat', `"${clip(latCell)}" is not a latitude (a decimal number of degrees)`);
      else if (lat < -90 || lat > 90) problem('lat', `latitude ${latCell} is outside -90 to 90`);
      if (lonCell === undefined) problem('lon', `no longitude: column ${colName('lon')} is empty while the latitude is given`);
      else if (lon === undefined) problem('lon', `"${clip(lonCell)}" is not a longitude (a decimal number of degrees)`);
      else if (lon < -180 || lon > 180) problem('lon', `longitude ${lonCell} is outside -180 to 180`);
      if (lat !== undefined && lon !== undefined && lat === 0 && lon === 0) problem('lat', 'the position 0, 0 is not a place (a missing position written as zeros)');
      if (problems.every((p) => p.field !== 'lat' && p.field !== 'lon') && lat !== undefined && lon !== undefined) position = [lon, lat];
    } else if (pcode !== undefined && ctx.boundaries) {
      byArea = true;
      if (!ctx.boundaries.has(pcode)) problem('pcode', `no boundary with P-code ${clip(pcode)}`);
      else {
        position = ctx.boundaries.placeOf(pcode);
        if (!position) problem('pcode', `the boundary of P-code ${clip(pcode)} has no usable geometry`);
      }
    } else if (pcode !== undefined) {
      problem('lat', `no coordinates, and no boundaries to place P-code ${clip(pcode)} by`);
    } else {
      problem(ctx.points ? 'lat' : 'pcode', ctx.points ? 'no position: the latitude and longitude are empty' : 'no P-code to place the figure by');
    }

    let date: string | undefined;
    const dateCell = cell('date');
    if (dateCell !== undefined) {
      date = readDate(dateCell, dayFirst);
      if (date === undefined) problem('date', `"${clip(dateCell)}" is not a date (ISO 8601 like 2024-05-31, or like 31 May 2024)`);
    } else if (ctx.fallbackDate !== undefined) date = ctx.fallbackDate;
    else problem('date', `no date: column ${colName('date')} is empty (give date for rows without one)`);

    let origin: [number, number] | undefined;
    const originPcode = cell('originPcode');
    const oLat = cell('originLat');
    const oLon = cell('originLon');
    if (oLat !== undefined || oLon !== undefined) {
      const la = oLat === undefined ? undefined : readCoordinate(oLat);
      const lo = oLon === undefined ? undefined : readCoordinate(oLon);
      if (la === undefined || la < -90 || la > 90) problem('originLat', `"${clip(oLat ?? '')}" is not a latitude of origin`);
      else if (lo === undefined || lo < -180 || lo > 180) problem('originLon', `"${clip(oLon ?? '')}" is not a longitude of origin`);
      else origin = [lo, la];
    } else if (originPcode !== undefined) {
      if (!ctx.boundaries) problem('originPcode', `no boundaries to place the origin P-code ${clip(originPcode)} by`);
      else if (!ctx.boundaries.has(originPcode)) problem('originPcode', `no boundary with P-code ${clip(originPcode)} (the origin)`);
      else origin = ctx.boundaries.placeOf(originPcode);
    }

    if (problems.length > 0 || population === undefined || position === undefined || date === undefined) {
      skipped++;
      errorCount += problems.length;
      for (const p of problems) keep(p);
      continue;
    }
    const admin = cell('admin');
    const code = cell('id');
    const placedCell = cell('placed')?.toLowerCase();
    const kind = cell('kind') === undefined ? undefined : readKind(cell('kind')!);
    const name = cell('name') ?? admin ?? pcode ?? code ?? `${position[1].toFixed(4)}, ${position[0].toFixed(4)}`;
    const site: SiteInput = {
      id: '',
      name,
      lon: position[0],
      lat: position[1],
      population,
      date,
      source: cell('source') ?? ctx.req.source ?? ctx.req.name,
      placed: byArea || placedCell === 'area' ? 'area' : 'point',
    };
    if (kind !== undefined) site.kind = kind;
    if (pcode !== undefined) site.pcode = pcode;
    if (admin !== undefined) site.admin = admin;
    if (ctx.req.marking !== undefined) site.marking = ctx.req.marking;
    site.id = siteId(site, code, byArea);
    const checked = validateSite(site, ctx.nowMs);
    let flow: FlowInput | undefined;
    if (checked.ok && origin) {
      const originKey = originPcode !== undefined ? pcodeKey(originPcode) : `${origin[0].toFixed(5)},${origin[1].toFixed(5)}`;
      flow = { id: `fl-${hash53(`${site.id}|${originKey}`).toString(36)}`, from: origin, to: position, people: population, date, source: site.source };
      if (site.marking !== undefined) flow.marking = site.marking;
      const f = validateFlow(flow, ctx.nowMs);
      if (!f.ok) problem(f.error.path?.startsWith('from') ? 'originLat' : undefined, `the flow from its origin: ${f.error.message}`);
    }
    if (!checked.ok) {
      const field = (FIELDS as readonly string[]).includes(checked.error.path ?? '') ? (checked.error.path as Field) : undefined;
      problem(field, checked.error.message);
    }
    if (problems.length > 0) {
      skipped++;
      errorCount += problems.length;
      for (const p of problems) keep(p);
      continue;
    }
    out.push(flow ? { row: r.row, site, flow } : { row: r.row, site });
    if (preview.length < PREVIEW_ROWS) preview.push(origin ? { row: r.row, ...site, origin } : { row: r.row, ...site });
  }
  return { rows: out, errors, errorCount, skipped, preview };
}

/**
 * Rows of one place (one site id) become one site: the figure of the latest date; rows of that same
 * date are added up (IOM DTM reports one admin area per operation and displacement reason, and their
 * sum is the area's figure). Flows alike, per site and origin. A sum beyond what one place may hold is
 * an error of the row that made it so.
 */
export function mergeRows(rows: readonly ReadRow[]): { sites: SiteInput[]; flows: FlowInput[]; merged: number; errors: RowError[] } {
  const sites = new Map<string, SiteInput>();
  const flows = new Map<string, FlowInput>();
  const errors: RowError[] = [];
  let merged = 0;
  const add = <T extends { date: string }>(map: Map<string, T>, id: string, item: T, count: (t: T) => number, withCount: (t: T, n: number) => T, row: number, field: Field): boolean => {
    const held = map.get(id);
    if (!held) {
      map.set(id, item);
      return true;
    }
    if (item.date > held.date) map.set(id, item);
    else if (item.date === held.date) {
      const sum = count(held) + count(item);
      if (sum > MAX_PEOPLE) {
        errors.push({ row, field, message: `with the rows before it of the same place and date, ${sum} people: more than one place holds` });
        return false;
      }
      map.set(id, withCount(held, sum));
    }
    return true;
  };
  for (const r of rows) {
    // A row of the same place is merged into the site; its flow follows the site's rule on its own.
    const known = sites.has(r.site.id!);
    if (!add(sites, r.site.id!, r.site, (s) => s.population, (s, n) => ({ ...s, population: n }), r.row, 'population')) continue;
    if (known) merged++;
    if (r.flow) add(flows, r.flow.id!, r.flow, (f) => f.people, (f, n) => ({ ...f, people: n }), r.row, 'population');
  }
  return { sites: [...sites.values()], flows: [...flows.values()], merged, errors };
}
