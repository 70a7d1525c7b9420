/** The operator's page: IPAM (aggregate or per node by version), identity GC, process, unmanaged kube-dns pods. */
import { compareStrings } from '../values';
import type { SimulatedCluster } from '../cluster';
import { hashSeed, Prng } from '../prng';
import { familyHeader, type Labels, type MetricType, sampleLine } from './format';
import { syntheticHistogram } from './synthetic';

/**
 * Running, non-hostNetwork pods labelled k8s-app=kube-dns without a CiliumEndpoint: all that the operator's gauge
 * counts (its pod selector defaults to kube-dns).
 */
export function operatorUnmanagedPods(cluster: SimulatedCluster): number {
  let count = 0;
  for (const pod of cluster.listPods()) {
    if (pod.phase === 'Running' && !pod.hostNetwork && pod.labels['k8s-app'] === 'kube-dns' && pod.endpoint === null) {
      count++;
    }
  }
  return count;
}

export function renderOperatorPage(cluster: SimulatedCluster): Buffer {
  const { naming } = cluster;
  const op = cluster.operator;
  const rng = new Prng(hashSeed(cluster.seed, 'operator-filler'));
  const families = new Map<string, string>();
  const add = (name: string, help: string, type: MetricType, series: Array<[Labels, number]>): void => {
    if (series.length > 0) {
      families.set(
        name,
        familyHeader(name, help, type) + series.map(([labels, v]) => sampleLine(name, labels, v)).join('')
      );
    }
  };
  const byKey = (label: string, record: Record<string, number>): Array<[Labels, number]> =>
    Object.keys(record)
      .sort(compareStrings)
      .map((key) => [[[label, key]], record[key]]);

  add(
    'cilium_operator_endpoint_gc_objects',
    'The number of times endpoint objects have been garbage-collected',
    'counter',
    byKey('outcome', op.endpointGcObjects)
  );
  if (naming.operatorIdentityGc) {
    add(
      'cilium_operator_identity_gc_entries',
      'The number of alive and deleted identities at the end of a garbage collector run',
      'gauge',
      byKey('status', op.identityGcEntries)
    );
    add(
      'cilium_operator_identity_gc_runs',
      'The number of times identity garbage collector has run',
      'gauge',
      byKey('outcome', op.identityGcRuns)
    );
  }
  const totals = op.totals();
  if (naming.operatorIpamIpsAggregate) {
    add('cilium_operator_ipam_ips', 'Number of IPs allocated', 'gauge', byKey('type', totals));
  }
  if (naming.operatorIpamIpsPerNode) {
    const perNode = (pick: (e: (typeof op.ipam)[number]) => number): Array<[Labels, number]> =>
      [...op.ipam].sort((a, b) => compareStrings(a.node, b.node)).map((e) => [[['target_node', e.node]], pick(e)]);
    add(
      'cilium_operator_ipam_available_ips',
      'Total available IPs on Node for IPAM allocation',
      'gauge',
      perNode((e) => e.available)
    );
    add(
      'cilium_operator_ipam_used_ips',
      'Total used IPs on Node for IPAM allocation',
      'gauge',
      perNode((e) => e.used)
    );
    add(
      'cilium_operator_ipam_needed_ips',
      'Number of IPs that are needed on the Node to satisfy IPAM allocation requests',
      'gauge',
      perNode((e) => e.needed)
    );
  }
  add(
    'cilium_operator_ipam_nodes',
    'Number of nodes by category { total | in-deficit | at-capacity }',
    'gauge',
    byKey('category', op.nodesByCategory())
  );
  add(
    'cilium_operator_ipam_resync_total',
    'Number of resync operations to synchronize and resolve IP deficit of nodes',
    'counter',
    [[[], Math.floor((cluster.nowSeconds - op.processStartTimeSeconds) / 60)]]
  );
  for (const trigger of ['deficit_resolver', 'k8s_sync', 'resync']) {
    const base = `cilium_operator_ipam_${trigger}`;
    families.set(
      `${base}_duration_seconds`,
      familyHeader(`${base}_duration_seconds`, 'Duration of trigger runs', 'histogram') +
        syntheticHistogram(rng, `${base}_duration_seconds`, [], { median: 0.002, sigma: 1.2, countMedian: 400 })
    );
    add(`${base}_folds`, 'Current level of folding', 'gauge', [[[], 0]]);
    families.set(
      `${base}_latency_seconds`,
      familyHeader(`${base}_latency_seconds`, 'Latency between queue and trigger run', 'histogram') +
        syntheticHistogram(rng, `${base}_latency_seconds`, [], { median: 0.5, sigma: 1, countMedian: 400 })
    );
    add(`${base}_queued_total`, 'Number of queued triggers', 'counter', [[[], 400 + rng.int(2000)]]);
  }
  add('cilium_operator_process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', 'counter', [
    [[], op.cpuSeconds],
  ]);
  add('cilium_operator_process_max_fds', 'Maximum number of open file descriptors.', 'gauge', [[[], 1048576]]);
  add('cilium_operator_process_open_fds', 'Number of open file descriptors.', 'gauge', [[[], op.openFds]]);
  add('cilium_operator_process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', [
    [[], op.residentMemoryBytes],
  ]);
  add('cilium_operator_process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', 'gauge', [
    [[], op.processStartTimeSeconds],
  ]);
  add('cilium_operator_process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'gauge', [[[], 1.32e9]]);
  add(
    'cilium_operator_process_virtual_memory_max_bytes',
    'Maximum amount of virtual memory available in bytes.',
    'gauge',
    [[[], 1.8446744073709552e19]]
  );
  if (naming.operatorUnmanagedPods) {
    add(
      'cilium_operator_unmanaged_pods',
      'The total number of pods observed to be unmanaged by Cilium operator',
      'gauge',
      [[[], operatorUnmanagedPods(cluster)]]
    );
  }
  const names = [...families.keys()].sort(compareStrings);
  return Buffer.from(names.map((n) => families.get(n)).join(''));
}
