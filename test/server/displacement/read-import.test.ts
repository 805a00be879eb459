// Reading imports of displacement figures (issue 17, server/displacement): the HXL hashtag row found by
// scanning, legacy and untagged columns mapped, every unreadable row reported by its number in the file,
// field and why, the dates files really write, rows of one place merged, P-codes joined to boundaries.
import { describe, expect, it } from 'vitest';
import { dayFirstOf, monthOf, readDate } from '../../../server/displacement/dates.js';
import { guessMapping, columnOf, resolveMapping, MappingError } from '../../../server/displacement/mapping.js';
import { readCount, readCoordinate, readImport, readKind, siteId, type ImportRequest } from '../../../server/displacement/read-import.js';
import { isHashtagRow, parseTag, readCsv, readJson, sniffDelimiter, TableError } from '../../../server/displacement/table.js';
import { Boundaries, pcodeKey } from '../../../server/displacement/boundaries.js';
import { readBody } from '../../../server/displacement/importer.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const read = (text: string, extra: Partial<ImportRequest> = {}) => readImport({ name: 'test.csv', text, ...extra }, NOW);

/** Two squares side by side with P-codes, the second an L whose centroid lies outside it. */
const BOUNDARIES = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { ADM1_PCODE: 'XY01', ADM1_EN: 'North' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] } },
    {
      type: 'Feature',
      properties: { ADM1_PCODE: 'XY02', ADM1_EN: 'South' },
      // An L: its centroid (about 2.33, 0.33... ) lies in the notch, outside it.
      geometry: { type: 'Polygon', coordinates: [[[2, 0], [5, 0], [5, 1], [3, 1], [3, 5], [2, 5], [2, 0]]] },
    },
  ],
};

describe('the table: CSV, the HXL hashtag row, JSON records', () => {
  it('finds the hashtag row on line 3, below two header rows, and numbers data rows as the file does', () => {
    const t = readCsv(',¿Qué?,¿Dónde?,\nRegistro,Sector,Departamento,Fecha\n,#sector+es,#adm1,#date+reported\n001,WASH,Chocó,1 March 2015\n');
    expect(t.hxlRow).toBe(3);
    expect(t.columns).toEqual([
      { index: 0, header: 'Registro' },
      { index: 1, header: 'Sector', tag: '#sector+es' },
      { index: 2, header: 'Departamento', tag: '#adm1' },
      { index: 3, header: 'Fecha', tag: '#date+reported' },
    ]);
    expect(t.rows).toEqual([{ row: 4, cells: ['001', 'WASH', 'Chocó', '1 March 2015'] }]);
  });

  it('reads CRLF, a byte-order mark, quoted commas, quotes and line breaks (RFC 4180), and semicolons', () => {
    const t = readCsv('\uFEFFname,total\r\n"Camp ""A"", north",12\r\n"two\r\nlines",3\r\n');
    expect(t.hxlRow).toBeUndefined();
    expect(t.rows).toEqual([
      { row: 2, cells: ['Camp "A", north', '12'] },
      { row: 3, cells: ['two\r\nlines', '3'] },
    ]);
    expect(sniffDelimiter('a;b;c\n1;2;3')).toBe(';');
    expect(readCsv('name;total\nA;5').rows[0].cells).toEqual(['A', '5']);
  });

  it('tells a hashtag row from a data row, and reads tags whatever their case and spaces', () => {
    expect(isHashtagRow(['#loc+name', '', '#geo +lat'])).toBe(true);
    expect(isHashtagRow(['#loc+name', 'Camp A'])).toBe(false);
    expect(isHashtagRow(['', ''])).toBe(false);
    expect(parseTag('#Affected +IDPs')).toEqual({ base: 'affected', attrs: ['idps'] });
    expect(parseTag('#1')).toBeUndefined();
  });

  it('refuses a CSV with a quote never closed, naming the line', () => {
    expect(() => readCsv('name,total\n"Camp A,12\n')).toThrow(TableError);
    expect(() => readCsv('name,total\n"Camp A,12\n')).toThrow(/line 2/);
  });

  it('reads JSON records: an array, {"result": [...]} as the IOM DTM API gives, and GeoJSON points', () => {
    expect(readJson('[{"a":1,"b":"x"},{"b":"y","c":null}]')).toMatchObject({
      format: 'json',
      columns: [{ index: 0, header: 'a' }, { index: 1, header: 'b' }, { index: 2, header: 'c' }],
      rows: [{ row: 1, cells: ['1', 'x'] }, { row: 2, cells: ['', 'y', ''] }],
    });
    expect(readJson('{"result":[{"numPresentIdpInd":5}]}').rows).toEqual([{ row: 1, cells: ['5'] }]);
    const geo = readJson(JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', id: 'st-1', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { name: 'A' } }, { type: 'Feature', geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, properties: {} }] }));
    expect(geo.columns.map((c) => c.header)).toEqual(['siteId', 'name', 'lon', 'lat']);
    expect(geo.rows).toEqual([{ row: 1, cells: ['st-1', 'A', '1', '2'] }]);
    expect(() => readJson('{"a":1}')).toThrow(/array of records/);
    expect(() => readJson('[1,')).toThrow(/JSON cannot be read/);
  });
});

describe('the mapping', () => {
  it('is guessed from HXL 1.x tags, the most detailed admin level first, and never from a previous or origin figure', () => {
    const cols = ['#loc+name', '#adm1+code', '#adm2+code', '#adm2+name', '#geo+lat', '#geo+lon', '#affected+idps+ind+previous', '#affected+idps+ind', '#date+reported+previous', '#date+reported', '#date+year'].map((tag, index) => ({ index, header: `c${index}`, tag }));
    expect(guessMapping(cols)).toEqual({ name: 0, pcode: 2, admin: 3, lat: 4, lon: 5, population: 7, date: 9 });
  });

  it('recognises the legacy pre-1.0 tags #idp_num and #period_date', () => {
    const cols = ['#period_date', '#idp_num', '#refugee_num', '#aff_num'].map((tag, index) => ({ index, header: '', tag }));
    expect(guessMapping(cols)).toEqual({ date: 0, population: 1 });
  });

  it('is guessed from header names for untagged columns (Latitude, Longitude, total, name, the IOM API keys)', () => {
    const cols = ['', 'Governorate', 'District', 'name', 'Longitude', 'Latitude', 'PlaceID', 'total'].map((header, index) => ({ index, header }));
    expect(guessMapping(cols)).toEqual({ name: 3, admin: 2, lon: 4, lat: 5, id: 6, population: 7 });
    const api = ['id', 'admin1Pcode', 'admin2Pcode', 'admin2Name', 'numPresentIdpInd', 'reportingDate'].map((header, index) => ({ index, header }));
    expect(guessMapping(api)).toEqual({ pcode: 2, admin: 3, population: 4, date: 5 });
  });

  it("takes the analyst's columns by header, hashtag or #index, and refuses an unknown field or column by name", () => {
    const cols = [
      { index: 0, header: 'IDPs', tag: '#affected+idps+ind' },
      { index: 1, header: 'Total persons' },
    ];
    expect(columnOf(cols, '#affected+idps')).toBe(0);
    expect(columnOf(cols, 'total  PERSONS')).toBe(1);
    expect(columnOf(cols, '#1')).toBe(1);
    expect(resolveMapping(cols, { population: 'Total persons' }).population).toBe(1);
    expect(resolveMapping(cols, { population: '' }).population).toBeUndefined();
    expect(() => resolveMapping(cols, { people: 'IDPs' })).toThrow(MappingError);
    expect(() => resolveMapping(cols, { population: 'Nobody' })).toThrow(/no column "Nobody"/);
  });
});

describe('dates as files write them', () => {
  it.each([
    ['2024-05-31', '2024-05-31'],
    ['2010-11-30T00:00:00', '2010-11-30'],
    ['2023-11-06T11:00:00.000Z', '2023-11-06'],
    ['2023-11-06T23:30:00-05:00', '2023-11-06'],
    ['1 March 2015', '2015-03-01'],
    ['March 1, 2015', '2015-03-01'],
    ['1-Mar-2015', '2015-03-01'],
    ['Septembre 2012', '2012-09-01'],
    ['fevrier 2014', '2014-02-01'],
    ['Février 2014', '2014-02-01'],
    ['Mars  2013', '2013-03-01'],
    ['Mai    2013', '2013-05-01'],
    ['Decembre  2012', '2012-12-01'],
    ['15 de enero de 2014', '2014-01-15'],
    ['1er juillet 2019', '2019-07-01'],
    ['2014-03', '2014-03-01'],
    ['2014/03/05', '2014-03-05'],
    ['20/10/2014', '2014-10-20'],
  ])('%s is %s', (text, iso) => expect(readDate(text)).toBe(iso));

  it.each(['2026-02-30', 'Smarch 2014', '31/31/2014', '1850-01-01', 'soon', '2014', '2014-01-01T25:00:00'])('%s is not a date', (text) => expect(readDate(text)).toBeUndefined());

  it('reads a column of d/m/yyyy day first unless a value shows it is month first', () => {
    expect(dayFirstOf(['1/9/2014', '20/10/2014'])).toBe(true);
    expect(dayFirstOf(['1/9/2014', '10/20/2014'])).toBe(false);
    expect(readDate('1/9/2014', true)).toBe('2014-09-01');
    expect(readDate('1/9/2014', false)).toBe('2014-01-09');
    expect(monthOf('sept')).toBe(9);
    expect(monthOf('ma')).toBeUndefined();
  });
});

describe('cells', () => {
  it('reads people with thousands separators and refuses what is not a whole number', () => {
    expect(readCount('1,059,849')).toEqual({ value: 1059849 });
    expect(readCount('1 234')).toEqual({ value: 1234 });
    expect(readCount('12.0')).toEqual({ value: 12 });
    expect(readCount('12a')).toEqual({ error: '"12a" is not a number' });
    expect(readCount('12.5')).toEqual({ error: '"12.5" is not a whole number of people' });
    expect(readCount('-3')).toEqual({ error: '"-3" is negative' });
    expect('error' in readCount('200000000')).toBe(true);
  });

  it('reads coordinates with a decimal point or comma, and kinds of site from phrases', () => {
    expect(readCoordinate('-72.335')).toBe(-72.335);
    expect(readCoordinate('33,5')).toBe(33.5);
    expect(readCoordinate('33°N')).toBeUndefined();
    expect(readKind('IDPs Camps')).toBe('camp');
    expect(readKind('Collective Centre')).toBe('collective-centre');
    expect(readKind('market')).toBeUndefined();
  });
});

describe('reading rows: the report', () => {
  const CSV = [
    'Site,Lat,Lon,Total,Date',
    '#loc+name,#geo+lat,#geo+lon,#affected+idps,#date+reported',
    'Camp A,33.5,36.3,"1,200",2024-05-01',
    'Camp B,91.2,36.3,100,2024-05-01',
    'Camp C,33.6,36.4,,2024-05-01',
    'Camp D,33.7,36.5,12a,Smarch 2024',
    '',
    'Camp E,33.8,abc,50,1 May 2024',
  ].join('\n');

  it('reports each unreadable row by its number in the file, counting the header rows, with field and why', () => {
    const out = read(CSV);
    expect(out.problem).toBeUndefined();
    expect(out.report.hxlRow).toBe(2);
    expect(out.report.errors).toEqual([
      { row: 4, field: 'lat', message: 'latitude 91.2 is outside -90 to 90' },
      { row: 5, field: 'population', message: 'no number of people: column #affected+idps is empty' },
      { row: 6, field: 'population', message: '"12a" is not a number (column #affected+idps)' },
      { row: 6, field: 'date', message: '"Smarch 2024" is not a date (ISO 8601 like 2024-05-31, or like 31 May 2024)' },
      { row: 8, field: 'lon', message: '"abc" is not a longitude (a decimal number of degrees)' },
    ]);
    expect(out.report.errorCount).toBe(5);
    expect(out.report.counts).toEqual({ rows: 5, sites: 1, flows: 0, skipped: 4, merged: 0 });
    expect(out.report.preview).toEqual([expect.objectContaining({ row: 3, name: 'Camp A', population: 1200, lat: 33.5, lon: 36.3, date: '2024-05-01', placed: 'point', source: 'test.csv' })]);
    expect(out.report.mapping).toEqual({ name: '#loc+name', lat: '#geo+lat', lon: '#geo+lon', population: '#affected+idps', date: '#date+reported' });
  });

  it('refuses a file as a whole with what is missing: the population, a location, a date, boundaries', () => {
    expect(read('name,lat,lon,date\nA,1,2,2024-01-01').problem).toMatchObject({ code: 'invalid', path: 'mapping.population' });
    expect(read('name,total,date\nA,5,2024-01-01').problem).toMatchObject({ path: 'mapping.lat', message: expect.stringContaining('map lat and lon, or a P-code') });
    expect(read('name,lat,lon,total\nA,1,2,5').problem).toMatchObject({ path: 'date' });
    expect(read('name,lat,lon,total\nA,1,2,5', { date: 'yesterday' }).problem).toMatchObject({ path: 'date' });
    expect(read('name,pcode,total,date\nA,XY01,5,2024-01-01').problem).toMatchObject({ path: 'boundaries' });
    expect(read('name,lat,total\nA,1,5').problem).toMatchObject({ path: 'mapping.lon' });
    expect(read('name,lat,lon,total,date\n').problem).toMatchObject({ path: 'text', message: 'the file has no data rows' });
    const none = read('name,lat,lon,total,date\nA,100,2,5,2024-01-01');
    expect(none.problem).toMatchObject({ path: 'text', message: expect.stringContaining('no row of the file could be read') });
    expect(none.report.errors[0]).toEqual({ row: 2, field: 'lat', message: 'latitude 100 is outside -90 to 90' });
  });

  it('gives rows without a date the date asked for, and a source the file name or the one asked for', () => {
    const out = read('name,lat,lon,total\nA,1,2,5', { date: '3 June 2024', source: 'UNHCR' });
    expect(out.sites).toEqual([expect.objectContaining({ date: '2024-06-03', source: 'UNHCR', population: 5 })]);
  });

  it('refuses a figure dated in the future (P6) and a 0, 0 position', () => {
    const out = read('name,lat,lon,total,date\nA,1,2,5,2030-01-01\nB,0,0,5,2024-01-01\nC,1,3,5,2024-01-01');
    expect(out.report.errors).toEqual([
      { row: 2, field: 'date', message: expect.stringContaining("ahead of the server's clock") },
      { row: 3, field: 'lat', message: 'the position 0, 0 is not a place (a missing position written as zeros)' },
    ]);
  });

  it('makes a name of a line-broken cell one line, and names a nameless site by its admin area, P-code or position', () => {
    const out = read('name,admin,lat,lon,total,date\n"Camp\nNorth",,1,2,5,2024-01-01\n,Ouest,1,3,5,2024-01-01\n,,1,4,5,2024-01-01');
    expect(out.sites.map((s) => s.name)).toEqual(['Camp North', 'Ouest', '1.0000, 4.0000']);
  });
});

describe('one site per place (merging rows)', () => {
  it('keeps the latest date\'s figure and adds up rows of the same place and date, counting the rows merged', () => {
    const csv = [
      'name,lat,lon,total,date',
      'A,1,2,100,2024-01-01',
      'A,1,2,40,2024-03-01',
      'A,1,2,60,2024-03-01',
      'A,1,2,999,2023-12-01',
      'B,1,3,7,2024-01-01',
    ].join('\n');
    const out = read(csv);
    expect(out.sites.map((s) => [s.name, s.population, s.date])).toEqual([
      ['A', 100, '2024-03-01'],
      ['B', 7, '2024-01-01'],
    ]);
    expect(out.report.counts).toEqual({ rows: 5, sites: 2, flows: 0, skipped: 0, merged: 3 });
  });

  it('derives the same id from the same place in every round: P-code, code column, or name and position', () => {
    expect(siteId({ pcode: 'HT-0111', name: 'x', lon: 1, lat: 2 }, undefined, true)).toBe('st-HT0111');
    expect(siteId({ pcode: 'HT0111', name: 'x', lon: 1, lat: 2 }, 'CAMP 7', false)).toMatch(/^st-[0-9a-z]+$/);
    expect(siteId({ name: 'x', lon: 1, lat: 2 }, 'camp-7', false)).toBe('st-camp-7');
    expect(siteId({ name: 'x', lon: 1, lat: 2 }, 'st-keep', false)).toBe('st-keep');
    const a = siteId({ name: 'Camp', lon: 36.123456, lat: 33.1 }, undefined, false);
    expect(siteId({ name: 'camp', lon: 36.1234561, lat: 33.1 }, undefined, false)).toBe(a);
    expect(siteId({ name: 'Camp', lon: 36.2, lat: 33.1 }, undefined, false)).not.toBe(a);
  });
});

describe('placing admin-level figures by P-code', () => {
  const csv = ['adm,code,idps,date', '#adm1+name,#adm1+code,#affected+idps,#date+reported', 'North,XY01,10,2024-01-01', 'South,xy-02,20,2024-01-01', 'Away,ZZ09,5,2024-01-01'].join('\n');

  it('places each at its area: the centroid when inside, else a point on the polygon; reports an unknown P-code', () => {
    const out = read(csv, { boundaries: BOUNDARIES });
    expect(out.report.pcodeProperty).toBe('ADM1_PCODE');
    expect(out.report.errors).toEqual([{ row: 5, field: 'pcode', message: 'no boundary with P-code ZZ09' }]);
    const [north, south] = out.sites;
    expect(north).toMatchObject({ id: 'st-XY01', name: 'North', admin: 'North', pcode: 'XY01', placed: 'area', lon: 0.5, lat: 0.5 });
    expect(south).toMatchObject({ id: 'st-XY02', pcode: 'xy-02', placed: 'area' });
    // The L's centroid is outside it: the point is on the polygon.
    const inL = (lon: number, lat: number) => (lon >= 2 && lon <= 5 && lat >= 0 && lat <= 1) || (lon >= 2 && lon <= 3 && lat >= 0 && lat <= 5);
    expect(inL(south.lon, south.lat)).toBe(true);
  });

  it('joins on the property asked for, and refuses one no feature has or boundaries that are not polygons', () => {
    const asked = read(csv.replace('XY01', 'North'), { boundaries: BOUNDARIES, pcodeProperty: 'ADM1_EN' });
    expect(asked.report.pcodeProperty).toBe('ADM1_EN');
    expect(asked.sites.find((s) => s.pcode === 'North')).toMatchObject({ lon: 0.5, lat: 0.5 });
    expect(read(csv, { boundaries: BOUNDARIES, pcodeProperty: 'NOPE' }).problem).toMatchObject({ path: 'pcodeProperty' });
    expect(read(csv, { boundaries: { type: 'FeatureCollection', features: [] } }).problem).toMatchObject({ path: 'boundaries' });
    expect(read(csv, { boundaries: [1, 2] }).problem).toMatchObject({ path: 'boundaries' });
  });

  it('places a coarser P-code the areas also carry on those areas together', () => {
    const adm2 = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { ADM2_PCODE: 'XY0101', ADM1_PCODE: 'XY01' }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] } },
        { type: 'Feature', properties: { ADM2_PCODE: 'XY0102', ADM1_PCODE: 'XY01' }, geometry: { type: 'Polygon', coordinates: [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]] } },
      ],
    };
    const b = Boundaries.read(adm2, undefined, ['XY0101']);
    expect(b.property).toBe('ADM2_PCODE');
    expect(b.placeOf('XY01')).toEqual([1, 0.5]);
    expect(pcodeKey(' iq-g01 ')).toBe('IQG01');
  });

  it('makes flows from the origin area to the site', () => {
    const out = read(['name,lat,lon,total,date,origin pcode', 'A,0.5,0.6,10,2024-01-01,XY02', 'B,0.4,0.6,3,2024-01-01,'].join('\n'), { boundaries: BOUNDARIES });
    expect(out.report.mapping.originPcode).toBe('origin pcode');
    expect(out.flows).toEqual([expect.objectContaining({ to: [0.6, 0.5], people: 10, date: '2024-01-01' })]);
    expect(out.flows[0].id).toMatch(/^fl-/);
    expect(out.report.counts.flows).toBe(1);
  });
});

describe('the request', () => {
  const body = (value: unknown) => readBody(new TextEncoder().encode(JSON.stringify(value)), NOW);

  it('refuses a body that is not JSON or not the request, naming the field', () => {
    expect(readBody(new TextEncoder().encode('{'), NOW).answer).toMatchObject({ error: { code: 'bad_json' } });
    expect(body({ text: 'x' }).answer).toMatchObject({ error: { code: 'invalid', path: 'name' } });
    expect(body({ name: 'a', text: 'x', format: 'xls' }).answer).toMatchObject({ error: { code: 'invalid', path: 'format' } });
    expect(body({ name: 'a', text: 'x', extra: 1 }).answer).toMatchObject({ error: { code: 'invalid' } });
  });

  it('gives the items only when they would be imported: not a dry run, no whole-file problem, no refused row unless skipped', () => {
    const csv = 'name,lat,lon,total,date\nA,1,2,5,2024-01-01\nB,1,2,x,2024-01-01';
    expect(body({ name: 'a.csv', text: csv }).items).toBeUndefined();
    expect(body({ name: 'a.csv', text: csv, dryRun: true, skipInvalid: true }).items).toBeUndefined();
    const ok = body({ name: 'a.csv', text: csv, skipInvalid: true });
    expect(ok.items?.sites).toHaveLength(1);
    expect(ok.answer).toMatchObject({ asked: { name: 'a.csv', dryRun: false, skipInvalid: true }, items: { sites: 1, flows: 0 } });
  });
});
