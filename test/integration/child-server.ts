// A server process for crash tests (test/integration): the real startServer with the fake router,
// configured from the environment like main.ts; prints `LISTENING <url>` once it accepts connections.
import { InlineRouting } from '../../server/routing-service.js';
import { startServer } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { FakeEngine, silentLogger } from '../server/helpers.js';

const config = loadConfig();
const server = await startServer(config, { routing: new InlineRouting(new FakeEngine()), logger: config.logLevel === 'silent' ? silentLogger : undefined });
process.stdout.write(`LISTENING ${server.url}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)));
}
