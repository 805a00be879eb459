// Entry point (`npm start` → tsx server/main.ts): wiring only. Config, road network, server, basemap,
// scenario; prints the one sign-in URL and shuts down cleanly on SIGINT/SIGTERM; SIGHUP reloads the sharing agreement.
import path from 'node:path';
import { pino } from 'pino';
import { DEFAULT_ROADS_AREA, DEFAULT_ROADS_FILE, networkAreaName, networkPlaces, PlaceIndex, prepareRoadNetwork, readRoadWays } from '../routing/index.js';
import type { LoadProgress } from '../routing/types.js';
import { basemapRouter, ensureBasemap } from './basemap/index.js';
import { SharedLogError, startServer, type RunningServer } from './app.js';
import { RoutingThread } from './routing-thread.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { SCENARIO_SENDER } from './gateway/sender.js';
import { checkNetworkIdentity, NetworkMismatchError } from './log/network-identity.js';
import { checkDataDir, DataDirError } from './util/data-dir.js';
import { startScenario } from './scenario/index.js';
import { loadScenario } from './scenario/scenario-file.js';
import { AgreementError, loadAgreement, type Agreement } from './sharing/agreement.js';
import { CotPortError } from './net/cot-server.js';
import { NetworkAccess } from './access/network.js';


function progressPrinter(label: string): (p: LoadProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 500 && (p.total === undefined || p.done < p.total)) return;
    last = now;
    const share = p.total ? ` ${Math.min(100, Math.round((100 * p.done) / p.total))}%` : ` ${p.done}`;
    process.stderr.write(`${label}: ${p.phase}${share}\n`);
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Cannot start: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // A server never starts with an agreement it could not read (issue 13): the error names the line and field.
  let agreement: Agreement | undefined;
  try {
    agreement = config.agreementFile ? loadAgreement(config.agreementFile) : undefined;
  } catch (err) {
    if (err instanceof AgreementError) {
      process.stderr.write(`Cannot start: CORRIDOR_AGREEMENT: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  if (agreement) logger.info({ agreement: agreement.name, organisations: agreement.organisations.length, markings: agreement.markings }, 'information-sharing agreement read');

  const roadsFile = config.roadsFile ?? DEFAULT_ROADS_FILE;
  logger.info({ roadsFile }, 'importing the road network');
  // The graph is prepared (or found in the cache) here, and loaded by the routing thread.
  const network = await prepareRoadNetwork(roadsFile, {
    cacheDir: path.join(config.dataDir, 'cache'),
    onProgress: progressPrinter('Road network'),
  });
  logger.info(
    { nodes: network.nodeCount, edges: network.edgeCount, fromCache: network.fromCache },
    'road network ready',
  );
  // Before anything restores the picture: a log made on other roads is refused unless adopted.
  // The folder is checked first, so an unusable one is named as such rather than by SQLite.
  checkDataDir(config.dataDir);
  const identity = { key: network.key, name: path.basename(roadsFile) };
  if (checkNetworkIdentity(config.dataDir, identity, config.networkChanged).recorded) {
    logger.info({ network: identity.name, key: identity.key.slice(0, 12) }, 'data directory recorded for this road network');
  }

  // On a first start the ways just read for the graph serve the network's access constraints (issue 16)
  // and the basemap too: the file is parsed once. Both are cached beside the graph.
  let firstWays = network.takeWays();
  const networkAccess = await NetworkAccess.load({ file: roadsFile, cacheDir: path.join(config.dataDir, 'cache'), key: network.key, ways: firstWays });
  logger.info({ closed: networkAccess.ways.filter((w) => w.status === 'closed').length, restricted: networkAccess.ways.filter((w) => w.status === 'restricted').length }, 'network access constraints ready');
  const basemapOptions = {
    dataDir: config.dataDir,
    key: network.key,
    readWays: async () => firstWays ?? readRoadWays(roadsFile, progressPrinter('Basemap roads')),
    bbox: network.bbox,
  };
  // Built (or found in the cache) before the URL is printed, so the first map load is not the one that waits.
  const tileProgress = progressPrinter('Basemap tiles');
  await ensureBasemap({ ...basemapOptions, onProgress: (done, total) => tileProgress({ phase: 'build', done, total }) });
  // Released once the basemap is built or found: they are not kept for the server's life.
  firstWays = undefined;
  const basemap = basemapRouter(basemapOptions);

  const routing = await RoutingThread.start({ cacheFile: network.cacheFile, networkWays: networkAccess.ways }, logger.child({ part: 'router' }));
  // The picture's title (issue 17): the setting, else the default network's city, else the network's largest place or its file's name.
  const area = config.areaName ?? (roadsFile === DEFAULT_ROADS_FILE ? DEFAULT_ROADS_AREA : await networkAreaName(roadsFile, network.bbox, { dir: path.join(config.dataDir, 'cache'), key: network.key }));
  logger.info({ area }, 'area of operations named');
  // The named places a deconfliction notice lists along a route (issue 18): the road file's own (after
  // the area's name, so a PBF is read once), and while the exercise runs, the exercise's places too.
  const roadPlaces = await networkPlaces(roadsFile, { dir: path.join(config.dataDir, 'cache'), key: network.key });
  const exercisePlaces = config.scenario === 'exercise' ? loadScenario().places.map((p) => ({ name: p.name, place: 'locality', at: [p.lon, p.lat] as [number, number] })) : [];
  const places = new PlaceIndex([...roadPlaces, ...exercisePlaces]);
  logger.info({ places: roadPlaces.length + exercisePlaces.length }, 'named places ready');
  // The exercise's simulated traffic runs where the reactors run: on a shared log, on one instance at a time.
  let server: RunningServer | undefined;
  let scenario: { stop(): void } | undefined;
  let exerciseWanted = false;
  const exercise = (active: boolean) => {
    exerciseWanted = active;
    if (config.scenario !== 'exercise' || !server) return;
    if (active && !scenario) {
      const running = server;
      scenario = startScenario({
        routing,
        submit: (cmd) => running.submitAs(SCENARIO_SENDER, cmd),
        logger: logger.child({ part: 'scenario' }),
        picture: () => running.store.picture,
        speedup: config.exerciseSpeedup,
      });
    } else if (!active && scenario) {
      scenario.stop();
      scenario = undefined;
    }
  };
  server = await startServer(config, { routing, logger, routers: [basemap], agreement, networkAccess, area, places, onReactors: exercise });
  exercise(exerciseWanted);

  // The one sign-in URL, plain on stdout (like a notebook server); the token is never logged.
  process.stdout.write(`\nCorridor is running. Open:\n\n    ${server.url}/?token=${encodeURIComponent(server.adminToken)}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    scenario?.stop();
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await server!.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // SIGHUP reads the sharing agreement's file again (issue 13); a bad file leaves the one in force.
  process.on('SIGHUP', () => {
    if (!server.reloadAgreement) return logger.warn('SIGHUP: no information-sharing agreement file to reload (CORRIDOR_AGREEMENT=none)');
    server.reloadAgreement().catch((err: Error) => logger.error({ err: err.message }, 'SIGHUP: the agreement was not reloaded; the one in force stays'));
  });
}

main().catch((err) => {
  if (err instanceof DataDirError || err instanceof NetworkMismatchError || err instanceof CotPortError || err instanceof SharedLogError) {
    process.stderr.write(`Cannot start: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`Corridor failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
