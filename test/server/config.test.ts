// Unit tests of server/config.ts: contract defaults and a clear error naming the variable per bad value.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { EXERCISE_AGREEMENT_FILE } from '../../server/sharing/agreement.js';

describe('loadConfig', () => {
  it('uses the contract defaults', () => {
    const c = loadConfig({}, '/srv/corridor');
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: path.resolve('/srv/corridor', 'var'),
      adminToken: undefined,
      scenario: 'exercise',
      roadsFile: undefined,
      cotPort: 8087,
      staleAfterMs: 120_000,
      logThread: true,
      networkChanged: 'refuse',
    });
  });

  it('reads every variable', () => {
    const c = loadConfig(
      {
        PORT: '9000',
        HOST: '0.0.0.0',
        CORRIDOR_DATA_DIR: 'data/x',
        CORRIDOR_ADMIN_TOKEN: 'a-long-admin-token-123',
        CORRIDOR_SCENARIO: 'none',
        CORRIDOR_ROADS: 'roads/city.osm.pbf',
        CORRIDOR_COT_PORT: '0',
        CORRIDOR_STALE_AFTER_S: '30',
        CORRIDOR_LOG_THREAD: '0',
      },
      '/srv',
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: path.resolve('/srv', 'data/x'),
      adminToken: 'a-long-admin-token-123',
      scenario: 'none',
      roadsFile: path.resolve('/srv', 'roads/city.osm.pbf'),
      cotPort: 0,
      staleAfterMs: 30_000,
      logThread: false,
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['CORRIDOR_SCENARIO', 'war'],
    ['CORRIDOR_ADMIN_TOKEN', 'short'],
    ['CORRIDOR_ROADS', 'roads.shp'],
    ['CORRIDOR_COT_PORT', '-1'],
    ['CORRIDOR_STALE_AFTER_S', '0'],
    ['CORRIDOR_STALE_AFTER_S', 'NaN'],
    ['CORRIDOR_LOG_THREAD', 'yes'],
    ['CORRIDOR_NETWORK_CHANGED', 'yes'],
    ['CORRIDOR_NETWORK_CHANGED', 'ADOPT'],
    ['CORRIDOR_AREA_NAME', 'x'.repeat(81)],
    ['CORRIDOR_AREA_NAME', 'two\nlines'],
  ])('refuses %s=%s with an error naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});

describe('CORRIDOR_AREA_NAME', () => {
  it('names the area, trimmed; absent or blank leaves it to the road network (issue 17)', () => {
    expect(loadConfig({ CORRIDOR_AREA_NAME: '  Port-au-Prince ' }).areaName).toBe('Port-au-Prince');
    expect(loadConfig({ CORRIDOR_AREA_NAME: '  ' }).areaName).toBeUndefined();
    expect(loadConfig({}).areaName).toBeUndefined();
  });
});

describe('CORRIDOR_NETWORK_CHANGED', () => {
  it('is refuse by default, and takes refuse or adopt', () => {
    expect(loadConfig({}).networkChanged).toBe('refuse');
    expect(loadConfig({ CORRIDOR_NETWORK_CHANGED: 'refuse' }).networkChanged).toBe('refuse');
    expect(loadConfig({ CORRIDOR_NETWORK_CHANGED: 'adopt' }).networkChanged).toBe('adopt');
  });

  it('refuses any other value with the variable, the value and the two allowed ones', () => {
    expect(() => loadConfig({ CORRIDOR_NETWORK_CHANGED: 'carry' })).toThrow('CORRIDOR_NETWORK_CHANGED: must be "refuse" or "adopt", got "carry"');
  });
});

describe('CORRIDOR_AGREEMENT', () => {
  it("is the exercise's agreement by default, a file resolved from the working folder, or none", () => {
    expect(loadConfig({}).agreementFile).toBe(EXERCISE_AGREEMENT_FILE);
    expect(loadConfig({ CORRIDOR_AGREEMENT: 'conf/sharing.yaml' }, '/srv/corridor').agreementFile).toBe(path.resolve('/srv/corridor', 'conf/sharing.yaml'));
    expect(loadConfig({ CORRIDOR_AGREEMENT: 'none' }).agreementFile).toBeUndefined();
  });

  it('refuses a file that is neither YAML nor JSON', () => {
    expect(() => loadConfig({ CORRIDOR_AGREEMENT: 'sharing.txt' })).toThrow('CORRIDOR_AGREEMENT: must be a .yaml, .yml or .json file, or "none", got "sharing.txt"');
  });
});
