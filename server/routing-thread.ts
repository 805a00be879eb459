// The router on a thread of its own (server/), as the server's RoutingService: route queries and the
// corridor reactor are requests to routing/thread.ts, answered by promise in the order asked. A thread
// that fails is started again and brought back in line with the picture; nothing waits for ever.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ROUTING_EVENT_TYPES, type CorridorUpdate, type Picture, type PictureEvent } from '@corridor/protocol';
import type { FromRouting, RoutingThreadData, ToRouting } from '../routing/thread-protocol.js';
import type { AccessAnswer, AccessQuery, RouteAnswer, RouteQuery } from '../routing/types.js';
import type { Reaction, Reactor, ReactorContext } from './core/reactor.js';
import type { RoutingService } from './routing-service.js';
import { startModuleWorker } from './worker.js';

type Pending = { resolve(reply: FromRouting): void; reject(err: Error): void };

/** How long a request may wait for the thread before it is given up (and the thread started again), ms. */
const REQUEST_TIMEOUT_MS = 60_000;

/** The router on its own thread. */
export class RoutingThread implements RoutingService {
  readonly reactor: Reactor;
  private worker!: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, Pending>();
  /** The store's side, once the reactor has started: the live picture, and appends after a restart. */
  private ctx?: ReactorContext;
  /** Resolves once a thread started after a failure is ready. */
  private booting?: Promise<void>;
  private closed = false;
  /** Figures of the last answers, for diagnostics: how long the router worked on its thread, ms. */
  lastWorkMs = 0;
  /** How long the router worked on the last access check, on its thread, ms. */
  lastCheckMs = 0;

  private constructor(
    private readonly data: RoutingThreadData,
    private readonly logger: Logger,
    readonly bbox: [number, number, number, number],
    worker: Worker,
  ) {
    this.attach(worker);
    this.reactor = {
      name: 'router',
      types: ROUTING_EVENT_TYPES,
      start: async (picture: Picture, ctx: ReactorContext): Promise<Reaction> => {
        this.ctx = ctx;
        return { updates: await this.init(picture) };
      },
      onCommitted: async (events: readonly PictureEvent[], _picture: Picture, texts?: readonly string[]): Promise<Reaction> => {
        const reply = await this.request(texts ? { kind: 'events', id: 0, texts: [...texts] } : { kind: 'events', id: 0, events: [...events] });
        return { updates: this.updatesOf(reply) };
      },
    };
  }

  /** Starts the thread on a prepared graph (routing/index.ts prepareRoadNetwork) and waits until it is ready. */
  static async start(data: RoutingThreadData, logger: Logger): Promise<RoutingThread> {
    const { worker, bbox } = await RoutingThread.boot(data);
    return new RoutingThread(data, logger, bbox, worker);
  }

  private static boot(data: RoutingThreadData): Promise<{ worker: Worker; bbox: [number, number, number, number] }> {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const worker = startModuleWorker(new URL(`../routing/thread${ext}`, import.meta.url), data);
    return new Promise((resolve, reject) => {
      const onMessage = (msg: FromRouting) => {
        if (msg.kind === 'ready') resolve({ worker, bbox: msg.bbox });
        else if (msg.kind === 'fatal') reject(new Error(`the routing thread could not start: ${msg.message}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  }

  route(query: RouteQuery): Promise<RouteAnswer> {
    return this.request({ kind: 'route', id: 0, query }).then((reply) => {
      if (reply.kind !== 'route') throw new Error(`the routing thread answered ${reply.kind} to a route query`);
      return reply.answer;
    });
  }

  check(query: AccessQuery): Promise<AccessAnswer> {
    return this.request({ kind: 'check', id: 0, query }).then((reply) => {
      if (reply.kind !== 'check') throw new Error(`the routing thread answered ${reply.kind} to an access check`);
      this.lastCheckMs = reply.ms;
      return reply.answer;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('the router is stopping'));
    await this.worker.terminate();
  }

  /** Sends the restored picture, without its units (routing does not use them): the corridors it lacks. */
  private async init(picture: Picture): Promise<CorridorUpdate[]> {
    const { units: _units, ...rest } = picture;
    const reply = await this.request({ kind: 'init', id: 0, picture: { ...rest, units: {} } as Picture });
    return this.updatesOf(reply);
  }

  private updatesOf(reply: FromRouting): CorridorUpdate[] {
    if (reply.kind !== 'corridors') throw new Error(`the routing thread answered ${reply.kind} where corridors were expected`);
    this.lastWorkMs = reply.ms;
    return reply.updates;
  }

  private async request(msg: ToRouting): Promise<FromRouting> {
    if (this.closed) throw new Error('the router is stopped');
    // While a new thread starts, requests wait for it rather than go to the old one.
    if (this.booting) await this.booting;
    const id = this.nextId++;
    return new Promise<FromRouting>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.waiting.delete(id)) return;
        reject(new Error(`the routing thread did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
        void this.restart('did not answer in time');
      }, REQUEST_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.kind === 'failed') reject(new Error(`the router failed: ${reply.message}`));
          else resolve(reply);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.worker.postMessage({ ...msg, id });
    });
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (msg: FromRouting) => {
      if (!('id' in msg)) return;
      const waiter = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      waiter?.resolve(msg);
    });
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.logger.error({ err }, 'the routing thread failed');
      void this.restart('failed');
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker || this.closed) return;
      void this.restart(`stopped (exit code ${code})`);
    });
  }

  private failAll(err: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  /**
   * Starts a new thread after a failure: what was asked of the old one fails (a route query is
   * answered 503; a reaction is logged), and the new one is brought back in line with the picture,
   * its corridors appended like any reaction's.
   */
  private async restart(why: string): Promise<void> {
    if (this.closed) return;
    if (this.booting) return;
    const old = this.worker;
    this.failAll(new Error(`the routing thread ${why}`));
    this.logger.error(`the routing thread ${why}; starting it again`);
    void old.terminate().catch(() => undefined);
    let started!: () => void;
    this.booting = new Promise<void>((resolve) => (started = resolve));
    try {
      const { worker } = await RoutingThread.boot(this.data);
      this.attach(worker);
    } catch (err) {
      this.logger.error({ err }, 'the routing thread could not be started again; corridors are not kept current');
      this.closed = true;
    } finally {
      this.booting = undefined;
      started();
    }
    // Corridors of the commits whose requests were lost: the new thread compares every one with the picture.
    if (this.ctx && !this.closed) {
      try {
        this.ctx.append({ updates: await this.init(this.ctx.picture()) });
      } catch (err) {
        this.logger.error({ err }, 'the routing thread started again but could not take up the picture');
      }
    }
  }
}
