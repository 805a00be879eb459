// Export then import gives the same sites (issue 17), as a fast-check property: the HXL CSV and the
// GeoJSON this server writes (server/displacement/formats.ts) read back by its own import give each
// site's id, name (commas, quotes, formula-like starts, any script), position to the exported 6
// decimals, population, date, P-code, admin area, kind, placing and source.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Site } from '@corridor/protocol';
import { validateSite } from '@corridor/protocol/validate';
import { displacementGeoJson, round6, sitesCsv } from '../../../server/displacement/formats.js';
import { isBlank, readImport } from '../../../server/displacement/read-import.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`displacement round-trip property: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);
const NOW = Date.parse('2026-12-01T00:00:00Z');

/** Characters names are made of: what breaks CSV (comma, quote, semicolon), what a spreadsheet runs (= + - @), and other scripts. */
const CHARS = [...'abcXYZ019 ,;"\'=+-@#()/&éüñçÅ中文العربيةқазақ😀🇭🇹'];
/** A name as a person types it: one line, no space at either end, single spaces (the import makes a cell one line). */
const text = (max: number) =>
  fc
    .array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: max })
    .map((cs) => cs.join('').replace(/\s+/g, ' ').trim())
    // A cell the import reads as "no value" (`NA`, `-`) is not a name it can give back.
    .filter((t) => t.length > 0 && !isBlank(t));

const site: fc.Arbitrary<Site> = fc
  .record(
    {
      id: fc.stringMatching(/^[a-z0-9]{1,20}$/).map((s) => `st-${s}`),
      name: text(40),
      // Any double: the export writes 6 decimals, so compare there.
      lon: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), fc.integer({ min: -180_000_000, max: 180_000_000 }).map((n) => n / 1e6)),
      lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.integer({ min: -90_000_000, max: 90_000_000 }).map((n) => n / 1e6)),
      population: fc.integer({ min: 0, max: 100_000_000 }),
      date: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-11-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      source: text(30),
      pcode: fc.stringMatching(/^[A-Z]{2}[0-9]{2,6}$/),
      admin: text(20),
      kind: fc.constantFrom('camp' as const, 'collective-centre' as const, 'informal' as const, 'host-community' as const),
      placed: fc.constantFrom('point' as const, 'area' as const),
    },
    { requiredKeys: ['id', 'name', 'lon', 'lat', 'population', 'date', 'source'] },
  )
  .filter((s) => !(round6(s.lon) === 0 && round6(s.lat) === 0) && validateSite(s, NOW).ok)
  .map((s) => ({ ...s, updatedMs: 0, owner: 'UNHCR' }));

/** What an import gives back of a site: the exported precision, and `point` when it did not say. */
function expected(s: Site) {
  const out: Record<string, unknown> = { id: s.id, name: s.name, lon: round6(s.lon), lat: round6(s.lat), population: s.population, date: s.date, source: s.source, placed: s.placed ?? 'point' };
  for (const f of ['pcode', 'admin', 'kind'] as const) if (s[f] !== undefined) out[f] = s[f];
  return out;
}

const sites = fc.uniqueArray(site, { minLength: 1, maxLength: 30, selector: (s) => s.id });

describe('export then import gives the same sites (issue 17)', () => {
  it('through the HXL-tagged CSV', () => {
    fc.assert(
      fc.property(sites, (list) => {
        const out = readImport({ name: 'export.csv', text: sitesCsv(list) }, NOW);
        expect(out.problem).toBeUndefined();
        expect(out.report.errors).toEqual([]);
        expect(out.report.hxlRow).toBe(2);
        const byId = (a: { id?: string }, b: { id?: string }) => (a.id! < b.id! ? -1 : 1);
        expect(out.sites.sort(byId)).toEqual(list.map(expected).sort(byId));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  // Found by the property (seeds 1289326473 and 1289333518), kept as named cases.
  it('gives back a name that begins like a spreadsheet guard, and a latitude of -0.0000001 as 0', () => {
    const list: Site[] = ["'=-", '=-', "''=x", '+1', '-x'].map((name, i) => ({ id: `st-${i}`, name, lon: 1, lat: i === 0 ? -1e-7 : 1, population: 1, date: '2024-01-01', source: 'x', updatedMs: 0 }));
    const out = readImport({ name: 'export.csv', text: sitesCsv(list) }, NOW);
    expect(out.sites.map((s) => s.name)).toEqual(["'=-", '=-', "''=x", '+1', '-x']);
    expect(Object.is(out.sites[0].lat, 0)).toBe(true);
  });

  it('through the GeoJSON', () => {
    fc.assert(
      fc.property(sites, (list) => {
        const out = readImport({ name: 'export.geojson', text: displacementGeoJson(list, [], 1) }, NOW);
        expect(out.problem).toBeUndefined();
        expect(out.report.errors).toEqual([]);
        const byId = (a: { id?: string }, b: { id?: string }) => (a.id! < b.id! ? -1 : 1);
        expect(out.sites.sort(byId)).toEqual(list.map(expected).sort(byId));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
