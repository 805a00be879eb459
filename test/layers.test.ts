// The layering check (`npm run lint`, scripts/check-layers.mjs): it passes on this tree and fails on
// one whose client references the server or whose protocol is given Node, so it can fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './server/helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'scripts', 'check-layers.mjs');
const LAYERS = ['protocol', 'routing', 'server', 'client'];

/** A copy of the tree's tsconfig files only, with `edit` applied to one of them. */
function configs(edit?: { file: string; change: (config: any) => void }): { dir: string; cleanup(): void } {
  const tmp = tempDir();
  for (const file of ['tsconfig.json', 'tsconfig.base.json', ...LAYERS.map((l) => `${l}/tsconfig.json`)]) {
    mkdirSync(path.dirname(path.join(tmp.dir, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(tmp.dir, file));
  }
  if (edit) {
    const target = path.join(tmp.dir, edit.file);
    const config = JSON.parse(readFileSync(target, 'utf8'));
    edit.change(config);
    writeFileSync(target, JSON.stringify(config));
  }
  return tmp;
}

describe('npm run lint: layering', () => {
  it('passes on this tree', () => {
    expect(execFileSync(process.execPath, [script], { encoding: 'utf8' })).toMatch(/client → protocol/);
  });

  it('fails when the client references the server, or the protocol gets Node', () => {
    for (const edit of [
      { file: 'client/tsconfig.json', change: (c: any) => c.references.push({ path: '../server' }) },
      { file: 'routing/tsconfig.json', change: (c: any) => c.references.push({ path: '../server' }) },
      { file: 'protocol/tsconfig.json', change: (c: any) => (c.compilerOptions.types = ['node']) },
      { file: 'tsconfig.json', change: (c: any) => (c.references = c.references.filter((r: any) => r.path !== './client')) },
    ]) {
      const tmp = configs(edit);
      const run = spawnSync(process.execPath, [script, tmp.dir], { encoding: 'utf8' });
      expect(run.status, edit.file).toBe(1);
      expect(run.stderr).toMatch(/Layering faults/);
      tmp.cleanup();
    }
  });
});
