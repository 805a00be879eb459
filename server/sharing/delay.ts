// The delay line (server/sharing, issue 13): what an agreement delivers M minutes late is given as it
// was M minutes ago, never as it is now. The line keeps samples of the picture's slices of the kinds
// some rule delays, one per step (30 s by default), for as long as the longest delay and one step more;
// a recipient is given the newest sample at least M minutes old, so it is late by M minutes to M plus
// one step, never early. Samples hold references: the picture replaces its items rather than change
// them, so a sample costs one record of references per slice, and the items only it still holds.
import type { Picture } from '@corridor/protocol';
import type { ItemKind } from './agreement.js';

/** The picture's slice of each kind of item a delay can apply to. */
export const SLICE_OF_KIND = {
  unit: 'units',
  threat: 'threats',
  haven: 'havens',
  site: 'sites',
  flow: 'flows',
  constraint: 'constraints',
  convoy: 'convoys',
  plan: 'plans',
  report: 'reports',
} as const satisfies Partial<Record<ItemKind, keyof Picture>>;
export type DelayedKind = keyof typeof SLICE_OF_KIND;

/** One sample: the items of each delayed kind, by id, as they were at `timeMs`. */
export interface Sample {
  timeMs: number;
  items: Partial<Record<DelayedKind, Readonly<Record<string, unknown>>>>;
}

export interface DelayLineOptions {
  picture: () => Picture;
  /** The kinds some rule delays, and the longest delay in minutes (read at each sample: an agreement can change). */
  delays: () => { kinds: ReadonlySet<ItemKind>; maxMin: number };
  /** Ms between samples. */
  stepMs: number;
  now: () => number;
}

export class DelayLine {
  private samples: Sample[] = [];
  /** Changes with every sample: what a delayed recipient may see changes with it. */
  version = 0;

  constructor(private readonly opts: DelayLineOptions) {}

  get stepMs(): number {
    return this.opts.stepMs;
  }

  /** Takes a sample of the picture now and forgets those no delay can still ask for. */
  sample(): void {
    const { kinds, maxMin } = this.opts.delays();
    const now = this.opts.now();
    if (maxMin === 0) {
      this.samples = [];
      return;
    }
    const picture = this.opts.picture();
    const items: Sample['items'] = {};
    for (const kind of kinds) {
      if (!Object.hasOwn(SLICE_OF_KIND, kind)) continue;
      const slice = SLICE_OF_KIND[kind as DelayedKind];
      // Units are a record the store changes in place (apply-event.ts): copied; the others are replaced whole.
      const records = picture[slice] as Record<string, unknown>;
      items[kind as DelayedKind] = slice === 'units' ? Object.assign(Object.create(null) as Record<string, unknown>, records) : records;
    }
    this.samples.push({ timeMs: now, items });
    // Keep the newest sample at least the longest delay old; those before it can no longer be asked for.
    const horizon = now - maxMin * 60_000;
    let first = 0;
    while (first + 1 < this.samples.length && this.samples[first + 1].timeMs <= horizon) first++;
    if (first > 0) this.samples = this.samples.slice(first);
    this.version++;
  }

  /** The newest sample taken at or before `timeMs`; undefined when there is none (the line is younger). */
  at(timeMs: number): Sample | undefined {
    let found: Sample | undefined;
    for (const s of this.samples) {
      if (s.timeMs > timeMs) break;
      found = s;
    }
    return found;
  }

  /** How many samples are kept (for tests and status). */
  get size(): number {
    return this.samples.length;
  }
}
