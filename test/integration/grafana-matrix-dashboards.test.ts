/**
 * The shipped dashboards on every Grafana line of the matrix: each copy (for import and for provisioning) checked
 * against that release's @grafana/schema types (test/support/dashboardTypes.ts), so an option a release does not
 * know, or a value it does not take, fails with the dashboard and panel named. The check itself is shown to fail on
 * the fields that differ between releases.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { PATHS } from '../../tools/dashboards/generate';
import { SCHEMA_VERSION } from '../../tools/dashboards/ids';
import { REPO_ROOT } from '../../tools/browser-host/build';
import { installGrafanaRelease, type InstalledRelease } from '../../tools/browser-host/grafanaInstall';
import { BUILD_RELEASE, GRAFANA_RELEASES, OLDEST_RELEASE } from '../../tools/browser-host/grafanaReleases';
import { dashboardTypeErrors } from '../support/dashboardTypes';

jest.setTimeout(15 * 60_000);

type Json = Record<string, unknown>;

const SHIPPED = [
  PATHS.pluginImport,
  PATHS.pluginProvisioned,
  PATHS.prometheusImport,
  PATHS.prometheusProvisioned,
  PATHS.nodeImport,
  PATHS.nodeProvisioned,
].map((name) => ({ name, json: JSON.parse(readFileSync(join(REPO_ROOT, name), 'utf8')) as Json }));

const installed = new Map<string, Promise<InstalledRelease>>();
const install = (release: (typeof GRAFANA_RELEASES)[number]) => {
  if (!installed.has(release.version)) {
    installed.set(release.version, installGrafanaRelease(release));
  }
  return installed.get(release.version)!;
};

test(`the dashboards carry schemaVersion ${SCHEMA_VERSION}, Grafana 10.4's, which every later release migrates forward`, () => {
  expect(SCHEMA_VERSION).toBe(39);
  for (const { name, json } of SHIPPED) {
    expect([name, json.schemaVersion]).toEqual([name, SCHEMA_VERSION]);
  }
});

test.each(GRAFANA_RELEASES.map((r) => [r.version, r] as const))(
  'every shipped dashboard type-checks against @grafana/schema %s',
  async (_version, release) => {
    const { nodeModules } = await install(release);
    expect(dashboardTypeErrors(nodeModules, SHIPPED)).toEqual([]);
  }
);

describe('the check fails on what differs between releases', () => {
  /** A copy of the plugin dashboard with `change` applied to its first panel of `type`. */
  function withPanelChange(type: string, change: (panel: Json) => void): { name: string; json: Json } {
    const json = structuredClone(SHIPPED[1].json);
    const panels = (json.panels as Json[]).flatMap((p) => [p, ...((p.panels as Json[]) ?? [])]);
    const panel = panels.find((p) => p.type === type)!;
    change(panel);
    return { name: `broken copy (${type} panel ${String(panel.id)})`, json };
  }

  test('a stat option from 11.x (percentChangeColorMode) on 10.4', async () => {
    const broken = withPanelChange('stat', (p) => {
      (p.options as Json).percentChangeColorMode = 'standard';
    });
    const [errors] = dashboardTypeErrors((await install(OLDEST_RELEASE)).nodeModules, [broken]);
    expect(errors).toMatch(new RegExp(`^broken copy \\(stat panel \\d+\\) panel \\d+: .*'"?percentChangeColorMode"?'`));
    expect(dashboardTypeErrors((await install(BUILD_RELEASE)).nodeModules, [broken])).toEqual([]);
  });

  test("the table footer option that 12.x moved out of the table's options, on 13.1", async () => {
    const broken = withPanelChange('table', (p) => {
      (p.options as Json).footer = { show: false, reducer: ['sum'], countRows: false, fields: [] };
    });
    expect(dashboardTypeErrors((await install(OLDEST_RELEASE)).nodeModules, [broken])).toEqual([]);
    const errors = dashboardTypeErrors((await install(BUILD_RELEASE)).nodeModules, [broken]);
    expect(errors).toEqual([expect.stringMatching(/panel \d+: .*'"?footer"?' does not exist/)]);
  });

  test('a value a release does not take: an unknown legend display mode', async () => {
    const broken = withPanelChange('timeseries', (p) => {
      ((p.options as Json).legend as Json).displayMode = 'cards';
    });
    for (const release of [OLDEST_RELEASE, BUILD_RELEASE]) {
      const errors = dashboardTypeErrors((await install(release)).nodeModules, [broken]);
      expect([release.version, errors]).toEqual([release.version, [expect.stringContaining('"cards"')]]);
    }
  });
});
