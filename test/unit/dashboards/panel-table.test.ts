/**
 * The one table both main dashboards are rendered from (tools/dashboards/panels): which panels a backend leaves out
 * and why, the same rows and order on both sides, and a renderer that refuses what the table does not say.
 */
import { MAIN_ROWS } from '../../../tools/dashboards/panels';
import { absent, type Backend, type PanelDef } from '../../../tools/dashboards/panels/table';
import { PANEL_IDS } from '../../../tools/dashboards/ids';
import { PATHS } from '../../../tools/dashboards/generate';
import { mainPanel, renderPanel } from '../../../tools/dashboards/render';
import { type Json, panelsOf, readJson } from './files';

const BACKENDS: Backend[] = ['scope', 'prometheus'];
const ALL = MAIN_ROWS.flatMap((row) => row.panels);
const drawnOn = (p: PanelDef, b: Backend) => !('absent' in p[b]);
const onlyOn = (b: Backend) =>
  ALL.filter((p) => drawnOn(p, b) && BACKENDS.some((other) => !drawnOn(p, other))).map((p) => `${p.id} ${p.title}`);

const JSON_OF: Record<Backend, Json> = {
  scope: readJson(PATHS.pluginProvisioned),
  prometheus: readJson(PATHS.prometheusProvisioned),
};

describe('the panel table', () => {
  test('every panel is drawn on some backend, and a backend that leaves one out says why', () => {
    for (const p of ALL) {
      expect([p.title, BACKENDS.some((b) => drawnOn(p, b))]).toEqual([p.title, true]);
      for (const b of BACKENDS) {
        const part = p[b];
        if ('absent' in part) {
          expect([p.title, b, part.absent.length > 20]).toEqual([p.title, b, true]);
        }
      }
    }
  });

  test('the panels only one dashboard has: the API-only tables on the plugin, their per-node counts on Prometheus', () => {
    expect(onlyOn('scope')).toEqual([
      `${PANEL_IDS.unmanagedPods} Unmanaged pods`,
      `${PANEL_IDS.scrapeErrors} Scrape errors`,
    ]);
    expect(onlyOn('prometheus')).toEqual([
      `${PANEL_IDS.unmanagedPods} Unmanaged pods per node`,
      `${PANEL_IDS.nodesWithoutAgent} Nodes without a Cilium agent`,
      `${PANEL_IDS.scrapeErrors} Scrape errors`,
    ]);
  });

  test('both dashboards draw the same rows, and the panels they share in the same order, with one title and kind', () => {
    const visual = (b: Backend) => panelsOf(JSON_OF[b]).filter((p) => p.type !== 'row');
    const rows = (b: Backend) =>
      panelsOf(JSON_OF[b])
        .filter((p) => p.type === 'row')
        .map((p) => p.title);
    expect(rows('prometheus')).toEqual(rows('scope'));
    const differs = new Set<unknown>([PANEL_IDS.unmanagedPods, PANEL_IDS.nodesWithoutAgent, PANEL_IDS.scrapeErrors]);
    const shared = (b: Backend) =>
      visual(b)
        .filter((p) => !differs.has(p.id))
        .map((p) => `${String(p.id)} ${String(p.type)} ${String(p.title)}`);
    expect(shared('prometheus')).toEqual(shared('scope'));
    expect(shared('scope').length).toBeGreaterThanOrEqual(25);
  });

  test("each description ends with the backend's source: the plugin query, or the Prometheus series", () => {
    for (const b of BACKENDS) {
      for (const p of panelsOf(JSON_OF[b]).filter((x) => x.type !== 'row')) {
        const source = b === 'scope' ? / Query: [^.]+.*\.$/ : / Series: ciliumscope_\w+.*\.$/;
        expect([p.title, String(p.description)]).toEqual([p.title, expect.stringMatching(source)]);
      }
    }
  });

  test('the renderer refuses a panel the backend does not draw, or one with no description', () => {
    const unmanaged = mainPanel(PANEL_IDS.unmanagedPods, 'scope');
    expect(() => renderPanel(unmanaged, 'prometheus')).toThrow(/panel 3 \(Unmanaged pods\) is not drawn on prometheus/);
    expect(() => mainPanel(PANEL_IDS.nodesWithoutAgent, 'scope')).toThrow(/scope dashboard has no panel 6/);
    const undescribed = { ...unmanaged, description: undefined, prometheus: absent('only for this test') } as PanelDef;
    expect(() => renderPanel(undescribed, 'scope')).toThrow(/has no description on scope/);
  });
});
