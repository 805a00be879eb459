// The import page's words (client/src/displacement, issue 17): sizes, the final button, failures and field names in the page's language; pure, for ImportPage.tsx and its tests.
import type { ProtocolError } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';
import { counted, type Words } from '../layers/words.js';
import { errorText } from '../ui/error-text.js';
import { rowRuns, type ImportFailure, type ImportField, type PreviewField } from './import-model.js';

/** Each field's name in the mapping table and the error report. */
export const FIELD_WORDS: Record<ImportField, MessageKey> = {
  name: 'displacement.field.name',
  lat: 'displacement.field.lat',
  lon: 'displacement.field.lon',
  population: 'displacement.field.population',
  date: 'displacement.field.date',
  pcode: 'displacement.field.pcode',
  admin: 'displacement.field.admin',
  kind: 'displacement.field.kind',
  source: 'displacement.field.source',
  id: 'displacement.field.id',
  originLat: 'displacement.field.originLat',
  originLon: 'displacement.field.originLon',
  originPcode: 'displacement.field.originPcode',
};

/** The preview's column heads: the mapping's fields, and how a row was placed. */
export const PREVIEW_WORDS: Record<PreviewField, MessageKey> = { ...FIELD_WORDS, placed: 'displacement.field.placed' };

/** What a file lacks, by the path the server's refusal names. */
const PROBLEM_WORDS: Record<string, MessageKey> = {
  boundaries: 'displacement.needBoundaries',
  'mapping.population': 'displacement.needPopulation',
  'mapping.lat': 'displacement.needLocation',
  'mapping.lon': 'displacement.needLocation',
  date: 'displacement.needDate',
  text: 'displacement.unreadable',
};

/**
 * A size in bytes as the page's language writes it: `850 kB`, `10.2 MB`.
 * @example bytesText(10_200_000, w) // '10.2 MB'
 */
export function bytesText(bytes: number, w: Words): string {
  if (bytes < 1_000_000) return w.t('displacement.kilobytes', { n: w.fmt.number(Math.max(1, Math.round(bytes / 1000))) });
  return w.t('displacement.megabytes', { n: w.fmt.number(bytes / 1_000_000, 1) });
}

/**
 * A failure in the page's language: the server's refusal by its status or code (error-text.ts words the codes
 * every page shares), a lost connection, a file that could not be read, a boundary file that is not GeoJSON.
 * @example failureText({ kind: 'http', status: 413 }, w) // 'The file is too large for the server: split it, or leave out columns it does not need.'
 */
export function failureText(f: ImportFailure, w: Words): string {
  switch (f.kind) {
    case 'network':
      return w.t('displacement.failedNetwork');
    case 'file':
      return w.t('displacement.failedFile');
    case 'boundaries':
      return w.t(f.reason === 'json' ? 'displacement.boundariesNotJson' : 'displacement.boundariesNotCollection');
    case 'http':
      if (f.status === 413 || f.code === 'payload_too_large') return w.t('displacement.tooLarge');
      if (f.code === 'invalid_rows') return w.t('displacement.invalidRows');
      // A whole-file problem names what is missing by its path (server/displacement/read-import.ts).
      if (f.code === 'invalid' && f.path && Object.hasOwn(PROBLEM_WORDS, f.path)) return w.t(PROBLEM_WORDS[f.path]);
      if (f.status === 403 || f.code === 'forbidden') return w.t('error.forbidden');
      if (f.status === 401) return w.t('displacement.signedOut');
      if (f.code) return errorText({ code: f.code as ProtocolError['code'], path: f.path }, w);
      return w.t('displacement.failedStatus', { status: String(f.status) });
  }
}

/**
 * The final button's words: what will be imported, and the rows that will be skipped.
 * @example importButtonText({ sites: 10, flows: 0, skip: 2998 }, w) // 'Import 10 sites (skip 2,998 rows that could not be read)'
 */
export function importButtonText(offer: { sites: number; flows: number; skip: number }, w: Words): string {
  const parts = [w.t('displacement.importSites', counted(w, offer.sites))];
  if (offer.flows > 0) parts.push(w.t('displacement.andFlows', counted(w, offer.flows)));
  if (offer.skip > 0) parts.push(w.t('displacement.importSkip', counted(w, offer.skip)));
  return parts.join(' ');
}

/**
 * Row numbers in a line: runs as `117–119`, comma-separated (the Arabic comma in Arabic), at most `maxRuns` of them,
 * then how many rows more.
 * @example rowsText([117, 118, 119, 135, 140], w, 2) // '117–119, 135 and 1 more row'
 */
export function rowsText(rows: readonly number[], w: Words, maxRuns = 6): string {
  const runs = rowRuns(rows);
  const shown = runs.slice(0, maxRuns);
  const text = shown.map(([a, b]) => (a === b ? w.fmt.number(a) : `${w.fmt.number(a)}–${w.fmt.number(b)}`)).join(w.dir === 'rtl' ? '، ' : ', ');
  const more = rows.length - shown.reduce((n, [a, b]) => n + b - a + 1, 0);
  return more > 0 ? `${text} ${w.t('displacement.moreRows', counted(w, more))}` : text;
}
