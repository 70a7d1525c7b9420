/**
 * The exporter's Kubernetes side, wired: watchers for pods and CiliumEndpoints feeding the join, optional watchers
 * for the agent and operator pods feeding discovery, and what the rest of the exporter consumes: a target source,
 * the API's KubeQueries, what the /metrics families read, a history contributor and a readiness check.
 *
 * Readiness: not ready until pods and CiliumEndpoints (or the CRD's absence) and, with discovery, the agent and
 * operator pods have been listed once; ready from then on, even while the API server is away, because the exporter
 * keeps serving the last known data marked stale (`stale` in the API, per-node gauges withdrawn from /metrics,
 * `ciliumscope_kube_last_sync_age_seconds` growing) and recovers by itself.
 */
import type { UnmanagedPodsResponse, UnmanagedSource } from '../../src/contract';
import type { KubeQueries } from '../http/query/context';
import type { PodOwnerLookup } from '../hubble/workload';
import type { Logger } from '../log';
import type { ClusterModel } from '../model/cluster';
import { SERIES, type SeriesContributor } from '../model/series';
import { shardOf } from '../scrape/shard';
import { CombinedTargetSource, type ScrapeTarget, type TargetSource } from '../scrape/targets';
import { loadKubeConfig, serverOf } from './connection';
import { DiscoveredTargetSource, type PodScrapeSettings } from './discovery';
import { ResourceWatcher, type WatcherStatus } from './informer';
import { PodJoin } from './join';
import { CEP_PATH, ciliumEndpointLister, podLister, podsPath } from './listers';
import { type SlimCiliumEndpoint, type SlimPod, slimCiliumEndpoint, slimPod } from './objects';
import { type AgentDirectory, type JoinView, type NodeNumbers, nodeNumbers, unmanagedPodsAnswer } from './report';
import type { KubeSettings } from './settings';

export type { KubeSettings } from './settings';

export interface KubeDeps {
  model: ClusterModel;
  /** Static targets (or a test's source); discovered targets are added to them. */
  baseSource: TargetSource;
  shard: { index: number; count: number } | null;
  /** Kubernetes data older than this is marked stale (the exporter's --stale-after). */
  staleAfterMs: number;
  log: Logger;
  /** Wall clock for sync ages. */
  now?: () => number;
  /**
   * A query replica's directory of agents (from Prometheus) instead of the exporter's own targets; its per-node
   * numbers are then not written to /metrics or the history, since the shards already write them.
   */
  agents?: AgentDirectory;
  /** The agents' Hubble metrics port and URL template (--hubble-port), or null to discover none. */
  hubble?: PodScrapeSettings | null;
}

/** What the Kubernetes families of /metrics read (exporter/metrics/kube.ts). */
export interface KubeMetricsSource {
  /** Per-node numbers, or null while Kubernetes data is missing or stale. */
  freshNumbers(): NodeNumbers[] | null;
  watchers(): WatcherStatus[];
  source(): UnmanagedSource;
  /** Targets found by discovery; null when discovery is off. */
  discovered(): ScrapeTarget[] | null;
  /** Whether discovery also looks for the agents' Hubble metrics (--hubble-port). */
  hubbleDiscovery: boolean;
}

export interface KubeRuntime {
  /** The targets to scrape: the base source plus discovered pods when discovery is on. */
  targetSource: TargetSource;
  queries: KubeQueries;
  metrics: KubeMetricsSource;
  contributor: SeriesContributor;
  /** Pod owners and namespaces from the join, for naming the workloads of Hubble's pods. */
  podOwners: PodOwnerLookup;
  notReadyReason(): string | null;
  /** Resolves when every watcher has synced (or timeoutMs passed); never rejects. */
  whenSynced(timeoutMs: number): Promise<void>;
  watchers(): WatcherStatus[];
  close(): Promise<void>;
}

export function startKubernetes(settings: KubeSettings, deps: KubeDeps): KubeRuntime {
  const kc = loadKubeConfig(settings.connection);
  const log = deps.log.child({ component: 'kubernetes' });
  const now = deps.now ?? Date.now;
  const common = { kubeConfig: kc, timing: settings.timing, log, now };
  const join = new PodJoin();

  const pods = new ResourceWatcher<SlimPod>({
    ...common,
    resource: 'pods',
    path: podsPath(),
    list: podLister(kc),
    slim: slimPod,
    handlers: { upsert: (p) => join.upsertPod(p), remove: (p) => join.deletePod(p) },
  });
  const endpoints = new ResourceWatcher<SlimCiliumEndpoint>({
    ...common,
    resource: 'ciliumendpoints',
    path: CEP_PATH,
    list: ciliumEndpointLister(kc),
    slim: slimCiliumEndpoint,
    absentOnNotFound: true,
    handlers: {
      upsert: (c) => join.upsertEndpoint(c),
      remove: (c) => join.deleteEndpoint(c),
      absent: () => join.clearEndpoints(),
    },
  });
  const all: Array<ResourceWatcher<SlimPod> | ResourceWatcher<SlimCiliumEndpoint>> = [pods, endpoints];

  let discovered: DiscoveredTargetSource | null = null;
  if (settings.discover) {
    const selected = (resource: string, selector: string) =>
      new ResourceWatcher<SlimPod>({
        ...common,
        resource,
        path: podsPath(settings.namespace),
        labelSelector: selector,
        list: podLister(kc, { namespace: settings.namespace, labelSelector: selector }),
        slim: slimPod,
        handlers: {
          upsert: () => discovered?.invalidate(),
          remove: () => discovered?.invalidate(),
          synced: () => discovered?.invalidate(),
        },
      });
    const agents = selected('agent-pods', settings.agent.selector);
    const operators = selected('operator-pods', settings.operator.selector);
    discovered = new DiscoveredTargetSource(
      () => agents.objects(),
      settings.agent,
      () => operators.objects(),
      settings.operator,
      deps.hubble ?? null
    );
    all.push(agents, operators);
  }
  const targetSource = discovered ? new CombinedTargetSource([deps.baseSource, discovered]) : deps.baseSource;

  const statuses = () => all.map((w) => w.status());
  const unmanagedSource = (p: WatcherStatus, c: WatcherStatus): UnmanagedSource =>
    !p.synced ? 'none' : c.absent ? 'counts' : c.synced ? 'ciliumendpoints' : 'none';

  const ownAgents: AgentDirectory = {
    agentNodes: () =>
      targetSource
        .targets()
        .filter((t) => t.component === 'agent')
        .map((t) => t.node),
    agentSilent: (node) => {
      const state = deps.model.node(node);
      return state !== undefined && state.agent.scrapes > 0 && state.agent.lastSuccess === null;
    },
    podEndpoints: (node) => {
      const state = deps.model.node(node);
      return state && !deps.model.isStale(state) ? deps.model.podEndpoints(state) : null;
    },
  };
  const view = (): JoinView => {
    const p = pods.status();
    const c = endpoints.status();
    const source = unmanagedSource(p, c);
    const relevant = c.absent ? [p] : [p, c];
    const syncedAt = relevant.some((s) => s.lastSyncAt === null)
      ? null
      : Math.min(...relevant.map((s) => s.lastSyncAt!));
    const ageMs = syncedAt === null ? null : now() - syncedAt;
    const stale = ageMs !== null && ageMs > deps.staleAfterMs;
    const notices: string[] = [];
    if (!p.synced) {
      notices.push(`Waiting for the first list of pods from the Kubernetes API${p.error ? ` (${p.error})` : ''}.`);
    } else if (source === 'none') {
      notices.push(
        `Waiting for the first list of CiliumEndpoints from the Kubernetes API${c.error ? ` (${c.error})` : ''}.`
      );
    } else if (source === 'counts') {
      notices.push(
        'The CiliumEndpoint CRD is not installed (disable-endpoint-crd?): unmanaged pods are estimated per node as pods minus the pod endpoints its agent reports, so no pod names can be listed.'
      );
    }
    if (stale) {
      notices.push(
        `Kubernetes data is stale: the API server has not been reachable for ${Math.round(ageMs! / 1000)}s; these are the last known numbers.`
      );
    }
    return {
      join,
      source,
      notice: notices.length ? notices.join(' ') : null,
      inShard: deps.shard ? (node) => shardOf(node, deps.shard!.count) === deps.shard!.index : () => true,
      ...(deps.agents ?? ownAgents),
      syncedAt,
      stale,
    };
  };
  const freshNumbers = (): NodeNumbers[] | null => {
    const v = view();
    return v.source === 'none' || v.stale ? null : nodeNumbers(v);
  };

  const queries: KubeQueries = {
    unmanagedPods: (filter): UnmanagedPodsResponse => unmanagedPodsAnswer(view(), filter),
    namespaces: () => join.namespaces(),
    podCounts: () => {
      const v = view();
      const counts = new Map<string, { pods: number; unmanaged: number }>();
      if (v.source !== 'none') {
        for (const n of nodeNumbers(v)) {
          counts.set(n.node, { pods: n.pods, unmanaged: n.unmanaged ?? 0 });
        }
      }
      return counts;
    },
    status: () => {
      const p = pods.status();
      const c = endpoints.status();
      const relevant = c.absent ? [p] : [p, c];
      const ages = relevant.map((s) => s.lastSyncAgeSeconds);
      return {
        enabled: true,
        synced: p.synced && (c.synced || c.absent),
        lastSyncAgeSeconds: ages.some((a) => a === null) ? null : Math.max(...(ages as number[])),
        error: statuses().find((s) => s.error !== null && !s.absent)?.error ?? null,
        unmanagedSource: unmanagedSource(p, c),
      };
    },
  };

  const contributor: SeriesContributor = (w, model, cycleStart) => {
    for (const n of deps.agents ? [] : (freshNumbers() ?? [])) {
      w.put(SERIES.pods, { node: n.node }, n.pods);
      if (n.unmanaged !== null) {
        w.put(SERIES.unmanagedPods, { node: n.node }, n.unmanaged);
      }
      const state = model.node(n.node);
      if (n.delta !== null && state?.sampleAt != null && state.sampleAt >= cycleStart) {
        w.put(SERIES.endpointPodDelta, { node: n.node }, n.delta);
      }
    }
  };

  const metrics: KubeMetricsSource = {
    freshNumbers: () => (deps.agents ? null : freshNumbers()),
    watchers: statuses,
    source: () => unmanagedSource(pods.status(), endpoints.status()),
    discovered: () => discovered?.targets() ?? null,
    hubbleDiscovery: Boolean(deps.hubble),
  };

  log.info(
    {
      server: serverOf(kc),
      connection: settings.connection.kind,
      discover: settings.discover,
      namespace: settings.namespace,
    },
    'watching Kubernetes'
  );
  all.forEach((w) => w.start());

  return {
    targetSource,
    queries,
    metrics,
    contributor,
    podOwners: {
      ownerOf: (namespace, pod) => {
        const found = join.pod(namespace, pod);
        return found === undefined ? undefined : found.owner;
      },
      hasNamespace: (namespace) => join.hasNamespace(namespace),
    },
    notReadyReason: () => {
      for (const s of statuses()) {
        if (!s.synced && !s.absent) {
          return `Kubernetes ${s.resource} not listed yet${s.error ? ` (${s.error})` : ''}`;
        }
      }
      return null;
    },
    whenSynced: async (timeoutMs) => {
      await Promise.all(all.map((w) => w.whenSynced(timeoutMs)));
    },
    watchers: statuses,
    close: async () => {
      await Promise.all(all.map((w) => w.close()));
    },
  };
}
