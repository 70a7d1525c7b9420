/**
 * What the preview page is asked to show and what it answers: plain JSON between Node and the browser, shared by
 * the page, the tool and the tests.
 */
import type { DashboardJson } from './dashboard';

export interface ShowOptions {
  dashboard: DashboardJson;
  kind: 'plugin' | 'prometheus';
  datasource: { uid: string; name: string; jsonData?: Record<string, unknown> };
  /** Prometheus: the scrape interval Grafana's datasource is configured with. */
  scrapeIntervalMs?: number;
  range: { from: number; to: number };
  rawRange: { from: string; to: string };
  /** Width of the panel grid in pixels. */
  gridWidth: number;
}

export interface FieldSummary {
  name: string;
  displayName: string;
  type: string;
  /** Values that are not null, undefined, NaN or infinite: what a plot can draw. */
  values: number;
  nonZero: number;
  hiddenFromViz: boolean;
}

export interface PanelSummary {
  id: number;
  title: string;
  type: string;
  row: string;
  errors: string[];
  executed: string[];
  intervalMs: number;
  rawFrameCount: number;
  frames: Array<{ name?: string; length: number; fields: FieldSummary[] }>;
  /** Whether the visualisation has something to draw (what decides Grafana's "No data"). */
  hasData: boolean;
  /** A time series whose every drawn value is 0. */
  onlyZeros: boolean;
  /** Override matchers (byName, byRegexp) that match no field of the panel's data. */
  unmatchedOverrides: string[];
  unknownTransformations: string[];
  unknownOverrideProperties: string[];
  /** The panel's datasource after variable interpolation, when it is not the dashboard's. */
  datasourceProblem: string | null;
  renderError: string | null;
  /** What the page shows: "No data" (or the panel's noValue text) in place of a visualisation. */
  showsNoData: boolean;
}

export interface ShowResult {
  variables: Array<{ name: string; options: string[]; current: string[] }>;
  annotations: Array<{ name: string; events: number; error?: string }>;
  panels: PanelSummary[];
  /** Each row's extent in page coordinates (CSS pixels), header to the bottom of its lowest panel. */
  rows: Array<{ slug: string; title: string; top: number; bottom: number }>;
  /** The whole dashboard (header, variables and grid) in page coordinates. */
  box: { left: number; top: number; width: number; height: number };
}

/** What happened during the run, for the checks and the report. */
export interface ScopeEvents {
  unmanagedPods: string[];
  spike: { node: string; direction: string; reason: string; factor: number; fromMs: number };
  importFailures: { node: string; atMs: number[] };
  restart: { node: string; atMs: number };
  down: { node: string; fromMs: number };
}
