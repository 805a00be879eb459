// What the text functions of the layers need of a language (client/src/layers): its catalogue and its Intl formats, passed in, so the layers stay pure and free of i18next.
// i18n/words.ts builds one `Words` per language; tests build them the same way. Which catalogue key words each
// value of the picture (a severity, a status, a state) is said here, once, for the layers and the panels alike.
import type { AccessCategory, AlertKind, Convoy, Haven, Need, Report, ReportKind, ReportStatus, ThreatZone, Unit, VehicleClass } from '@corridor/protocol';
import type { MessageKey } from '@corridor/protocol/i18n';

/** Interpolation values of a message: figures already formatted (`n`), and `count` for the plural form. */
export type Values = Record<string, string | number>;

/** A catalogue lookup in one language: `t('side.people', { count: 3, n: '3' })` → '3 people'. */
export type Translate = (key: MessageKey, values?: Values) => string;

/** Numbers, times and units in one language, with `Intl` (i18n/formats.ts). */
export interface Formats {
  /** The Intl locale used ('en-GB', 'fr', 'ar-u-nu-arab', 'es-419', or the browser's regional form). */
  readonly locale: string;
  /** A number with the language's digits and grouping, at most `maxFractionDigits` decimals (0): 2,150 · 2 150 · ٢٬١٥٠. */
  number(n: number, maxFractionDigits?: number): string;
  /** A fraction as a whole percentage: 0.68 → 68% · 68 % · ٦٨٪. */
  percent(fraction: number): string;
  /** A distance in metres: `850 m` under 1 km, else `12.4 km` (one decimal). */
  distance(m: number): string;
  /** A duration in seconds: `40 s`, `14 min`, `1 h 05` (words from the catalogue's `duration.*`). */
  duration(s: number): string;
  /** A speed in m/s as km/h: 10 → `36 km/h`. */
  speed(metresPerSecond: number): string;
  /** An angle in degrees, rounded: `92°`. */
  degrees(deg: number): string;
  /** Time of day in UTC, labelled as UTC by the catalogue's `time.utc`: `09:05:07Z` · `09:05:07 UTC` · `٠٩:٠٥:٠٧ UTC`. */
  utcTime(ms: number): string;
  /** Date in UTC: `21 Nov 2026` · `21 nov. 2026` · `٢١ نوفمبر ٢٠٢٦`. */
  utcDate(ms: number): string;
  /** A calendar day given as `YYYY-MM-DD` (a site's report date), in the language's form; other text as it is. */
  day(isoDate: string): string;
  /** Items joined as the language lists them: `a, b and c` · `a, b et c` · `a وb وc`. */
  list(items: readonly string[]): string;
}

/** Everything a text function needs of the page's language. */
export interface Words {
  /** Language of the catalogue ('en', 'fr', 'ar', 'es'). */
  readonly lang: string;
  /** Writing direction of the language (i18next's `dir`). */
  readonly dir: 'ltr' | 'rtl';
  readonly t: Translate;
  readonly fmt: Formats;
  /**
   * Wraps data of unknown direction (a name, an id) in a first-strong isolate (U+2068 … U+2069) so that an Arabic
   * name in French text, or `tz-3` in Arabic text, keeps its own order and does not reorder what is around it.
   * For DOM text only (tooltips, panels, reasons): map labels are one datum a line and need none.
   */
  isolate(text: string): string;
}

/** Severity → its capitalised tag (zone labels, side panel) and its name (legend). */
export const SEVERITY_WORDS: Record<ThreatZone['severity'], { tag: MessageKey; name: MessageKey }> = {
  'no-go': { tag: 'severity.noGo.tag', name: 'severity.noGo.name' },
  danger: { tag: 'severity.danger.tag', name: 'severity.danger.name' },
  advisory: { tag: 'severity.advisory.tag', name: 'severity.advisory.name' },
};

/** Affiliation → the adjective (tooltips) and the legend's entry. */
export const AFFILIATION_WORDS: Record<NonNullable<Unit['affiliation']>, { adjective: MessageKey; legend: MessageKey }> = {
  military: { adjective: 'affiliation.military', legend: 'legend.military' },
  humanitarian: { adjective: 'affiliation.humanitarian', legend: 'legend.humanitarian' },
  civil: { adjective: 'affiliation.civil', legend: 'legend.civil' },
};

/** Haven status, in capitals. */
export const HAVEN_STATUS_WORDS: Record<Haven['status'], MessageKey> = {
  open: 'havenStatus.open',
  full: 'havenStatus.full',
  closed: 'havenStatus.closed',
};

/** Convoy state, in capitals. */
export const CONVOY_STATE_WORDS: Record<Convoy['state'], MessageKey> = {
  planned: 'convoyState.planned',
  approved: 'convoyState.approved',
  moving: 'convoyState.moving',
  holding: 'convoyState.holding',
  arrived: 'convoyState.arrived',
  aborted: 'convoyState.aborted',
};

/** What an alert is about (P21). */
export const ALERT_KIND_WORDS: Record<AlertKind, MessageKey> = {
  off_corridor: 'alert.kind.offCorridor',
  silent: 'alert.kind.silent',
  stopped: 'alert.kind.stopped',
  danger_zone: 'alert.kind.dangerZone',
  arrived: 'alert.kind.arrived',
  unsafe_route: 'alert.kind.unsafeRoute',
  emergency: 'alert.kind.emergency',
  casevac: 'alert.kind.casevac',
};

/** Vehicle class (IOM practicability scale). */
export const VEHICLE_WORDS: Record<VehicleClass, MessageKey> = {
  motorbike: 'vehicle.motorbike',
  '4wd': 'vehicle.fourByFour',
  light_truck: 'vehicle.lightTruck',
  heavy_truck: 'vehicle.heavyTruck',
  truck_trailer: 'vehicle.truckTrailer',
};

/**
 * A count for a plural message: `count` picks the form, `n` is the figure shown.
 * @example counted(w, 2150) // { count: 2150, n: '2,150' } in English
 */
export function counted(w: Words, count: number): { count: number; n: string } {
  return { count, n: w.fmt.number(count) };
}

/** A field report's kind, status and needs (issue 15). */
export const REPORT_KIND_WORDS: Record<ReportKind, MessageKey> = {
  'road-blocked': 'reportKind.roadBlocked',
  checkpoint: 'reportKind.checkpoint',
  incident: 'reportKind.incident',
  needs: 'reportKind.needs',
  displaced: 'reportKind.displaced',
  note: 'reportKind.note',
};
export const REPORT_STATUS_WORDS: Record<ReportStatus, MessageKey> = { unverified: 'reportStatus.unverified', confirmed: 'reportStatus.confirmed', dismissed: 'reportStatus.dismissed' };
export const NEED_WORDS: Record<Need, MessageKey> = { water: 'need.water', food: 'need.food', medical: 'need.medical', shelter: 'need.shelter' };

/**
 * A field report in lines: its kind and status, who saw it and when, what its form says, its review.
 * @example reportLines(report, w) // ['Incident · unverified', 'from PATROL-21, seen 09:05:07Z', 'casualties · Truck overturned']
 */
export function reportLines(r: Report, w: Words): string[] {
  const lines = [w.t('reports.label', { kind: w.t(REPORT_KIND_WORDS[r.kind]), status: w.t(REPORT_STATUS_WORDS[r.status]) })];
  const seen = w.fmt.utcTime(r.timeMs);
  lines.push(r.unitId !== undefined ? w.t('reports.from', { unit: w.isolate(r.unitId), time: seen }) : w.t('reports.fromHidden', { time: seen }));
  const what: string[] = [];
  if (r.casualties !== undefined) what.push(w.t(r.casualties ? 'reports.casualties' : 'reports.noCasualties'));
  if (r.needs) what.push(w.t('reports.needs', { list: w.fmt.list(r.needs.map((n) => w.t(NEED_WORDS[n]))) }));
  if (r.people !== undefined) what.push(w.t('reports.people', { count: r.people, n: w.fmt.number(r.people) }));
  if (r.text !== undefined) what.push(w.isolate(r.text));
  if (what.length > 0) lines.push(what.join(' · '));
  if (r.review) {
    lines.push(w.t('reports.reviewed', { status: w.t(REPORT_STATUS_WORDS[r.status]), org: w.isolate(r.review.org), time: w.fmt.utcTime(r.review.atMs) }) + (r.review.remark ? ` · ${w.isolate(r.review.remark)}` : ''));
    if (r.review.constraintId) lines.push(w.t('reports.constraint', { id: w.isolate(r.review.constraintId) }));
  }
  return lines;
}

/**
 * Access constraint categories and their words: the nine indicators of OCHA's access monitoring
 * framework (protocol ACCESS_CATEGORIES); a code outside them reads "unclassified".
 */
export const ACCESS_CATEGORY_WORDS: Record<string, MessageKey> = {
  'denial-of-needs': 'accessCategory.denialOfNeeds',
  'restriction-of-services': 'accessCategory.restrictionOfServices',
  'entry-impediments': 'accessCategory.entryImpediments',
  'movement-restriction': 'accessCategory.movementRestriction',
  interference: 'accessCategory.interference',
  'violence-against-personnel': 'accessCategory.violenceAgainstPersonnel',
  hostilities: 'accessCategory.hostilities',
  'explosive-hazards': 'accessCategory.explosiveHazards',
  'physical-environment': 'accessCategory.physicalEnvironment',
} satisfies Record<AccessCategory, MessageKey>;

/** The catalogue key of an access category's label. */
export function accessCategoryWord(code: string): MessageKey {
  return Object.hasOwn(ACCESS_CATEGORY_WORDS, code) ? ACCESS_CATEGORY_WORDS[code] : 'accessCategory.unclassified';
}

/** The kinds of item the audit trail and the replay name (what an event changed). */
export const ITEM_KINDS = ['unit', 'threat', 'haven', 'site', 'flow', 'constraint', 'convoy', 'plan', 'report', 'alert', 'agreement', 'audit'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
/** Each kind's name in the page's language. */
export const ITEM_KIND_WORDS: Record<ItemKind, MessageKey> = {
  unit: 'audit.kinds.unit',
  threat: 'audit.kinds.threat',
  haven: 'audit.kinds.haven',
  site: 'audit.kinds.site',
  flow: 'audit.kinds.flow',
  constraint: 'audit.kinds.constraint',
  convoy: 'audit.kinds.convoy',
  plan: 'audit.kinds.plan',
  report: 'audit.kinds.report',
  alert: 'audit.kinds.alert',
  agreement: 'audit.kinds.agreement',
  audit: 'audit.kinds.audit',
};
