// Entry point of the built-in exercise (CORRIDOR_SCENARIO=exercise): starts the simulator on a
// timer and hands back a stop handle. server/main.ts calls startScenario once the router is loaded.
import type { Logger } from 'pino';
import type { Picture } from '@corridor/protocol';
import { loadScenario, type Scenario } from './scenario-file.js';
import { ExerciseSimulator, type ScenarioClock, type SimRouting, type Submit } from './simulator.js';

export { DEFAULT_SCENARIO_FILE, loadScenario, parseScenario, resolvePlace, ScenarioError, ScenarioSchema } from './scenario-file.js';
export type { ConvoyStateStep, Scenario, TimelineStep, UnitSpec } from './scenario-file.js';
export { ExerciseSimulator } from './simulator.js';
export type { ScenarioClock, SimRouting, SimUnitState, Submit, UnitMode } from './simulator.js';
export { seedCommands, seedMsgId, EXERCISE_MSG_PREFIX } from './seed.js';
export { dueSteps, LOOP_RESUME_REASON, loopStarts, resetCommands, stepCommand } from './timeline.js';

export interface StartScenarioOptions {
  /** The router (the server's routing thread): its roads' box, and the units' routes. */
  routing: SimRouting;
  /** The server's ingestion path for client commands; resolves once durable (P3). */
  submit: Submit;
  logger: Logger;
  /** The live picture. */
  picture: () => Picture;
  clock?: ScenarioClock;
  /** Scenario seconds per wall-clock second (default 1): 10 plays the 15-minute loop in 90 s. */
  speedup?: number;
  /** The scenario to play (default: the built-in Gothenburg exercise file). */
  scenario?: Scenario;
  /** Interval between ticks (one `positions` batch each), wall-clock ms (default 1000). */
  tickMs?: number;
}

const systemClock: ScenarioClock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** Whether the scenario's area of play overlaps the road network's bounding box. */
function overlaps(a: readonly number[], b: readonly number[]): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/**
 * Seeds the exercise through `submit` (only what the picture lacks), then runs the simulated field
 * units and the inject timeline about once a second until `stop()`. A scenario whose area lies off
 * the loaded road network (another `CORRIDOR_ROADS`) is not started: a warning is logged instead.
 * @example const { stop } = startScenario({ routing, submit, logger, picture: () => state.picture });
 */
export function startScenario(opts: StartScenarioOptions): { stop(): void } {
  const scenario = opts.scenario ?? loadScenario();
  const clock = opts.clock ?? systemClock;
  if (!overlaps(scenario.bbox, opts.routing.bbox)) {
    opts.logger.warn(
      { scenario: scenario.name, scenarioBbox: scenario.bbox, networkBbox: opts.routing.bbox },
      `${scenario.name} lies outside the loaded road network; the exercise is not started`,
    );
    return { stop() {} };
  }
  const sim = new ExerciseSimulator({
    routing: opts.routing,
    submit: opts.submit,
    logger: opts.logger,
    picture: opts.picture,
    scenario,
    clock,
    speedup: opts.speedup,
  });
  let running = false;
  const run = () => {
    // Ticks never overlap: a slow commit delays the next batch instead of queueing them up.
    if (running) return;
    running = true;
    sim
      .tick()
      .catch((err: unknown) => opts.logger.error({ err }, 'exercise tick failed'))
      .finally(() => {
        running = false;
      });
  };
  const handle = clock.setInterval(run, opts.tickMs ?? 1000);
  run();
  opts.logger.info({ scenario: scenario.name, speedup: opts.speedup ?? 1 }, `${scenario.name} started (${scenario.marking})`);
  return {
    stop() {
      clock.clearInterval(handle);
      sim.stop();
    },
  };
}
