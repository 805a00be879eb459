// `npm run lint`: the layering of the code, as the project references of the tsconfig files state it.
// `tsc -b` (npm run typecheck) refuses an import that crosses a reference not declared; this script
// refuses a reference that is not allowed, so the rule cannot be dodged by adding one. Exit 1 on a fault.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ? path.resolve(process.argv[2]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What each layer may import (besides npm packages):
 * - protocol: nothing of the project, and no Node (it runs in the browser too);
 * - routing: the protocol (it is a library of the server, usable without it);
 * - server: the protocol and routing;
 * - client: the protocol only (never server/ or routing/ code, and no Node).
 */
const ALLOWED = {
  protocol: [],
  routing: ['protocol'],
  server: ['protocol', 'routing'],
  client: ['protocol'],
};
const NODE_FREE = new Set(['protocol', 'client']);

/** tsconfig.json allows comments and trailing commas; these files use neither, so JSON.parse reads them. */
const read = (file) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

const faults = [];
for (const [layer, allowed] of Object.entries(ALLOWED)) {
  const config = read(`${layer}/tsconfig.json`);
  const refs = (config.references ?? []).map((r) => path.basename(path.resolve(root, layer, r.path)));
  for (const ref of refs) if (!allowed.includes(ref)) faults.push(`${layer}/tsconfig.json references ${ref}/, which ${layer}/ may not import (allowed: ${allowed.join(', ') || 'none'})`);
  if (!config.compilerOptions?.composite && !read('tsconfig.base.json').compilerOptions.composite) faults.push(`${layer}/tsconfig.json is not a composite project`);
  const types = config.compilerOptions?.types ?? [];
  if (NODE_FREE.has(layer) && types.includes('node')) faults.push(`${layer}/tsconfig.json has Node's types: ${layer}/ runs in the browser`);
}
const rootRefs = (read('tsconfig.json').references ?? []).map((r) => path.basename(path.resolve(root, r.path)));
for (const layer of Object.keys(ALLOWED)) if (!rootRefs.includes(layer)) faults.push(`tsconfig.json does not reference ${layer}/: npm run typecheck would not check it`);

if (faults.length > 0) {
  console.error(`Layering faults:\n- ${faults.join('\n- ')}`);
  process.exit(1);
}
console.log(`Layers as allowed: ${Object.entries(ALLOWED).map(([l, a]) => `${l} → ${a.join(', ') || 'nothing'}`).join('; ')}.`);
