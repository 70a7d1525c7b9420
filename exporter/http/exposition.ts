/**
 * The exporter's Prometheus /metrics: normalised, version-independent `ciliumscope_*` series read from the
 * cluster model at scrape time (each family's collect() refills it from the model, like kube-state-metrics'
 * stores), plus the exporter's own process metrics. Names and labels here are a public interface documented in
 * the README's metrics reference; change them only deliberately.
 *
 * A node's values are exposed while its data is fresh and withdrawn once stale, so Prometheus never alerts on
 * frozen numbers; `ciliumscope_target_up` and `ciliumscope_target_stale` say why a node went quiet.
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
import type { ClusterModel, NodeState, TargetState } from '../model/cluster';
import type { RingHistory } from '../history/ring';
import { escapeHelp, escapeLabelValue, formatValue } from './exposition-text';
import { type Emit, ExpositionRegistry, type FamilySpec, type LabelValues, defineFamily, oncePerScrape } from './exposition-registry';

export interface ExpositionOptions {
  model: ClusterModel;
  /** The embedded history, when this exporter keeps one (not with --history-backend prometheus). */
  history: RingHistory | null;
  version: string;
  /** Extra families from other modules (Kubernetes join, anomaly detector). */
  extraFamilies?: FamilySpec[];
  /** Write the agent series' scrape times (--metrics-timestamps, default true). */
  timestamps?: boolean;
}

export type { FamilySpec, Emit };
export { ExpositionRegistry };

export function createRegistry(options: ExpositionOptions): ExpositionRegistry {
  const { model, history } = options;
  const registry = new ExpositionRegistry(options.timestamps ?? true);
  collectDefaultMetrics({ register: registry });

  /** Fresh nodes with a sample: the ones whose values are exposed. */
  const freshNodes = oncePerScrape(registry, (): Array<NodeState & { sample: NonNullable<NodeState['sample']> }> => {
    const now = model.now();
    return model.nodes().filter((n) => n.sample !== null && !model.isStale(n, now)) as Array<
      NodeState & { sample: NonNullable<NodeState['sample']> }
    >;
  });
  const targets = oncePerScrape(registry, (): Array<{ node: string; component: string; state: TargetState; sampleAt: number | null }> => {
    const list = model.nodes().map((n) => ({ node: n.name, component: 'agent', state: n.agent, sampleAt: n.sampleAt }));
    const op = model.operator();
    if (op) {
      list.push({ node: op.target.target.node, component: 'operator', state: op.target, sampleAt: op.sampleAt });
    }
    for (const h of model.hubbleTargets()) {
      list.push({ node: h.target.node, component: 'hubble', state: h, sampleAt: h.lastSuccess });
    }
    return list;
  });
  const perNode = (name: string, help: string, type: 'gauge' | 'counter', pick: (n: NodeState['sample'] & object) => number | null) =>
    defineFamily(registry, {
      name,
      help,
      type,
      labelNames: ['node'],
      unique: true,
      fill: (emit) => {
        for (const n of freshNodes()) {
          const v = pick(n.sample);
          if (v !== null) {
            emit({ node: n.name }, v, n.sampleAt);
          }
        }
      },
    });
  const perNodeRecord = (
    name: string,
    help: string,
    label: string,
    pick: (n: NodeState['sample'] & object) => Record<string, number>,
    type: 'gauge' | 'counter' = 'gauge'
  ) =>
    defineFamily(registry, {
      name,
      help,
      type,
      labelNames: ['node', label],
      unique: true,
      fill: (emit) => {
        for (const n of freshNodes()) {
          for (const [key, v] of Object.entries(pick(n.sample))) {
            emit({ node: n.name, [label]: key }, v, n.sampleAt);
          }
        }
      },
    });

  defineFamily(registry, {
    name: 'ciliumscope_build_info',
    help: 'Cilium Scope exporter build information (always 1).',
    type: 'gauge',
    labelNames: ['version'],
    fill: (emit) => emit({ version: options.version }, 1),
  });

  // Targets
  defineFamily(registry, {
    name: 'ciliumscope_target_up',
    help: '1 when the last scrape of the target succeeded, 0 otherwise. component is agent, operator or hubble (the agent\'s Hubble metrics); node is empty for an operator on an unknown node.',
    type: 'gauge',
    labelNames: ['node', 'component'],
    fill: (emit) => targets().forEach((t) => t.state.lastScrape !== null && emit({ node: t.node, component: t.component }, t.state.up ? 1 : 0)),
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_stale',
    help: '1 when the target has not been scraped successfully for longer than --stale-after; its values are then withdrawn.',
    type: 'gauge',
    labelNames: ['node', 'component'],
    fill: (emit) => {
      const now = model.now();
      targets().forEach((t) =>
        emit({ node: t.node, component: t.component }, t.sampleAt === null || now - t.sampleAt > model.options.staleAfterMs ? 1 : 0)
      );
    },
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_scrape_duration_seconds',
    help: 'Duration of the last scrape of the target (at the time that scrape began).',
    type: 'gauge',
    labelNames: ['node', 'component'],
    // A measurement of one scrape: stamped with its time, like the agent's own series.
    fill: (emit) =>
      targets().forEach((t) => t.state.durationMs !== null && emit({ node: t.node, component: t.component }, t.state.durationMs / 1000, t.state.lastScrape)),
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_last_scrape_timestamp_seconds',
    help: 'Unix time of the last scrape of the target, successful or not.',
    type: 'gauge',
    labelNames: ['node', 'component'],
    fill: (emit) => targets().forEach((t) => t.state.lastScrape !== null && emit({ node: t.node, component: t.component }, t.state.lastScrape / 1000)),
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_last_success_timestamp_seconds',
    help: 'Unix time of the last successful scrape of the target.',
    type: 'gauge',
    labelNames: ['node', 'component'],
    fill: (emit) => targets().forEach((t) => t.state.lastSuccess !== null && emit({ node: t.node, component: t.component }, t.state.lastSuccess / 1000)),
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_scrape_errors_total',
    help: 'Failed scrapes of the target by kind: timeout, connect, tls, http, too-large, decode, parse, other.',
    type: 'counter',
    labelNames: ['node', 'component', 'kind'],
    fill: (emit) =>
      targets().forEach((t) => {
        for (const [kind, count] of Object.entries(t.state.failures)) {
          emit({ node: t.node, component: t.component, kind }, count ?? 0);
        }
      }),
  });
  defineFamily(registry, {
    name: 'ciliumscope_target_response_bytes',
    help: 'Decoded size of the last metrics page of the target.',
    type: 'gauge',
    labelNames: ['node', 'component'],
    fill: (emit) => targets().forEach((t) => t.state.bytes !== null && emit({ node: t.node, component: t.component }, t.state.bytes)),
  });

  // Scrape cycles and history
  defineFamily(registry, {
    name: 'ciliumscope_scrape_cycle_duration_seconds',
    help: 'Wall time of the last scrape cycle over all targets.',
    type: 'gauge',
    labelNames: [],
    fill: (emit) => {
      const c = model.lastCycle();
      if (c) {
        emit({}, c.durationMs / 1000);
      }
    },
  });
  defineFamily(registry, {
    name: 'ciliumscope_scrape_cycles_total',
    help: 'Scrape cycles completed.',
    type: 'counter',
    labelNames: [],
    fill: (emit) => emit({}, model.cycleCount()),
  });
  defineFamily(registry, {
    name: 'ciliumscope_scrape_cycle_overruns_total',
    help: 'Scrape cycles that took longer than the scrape interval (the next cycle started late).',
    type: 'counter',
    labelNames: [],
    fill: (emit) => emit({}, model.lastCycle()?.overruns ?? 0),
  });
  defineFamily(registry, {
    name: 'ciliumscope_history_series',
    help: 'Series held by the embedded history.',
    type: 'gauge',
    labelNames: [],
    fill: (emit) => history && emit({}, history.stats().series),
  });
  defineFamily(registry, {
    name: 'ciliumscope_history_bytes',
    help: 'Memory held by the embedded history.',
    type: 'gauge',
    labelNames: [],
    fill: (emit) => history && emit({}, history.stats().bytes),
  });
  defineFamily(registry, {
    name: 'ciliumscope_history_retention_seconds',
    help: 'Time span the embedded history can hold at the current number of series (shrinks to fit --history-max-bytes).',
    type: 'gauge',
    labelNames: [],
    fill: (emit) => history && emit({}, history.stats().retentionMs / 1000),
  });
  defineFamily(registry, {
    name: 'ciliumscope_history_dropped_series_total',
    help: 'Series the embedded history refused because --history-max-bytes was reached at the minimum retention.',
    type: 'counter',
    labelNames: [],
    fill: (emit) => history && emit({}, history.stats().droppedSeries),
  });

  // Agents
  defineFamily(registry, {
    name: 'ciliumscope_agent_info',
    help: 'Cilium agent version per node (always 1).',
    type: 'gauge',
    labelNames: ['node', 'version'],
    fill: (emit) => freshNodes().forEach((n) => emit({ node: n.name, version: n.sample.ciliumVersion ?? 'unknown' }, 1, n.sampleAt)),
  });
  defineFamily(registry, {
    name: 'ciliumscope_agent_restarts_total',
    help: 'Agent restarts the exporter detected (process start time changed or counters went down) since it started.',
    type: 'counter',
    labelNames: ['node'],
    fill: (emit) => model.nodes().forEach((n) => emit({ node: n.name }, n.restarts, n.sampleAt)),
  });
  perNodeRecord('ciliumscope_endpoints', 'Endpoints per node and state, as the agent names states (ready, regenerating, ...). Host and health endpoints included.', 'state', (s) => s.endpointStates);
  perNode('ciliumscope_endpoints_total', 'All endpoints the agent manages, host and health endpoints included (cilium_endpoint).', 'gauge', (s) => s.endpoints);
  defineFamily(registry, {
    name: 'ciliumscope_pod_endpoints',
    help: 'Endpoints that are pods: the agent\'s endpoints minus its host and health endpoints (--non-pod-endpoints).',
    type: 'gauge',
    labelNames: ['node'],
    fill: (emit) =>
      freshNodes().forEach((n) => {
        const v = model.podEndpoints(n);
        if (v !== null) {
          emit({ node: n.name }, v, n.sampleAt);
        }
      }),
  });
  perNodeRecord('ciliumscope_endpoint_regenerations_total', 'Endpoint regenerations completed, by outcome (success, failure); the agent\'s cumulative counter.', 'outcome', (s) => s.regenerations, 'counter');
  const traffic = (name: string, help: string, pick: (s: NodeState['sample'] & object) => Array<{ direction: string; reason?: string; value: number | null }>, withReason: boolean) =>
    defineFamily(registry, {
      name,
      help,
      type: 'counter',
      labelNames: withReason ? ['node', 'direction', 'reason'] : ['node', 'direction'],
      unique: true,
      fill: (emit) => {
        for (const n of freshNodes()) {
          for (const t of pick(n.sample)) {
            if (t.value !== null) {
              const labels: LabelValues = withReason ? { node: n.name, direction: t.direction, reason: t.reason ?? '' } : { node: n.name, direction: t.direction };
              emit(labels, t.value, n.sampleAt);
            }
          }
        }
      },
    });
  traffic('ciliumscope_forwarded_packets_total', 'Packets forwarded by the agent\'s datapath, by direction (INGRESS, EGRESS); the agent\'s cumulative counter.', (s) => s.forwarded.map((f) => ({ direction: f.direction, value: f.packets })), false);
  traffic('ciliumscope_forwarded_bytes_total', 'Bytes forwarded by the agent\'s datapath, by direction; the agent\'s cumulative counter.', (s) => s.forwarded.map((f) => ({ direction: f.direction, value: f.bytes })), false);
  traffic('ciliumscope_dropped_packets_total', 'Packets dropped by the agent\'s datapath, by direction and reason (the agent\'s reason string, e.g. "Policy denied"); cumulative.', (s) => s.dropped.map((d) => ({ direction: d.direction, reason: d.reason, value: d.packets })), true);
  traffic('ciliumscope_dropped_bytes_total', 'Bytes dropped by the agent\'s datapath, by direction and reason; cumulative.', (s) => s.dropped.map((d) => ({ direction: d.direction, reason: d.reason, value: d.bytes })), true);
  perNode('ciliumscope_policies', 'Network policies loaded in the agent (cilium_policy).', 'gauge', (s) => s.policies);
  perNode('ciliumscope_policy_max_revision', 'Highest policy revision in the agent; differences between nodes show policy propagation lag.', 'gauge', (s) => s.policyMaxRevision);
  perNode('ciliumscope_policy_import_errors_total', 'Failed policy imports: cilium_policy_import_errors_total on old agents, cilium_policy_change_total{outcome="failure"} on 1.14+; cumulative.', 'counter', (s) => s.policyImportErrors);
  perNodeRecord('ciliumscope_policy_enforcement_endpoints', 'Endpoints per policy enforcement mode (none, ingress, egress, both, audit-*).', 'enforcement', (s) => s.enforcement);
  perNode('ciliumscope_identities', 'Security identities allocated, summed over type.', 'gauge', (s) => s.identities);
  perNode('ciliumscope_unreachable_nodes', 'Nodes this agent cannot reach (cilium-health).', 'gauge', (s) => s.unreachableNodes);
  perNode('ciliumscope_unreachable_health_endpoints', 'Health endpoints this agent cannot reach.', 'gauge', (s) => s.unreachableHealthEndpoints);
  perNode('ciliumscope_controllers_failing', 'Agent controllers currently failing.', 'gauge', (s) => s.controllersFailing);
  perNodeRecord('ciliumscope_bpf_map_pressure', 'Fill ratio (0..1) of BPF maps the agent reports (only maps above Cilium\'s reporting threshold).', 'map_name', (s) => s.bpfMapPressure);
  perNodeRecord('ciliumscope_ip_addresses', 'IP addresses allocated on the node by family.', 'family', (s) => s.ipAddresses);
  registry.addWriter('ciliumscope_endpoint_regeneration_seconds', () => regenerationHistogram(freshNodes(), registry.timestamps));

  // Operator
  const operatorSample = () => {
    const op = model.operator();
    if (!op?.sample || op.sampleAt === null || model.now() - op.sampleAt > model.options.staleAfterMs) {
      return null;
    }
    return op.sample;
  };
  defineFamily(registry, {
    name: 'ciliumscope_operator_unmanaged_pods',
    help: 'The operator\'s own unmanaged-pods gauge (Cilium 1.17+; counts only pods matching its --pod-restart-selector, kube-dns by default). See ciliumscope_unmanaged_pods for the full per-node count.',
    type: 'gauge',
    labelNames: [],
    fill: (emit) => {
      const v = operatorSample()?.unmanagedPods;
      if (v !== null && v !== undefined) {
        emit({}, v);
      }
    },
  });
  const operatorRecord = (name: string, help: string, label: string, pick: (s: NonNullable<ReturnType<typeof operatorSample>>) => Record<string, number>) =>
    defineFamily(registry, {
      name,
      help,
      type: 'gauge',
      labelNames: [label],
      fill: (emit) => {
        const s = operatorSample();
        if (s) {
          for (const [k, v] of Object.entries(pick(s))) {
            emit({ [label]: k }, v);
          }
        }
      },
    });
  operatorRecord('ciliumscope_operator_ipam_ips', 'IPs in the operator\'s IPAM by type (available, used, needed).', 'type', (s) => s.ipamIps);
  operatorRecord('ciliumscope_operator_ipam_nodes', 'Nodes by IPAM category (total, in-deficit, at-capacity).', 'category', (s) => s.ipamNodes);
  operatorRecord('ciliumscope_operator_identity_gc_entries', 'Identities alive and deleted at the end of the operator\'s last identity GC run.', 'status', (s) => s.identityGcEntries);
  operatorRecord('ciliumscope_operator_identity_gc_runs', 'Identity GC runs of the operator by outcome.', 'outcome', (s) => s.identityGcRuns);

  for (const family of options.extraFamilies ?? []) {
    defineFamily(registry, family);
  }
  return registry;
}

/**
 * ciliumscope_endpoint_regeneration_seconds{node}: the agent's total regeneration-time histogram passed through
 * with its own buckets (prom-client's Histogram can only observe, not carry another histogram's cumulative counts).
 */
function regenerationHistogram(nodes: Array<NodeState & { sample: NonNullable<NodeState['sample']> }>, timestamps: boolean): string {
  const name = 'ciliumscope_endpoint_regeneration_seconds';
  const help = 'Total endpoint regeneration time (cilium_endpoint_regeneration_time_stats_seconds, scope total), the agent\'s buckets.';
  let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} histogram\n`;
  for (const n of nodes) {
    const h = n.sample.regenerationTime;
    if (!h) {
      continue;
    }
    const node = escapeLabelValue(n.name);
    const at = n.sampleAt === null || !timestamps ? '' : ` ${Math.round(n.sampleAt)}`;
    h.upperBounds.forEach((le, i) => {
      out += `${name}_bucket{node="${node}",le="${formatValue(le)}"} ${formatValue(h.cumulativeCounts[i])}${at}\n`;
    });
    out += `${name}_sum{node="${node}"} ${formatValue(h.sum)}${at}\n${name}_count{node="${node}"} ${formatValue(h.count)}${at}\n`;
  }
  return out;
}
