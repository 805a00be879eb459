// Real displacement files (issue 17), read in place from ../shared/data (never copied here): each is
// imported, or refused with what it lacks; IOM DTM admin-level figures are placed on the OCHA
// boundaries by P-code, and rows of countries the boundaries do not cover are reported by P-code.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { booleanPointInPolygon } from '@turf/turf';
import { readImport, type ImportRequest } from '../../../server/displacement/read-import.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DATA = path.resolve(repoRoot, '../shared/data');
const NOW = Date.parse('2026-12-01T00:00:00Z');
const text = (file: string) => readFileSync(path.join(DATA, file), 'utf8');
const json = (file: string) => JSON.parse(text(file)) as unknown;
const read = (file: string, extra: Partial<ImportRequest> = {}) => readImport({ name: path.basename(file), text: text(file), ...extra }, NOW);
const sum = (xs: readonly { population: number }[]) => xs.reduce((a, s) => a + s.population, 0);

describe.skipIf(!existsSync(DATA))('real displacement files (needs ../shared/data: absent, skipped)', () => {
  it('IDMC events (HXL on row 2, untagged columns, zoned datetimes, quoted descriptions): 113 point sites', () => {
    const out = read('hxl/idmc-idu-displacement-events-ind-2023.csv');
    expect(out.problem).toBeUndefined();
    expect(out.report.hxlRow).toBe(2);
    expect(out.report.mapping).toMatchObject({ lat: '#geo+lat', lon: '#geo+lon', population: '#affected+displaced', date: '#date+displacement' });
    expect(out.report.counts).toMatchObject({ rows: 113, sites: 113, skipped: 0 });
    expect(sum(out.sites)).toBe(112_759);
  });

  it('IOM DTM admin-1 figures (CRLF, ISO without zone) are refused without boundaries, naming them', () => {
    const out = read('hxl/iom-dtm-idps-admin1-irq-sdn-hti.csv');
    expect(out.problem).toMatchObject({ code: 'invalid', path: 'boundaries' });
    expect(out.report.mapping).toMatchObject({ pcode: '#adm1+code', admin: '#adm1+name', population: '#affected+idps', date: '#date+reported' });
  });

  it('IOM DTM admin-1 figures with the Haiti adm1 boundaries: Haiti placed, the Iraq and Sudan rows reported by P-code', () => {
    const out = read('hxl/iom-dtm-idps-admin1-irq-sdn-hti.csv', { boundaries: json('haiti-port-au-prince/hti_admbnda_adm1_cnigs_20181129_dv.json') });
    expect(out.problem).toBeUndefined();
    expect(out.report.pcodeProperty).toBe('ADM1_PCODE');
    expect(out.sites.map((s) => s.pcode).sort()).toEqual(['HT01', 'HT02', 'HT03', 'HT04', 'HT05', 'HT06', 'HT07', 'HT08', 'HT09', 'HT10']);
    expect(out.sites.every((s) => s.placed === 'area' && s.id === `st-${s.pcode}`)).toBe(true);
    expect(out.report.errorCount).toBe(1430 + 1482);
    // At most 20 rows for each reason: every unknown P-code, Iraq's and Sudan's, is named.
    const codes = new Set(out.report.errors.map((e) => /P-code (\S+)$/.exec(e.message)![1]));
    expect([...codes].some((c) => c.startsWith('IRQ-G'))).toBe(true);
    expect([...codes].some((c) => /^SD\d\d$/.test(c))).toBe(true);
    for (const c of codes) expect(out.report.errors.filter((e) => e.message.endsWith(` ${c}`)).length).toBeLessThanOrEqual(20);
    expect(out.report.errors[0]).toEqual({ row: expect.any(Number), field: 'pcode', message: expect.stringMatching(/^no boundary with P-code (IRQ-G\d\d|SD\d\d)$/) });
    expect(out.report.errors.every((e) => /^no boundary with P-code (IRQ-G\d\d|SD\d\d)$/.test(e.message))).toBe(true);
    expect(out.report.counts).toMatchObject({ rows: 3026, sites: 10, skipped: 2912 });
  });

  it('the IOM DTM API admin-2 records of Haiti with the adm2 boundaries: all 139 P-codes placed inside their communes', () => {
    const boundaries = json('haiti-port-au-prince/hti_admbnda_adm2_cnigs_20181129_dv.json') as { features: { properties: { ADM2_PCODE: string }; geometry: never }[] };
    const out = read('haiti-port-au-prince/iom-dtm-api-hti-admin2.json', { boundaries });
    expect(out.problem).toBeUndefined();
    expect(out.report.errorCount).toBe(0);
    expect(out.report.format).toBe('json');
    expect(out.report.pcodeProperty).toBe('ADM2_PCODE');
    expect(out.report.counts).toMatchObject({ rows: 1384, sites: 139, skipped: 0 });
    expect(new Set(out.sites.map((s) => s.pcode)).size).toBe(139);
    for (const s of out.sites) {
      const area = boundaries.features.find((f) => f.properties.ADM2_PCODE === s.pcode)!;
      expect(booleanPointInPolygon([s.lon, s.lat], area.geometry), `${s.pcode} placed inside its commune`).toBe(true);
    }
    // The June 2025 round: 176 rows summing to 1,287,593 IDPs (shared/data/README.md), one site per commune.
    expect(sum(out.sites.filter((s) => s.date === '2025-06-30'))).toBe(1_287_593);
  });

  it('UNHCR Iraq master locations (untagged: Place, Latitude, Longitude, total; no date): 1,928 sites once a date is given', () => {
    expect(read('iraq/unhcr-dtm-masterloc-2014.csv').problem).toMatchObject({ path: 'date' });
    const out = read('iraq/unhcr-dtm-masterloc-2014.csv', { date: '2014-10-26' });
    expect(out.problem).toBeUndefined();
    expect(out.report.mapping).toMatchObject({ name: 'Place', lat: 'Latitude', lon: 'Longitude', population: 'total', id: 'PlaceID' });
    expect(out.report.counts).toMatchObject({ rows: 1928, sites: 1928, skipped: 0 });
    expect(sum(out.sites)).toBe(1_898_844);
  });

  it('the official camp weekly report (LATITUDE, Individual, d/m/yyyy dates): 47 sites', () => {
    const out = read('iraq/official-camp-weekly-report-2014.csv');
    expect(out.problem).toBeUndefined();
    expect(out.report.counts).toMatchObject({ rows: 47, sites: 47, skipped: 0 });
    expect(sum(out.sites)).toBe(144_857);
    expect(out.sites.every((s) => s.date >= '2014-08-01' && s.date <= '2014-10-31')).toBe(true);
  });

  it('is told clearly what the other HXL files lack', () => {
    // Legacy tags recognised; the figures are national, with no place.
    const mali = read('hxl/hxl-beta-mali-population-movements-2012.csv');
    expect(mali.report.mapping).toEqual({ population: '#idp_num', date: '#period_date' });
    expect(mali.problem).toMatchObject({ path: 'mapping.lat' });
    // Markets with places but no figure of people.
    expect(read('hxl/wfp-markets-syr.csv').problem).toMatchObject({ path: 'mapping.population' });
    // The hashtag row on line 3; a 3W table without displacement figures.
    const threeW = read('hxl/libhxl-3w-hashtag-row-3.csv');
    expect(threeW.report.hxlRow).toBe(3);
    expect(threeW.problem).toMatchObject({ path: 'mapping.population' });
    // Mapped by the analyst with a date column of French months, the Mali figures still need a place.
    expect(read('hxl/hxl-beta-mali-population-movements-2012.csv', { mapping: { population: 'IDPs' } }).problem?.message).toContain('map lat and lon, or a P-code');
  });
});
