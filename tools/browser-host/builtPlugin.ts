/** The built plugin in dist/, checked to exist. */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT } from './build';
import type { ProxyRoute } from './dataProxy';

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

/** The data proxy routes of a plugin.json (dist/'s by default), as Grafana's server reads them. */
export function pluginRoutes(pluginJson = join(DIST_DIR, 'plugin.json')): ProxyRoute[] {
  const routes = (JSON.parse(readFileSync(pluginJson, 'utf8')) as { routes?: ProxyRoute[] }).routes;
  if (!routes?.length) {
    throw new Error(`${pluginJson} has no routes: the plugin reaches the exporter through them`);
  }
  return routes;
}
