/**
 * The exporter's view of its scrape targets (agents, operator, and the agents' Hubble metrics). Untimestamped, so
 * the target-down alerts resolve as soon as a series goes away; only the scrape duration, a measurement of one
 * scrape, carries that scrape's time.
 */
import { type SampleFamily, familiesOf } from './family';
import type { ModelView, TargetView } from './view';

const family = familiesOf<ModelView>();
const labels = (t: TargetView) => ({ node: t.node, component: t.component });

/**
 * The label names and fill of a family with one value per target that has one (null: none), at the time `at` gives
 * (untimestamped without it).
 */
function perTarget(
  value: (t: TargetView) => number | null,
  at?: (t: TargetView) => number | null
): Pick<SampleFamily<ModelView, 'node' | 'component'>, 'labelNames' | 'fill'> {
  return {
    labelNames: ['node', 'component'],
    fill: (m, emit) => {
      for (const t of m.targets()) {
        const v = value(t);
        if (v !== null) {
          emit(labels(t), v, at?.(t));
        }
      }
    },
  };
}

/** Unix seconds of a time in ms, null for never. */
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export const TARGET_FAMILIES = [
  family({
    name: 'ciliumscope_target_up',
    type: 'gauge',
    help: "1 when the last scrape of the target succeeded, 0 otherwise. component is agent, operator or hubble (the agent's Hubble metrics); node is empty for an operator on an unknown node.",
    ...perTarget((t) => (t.state.lastScrape === null ? null : t.state.up ? 1 : 0)),
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
    ...perTarget(
      (t) => seconds(t.state.durationMs),
      (t) => t.state.lastScrape
    ),
  }),
  family({
    name: 'ciliumscope_target_last_scrape_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last scrape of the target, successful or not.',
    ...perTarget((t) => seconds(t.state.lastScrape)),
  }),
  family({
    name: 'ciliumscope_target_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful scrape of the target.',
    ...perTarget((t) => seconds(t.state.lastSuccess)),
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
    ...perTarget((t) => t.state.bytes),
  }),
];
