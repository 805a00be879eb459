// Unit tests of test/routing/golden-file.ts: a missing golden output fails, in CI without being
// written, elsewhere after being written; UPDATE=1 rewrites; an existing output goes on to the compare.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../server/helpers.js';
import { decideGolden, isCi, writeOrCheckGolden } from './golden-file.js';

describe('isCi', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'woodpecker' }, true],
    [{}, false],
    [{ CI: '' }, false],
    [{ CI: 'false' }, false],
    [{ CI: '0' }, false],
  ])('%j → %s', (env, expected) => expect(isCi(env)).toBe(expected));
});

describe('decideGolden', () => {
  const file = 'out/case.geojson';
  it('compares an existing output, in CI or not', () => {
    expect(decideGolden({ file, exists: true, update: false, ci: true })).toEqual({ write: false });
    expect(decideGolden({ file, exists: true, update: false, ci: false })).toEqual({ write: false });
  });

  it('rewrites with UPDATE, whether the output exists or not, in CI too', () => {
    for (const exists of [true, false]) for (const ci of [true, false]) expect(decideGolden({ file, exists, update: true, ci })).toEqual({ write: true });
  });

  it('fails a missing output in CI without writing it, saying to run fixtures:update and commit', () => {
    const d = decideGolden({ file, exists: false, update: false, ci: true });
    expect(d.write).toBe(false);
    expect(d.failure).toContain('out/case.geojson is missing');
    expect(d.failure).toContain('npm run fixtures:update');
    expect(d.failure).toContain('commit');
  });

  it('writes a missing output outside CI and fails all the same, saying it wrote it', () => {
    const d = decideGolden({ file, exists: false, update: false, ci: false });
    expect(d.write).toBe(true);
    expect(d.failure).toMatch(/out\/case\.geojson was missing and has been written/);
  });
});

describe('writeOrCheckGolden', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'case.geojson');
  });
  afterEach(() => tmp.cleanup());

  it('CI=true without UPDATE: a missing file fails and is not written', () => {
    expect(writeOrCheckGolden(file, '{"a":1}\n', { CI: 'true' })).toMatch(/npm run fixtures:update/);
    expect(existsSync(file)).toBe(false);
  });

  it('outside CI: a missing file is written and the case fails', () => {
    expect(writeOrCheckGolden(file, '{"a":1}\n', {})).toMatch(/has been written/);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    // The next run finds it and goes on to the compare.
    expect(writeOrCheckGolden(file, '{"a":1}\n', {})).toBeUndefined();
  });

  it('an existing file is left as it is for the compare, in CI or not', () => {
    writeFileSync(file, '{"a":0}\n');
    expect(writeOrCheckGolden(file, '{"a":1}\n', { CI: 'true' })).toBeUndefined();
    expect(writeOrCheckGolden(file, '{"a":1}\n', {})).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('{"a":0}\n');
  });

  it('UPDATE=1 rewrites it, also in CI', () => {
    writeFileSync(file, '{"a":0}\n');
    expect(writeOrCheckGolden(file, '{"a":1}\n', { CI: 'true', UPDATE: '1' })).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
  });
});
