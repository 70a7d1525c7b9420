/** The built plugin in dist/: what Grafana loads and what the package ships. */
import { existsSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT } from '../../tools/browser-host/build';
import { assertBuiltPlugin, DIST_DIR, MODULE_JS } from '../../tools/browser-host/builtPlugin';
import { GRAFANA_SHARED_MODULES } from '../../tools/browser-host/sharedModules';

/** module.js stays small: it is the plugin's own code; a larger file means a shared module got bundled. */
const MODULE_JS_BUDGET_BYTES = 100 * 1024;

/** The dependency list of the AMD module webpack writes: `define(["react", ...], factory)`. */
function amdDependencies(source: string): string[] {
  const match = /(?:^|[;\s)])define\(\s*(\[[^\]]*\])\s*,/.exec(source);
  if (!match) {
    throw new Error('module.js is not an AMD module: no define([...], factory) call');
  }
  return JSON.parse(match[1]) as string[];
}

describe('dist/', () => {
  beforeAll(() => assertBuiltPlugin());

  it('has module.js as an AMD module depending only on modules Grafana provides', () => {
    const deps = amdDependencies(readFileSync(MODULE_JS, 'utf8'));
    const allowed: readonly string[] = GRAFANA_SHARED_MODULES;
    expect(deps.filter((d) => !allowed.includes(d))).toEqual([]);
    expect(deps).toEqual(expect.arrayContaining(['react', '@grafana/data', '@grafana/ui', '@grafana/runtime']));
  });

  it('reads AMD dependency lists the way the check above relies on', () => {
    expect(amdDependencies('/* banner */\ndefine(["react","left-pad"],(e,t)=>e)')).toEqual(['react', 'left-pad']);
    expect(() => amdDependencies('(function(){ module.exports = 1 })()')).toThrow(/not an AMD module/);
  });

  it('keeps module.js within its size budget and free of bundled React or Grafana packages', () => {
    const source = readFileSync(MODULE_JS, 'utf8');
    expect(statSync(MODULE_JS).size).toBeLessThan(MODULE_JS_BUDGET_BYTES);
    // Markers of copies of what Grafana provides: React's internals, @grafana/data's frame code, rxjs' Subscriber.
    expect(source).not.toMatch(/__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED|react\.production/);
    expect(source).not.toMatch(/class MutableDataFrame|function dataFrameFromJSON/);
  });

  it('has plugin.json with the built version and date, the logo, README, CHANGELOG and LICENSE', () => {
    const pluginJson = JSON.parse(readFileSync(join(DIST_DIR, 'plugin.json'), 'utf8'));
    const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(pluginJson.info.version).toBe(packageJson.version);
    expect(pluginJson.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(pluginJson.buildMode).toBe('production');
    for (const file of ['img/logo.svg', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
      expect(existsSync(join(DIST_DIR, file))).toBe(true);
    }
    expect(readFileSync(join(DIST_DIR, 'README.md'), 'utf8')).toMatch(/Cilium Scope/);
  });

  const dashboardSource = join(REPO_ROOT, 'dashboards', 'cilium-scope.json');
  const dashboardTest = existsSync(dashboardSource) || process.env.CI ? it : it.skip;
  if (!existsSync(dashboardSource) && !process.env.CI) {
    console.warn('\n*** SKIPPED: dashboards/cilium-scope.json does not exist yet; plugin.json includes it ***\n');
  }
  dashboardTest('ships the bundled dashboards plugin.json includes, as built from dashboards/', () => {
    const pluginJson = JSON.parse(readFileSync(join(DIST_DIR, 'plugin.json'), 'utf8'));
    expect(pluginJson.includes.length).toBeGreaterThanOrEqual(2);
    for (const include of pluginJson.includes) {
      expect(readFileSync(join(DIST_DIR, include.path), 'utf8')).toBe(
        readFileSync(join(REPO_ROOT, include.path), 'utf8')
      );
    }
  });
});
