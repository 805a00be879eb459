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

describe('CORRIDOR_LOG (issue 19)', () => {
  const admin = { CORRIDOR_ADMIN_TOKEN: 'a-token-of-the-cluster-0123456789' };
  it('is the embedded log by default and for "sqlite"', () => {
    expect(loadConfig({}).sharedLog).toBeUndefined();
    expect(loadConfig({ CORRIDOR_LOG: 'sqlite' }).sharedLog).toBeUndefined();
  });

  it('takes NATS URLs: three copies when three or more nodes are named, else one; the instance named or made from host and port', () => {
    const one = loadConfig({ ...admin, CORRIDOR_LOG: 'nats://10.0.0.1:4222', PORT: '8081' }).sharedLog!;
    expect(one).toMatchObject({ servers: ['nats://10.0.0.1:4222'], replicas: 1, roleTtlMs: 6000 });
    expect(one.instance).toMatch(/-8081$/);
    const three = loadConfig({ ...admin, CORRIDOR_LOG: 'nats://a:4222, nats://b:4222,nats://c:4222', CORRIDOR_INSTANCE: 'ops-1', CORRIDOR_ROLE_TTL_S: '10' }).sharedLog!;
    expect(three).toEqual({ servers: ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'], replicas: 3, instance: 'ops-1', roleTtlMs: 10_000 });
    expect(loadConfig({ ...admin, CORRIDOR_LOG: 'nats://a:4222,nats://b:4222,nats://c:4222', CORRIDOR_LOG_REPLICAS: '1' }).sharedLog!.replicas).toBe(1);
  });

  it('refuses what it cannot use, naming the variable and the value', () => {
    expect(() => loadConfig({ ...admin, CORRIDOR_LOG: 'postgres://db' })).toThrow('CORRIDOR_LOG: must be "sqlite" or nats:// URLs, got "postgres://db"');
    expect(() => loadConfig({ ...admin, CORRIDOR_LOG: 'nats' })).toThrow(/^CORRIDOR_LOG: must be "sqlite" or NATS server URLs/);
    expect(() => loadConfig({ ...admin, CORRIDOR_LOG: 'nats://a:4222', CORRIDOR_LOG_REPLICAS: '7' })).toThrow(/^CORRIDOR_LOG_REPLICAS: must be a whole number from 1 to 5, got "7"/);
    expect(() => loadConfig({ ...admin, CORRIDOR_LOG: 'nats://a:4222', CORRIDOR_INSTANCE: 'a b' })).toThrow(/^CORRIDOR_INSTANCE: /);
    // Every instance must sign the same admin in: a token made at one instance's start would be a stranger to the others.
    expect(() => loadConfig({ CORRIDOR_LOG: 'nats://a:4222' })).toThrow(/^CORRIDOR_ADMIN_TOKEN: must be set, the same on every instance/);
  });
});
