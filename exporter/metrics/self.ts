/**
 * The exporter's own state: its build, its scrape cycles, the embedded history and the requests to a Prometheus
 * history backend. Untimestamped. The process metrics (`process_*`, `nodejs_*`) come from prom-client.
 */
import type { PrometheusClient } from '../history/prometheus/client';
import { familiesOf } from './family';
import type { ModelView } from './view';

const family = familiesOf<ModelView>();

export const BUILD_FAMILIES = [
  family({
    name: 'ciliumscope_build_info',
    type: 'gauge',
    help: 'Cilium Scope exporter build information (always 1).',
    labelNames: ['version'],
    fill: (m, emit) => emit({ version: m.version }, 1),
  }),
];

export const CYCLE_FAMILIES = [
  family({
    name: 'ciliumscope_scrape_cycle_duration_seconds',
    type: 'gauge',
    help: 'Wall time of the last scrape cycle over all targets.',
    labelNames: [],
    fill: (m, emit) => {
      const c = m.model.lastCycle();
      if (c) {
        emit({}, c.durationMs / 1000);
      }
    },
  }),
  family({
    name: 'ciliumscope_scrape_cycles_total',
    type: 'counter',
    help: 'Scrape cycles completed.',
    labelNames: [],
    fill: (m, emit) => emit({}, m.model.cycleCount()),
  }),
  family({
    name: 'ciliumscope_scrape_cycle_overruns_total',
    type: 'counter',
    help: 'Scrape cycles that took longer than the scrape interval (the next cycle started late).',
    labelNames: [],
    fill: (m, emit) => emit({}, m.model.lastCycle()?.overruns ?? 0),
  }),
  family({
    name: 'ciliumscope_history_series',
    type: 'gauge',
    help: 'Series held by the embedded history.',
    labelNames: [],
    fill: (m, emit) => m.history && emit({}, m.history.stats().series),
  }),
  family({
    name: 'ciliumscope_history_bytes',
    type: 'gauge',
    help: 'Memory held by the embedded history.',
    labelNames: [],
    fill: (m, emit) => m.history && emit({}, m.history.stats().bytes),
  }),
  family({
    name: 'ciliumscope_history_retention_seconds',
    type: 'gauge',
    help: 'Time span the embedded history can hold at the current number of series (shrinks to fit --history-max-bytes).',
    labelNames: [],
    fill: (m, emit) => m.history && emit({}, m.history.stats().retentionMs / 1000),
  }),
  family({
    name: 'ciliumscope_history_dropped_series_total',
    type: 'counter',
    help: 'Series the embedded history refused because --history-max-bytes was reached at the minimum retention.',
    labelNames: [],
    fill: (m, emit) => m.history && emit({}, m.history.stats().droppedSeries),
  }),
];

/** The Prometheus history backend's request counts (--history-backend prometheus). */
export type BackendRequests = Pick<PrometheusClient, 'requestStats'>;

const backendFamily = familiesOf<BackendRequests>();

export const BACKEND_FAMILIES = [
  backendFamily({
    name: 'ciliumscope_history_requests_total',
    type: 'counter',
    help: 'Requests to the Prometheus history backend (--prometheus-url) by outcome: success or error.',
    labelNames: ['outcome'],
    fill: (client, emit) =>
      Object.entries(client.requestStats().outcomes).forEach(([outcome, n]) => emit({ outcome }, n)),
  }),
  backendFamily({
    name: 'ciliumscope_history_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful request to the Prometheus history backend.',
    labelNames: [],
    fill: (client, emit) => {
      const at = client.requestStats().lastSuccessAt;
      if (at !== null) {
        emit({}, at / 1000);
      }
    },
  }),
];
