/**
 * The Kubernetes families of /metrics. Per-node numbers are exposed while the Kubernetes data is fresh and withdrawn
 * once it is stale (like the agents' values), so Prometheus never alerts on frozen counts; the watcher families
 * (sync age, restarts, objects) say why they went quiet.
 */
import type { UnmanagedSource } from '../../src/contract';
import type { FamilySpec } from '../http/exposition';
import type { ScrapeTarget } from '../scrape/targets';
import type { WatcherStatus } from './informer';
import type { NodeNumbers } from './report';

export interface KubeMetricsSource {
  /** Per-node numbers, or null while Kubernetes data is missing or stale. */
  freshNumbers(): NodeNumbers[] | null;
  watchers(): WatcherStatus[];
  source(): UnmanagedSource;
  /** Targets found by discovery; null when discovery is off. */
  discovered(): ScrapeTarget[] | null;
}

export function kubeFamilies(k: KubeMetricsSource): FamilySpec[] {
  const perNode = (name: string, help: string, pick: (n: NodeNumbers) => number | null): FamilySpec => ({
    name,
    help,
    type: 'gauge',
    labelNames: ['node'],
    fill: (emit) => {
      for (const n of k.freshNumbers() ?? []) {
        const v = pick(n);
        if (v !== null) {
          emit({ node: n.node }, v);
        }
      }
    },
  });
  const perWatcher = (
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    pick: (w: WatcherStatus) => number | null
  ): FamilySpec => ({
    name,
    help,
    type,
    labelNames: ['resource'],
    fill: (emit) => {
      for (const w of k.watchers()) {
        const v = pick(w);
        if (v !== null) {
          emit({ resource: w.resource }, v);
        }
      }
    },
  });
  return [
    perNode(
      'ciliumscope_pods',
      'Pods on the node that Cilium should manage: Running or Pending, not hostNetwork (terminating ones included, see ciliumscope_terminating_pods).',
      (n) => n.pods
    ),
    perNode(
      'ciliumscope_unmanaged_pods',
      'Of ciliumscope_pods, those without a CiliumEndpoint of the same namespace/name. Absent for nodes without a Cilium agent. Without the CiliumEndpoint CRD: max(0, pods - pod endpoints) (see ciliumscope_unmanaged_pods_source).',
      (n) => n.unmanaged
    ),
    perNode(
      'ciliumscope_endpoint_pod_delta',
      "Pods minus the pod endpoints the node's agent reports (ciliumscope_pods - ciliumscope_pod_endpoints); above 0, pods Cilium does not manage.",
      (n) => n.delta
    ),
    perNode(
      'ciliumscope_terminating_pods',
      'Of ciliumscope_pods, those being deleted (deletionTimestamp set): never counted as unmanaged, since their endpoint may already be gone.',
      (n) => n.terminating
    ),
    perNode(
      'ciliumscope_node_without_agent',
      '1 for a node that has pods but no Cilium agent (no agent pod, or its agent never answered a scrape); 0 for other nodes.',
      (n) => (n.hasAgent ? 0 : n.pods - n.terminating > 0 ? 1 : null)
    ),
    {
      name: 'ciliumscope_unmanaged_pods_source',
      help: 'How unmanaged pods are determined (always 1): ciliumendpoints (exact, by name), counts (CiliumEndpoint CRD absent: pods minus endpoints), none (not synced yet).',
      type: 'gauge',
      labelNames: ['source'],
      fill: (emit) => emit({ source: k.source() }, 1),
    },
    perWatcher(
      'ciliumscope_kube_synced',
      '1 once the resource has been listed completely at least once.',
      'gauge',
      (w) => (w.synced ? 1 : 0)
    ),
    perWatcher(
      'ciliumscope_kube_in_sync',
      "1 while the resource's watch is open and current; 0 while reconnecting or relisting.",
      'gauge',
      (w) => (w.inSync ? 1 : 0)
    ),
    perWatcher(
      'ciliumscope_kube_last_sync_age_seconds',
      'Seconds since the resource was last known current (0 while its watch is open); absent before the first list.',
      'gauge',
      (w) => w.lastSyncAgeSeconds
    ),
    perWatcher(
      'ciliumscope_kube_watch_restarts_total',
      "Times the resource's list/watch had to recover: errors, dropped or abandoned watches, ERROR events such as 410 Gone.",
      'counter',
      (w) => w.restarts
    ),
    perWatcher(
      'ciliumscope_kube_lists_total',
      'Complete lists of the resource: the initial one and every relist (after 410 Gone, or an error before a resourceVersion was known).',
      'counter',
      (w) => w.lists
    ),
    perWatcher(
      'ciliumscope_kube_objects',
      'Objects of the resource held (as slim records).',
      'gauge',
      (w) => w.objects
    ),
    perWatcher(
      'ciliumscope_kube_resource_absent',
      '1 when the API server answers 404 for the resource (CiliumEndpoint CRD not installed).',
      'gauge',
      (w) => (w.absent ? 1 : 0)
    ),
    {
      name: 'ciliumscope_discovered_targets',
      help: 'Scrape targets found by Kubernetes discovery, by component (agent, operator).',
      type: 'gauge',
      labelNames: ['component'],
      fill: (emit) => {
        const targets = k.discovered();
        if (targets) {
          emit({ component: 'agent' }, targets.filter((t) => t.component === 'agent').length);
          emit({ component: 'operator' }, targets.filter((t) => t.component === 'operator').length);
        }
      },
    },
  ];
}
