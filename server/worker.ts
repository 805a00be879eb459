// Worker threads on a module of this project (server/): the log writer thread, and bench:ingest's
// map clients. Worker threads do not inherit tsx's TypeScript loader, so a `.ts` module is loaded
// after the thread registers it (a no-op cost when the module is already JavaScript).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** URL of tsx's ESM API (`tsx/esm/api`, import condition), read from tsx's package exports. */
function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports['./esm/api']?.import?.default;
  if (!entry) throw new Error('tsx/esm/api not found: a worker thread cannot load TypeScript');
  return pathToFileURL(path.join(path.dirname(manifestPath), entry)).href;
}

/**
 * Starts a worker thread running the module at `moduleUrl` (`.ts` or `.js`) with `workerData`; with
 * `resourceLimits`, a thread that runs out of its heap ends alone instead of taking the process along.
 * @example startModuleWorker(new URL('./writer-thread.ts', import.meta.url), { file })
 */
export function startModuleWorker(moduleUrl: URL, workerData: unknown, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  const href = moduleUrl.href;
  const boot = href.endsWith('.ts')
    ? `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(href)}); })`
    : `import(${JSON.stringify(href)})`;
  return new Worker(boot, { eval: true, workerData, ...options });
}
