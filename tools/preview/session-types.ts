/**
 * The preview session as its users see it, in types that do not reach the exporter's or the simulator's sources
 * (the browser tests are type-checked with the plugin's compiler settings, which those sources are not written for).
 */
import type { InstalledRelease } from '../browser-host/grafanaInstall';
import type { RenderedDashboard, RenderOutput } from './render';
import type { ScopeEvents } from './summary';

export interface ScopeHistorySettings {
  nodes?: number;
  seed?: number;
  /** Simulated seconds of history (default one hour). */
  historySeconds?: number;
  /** Simulated seconds per tick, also the exporter's scrape interval (default 10). */
  tickSeconds?: number;
  /** Approximate agent page size in KiB. */
  pageKB?: number;
  /** Pods per node (the simulator's default when unset). */
  podsPerNode?: number;
  /** Whether agents answer with gzip (default true); compressing many small pages is all cost. */
  gzip?: boolean;
  /**
   * Simulated Hubble for the "Who is being dropped" row (default `relay`): Hubble metrics pages in pod context
   * scraped through discovery (--hubble-port), and with `relay` a Hubble Relay followed (--hubble-relay) for the
   * denying policies; false for none.
   */
  hubble?: 'relay' | 'metrics' | false;
}

export interface PreviewSessionOptions {
  /** Wall-clock seconds of Prometheus history (default 75); 0 skips the Prometheus dashboard. */
  prometheusSeconds?: number;
  /** Simulated nodes of both runs (default 6); from 100 on, small pages and 30 s scrapes (largeClusterSettings). */
  nodes?: number;
  scope?: ScopeHistorySettings;
  /** The Grafana release whose modules render the dashboards (default: the project's, 13.1.1). */
  grafana?: InstalledRelease;
  log?: (line: string) => void;
}

export interface PreviewSessionApi {
  /** What the runs did: the simulated clusters' nodes and the events of the simulated hour. */
  facts: {
    scopeNodes: string[];
    scopeEvents: ScopeEvents;
    prometheusNodes: string[] | null;
    prometheusUrl: string | null;
  };
  /** Milliseconds each preparation step took. */
  timings: Record<string, number>;
  /** Renders on the session's release, or on `grafana` (its page is built on first use). */
  renderPlugin(dashboard: unknown, output?: RenderOutput, grafana?: InstalledRelease): Promise<RenderedDashboard>;
  renderPrometheus(dashboard: unknown, output?: RenderOutput, grafana?: InstalledRelease): Promise<RenderedDashboard>;
  close(): Promise<void>;
}

export type OpenPreviewSession = (options?: PreviewSessionOptions) => Promise<PreviewSessionApi>;
