/**
 * The preview's checks and dashboard handling, without a browser: which panel summaries fail and why, the import
 * step, and the rows of the shipped dashboards (what the per-row images are cut along).
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { formatFindings, panelFailures, panelWarnings } from '../../tools/preview/check';
import { dashboardRows, importDashboard, slug, visualPanels } from '../../tools/preview/dashboard';
import type { PanelSummary } from '../../tools/preview/summary';

const ROOT = join(__dirname, '..', '..');
const shipped = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as unknown;

function summary(over: Partial<PanelSummary>): PanelSummary {
  return {
    id: 1,
    title: 'A panel',
    type: 'timeseries',
    row: 'Row',
    errors: [],
    executed: [],
    intervalMs: 15_000,
    rawFrameCount: 1,
    frames: [],
    hasData: true,
    onlyZeros: false,
    unmatchedOverrides: [],
    unknownTransformations: [],
    unknownOverrideProperties: [],
    datasourceProblem: null,
    renderError: null,
    showsNoData: false,
    ...over,
  };
}

describe('panel checks', () => {
  test('a healthy panel passes; every kind of breakage fails with the panel title and the reason', () => {
    const panels = [
      summary({ title: 'fine' }),
      summary({
        title: 'query error',
        errors: ['A: queries[0].queryType must be one of ...'],
        hasData: false,
        rawFrameCount: 0,
      }),
      summary({ title: 'no frames', hasData: false, rawFrameCount: 0 }),
      summary({ title: 'transformed away', hasData: false, rawFrameCount: 3 }),
      summary({ title: 'render error', renderError: 'boom' }),
      summary({ title: 'shows No data', showsNoData: true }),
      summary({ title: 'wrong datasource', datasourceProblem: 'datasource {"uid":"x"} resolves to uid "x"' }),
      summary({ title: 'unknown transformation', unknownTransformations: ['extractFields'] }),
      summary({ title: 'unknown property', unknownOverrideProperties: ['custom.nope'] }),
    ];
    const failures = panelFailures(panels);
    expect(failures.map((f) => f.title)).toEqual(panels.slice(1).map((p) => p.title));
    const byTitle = Object.fromEntries(failures.map((f) => [f.title, f.problems.join('; ')]));
    expect(byTitle['query error']).toMatch(/^query error: A: queries\[0\]\.queryType/);
    expect(byTitle['no frames']).toBe('no data: the queries returned no frames');
    expect(byTitle['transformed away']).toMatch(/3 frame\(s\) returned, nothing left to draw/);
    expect(byTitle['render error']).toBe('render error: boom');
    expect(byTitle['unknown transformation']).toMatch(/"extractFields" \(Grafana skips it\)/);
    expect(formatFindings('failures', failures)).toContain('  Row / render error: render error: boom');
    expect(formatFindings('failures', [])).toBe('failures: none');
  });

  test('warnings are separate from failures', () => {
    const panels = [
      summary({ title: 'zeros', onlyZeros: true }),
      summary({ title: 'stray override', unmatchedOverrides: ['byName "x"'] }),
    ];
    expect(panelFailures(panels)).toEqual([]);
    expect(panelWarnings(panels).map((w) => [w.title, w.problems])).toEqual([
      ['zeros', ['every value drawn is 0']],
      ['stray override', ['override byName "x" matches no field']],
    ]);
  });
});

describe('dashboards as the preview reads them', () => {
  test('import replaces every ${INPUT} with the datasource uid and drops the import-only keys', () => {
    const imported = importDashboard(shipped('dashboards/cilium-scope.json'), { DS_CILIUMSCOPE: 'scope-uid' });
    const text = JSON.stringify(imported);
    expect(text).not.toContain('${DS_CILIUMSCOPE}');
    expect(text).toContain('"scope-uid"');
    expect(Object.keys(imported)).not.toContain('__inputs');
    expect(() => importDashboard(shipped('dashboards/cilium-scope.json'), {})).toThrow(/DS_CILIUMSCOPE/);
    expect(() => importDashboard({ title: 'x' }, {})).toThrow(/no panels/);
  });

  const MAIN_ROWS = ['overview', 'endpoints', 'packet-flow', 'who-is-being-dropped', 'policy', 'agents'];
  test.each([
    ['dashboards/cilium-scope.json', 'DS_CILIUMSCOPE', MAIN_ROWS],
    ['dashboards/cilium-scope-prometheus.json', 'DS_PROMETHEUS', MAIN_ROWS],
    [
      'dashboards/cilium-scope-node.json',
      'DS_CILIUMSCOPE',
      ['node', 'endpoints-and-pods', 'traffic-and-drops', 'policy-and-agent'],
    ],
  ])('%s: its rows, every panel under one of them, none outside the 24-column grid', (path, input, slugs) => {
    const dashboard = importDashboard(shipped(path), { [input]: 'uid' });
    const rows = dashboardRows(dashboard);
    expect(rows.map((r) => r.slug)).toEqual(slugs);
    expect(rows.flatMap((r) => r.panels).length).toBe(visualPanels(dashboard).length);
    for (const row of rows) {
      expect(row.panels.length).toBeGreaterThan(0);
      for (const p of row.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.gridPos.y).toBeGreaterThan(row.y);
      }
    }
  });

  test('slugs', () => {
    expect(slug('Packet flow')).toBe('packet-flow');
    expect(slug('  Agents / Targets!  ')).toBe('agents-targets');
  });
});
