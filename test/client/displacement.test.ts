// Displacement in the client (test/client → client/src/layers/site-layers.ts, density-layers.ts, tooltip.ts,
// client/src/state/density.ts, client/src/displacement/import-*.ts), issue 17: sites sized and trended, the
// area-placed look, flows, the density's props and address, and the import page's mapping and preview state.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyEvents, emptyPicture, type Flow, type PictureEvent, type Site } from '@corridor/protocol';
import {
  flowColor,
  flowLengthM,
  flowLineProps,
  flowScale,
  flowWidthPx,
  ringIcon,
  SITE_AREA_FILL,
  siteAreaRingProps,
  siteCircleProps,
  siteLabelTexts,
  siteRadiusPx,
  siteScale,
  siteTrend,
  siteTrendShort,
  siteTrendText,
} from '../../client/src/layers/site-layers.js';
import { DENSITY_COLORS, densityProps, densityRadiusM, niceStep, type DensityDrawn } from '../../client/src/layers/density-layers.js';
import { pictureLayers } from '../../client/src/layers/index.js';
import { siteLines, tooltipText } from '../../client/src/layers/tooltip.js';
import { labelObstacles, labelSpecs } from '../../client/src/layers/label-candidates.js';
import { placeLabels } from '../../client/src/layers/label-placement.js';
import { approxMeasure } from '../../client/src/layers/text-measure.js';
import { SITE_FILL } from '../../client/src/layers/palette.js';
import { densityInSearch, searchWithDensity } from '../../client/src/state/density.js';
import {
  columnOfSpec,
  groupRowErrors,
  importOffer,
  importReducer,
  importRequest,
  INITIAL_IMPORT,
  mappingRows,
  previewFields,
  readBoundaries,
  requestParts,
  rowRuns,
  type ImportAnswer,
  type ImportState,
} from '../../client/src/displacement/import-model.js';
import { bytesText, failureText, importButtonText, rowsText } from '../../client/src/displacement/import-words.js';
import { EN, plain, wordsOf } from './words-fixture.js';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const site = (id: string, population: number, extra: Partial<Site> = {}): Site => ({ id, name: id, lon: 11.95, lat: 57.72, population, date: '2026-11-21', source: 'UNHCR', updatedMs: T0, ...extra });
const record = <T extends { id: string }>(...items: T[]): Record<string, T> => Object.fromEntries(items.map((x) => [x.id, x]));

describe('sites sized by population (issue 17)', () => {
  it('keeps 0.2 px per √person for small pictures, and shrinks the scale so the largest site stays within 50 px', () => {
    const small = record(site('a', 2400), site('b', 600));
    expect(siteScale(small)).toBe(0.2);
    expect(siteRadiusPx(10_000, siteScale(small))).toBe(25);
    // Haiti's admin-1 figures: Ouest 1,059,849 displaced beside Sud-Est's 9,033.
    const haiti = record(site('ouest', 1_059_849), site('sud-est', 9_033));
    const k = siteScale(haiti);
    expect(siteRadiusPx(1_059_849, k)).toBeCloseTo(50, 6);
    // Areas stay proportional to people (beyond the 5 px every site has).
    expect((siteRadiusPx(1_059_849, k) - 5) / (siteRadiusPx(9_033, k) - 5)).toBeCloseTo(Math.sqrt(1_059_849 / 9_033), 6);
    const props = siteCircleProps(haiti);
    const r = props.getRadius as (s: Site) => number;
    expect(r(haiti.ouest)).toBeCloseTo(50, 6);
    expect(r(haiti['sud-est'])).toBeLessThan(12);
  });
});

describe('the trend since the previous figure (issue 17)', () => {
  const up = site('st-1', 2400, { previous: { population: 1200, date: '2026-11-02' } });
  const down = site('st-2', 900, { previous: { population: 1200, date: '2026-11-02' } });
  const same = site('st-3', 1200, { previous: { population: 1200, date: '2026-11-02' } });

  it('says up or down and by how much, since the previous figure’s date', () => {
    expect(siteTrend(up)).toEqual({ direction: 'up', delta: 1200, since: '2026-11-02' });
    expect(siteTrend(down)).toEqual({ direction: 'down', delta: -300, since: '2026-11-02' });
    expect(siteTrend(same)?.direction).toBe('same');
    expect(siteTrend(site('st-4', 10))).toBeNull();
    expect(siteTrendText(up, EN)).toBe('▲ +1,200 since 2 Nov 2026');
    expect(siteTrendText(down, EN)).toBe('▼ −300 since 2 Nov 2026');
    expect(siteTrendText(same, EN)).toBe('unchanged since 2 Nov 2026');
    // The map's label fonts have arrows, not triangles.
    expect(siteTrendText(up, EN, 'map')).toBe('↑ +1,200 since 2 Nov 2026');
    expect(siteTrendShort(down, EN)).toBe('↓ −300');
    expect(siteTrendShort(same, EN)).toBeNull();
  });

  it('is worded in each language, with its digits', () => {
    expect(siteTrendText(up, wordsOf('fr'))).toBe('▲ +1\u202f200 depuis le 2 nov. 2026');
    expect(siteTrendText(up, wordsOf('es'))).toMatch(/^▲ \+1,200 desde el 2 nov 2026$/);
    expect(siteTrendText(up, wordsOf('ar'))).toBe('▲ +١٬٢٠٠ منذ ٢ نوفمبر ٢٠٢٦');
  });

  it('labels a site with its trend while there is room, then without, then the figure', () => {
    expect(siteLabelTexts(up, EN)).toEqual(['st-1\n2,400 displaced\n↑ +1,200 since 2 Nov 2026', 'st-1\n2,400 displaced ↑ +1,200', 'st-1\n2,400 displaced', '2,400 ↑ +1,200', '2,400']);
    expect(siteLabelTexts(up, EN, true)).toEqual(['2,400 ↑ +1,200', '2,400']);
    expect(siteLabelTexts(same, EN)).toEqual(['st-3\n1,200 displaced\nunchanged since 2 Nov 2026', 'st-3\n1,200 displaced', '1,200']);
    // Without a previous figure, as before issue 17.
    expect(siteLabelTexts({ name: 'Backaplan', population: 1850 }, EN)).toEqual(['Backaplan\n1,850 displaced', '1,850']);
  });

  it('folds a second figure of another date into `previous` (the protocol’s fold, as the page receives it)', () => {
    let seq = 0;
    const ev = (s: Site) => ({ type: 'site.upserted', site: s, seq: ++seq, timeMs: T0 + seq }) as unknown as PictureEvent;
    const p = applyEvents(emptyPicture(), [ev(site('st-9', 1200, { date: '2026-11-02' })), ev(site('st-9', 2400, { date: '2026-11-21' }))]);
    expect(siteTrendText(p.sites['st-9'], EN)).toBe('▲ +1,200 since 2 Nov 2026');
  });
});

describe('sites placed at their area’s centre (issue 17)', () => {
  const ouest = site('st-ht01', 1_059_849, { name: 'Ouest', placed: 'area', pcode: 'HT01', admin: 'Ouest', lon: -72.3, lat: 18.5 });
  const camp = site('st-camp', 5_000, { placed: 'point', lon: -72.34, lat: 18.54 });
  const sites = record(ouest, camp);

  it('draws them as a faint disc with a dashed ring, real sites as before', () => {
    const circles = siteCircleProps(sites);
    const fill = circles.getFillColor as unknown as (s: Site) => number[];
    const line = circles.getLineWidth as (s: Site) => number;
    expect(fill(ouest)).toEqual(SITE_AREA_FILL);
    expect(fill(camp)).toEqual(SITE_FILL);
    expect(line(ouest)).toBe(0);
    expect(line(camp)).toBe(1.5);
    const rings = siteAreaRingProps(sites);
    expect(rings.id).toBe('sites-area-rings');
    expect((rings.data as Site[]).map((s) => s.id)).toEqual(['st-ht01']);
    // The ring is as wide as the disc (radius 50 px: 2 × 50 + 4 px of line), and dashed.
    const icon = (rings.getIcon as (s: Site) => ReturnType<typeof ringIcon>)(ouest);
    expect(icon.width).toBe(104);
    expect((rings.getSize as (s: Site) => number)(ouest)).toBe(104);
    expect(decodeURIComponent(icon.url)).toContain('stroke-dasharray');
    // The same data array while the slice is unchanged (STYLE: stable data identity).
    expect(siteAreaRingProps(sites).data).toBe(rings.data);
  });

  it('says so in the tooltip, with the area’s name and P-code, and the trend', () => {
    const withTrend = { ...ouest, previous: { population: 1_047_849, date: '2010-10-30' }, date: '2010-11-30', source: 'IOM DTM' };
    expect(siteLines(withTrend, EN).map(plain)).toEqual(['Ouest', '1,059,849 displaced (IOM DTM, 30 Nov 2010)', '▲ +12,000 since 30 Oct 2010', 'placed at the centre of Ouest (HT01): exact location not known']);
    expect(plain(tooltipText('sites-circles', camp, EN))).toBe('st-camp\n5,000 displaced (UNHCR, 21 Nov 2026)');
    expect(plain(tooltipText('sites-circles', { ...ouest, admin: undefined }, wordsOf('fr')))).toContain('placé au centre de HT01\u00a0: emplacement exact inconnu');
  });

  it('keeps labels from colliding when crowded sites carry trends and area-placed sites (label-placement.ts)', () => {
    // Thirty sites in a 3 km square, half of them placed at an area's centre, each with a previous figure.
    const crowd: Site[] = Array.from({ length: 30 }, (_, i) =>
      site(`st-${i}`, 500 + i * 700, { name: `Site ${i}`, lon: 11.95 + (i % 6) * 0.006, lat: 57.70 + Math.floor(i / 6) * 0.005, placed: i % 2 ? 'area' : 'point', previous: { population: 400 + i * 500, date: '2026-11-02' } }),
    );
    const picture = { ...emptyPicture(), sites: record(...crowd) };
    const specs = labelSpecs({ picture, clock: { nowMs: T0, staleAfterMs: 120_000 }, scale: 1, compact: false, measure: approxMeasure, words: EN });
    const origin = [11.94, 57.724];
    const project = (p: [number, number]) => [(p[0] - origin[0]) * 30_000, (origin[1] - p[1]) * 35_000];
    const placed = placeLabels(specs, labelObstacles(picture, 1), { width: 1400, height: 900, project });
    expect(placed.length).toBeGreaterThan(10);
    // Some labels got the full wording with the trend.
    expect(placed.some((l) => l.text.includes('since 2 Nov 2026'))).toBe(true);
    for (let j = 0; j < placed.length; j++)
      for (let i = 0; i < j; i++) {
        const [a, b] = [placed[i].box, placed[j].box];
        expect(Math.min(a.maxX, b.maxX) > Math.max(a.minX, b.minX) && Math.min(a.maxY, b.maxY) > Math.max(a.minY, b.minY), `${placed[i].id} × ${placed[j].id}`).toBe(false);
      }
  });
});

describe('flows (issue 17)', () => {
  const flow = (id: string, people: number): Flow => ({ id, from: [11.9, 57.7], to: [11.95, 57.72], people, date: '2026-11-20', source: 'IOM', updatedMs: T0 });

  it('widths by √people, scaled so the largest flow is 10 px, fainter when there are many', () => {
    expect(flowWidthPx(3600)).toBe(5);
    expect(flowWidthPx(0)).toBe(1.5);
    const big = record(flow('a', 1_000_000), flow('b', 10_000));
    const k = flowScale(big);
    expect(flowWidthPx(1_000_000, k)).toBeCloseTo(10, 6);
    expect(flowWidthPx(10_000, k)).toBeCloseTo(1.5, 6);
    expect(flowColor(5)[3]).toBe(210);
    expect(flowColor(500)[3]).toBe(140);
    expect(flowLineProps(big).pickable).toBe(true);
  });

  it('says how many move, how far, when and from which source', () => {
    expect(flowLengthM({ from: [0, 0], to: [0, 1] })).toBeCloseTo(111_195, -1);
    expect(plain(tooltipText('flows-lines', flow('a', 2150), EN))).toBe('2,150 people on the move, over 3.7 km\nreported 20 Nov 2026 (IOM)');
    expect(plain(tooltipText('flows-arrows', { ...flow('a', 1), source: undefined }, EN))).toBe('1 person on the move, over 3.7 km\nreported 20 Nov 2026 (source withheld by agreement)');
  });
});

describe('the density of displaced people (issue 17)', () => {
  it('rounds cell sizes to 1, 2, 5 × 10ⁿ and fits about 16 cells across the sites', () => {
    expect([niceStep(1_300), niceStep(1_460), niceStep(1.6), niceStep(4_000), niceStep(8_000)]).toEqual([1000, 2000, 2, 5000, 10_000]);
    // 8.1 km of diagonal: 509 m, rounded to 500 m.
    expect(densityRadiusM(record(site('a', 1, { lon: 11.9, lat: 57.7 }), site('b', 1, { lon: 12.0, lat: 57.75 })))).toBe(500);
    expect(densityRadiusM(record(site('a', 1, { lon: 11.9, lat: 57.7 }), site('b', 1, { lon: 11.91, lat: 57.7 })))).toBe(200);
    expect(densityRadiusM(record(site('a', 1)))).toBe(200);
    expect(densityRadiusM({})).toBe(200);
    // Haiti's departments, some 300 km apart.
    expect(densityRadiusM(record(site('a', 1, { lon: -74.2, lat: 18.4 }), site('b', 1, { lon: -71.8, lat: 19.9 })))).toBe(20_000);
  });

  it('bins every site, weighted by its people, on the CPU, flat, in the violet ramp', () => {
    const sites = record(site('a', 1000), site('b', 3000, { placed: 'area' }));
    const props = densityProps(sites);
    expect(props.id).toBe('displacement-density');
    expect(props.data).toHaveLength(2);
    expect(props.gpuAggregation).toBe(false);
    expect(props.extruded).toBe(false);
    expect(props.pickable).toBe(true);
    expect(props.colorRange).toEqual(DENSITY_COLORS);
    expect(props.getColorValue!([sites.a, sites.b], { indices: [0, 1], data: props.data })).toBe(4000);
  });

  it('reports its cells once deck.gl has binned them, and keeps its accessors for the same listener', () => {
    const heard: DensityDrawn[] = [];
    const listen = (d: DensityDrawn) => heard.push(d);
    const sites = record(site('a', 1000), site('b', 3000), site('c', 500));
    const p = densityProps(sites, listen);
    expect(densityProps(sites, listen).getColorValue).toBe(p.getColorValue);
    // As HexagonLayer's CPU aggregation does: one getColorValue per cell, then the colour domain.
    const info = { indices: [], data: p.data };
    p.getColorValue!([sites.a, sites.c], info);
    p.getColorValue!([sites.b], info);
    p.onSetColorDomain!([1500, 3000]);
    expect(heard).toEqual([{ cells: 2, people: 4500, maxCell: 3000 }]);
  });

  it('is a layer of the picture under the flows and sites only when switched on', () => {
    const picture = { ...emptyPicture(), sites: record(site('a', 1000)) };
    const ids = (density: boolean) => pictureLayers(picture, { nowMs: T0, staleAfterMs: 120_000, scale: 1, density }).map((l) => l.id);
    expect(ids(false)).not.toContain('displacement-density');
    const on = ids(true);
    expect(on.indexOf('displacement-density')).toBeLessThan(on.indexOf('flows-lines'));
    expect(on.indexOf('displacement-density')).toBeGreaterThan(on.indexOf('threat-zones'));
    expect(on.indexOf('sites-area-rings')).toBe(on.indexOf('sites-circles') + 1);
  });

  it('says what a hovered cell holds', () => {
    expect(tooltipText('displacement-density', { colorValue: 4500, count: 2 }, EN)).toBe('4,500 displaced people in this hexagon\nat 2 sites');
  });

  it('is kept in the address as ?density=1', () => {
    expect(densityInSearch('?lang=fr&density=1')).toBe(true);
    expect(densityInSearch('?density=0')).toBe(false);
    expect(densityInSearch('')).toBe(false);
    expect(searchWithDensity('?lang=fr', true)).toBe('?lang=fr&density=1');
    expect(searchWithDensity('?lang=fr&density=1', false)).toBe('?lang=fr');
    expect(searchWithDensity('?density=1', false)).toBe('');
  });
});

// ---------------------------------------------------------------- the import page's state

/** The server's answer to a check of the IOM DTM admin-1 file (as the contract has it), for the reducer. */
const COLUMNS = [
  { index: 0, header: 'id', tag: '#id+code' },
  { index: 1, header: 'operation', tag: '#operation+name' },
  { index: 4, header: 'admin1Name', tag: '#adm1+name' },
  { index: 5, header: 'admin1Pcode', tag: '#adm1+code' },
  { index: 6, header: 'numPresentIdpInd', tag: '#affected+idps' },
  { index: 7, header: 'reportingDate', tag: '#date+reported' },
];
const CHECKED: ImportAnswer = {
  columns: COLUMNS,
  mapping: { name: '#adm1+name', pcode: '#adm1+code', population: '#affected+idps', date: 'reportingDate', id: '#0' },
  format: 'hxl',
  preview: [{ row: 3, name: 'Ouest', population: 1_059_849, date: '2010-11-30', pcode: 'HT01', lon: -72.3, lat: 18.6, placed: 'area' }],
  errors: [
    { row: 40, field: 'pcode', message: 'P-code IQG01 is not in the boundaries' },
    { row: 12, field: 'pcode', message: 'P-code SD01 is not in the boundaries' },
  ],
  errorCount: 2998,
  counts: { rows: 3026, sites: 10, flows: 0, skipped: 2998, merged: 18 },
};
const FILE_TEXT = 'id,operation\n#id+code,#operation+name\n8322,Haiti';
const withFile = (): ImportState => importReducer(INITIAL_IMPORT, { type: 'file', file: { name: 'idps.csv', size: 273_205, blob: new Blob([FILE_TEXT]) } });

describe('the import page: mapping, preview, report (issue 17)', () => {
  it('finds the column a spec names: #index, HXL tag (any case and attribute order), or header', () => {
    expect(columnOfSpec(COLUMNS, '#6')).toBe(6);
    expect(columnOfSpec(COLUMNS, '#3')).toBeNull();
    expect(columnOfSpec(COLUMNS, '#Affected+IDPs')).toBe(6);
    expect(columnOfSpec(COLUMNS, '#ADM1+Code')).toBe(5);
    expect(columnOfSpec([{ index: 2, header: 'x', tag: '#affected+idps+f' }], '#affected+f+idps')).toBe(2);
    expect(columnOfSpec(COLUMNS, 'ReportingDate')).toBe(7);
    expect(columnOfSpec(COLUMNS, 'nothing')).toBeNull();
    expect(columnOfSpec(COLUMNS, undefined)).toBeNull();
  });

  it('shows the server’s guess, lets fields be changed, and asks for a new check before importing', () => {
    let s = withFile();
    expect(s.stale).toBe(true);
    // The first check: sent without a mapping, so that the server guesses one.
    expect(importRequest(s, 'check')).toEqual({ name: 'idps.csv', dryRun: true });
    s = importReducer(s, { type: 'progress', purpose: 'check', loaded: 100, total: 1000 });
    expect(s.stage).toEqual({ kind: 'uploading', purpose: 'check', loaded: 100, total: 1000 });
    s = importReducer(s, { type: 'uploaded', purpose: 'check' });
    expect(s.stage).toEqual({ kind: 'server', purpose: 'check' });
    s = importReducer(s, { type: 'answered', purpose: 'check', status: 200, body: CHECKED });
    expect(s.stage.kind).toBe('idle');
    expect(s.stale).toBe(false);
    const rows = mappingRows(s);
    expect(rows.map((r) => r.field)).toEqual(['name', 'lat', 'lon', 'population', 'date', 'pcode', 'admin', 'kind', 'source', 'id', 'originLat', 'originLon', 'originPcode']);
    expect(Object.fromEntries(rows.filter((r) => r.column !== null).map((r) => [r.field, r.column]))).toEqual({ name: 4, population: 6, date: 7, pcode: 5, id: 0 });
    expect(importOffer(s)).toEqual({ sites: 10, flows: 0, skip: 2998, enabled: true });
    expect(importButtonText(importOffer(s), EN)).toBe('Import 10 sites (skip 2,998 rows that could not be read)');

    // The user reads the admin area's name from another column and drops the id.
    s = importReducer(s, { type: 'map', field: 'admin', column: 4 });
    s = importReducer(s, { type: 'map', field: 'id', column: null });
    expect(s.stale).toBe(true);
    expect(importOffer(s).enabled).toBe(false);
    expect(mappingRows(s).find((r) => r.field === 'admin')).toEqual({ field: 'admin', column: 4, changed: true });
    const check = importRequest(s, 'check');
    // A field read from no column is said as '', or the server would guess it again.
    expect(check.mapping).toEqual({ name: '#adm1+name', pcode: '#adm1+code', population: '#affected+idps', date: 'reportingDate', admin: '#4', id: '' });
    expect(mappingRows(s).find((r) => r.field === 'id')).toEqual({ field: 'id', column: null, changed: true });

    // The next answer's guess does not undo the user's choices.
    s = importReducer(s, { type: 'answered', purpose: 'check', status: 200, body: CHECKED });
    expect(s.mapping.admin).toBe('#4');
    expect(s.mapping.id).toBe('');
    expect(importOffer(s).enabled).toBe(true);
    expect(importRequest(s, 'import')).toMatchObject({ dryRun: false, skipInvalid: true });

    s = importReducer(s, { type: 'answered', purpose: 'import', status: 201, body: { ...CHECKED, id: 'im-1', seq: 77 } });
    expect(s.result?.seq).toBe(77);
    expect(importOffer(s).enabled).toBe(false);
  });

  it('takes the report of an import refused for its rows, and a refusal without one as a failure', () => {
    let s = importReducer(withFile(), { type: 'answered', purpose: 'check', status: 200, body: CHECKED });
    s = importReducer(s, { type: 'answered', purpose: 'import', status: 400, body: { error: { code: 'invalid_rows', message: '2998 rows', ...CHECKED } } });
    expect(s.result).toBeNull();
    expect(s.answer?.errorCount).toBe(2998);
    expect(failureText(s.failure!, EN)).toMatch(/^Nothing was imported: some rows could not be read/);
    // A whole-file problem comes with the report as far as the server got, and names what is missing.
    s = importReducer(s, { type: 'answered', purpose: 'check', status: 400, body: { error: { code: 'invalid', message: 'give boundaries', path: 'boundaries' }, ...CHECKED, counts: { ...CHECKED.counts, sites: 0 } } });
    expect(s.answer?.columns).toHaveLength(6);
    expect(importOffer(s).enabled).toBe(false);
    expect(failureText(s.failure!, EN)).toBe('These figures are by admin area (P-codes) without coordinates: add the boundaries of the areas.');
    s = importReducer(s, { type: 'answered', purpose: 'import', status: 413, body: { error: { code: 'payload_too_large', message: 'too large' } } });
    expect(s.failure).toEqual({ kind: 'http', status: 413, code: 'payload_too_large', message: 'too large' });
    expect(failureText(s.failure!, EN)).toBe('The file is too large for the server: split it, or leave out the columns it does not need.');
    expect(failureText({ kind: 'http', status: 403, code: 'forbidden' }, EN)).toBe('Your role may not do this.');
    expect(failureText({ kind: 'http', status: 400, code: 'invalid', path: 'mapping.lat' }, EN)).toBe('No column says where: choose the latitude and the longitude, or a P-code and add the boundaries.');
    expect(failureText({ kind: 'http', status: 400, code: 'invalid', path: 'marking' }, EN)).toBe('Check the field \u2068marking\u2069.');
    expect(failureText({ kind: 'http', status: 502 }, wordsOf('ar'))).toBe('تعذر على الخادم القيام بذلك (الحالة 502).');
  });

  it('lists the preview’s columns the rows have, and sizes in the language’s units', () => {
    expect(previewFields(CHECKED.preview)).toEqual(['name', 'population', 'date', 'lat', 'lon', 'placed', 'pcode']);
    expect(bytesText(273_205, EN)).toBe('273 kB');
    expect(bytesText(10_240_000, EN)).toBe('10.2 MB');
    expect(bytesText(10_240_000, wordsOf('fr'))).toBe('10,2 Mo');
    expect(importButtonText({ sites: 1, flows: 2, skip: 0 }, EN)).toBe('Import 1 site and 2 flows');
    expect(importButtonText({ sites: 3, flows: 0, skip: 1 }, wordsOf('ar'))).toBe('استيراد ٣ مواقع (مع تخطي صف واحد تعذرت قراءته)');
  });

  it('writes the request body around the file’s text and the boundary file as they are, without parsing the file', async () => {
    const s = importReducer(withFile(), { type: 'option', options: { source: ' IOM DTM ', date: '2010-11-30', format: 'csv' } });
    const parts = requestParts(importRequest(s, 'check'), await s.file!.blob.text(), '{"type":"FeatureCollection","features":[]}');
    // The parts of a Blob, as the import worker sends them: read back with a JSON parser.
    const body = await new Blob(parts).text();
    expect(JSON.parse(body)).toEqual({ name: 'idps.csv', format: 'csv', date: '2010-11-30', source: 'IOM DTM', dryRun: true, text: FILE_TEXT, boundaries: { type: 'FeatureCollection', features: [] } });
    expect(JSON.parse(requestParts({ name: 'a.json', dryRun: false }, '[{"a":"\u2028"}]', null).join(''))).toEqual({ name: 'a.json', dryRun: false, text: '[{"a":"\u2028"}]' });
  });

  it('checks a boundary file and lists its P-code properties first', () => {
    expect(readBoundaries('b.json', 'not json')).toEqual({ reason: 'json' });
    expect(readBoundaries('b.json', '{"type":"Feature"}')).toEqual({ reason: 'notCollection' });
    const real = path.resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/data/haiti-port-au-prince/hti_admbnda_adm1_cnigs_20181129_dv.json');
    const text = existsSync(real) ? readFileSync(real, 'utf8') : '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ADM1_EN":"Ouest","ADM1_PCODE":"HT01"},"geometry":null}]}';
    const b = readBoundaries('hti.json', text);
    if ('reason' in b) throw new Error(b.reason);
    expect(b.properties[0]).toMatch(/PCODE/);
    expect(b.properties).toContain('ADM1_PCODE');
    if (existsSync(real)) expect(b.features).toBe(10);
    const s = importReducer(withFile(), { type: 'boundaries', boundaries: b });
    expect(importRequest(importReducer(s, { type: 'option', options: { pcodeProperty: 'ADM1_PCODE' } }), 'check').pcodeProperty).toBe('ADM1_PCODE');
  });

  it('groups the rows it could not read by field and reason, each with its rows as runs', () => {
    const errors = [
      ...[117, 118, 119, 135].map((row) => ({ row, field: 'pcode', message: 'no boundary with P-code IQG01' })),
      { row: 120, field: 'pcode', message: 'no boundary with P-code IQG02' },
      { row: 4, field: 'population', message: '"x" is not a number' },
      { row: 9, message: 'the flow from its origin: lat must be at most 90' },
    ];
    expect(groupRowErrors(errors)).toEqual([
      { field: 'population', message: '"x" is not a number', rows: [4] },
      { message: 'the flow from its origin: lat must be at most 90', rows: [9] },
      { field: 'pcode', message: 'no boundary with P-code IQG01', rows: [117, 118, 119, 135] },
      { field: 'pcode', message: 'no boundary with P-code IQG02', rows: [120] },
    ]);
    expect(rowRuns([3, 4, 5, 9, 9, 10])).toEqual([[3, 5], [9, 10]]);
    expect(rowsText([117, 118, 119, 135, 140], EN, 2)).toBe('117–119, 135 and 1 more row');
    expect(rowsText([117, 118, 119, 135], EN)).toBe('117–119, 135');
    expect(rowsText([1117, 1200, 1300], wordsOf('fr'), 1)).toBe('1\u202f117 et 2 autres lignes');
    expect(rowsText([117, 118, 135], wordsOf('ar'))).toBe('١١٧–١١٨، ١٣٥');
  });
});
