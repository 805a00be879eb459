// Tests of a failing condition told once (server/util/failing-condition.ts, issue 9): first failure, summaries every 10 s, recovery.
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FailingCondition } from '../../server/util/failing-condition.js';

const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
console.info(`failing-condition property tests: fast-check seed ${SEED} (FC_SEED=${SEED} to replay)`);

type Line = Record<string, unknown> & { level: number; msg: string };
const ERROR = 50;
const WARN = 40;

/** A condition on a fake clock whose logger writes parsed lines to an array. */
function setup(startMs = 1_700_000_000_000) {
  const lines: Line[] = [];
  let t = startMs;
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  const cond = new FailingCondition(logger, 'committing to the event log', 10_000, () => t);
  return { lines, cond, startMs, at: (ms: number) => void (t = startMs + ms), now: () => t };
}

const diskFull = (i: number) => Object.assign(new Error(`SQLITE_FULL: database or disk is full (${i})`), { code: 'SQLITE_FULL' });

describe('FailingCondition (issue 9)', () => {
  it('1,000 failures in 25 s log the first with its error and one "still failing" summary per 10 s', () => {
    const { lines, cond, startMs, at } = setup();
    for (let i = 0; i < 1000; i++) {
      at(i * 25); // 0 … 24,975 ms
      cond.fail(diskFull(i), { seq: i });
    }
    expect(lines.every((l) => l.level === ERROR)).toBe(true);
    const [first, ...rest] = lines;
    expect(first.msg).toMatch(/^committing to the event log failed/);
    expect(first.msg).toContain('10 s');
    expect((first.err as { message: string }).message).toContain('(0)');
    expect(first.seq).toBe(0);
    const summaries = rest.filter((l) => /still failing/.test(l.msg));
    expect(rest).toHaveLength(summaries.length);
    expect(summaries).toHaveLength(2); // at 10 s and 20 s
    expect(summaries.map((s) => [s.failures, s.failingForMs])).toEqual([
      [400, 10_000],
      [400, 20_000],
    ]);
    expect(summaries[1].reason).toContain('(800)');
    expect(summaries[1].seq).toBe(800);
    expect(lines).toHaveLength(3);
    expect(cond.state).toEqual({ sinceMs: startMs, failures: 1000, reason: diskFull(999).message });
  });

  it('ok() logs one line with failures and failedForMs, and clears state', () => {
    const { lines, cond, startMs, at } = setup();
    at(0);
    cond.fail(new Error('disk I/O error'));
    at(3_000);
    cond.fail('a string reason');
    expect(cond.state).toEqual({ sinceMs: startMs, failures: 2, reason: 'a string reason' });
    at(12_345);
    const before = lines.length;
    cond.ok();
    expect(lines).toHaveLength(before + 1);
    const last = lines[lines.length - 1];
    expect(last).toMatchObject({ level: WARN, failures: 2, failedForMs: 12_345 });
    expect(last.msg).toBe('committing to the event log works again');
    expect(cond.state).toBeUndefined();
    // Failing again starts a new period with its own first line.
    at(20_000);
    cond.fail(new Error('again'));
    expect(cond.state).toEqual({ sinceMs: startMs + 20_000, failures: 1, reason: 'again' });
    expect(lines[lines.length - 1].msg).toMatch(/failed; further failures/);
  });

  it('ok() when not failing logs nothing', () => {
    const { lines, cond } = setup();
    cond.ok();
    cond.ok();
    expect(lines).toEqual([]);
    expect(cond.state).toBeUndefined();
  });

  it('(property) at most one line per 10 s while failing, and the summaries plus the first never count more than the failures', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 300 }), (gaps) => {
        const { lines, cond, at } = setup();
        let t = 0;
        for (const g of gaps) {
          t += g;
          at(t);
          cond.fail(new Error(`at ${t}`));
        }
        const times = lines.map((l, i) => (i === 0 ? 0 : (l.failingForMs as number)));
        for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(10_000);
        expect(lines.length).toBeLessThanOrEqual(1 + Math.floor(t / 10_000));
        const summarised = lines.slice(1).reduce((n, l) => n + (l.failures as number), 0);
        expect(1 + summarised).toBeLessThanOrEqual(gaps.length);
        expect(cond.state?.failures).toBe(gaps.length);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
