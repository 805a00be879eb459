// Compare-or-write for the routing golden files (test/routing/golden.test.ts): whether a case's output
// is compared, written, or missing, by UPDATE and CI. A missing output never passes.
import { existsSync, writeFileSync } from 'node:fs';

/** What to do with one case's expected output: write it first or not, and fail with what, if anything. */
export interface GoldenDecision {
  write: boolean;
  /** Why the case fails before any comparison; undefined when it goes on to compare. */
  failure?: string;
}

/**
 * Whether `CI` is set as CI services set it (`CI=true`, GitHub, GitLab, `.ci/run`); `false`/`0` are not.
 * @example isCi({ CI: 'true' }) // true
 * @example isCi({ CI: 'false' }) // false
 */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * The decision for one output file: `UPDATE=1` writes it (then compares); an existing file is
 * compared; a missing one fails in CI without writing, so a case whose output was never committed
 * cannot pass there, and elsewhere is written and fails all the same, so the first run is read
 * before it counts.
 * @example decideGolden({ file: 'out/a.geojson', exists: false, update: false, ci: true })
 * // { write: false, failure: 'out/a.geojson is missing: run `npm run fixtures:update` and commit the output' }
 */
export function decideGolden(opts: { file: string; exists: boolean; update: boolean; ci: boolean }): GoldenDecision {
  if (opts.update) return { write: true };
  if (opts.exists) return { write: false };
  if (opts.ci) return { write: false, failure: `${opts.file} is missing: run \`npm run fixtures:update\` and commit the output` };
  return {
    write: true,
    failure: `${opts.file} was missing and has been written now: read it, commit it, and run the test again (a first run is not a pass)`,
  };
}

/**
 * Applies {@link decideGolden} to `file` with the expected `text`: writes it when decided, and returns
 * why the case fails, or undefined when the caller should go on and compare it with the file.
 */
export function writeOrCheckGolden(file: string, text: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const decision = decideGolden({ file, exists: existsSync(file), update: env.UPDATE === '1', ci: isCi(env) });
  if (decision.write) writeFileSync(file, text);
  return decision.failure;
}
