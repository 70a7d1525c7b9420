/** The built plugin in dist/, checked to exist. */
import { existsSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT } from './build';

export const PLUGIN_ID = 'ciliumscope-cilium-datasource';
export const DIST_DIR = join(REPO_ROOT, 'dist');
export const MODULE_JS = join(DIST_DIR, 'module.js');

/**
 * Throws a message saying what to run when dist/ is missing. (`npm test` builds first; webpack leaves unchanged
 * outputs untouched, so file times cannot tell a stale dist/ from a current one.)
 */
export function assertBuiltPlugin(): void {
  if (!existsSync(MODULE_JS)) {
    throw new Error('dist/module.js is missing: run npm run build first (or npm run build:plugin)');
  }
}
