/**
 * The Kubernetes families of /metrics. Per-node numbers are exposed while the Kubernetes data is fresh and withdrawn
 * once it is stale (like the agents' values), so Prometheus never alerts on frozen counts; the watcher families
 * (sync age, restarts, objects) say why they went quiet. Untimestamped.
 */
import type { KubeMetricsSource } from '../kube';
import type { WatcherStatus } from '../kube/informer';
import type { NodeNumbers } from '../kube/report';
import { type Emit, familiesOf } from './family';

const family = familiesOf<KubeMetricsSource>();
const COMPONENTS = ['agent', 'operator', 'hubble'] as const;

/** One number per node while the Kubernetes data is fresh. */
const nodeNumber =
  (pick: (n: NodeNumbers) => number | null) =>
  (k: KubeMetricsSource, emit: Emit<'node'>): void => {
    for (const n of k.freshNumbers() ?? []) {
      const v = pick(n);
      if (v !== null) {
        emit({ node: n.node }, v);
      }
    }
  };

/** One number per watched resource. */
const watcherNumber =
  (pick: (w: WatcherStatus) => number | null) =>
  (k: KubeMetricsSource, emit: Emit<'resource'>): void => {
    for (const w of k.watchers()) {
      const v = pick(w);
      if (v !== null) {
        emit({ resource: w.resource }, v);
      }
    }
  };

export const KUBE_FAMILIES = [
  family({
    name: 'ciliumscope_pods',
    type: 'gauge',
    help: 'Pods on the node that Cilium should manage: Running or Pending, not hostNetwork (terminating ones included, see ciliumscope_terminating_pods).',
    labelNames: ['node'],
    fill: nodeNumber((n) => n.pods),
  }),
  family({
    name: 'ciliumscope_unmanaged_pods',
    type: 'gauge',
    help: 'Of ciliumscope_pods, those without a CiliumEndpoint of the same namespace/name. Absent for nodes without a Cilium agent. Without the CiliumEndpoint CRD: max(0, pods - pod endpoints) (see ciliumscope_unmanaged_pods_source).',
    labelNames: ['node'],
    fill: nodeNumber((n) => n.unmanaged),
  }),
  family({
    name: 'ciliumscope_endpoint_pod_delta',
    type: 'gauge',
    help: "Pods minus the pod endpoints the node's agent reports (ciliumscope_pods - ciliumscope_pod_endpoints); above 0, pods Cilium does not manage.",
    labelNames: ['node'],
    fill: nodeNumber((n) => n.delta),
  }),
  family({
    name: 'ciliumscope_terminating_pods',
    type: 'gauge',
    help: 'Of ciliumscope_pods, those being deleted (deletionTimestamp set): never counted as unmanaged, since their endpoint may already be gone.',
    labelNames: ['node'],
    fill: nodeNumber((n) => n.terminating),
  }),
  family({
    name: 'ciliumscope_node_without_agent',
    type: 'gauge',
    help: '1 for a node that has pods but no Cilium agent (no agent pod, or its agent never answered a scrape); 0 for other nodes.',
    labelNames: ['node'],
    fill: nodeNumber((n) => (n.hasAgent ? 0 : n.pods - n.terminating > 0 ? 1 : null)),
  }),
  family({
    name: 'ciliumscope_unmanaged_pods_source',
    type: 'gauge',
    help: 'How unmanaged pods are determined (always 1): ciliumendpoints (exact, by name), counts (CiliumEndpoint CRD absent: pods minus endpoints), none (not synced yet).',
    labelNames: ['source'],
    fill: (k, emit) => emit({ source: k.source() }, 1),
  }),
  family({
    name: 'ciliumscope_kube_synced',
    type: 'gauge',
    help: '1 once the resource has been listed completely at least once.',
    labelNames: ['resource'],
    fill: watcherNumber((w) => (w.synced ? 1 : 0)),
  }),
  family({
    name: 'ciliumscope_kube_in_sync',
    type: 'gauge',
    help: "1 while the resource's watch is open and current; 0 while reconnecting or relisting.",
    labelNames: ['resource'],
    fill: watcherNumber((w) => (w.inSync ? 1 : 0)),
  }),
  family({
    name: 'ciliumscope_kube_last_sync_age_seconds',
    type: 'gauge',
    help: 'Seconds since the resource was last known current (0 while its watch is open); absent before the first list.',
    labelNames: ['resource'],
    fill: watcherNumber((w) => w.lastSyncAgeSeconds),
  }),
  family({
    name: 'ciliumscope_kube_watch_restarts_total',
    type: 'counter',
    help: "Times the resource's list/watch had to recover: errors, dropped or abandoned watches, ERROR events such as 410 Gone.",
    labelNames: ['resource'],
    fill: watcherNumber((w) => w.restarts),
  }),
  family({
    name: 'ciliumscope_kube_lists_total',
    type: 'counter',
    help: 'Complete lists of the resource: the initial one and every relist (after 410 Gone, or an error before a resourceVersion was known).',
    labelNames: ['resource'],
    fill: watcherNumber((w) => w.lists),
  }),
  family({
    name: 'ciliumscope_kube_objects',
    type: 'gauge',
    help: 'Objects of the resource held (as slim records).',
    labelNames: ['resource'],
    fill: watcherNumber((w) => w.objects),
  }),
  family({
    name: 'ciliumscope_kube_resource_absent',
    type: 'gauge',
    help: '1 when the API server answers 404 for the resource (CiliumEndpoint CRD not installed).',
    labelNames: ['resource'],
    fill: watcherNumber((w) => (w.absent ? 1 : 0)),
  }),
  family({
    name: 'ciliumscope_discovered_targets',
    type: 'gauge',
    help: "Scrape targets found by Kubernetes discovery, by component (agent, operator, and with --hubble-port hubble: the agents' Hubble metrics).",
    labelNames: ['component'],
    fill: (k, emit) => {
      const targets = k.discovered();
      if (targets) {
        for (const component of k.hubbleDiscovery ? COMPONENTS : COMPONENTS.slice(0, 2)) {
          emit({ component }, targets.filter((t) => t.component === component).length);
        }
      }
    },
  }),
];
