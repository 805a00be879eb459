// GET /api/agreement (issue 13) against a real server: any signed-in party reads the agreement in force
// (its organisations, markings and rules); without one it is 404; without a token 401.
import { afterAll, describe, expect, it } from 'vitest';
import { EXERCISE_AGREEMENT_FILE, loadAgreement } from '../../server/sharing/agreement.js';
import { tempDir } from '../server/helpers.js';
import { call, startTestServer } from './helpers.js';

describe('GET /api/agreement', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("answers the agreement in force to any signed-in party, 401 without a token, 404 when there is none", async () => {
    const agreement = loadAgreement(EXERCISE_AGREEMENT_FILE);
    const server = await startTestServer(`${tmp.dir}/a`, {}, { agreement });
    try {
      const viewer = server.tokens.create({ org: 'WFP', role: 'viewer' }).token;
      const got = await call(`${server.url}/api/agreement`, { token: viewer });
      expect(got.status).toBe(200);
      expect(got.body.agreement).toEqual(agreement);
      expect((await call(`${server.url}/api/agreement`)).status).toBe(401);
    } finally {
      await server.close();
    }
    const none = await startTestServer(`${tmp.dir}/b`);
    try {
      const got = await call(`${none.url}/api/agreement`, { token: none.adminToken });
      expect(got).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    } finally {
      await none.close();
    }
  });
});
