/**
 * One preview session: the Prometheus history starts first (it needs wall-clock time), the simulated hour for the
 * plugin dashboard and the preview page are prepared meanwhile; then any dashboard JSON (the shipped ones, or a
 * broken copy in a test) renders against them.
 */
import { pluginRoutes } from '../browser-host/builtPlugin';
import type { ProxiedDatasource } from '../browser-host/dataProxy';
import type { InstalledRelease } from '../browser-host/grafanaInstall';
import { GRID_WIDTH, importDashboard } from './dashboard';
import { startPrometheusHistory, type PrometheusHistory } from './prometheus-history';
import { openPreviewBrowser, prometheusDatasource, type PreviewBrowser } from './render';
import { runScopeHistory, type ScopeHistory } from './scope-history';
import type { PreviewSessionApi, PreviewSessionOptions, ScopeHistorySettings } from './session-types';

export type { PreviewSessionOptions } from './session-types';

export const PLUGIN_DASHBOARD = 'dashboards/cilium-scope.json';
export const PROMETHEUS_DASHBOARD = 'dashboards/cilium-scope-prometheus.json';
export const NODE_DASHBOARD = 'dashboards/cilium-scope-node.json';

/**
 * Settings of a large simulated cluster: small agent pages served plain and the exporter's default 30 s scrape
 * interval, so a thousand nodes' hour of history takes minutes, not hours.
 */
export function largeClusterSettings(nodes: number): ScopeHistorySettings {
  return nodes >= 100 ? { nodes, pageKB: 4, gzip: false, tickSeconds: 30 } : { nodes };
}

const SCOPE_UID = 'cilium-scope';
const SCOPE_NAME = 'Cilium Scope';
const PROMETHEUS_UID = 'prometheus';

export interface PreviewSession extends PreviewSessionApi {
  scope: ScopeHistory;
  prometheus: PrometheusHistory | null;
}

export async function openPreviewSession(options: PreviewSessionOptions = {}): Promise<PreviewSession> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const timings: Record<string, number> = {};
  const seconds = options.prometheusSeconds ?? 75;
  let prometheus: PrometheusHistory | null = null;
  let scope: ScopeHistory | null = null;
  /** One page per Grafana release asked for ('' is the default, the project's own modules). */
  const browsers = new Map<string, Promise<PreviewBrowser>>();
  const datasources: ProxiedDatasource[] = [];
  const browserFor = (grafana?: InstalledRelease): Promise<PreviewBrowser> => {
    const key = grafana?.release.version ?? '';
    if (!browsers.has(key)) {
      browsers.set(
        key,
        openPreviewBrowser(grafana).then((b) => {
          datasources.forEach((ds) => b.addDatasource(ds));
          return b;
        })
      );
    }
    return browsers.get(key)!;
  };
  const close = async () => {
    const opened = await Promise.allSettled([...browsers.values()]);
    for (const b of opened) {
      if (b.status === 'fulfilled') {
        await b.value.close();
      }
    }
    await scope?.close();
    await prometheus?.close();
  };
  const { nodes, pageKB, gzip, tickSeconds } = largeClusterSettings(options.nodes ?? 6);
  // The plugin run's 30 s ticks say the cluster is large.
  const large = tickSeconds !== undefined;
  try {
    if (seconds > 0) {
      // A step as long as a large cluster's scrape takes.
      const stepSeconds = large ? 3 : 1;
      log(`Prometheus: collecting ${seconds} steps of history (exporter on wall-clock time, ${stepSeconds} s scrapes)`);
      prometheus = await startPrometheusHistory({ seconds, log, nodes, pageKB, gzip, stepSeconds });
      timings.prometheusStartMs = Date.now() - started;
    }
    const opening = browserFor(options.grafana).then((b) => {
      timings.pageBuildMs = Date.now() - started;
      return b;
    });
    if (large && prometheus) {
      // Both runs share this process: a large simulated hour beside the wall-clock run would keep the exporter from
      // answering Prometheus's scrapes in time, and the run's last state would be stale. One after the other.
      log('Waiting for the Prometheus history before the simulated hour (a large cluster takes the whole process)');
      await prometheus.ready();
    }
    log('Simulated hour for the plugin dashboard (exporter on simulated time)');
    const scopeRun = runScopeHistory({ log, ...largeClusterSettings(options.nodes ?? 6), ...options.scope });
    let browser: PreviewBrowser;
    [browser, scope] = await Promise.all([opening, scopeRun]);
    timings.scopeHistoryMs = scope.runMs;
    datasources.push({
      uid: SCOPE_UID,
      routes: pluginRoutes(),
      jsonData: { url: scope.exporter.url },
      secureJsonData: { token: scope.token },
    });
    if (prometheus) {
      datasources.push(prometheusDatasource(PROMETHEUS_UID, prometheus.prometheus.url));
    }
    datasources.forEach((ds) => browser.addDatasource(ds));
  } catch (error) {
    await close();
    throw error;
  }
  const ready = { scope };

  return {
    scope,
    prometheus,
    facts: {
      scopeNodes: scope.sim.nodes,
      scopeEvents: scope.events,
      prometheusNodes: prometheus?.sim.nodes ?? null,
      prometheusUrl: prometheus?.prometheus.url ?? null,
    },
    timings,
    renderPlugin: async (json, output, grafana = options.grafana) =>
      (await browserFor(grafana)).render(
        {
          dashboard: importDashboard(json, { DS_CILIUMSCOPE: SCOPE_UID }),
          kind: 'plugin',
          datasource: { uid: SCOPE_UID, name: SCOPE_NAME, jsonData: { url: ready.scope.exporter.url } },
          range: ready.scope.range,
          rawRange: { from: 'now-1h', to: 'now' },
          gridWidth: GRID_WIDTH,
        },
        output
      ),
    renderPrometheus: async (json, output, grafana = options.grafana) => {
      if (!prometheus) {
        throw new Error('this session collects no Prometheus history (prometheusSeconds 0)');
      }
      const range = await prometheus.ready();
      return (await browserFor(grafana)).render(
        {
          dashboard: importDashboard(json, { DS_PROMETHEUS: PROMETHEUS_UID }),
          kind: 'prometheus',
          datasource: { uid: PROMETHEUS_UID, name: 'Prometheus' },
          scrapeIntervalMs: prometheus.scrapeIntervalMs,
          range,
          rawRange: { from: `now-${Math.round((range.to - range.from) / 1000)}s`, to: 'now' },
          gridWidth: GRID_WIDTH,
        },
        output
      );
    },
    close,
  };
}
