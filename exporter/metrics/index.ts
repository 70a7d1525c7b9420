/**
 * The exporter's Prometheus /metrics: normalised, version-independent `ciliumscope_*` series read at scrape time
 * from the cluster model, the Kubernetes join, the anomaly detector and Hubble, plus the exporter's own process metrics.
 * Names and labels are a public interface documented in the README's metrics reference (a test holds the two
 * together); change them only deliberately.
 *
 * Every series read from an agent's page (and the anomaly detector's series computed from it) carries the time of
 * that agent's scrape, as federation carries sample times: Prometheus honours exposition timestamps, so it stores
 * the samples at the times the embedded history stores them, and a rate over either is the same number. Without
 * them, Prometheus would stamp each sample with its own scrape time, which lags the exporter's cycle by a varying
 * phase: over a window of four intervals that jitter alone moves a rate by tens of per cent. What this changes:
 * Prometheus writes no staleness marker for a timestamped series, so a withdrawn node's last agent values stay
 * visible to instant queries for Prometheus's 5-minute lookback (range functions such as rate() ignore staleness
 * markers anyway), and a value repeated with the same timestamp is stored once. The scrape duration of a target is
 * stamped with its scrape's time too. The exporter's view of its targets (`ciliumscope_target_up`, `_stale`, the
 * last scrape and success times, errors), the Kubernetes join, the operator and the exporter's own series stay
 * untimestamped, so the target-down and Kubernetes alerts resolve as soon as a series goes away.
 */
import { collectDefaultMetrics } from 'prom-client';
import type { AnomalyMetricsSource } from '../anomaly/attach';
import type { RingHistory } from '../history/ring';
import type { HubbleMetricsSource } from '../hubble';
import type { KubeMetricsSource } from '../kube';
import type { ClusterModel } from '../model/cluster';
import { AGENT_FAMILIES } from './agent';
import { ANOMALY_FAMILIES } from './anomaly';
import type { Family, FamilyDeclaration } from './family';
import { HUBBLE_FAMILIES, RELAY_FAMILIES } from './hubble';
import { KUBE_FAMILIES } from './kube';
import { OPERATOR_FAMILIES } from './operator';
import { ExpositionRegistry } from './registry';
import { BACKEND_FAMILIES, type BackendRequests, BUILD_FAMILIES, CYCLE_FAMILIES } from './self';
import { TARGET_FAMILIES } from './targets';
import { type ModelView, modelView } from './view';

export { ExpositionRegistry };

export interface ExpositionOptions {
  model: ClusterModel;
  /** The embedded history, when this exporter keeps one (not with --history-backend prometheus). */
  history: RingHistory | null;
  version: string;
  anomaly: AnomalyMetricsSource;
  /** The Kubernetes side, when configured. */
  kube: KubeMetricsSource | null;
  /** Hubble metrics and Hubble Relay (drops by workload), when configured. */
  hubble: HubbleMetricsSource | null;
  /** The Prometheus history backend's client, with --history-backend prometheus. */
  prometheus: BackendRequests | null;
  /** Write the agent series' scrape times (--metrics-timestamps, default true). */
  timestamps?: boolean;
}

interface Sources extends ExpositionOptions {
  view: ModelView;
}

/** A group of families and the source they read; registered only where that source exists. */
interface Group {
  families: readonly FamilyDeclaration[];
  register(registry: ExpositionRegistry, sources: Sources): void;
}

function group<S>(families: ReadonlyArray<Family<S>>, source: (s: Sources) => S | null): Group {
  return {
    families,
    register: (registry, sources) => {
      const s = source(sources);
      if (s !== null) {
        registry.addFamilies(families, s);
      }
    },
  };
}

/** Every group, in the order /metrics writes them. */
const GROUPS: Group[] = [
  group(BUILD_FAMILIES, (s) => s.view),
  group(TARGET_FAMILIES, (s) => s.view),
  group(CYCLE_FAMILIES, (s) => s.view),
  group(AGENT_FAMILIES, (s) => s.view),
  group(OPERATOR_FAMILIES, (s) => s.view),
  group(ANOMALY_FAMILIES, (s) => s.anomaly),
  group(KUBE_FAMILIES, (s) => s.kube),
  group(HUBBLE_FAMILIES, (s) => s.hubble),
  group(RELAY_FAMILIES, (s) => s.hubble?.relay ?? null),
  group(BACKEND_FAMILIES, (s) => s.prometheus),
];

/** Every `ciliumscope_*` family the exporter can write (the README's metrics reference lists exactly these). */
export const FAMILIES: readonly FamilyDeclaration[] = GROUPS.flatMap((g) => g.families);

export function createRegistry(options: ExpositionOptions): ExpositionRegistry {
  const registry = new ExpositionRegistry(options.timestamps ?? true);
  collectDefaultMetrics({ register: registry });
  const sources: Sources = { ...options, view: modelView(registry, options.model, options.history, options.version) };
  for (const g of GROUPS) {
    g.register(registry, sources);
  }
  return registry;
}
