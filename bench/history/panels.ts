/**
 * The requests a dashboard load sends, read from the shipped dashboards rather than listed by hand, with every
 * variable at All (the plugin sends no filter for All; PromQL gets `.*`):
 * - plugin panels: dashboards/cilium-scope.json, one POST /api/v1/query body per panel;
 * - PromQL panels: dashboards/cilium-scope-prometheus.json, the same panels as Prometheus queries, each target one
 *   /api/v1/query_range (or /api/v1/query for instant tables) request as Grafana's Prometheus datasource sends it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

type Json = Record<string, any>;

export interface PluginPanel {
  id: number;
  title: string;
  /** The panel's queries without refId; `node` narrowed for per-node panels when asked. */
  queries: Json[];
}

export interface PromqlPanel {
  id: number;
  title: string;
  queries: Array<{ expr: string; instant: boolean }>;
}

function panelsOf(file: string): Json[] {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'dashboards', file), 'utf8')) as Json;
  const out: Json[] = [];
  const walk = (panels: Json[]) => {
    for (const p of panels) {
      out.push(p);
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return out.filter((p) => Array.isArray(p.targets) && p.targets.length > 0);
}

const VARIABLE = /^\$\{?\w+\}?$/;

/**
 * The plugin panels. `nodes`, when given, replaces the All node filter of panels grouped by node (one series per
 * node: over 1,000 nodes megabytes of JSON that no panel draws usefully), as a user narrowing the node variable.
 */
export function pluginPanels(nodes?: string[]): PluginPanel[] {
  return panelsOf('cilium-scope.json').map((p) => ({
    id: p.id,
    title: p.title,
    queries: p.targets.map((t: Json) => {
      const query: Json = {};
      for (const [k, v] of Object.entries(t)) {
        if (k !== 'refId' && k !== 'datasource' && !(typeof v === 'string' && VARIABLE.test(v))) {
          query[k] = v;
        }
      }
      if (nodes && query.groupBy === 'node') {
        query.node = nodes;
      }
      return query;
    }),
  }));
}

/** Grafana's interval for a range: range / maxDataPoints rounded to a round duration, at least the scrape interval. */
export function grafanaIntervalSeconds(rangeSeconds: number, scrapeSeconds: number, maxDataPoints = 1200): number {
  const nice = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
  const raw = rangeSeconds / maxDataPoints;
  const rounded = nice.find((n) => n >= raw) ?? 86_400;
  return Math.max(rounded, scrapeSeconds);
}

/** The PromQL panels, with Grafana's variables expanded for a range, its step and the scrape interval. */
export function promqlPanels(rangeSeconds: number, stepSeconds: number, scrapeSeconds: number): PromqlPanel[] {
  // $__rate_interval: max(interval + scrape interval, 4 × scrape interval).
  const rateInterval = Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds);
  const expand = (expr: string) =>
    expr
      .replace(/\$__rate_interval/g, `${rateInterval}s`)
      .replace(/\$__range/g, `${rangeSeconds}s`)
      .replace(/\$__interval/g, `${stepSeconds}s`)
      .replace(/\$\{?(node|direction|reason)\}?/g, '.*');
  return panelsOf('cilium-scope-prometheus.json').map((p) => ({
    id: p.id,
    title: p.title,
    queries: p.targets
      .filter((t: Json) => typeof t.expr === 'string' && t.hide !== true)
      .map((t: Json) => ({ expr: expand(t.expr), instant: t.instant === true && t.range !== true })),
  }));
}
