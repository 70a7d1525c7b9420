/**
 * The exporter's view of its scrape targets (agents, operator, and the agents' Hubble metrics). Untimestamped, so the target-down alerts resolve
 * as soon as a series goes away; only the scrape duration, a measurement of one scrape, carries that scrape's time.
 */
import { familiesOf } from './family';
import type { ModelView, TargetView } from './view';

const family = familiesOf<ModelView>();
const labels = (t: TargetView) => ({ node: t.node, component: t.component });

export const TARGET_FAMILIES = [
  family({
    name: 'ciliumscope_target_up',
    type: 'gauge',
    help: "1 when the last scrape of the target succeeded, 0 otherwise. component is agent, operator or hubble (the agent's Hubble metrics); node is empty for an operator on an unknown node.",
    labelNames: ['node', 'component'],
    fill: (m, emit) => m.targets().forEach((t) => t.state.lastScrape !== null && emit(labels(t), t.state.up ? 1 : 0)),
  }),
  family({
    name: 'ciliumscope_target_stale',
    type: 'gauge',
    help: '1 when the target has not been scraped successfully for longer than --stale-after; its values are then withdrawn.',
    labelNames: ['node', 'component'],
    fill: (m, emit) => {
      const now = m.model.now();
      const staleAfterMs = m.model.options.staleAfterMs;
      m.targets().forEach((t) => emit(labels(t), t.sampleAt === null || now - t.sampleAt > staleAfterMs ? 1 : 0));
    },
  }),
  family({
    name: 'ciliumscope_target_scrape_duration_seconds',
    type: 'gauge',
    help: 'Duration of the last scrape of the target (at the time that scrape began).',
    labelNames: ['node', 'component'],
    fill: (m, emit) =>
      m.targets().forEach((t) => {
        if (t.state.durationMs !== null) {
          emit(labels(t), t.state.durationMs / 1000, t.state.lastScrape);
        }
      }),
  }),
  family({
    name: 'ciliumscope_target_last_scrape_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last scrape of the target, successful or not.',
    labelNames: ['node', 'component'],
    fill: (m, emit) =>
      m.targets().forEach((t) => t.state.lastScrape !== null && emit(labels(t), t.state.lastScrape / 1000)),
  }),
  family({
    name: 'ciliumscope_target_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful scrape of the target.',
    labelNames: ['node', 'component'],
    fill: (m, emit) =>
      m.targets().forEach((t) => t.state.lastSuccess !== null && emit(labels(t), t.state.lastSuccess / 1000)),
  }),
  family({
    name: 'ciliumscope_target_scrape_errors_total',
    type: 'counter',
    help: 'Failed scrapes of the target by kind: timeout, connect, tls, http, too-large, decode, parse, other.',
    labelNames: ['node', 'component', 'kind'],
    fill: (m, emit) =>
      m.targets().forEach((t) => {
        for (const [kind, count] of Object.entries(t.state.failures)) {
          emit({ ...labels(t), kind }, count ?? 0);
        }
      }),
  }),
  family({
    name: 'ciliumscope_target_response_bytes',
    type: 'gauge',
    help: 'Decoded size of the last metrics page of the target.',
    labelNames: ['node', 'component'],
    fill: (m, emit) => m.targets().forEach((t) => t.state.bytes !== null && emit(labels(t), t.state.bytes)),
  }),
];
