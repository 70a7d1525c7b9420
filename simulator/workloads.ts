/**
 * The workloads a simulated cluster runs and how their pods are named, so that pod lists look like a real cluster's
 * (Deployment pods "web-7d9f8b6c5d-x2k4q", StatefulSet pods "kafka-2", DaemonSet pods "fluent-bit-q8z2m", CronJob
 * pods "report-29430720-7bq9x").
 */
import type { EnforcementMode, OwnerKind } from './model';
import type { Prng } from './prng';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob';

export interface WorkloadSpec {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  hostNetwork?: boolean;
  /** Relative share of the non-DaemonSet pods. */
  weight?: number;
  labels?: Record<string, string>;
  /** Only on the first `onFirstNodes` nodes (control-plane style singletons such as coredns). */
  onFirstNodes?: number;
}

/** A workload as instantiated in one cluster: its identity and, for Deployments, the ReplicaSet hash. */
export interface Workload extends WorkloadSpec {
  key: string;
  replicaSetHash: string;
  identity: number;
  /** Next StatefulSet ordinal. */
  nextOrdinal: number;
}

export const WORKLOAD_CATALOGUE: readonly WorkloadSpec[] = [
  { namespace: 'kube-system', name: 'cilium', kind: 'DaemonSet', hostNetwork: true, labels: { 'k8s-app': 'cilium' } },
  {
    namespace: 'kube-system',
    name: 'cilium-envoy',
    kind: 'DaemonSet',
    hostNetwork: true,
    labels: { 'k8s-app': 'cilium-envoy' },
  },
  { namespace: 'monitoring', name: 'node-exporter', kind: 'DaemonSet', hostNetwork: true },
  { namespace: 'logging', name: 'fluent-bit', kind: 'DaemonSet' },
  { namespace: 'kube-system', name: 'coredns', kind: 'Deployment', onFirstNodes: 2, labels: { 'k8s-app': 'kube-dns' } },
  {
    namespace: 'kube-system',
    name: 'cilium-operator',
    kind: 'Deployment',
    hostNetwork: true,
    onFirstNodes: 1,
    labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' },
  },
  {
    namespace: 'kube-system',
    name: 'hubble-relay',
    kind: 'Deployment',
    onFirstNodes: 1,
    labels: { 'k8s-app': 'hubble-relay' },
  },
  {
    namespace: 'kube-system',
    name: 'metrics-server',
    kind: 'Deployment',
    onFirstNodes: 1,
    labels: { 'k8s-app': 'metrics-server' },
  },
  { namespace: 'ingress-nginx', name: 'ingress-nginx-controller', kind: 'Deployment', weight: 2 },
  { namespace: 'cert-manager', name: 'cert-manager', kind: 'Deployment', weight: 0.5 },
  { namespace: 'monitoring', name: 'prometheus-server', kind: 'StatefulSet', weight: 0.5 },
  { namespace: 'monitoring', name: 'grafana', kind: 'Deployment', weight: 0.5 },
  { namespace: 'monitoring', name: 'alertmanager', kind: 'StatefulSet', weight: 0.5 },
  { namespace: 'logging', name: 'loki', kind: 'StatefulSet', weight: 1 },
  { namespace: 'shop', name: 'frontend', kind: 'Deployment', weight: 6 },
  { namespace: 'shop', name: 'cart', kind: 'Deployment', weight: 4 },
  { namespace: 'shop', name: 'checkout', kind: 'Deployment', weight: 3 },
  { namespace: 'shop', name: 'catalogue', kind: 'Deployment', weight: 4 },
  { namespace: 'shop', name: 'recommendations', kind: 'Deployment', weight: 2 },
  { namespace: 'payments', name: 'payments-api', kind: 'Deployment', weight: 3 },
  { namespace: 'payments', name: 'ledger', kind: 'StatefulSet', weight: 1 },
  { namespace: 'payments', name: 'fraud-scorer', kind: 'Deployment', weight: 2 },
  { namespace: 'identity', name: 'auth', kind: 'Deployment', weight: 3 },
  { namespace: 'identity', name: 'session-store', kind: 'StatefulSet', weight: 1 },
  { namespace: 'data', name: 'kafka', kind: 'StatefulSet', weight: 2 },
  { namespace: 'data', name: 'zookeeper', kind: 'StatefulSet', weight: 0.5 },
  { namespace: 'data', name: 'redis', kind: 'StatefulSet', weight: 1.5 },
  { namespace: 'data', name: 'postgres', kind: 'StatefulSet', weight: 1 },
  { namespace: 'search', name: 'elasticsearch', kind: 'StatefulSet', weight: 1.5 },
  { namespace: 'search', name: 'indexer', kind: 'Deployment', weight: 2 },
  { namespace: 'media', name: 'thumbnailer', kind: 'Deployment', weight: 3 },
  { namespace: 'media', name: 'transcoder', kind: 'Deployment', weight: 2 },
  { namespace: 'notifications', name: 'mailer', kind: 'Deployment', weight: 1.5 },
  { namespace: 'notifications', name: 'push-gateway', kind: 'Deployment', weight: 1.5 },
  { namespace: 'default', name: 'web', kind: 'Deployment', weight: 2 },
  { namespace: 'default', name: 'web-canary', kind: 'Deployment', weight: 0.5 },
  { namespace: 'batch', name: 'nightly-report', kind: 'CronJob', weight: 1.5 },
  { namespace: 'batch', name: 'data-export', kind: 'CronJob', weight: 1 },
  { namespace: 'batch', name: 'cache-warmer', kind: 'CronJob', weight: 1 },
];

/** Namespaces whose pods run under a default-deny policy, and the enforcement it yields. */
const NAMESPACE_ENFORCEMENT: Record<string, EnforcementMode> = {
  shop: 'both',
  payments: 'both',
  identity: 'both',
  data: 'ingress',
  search: 'ingress',
  'ingress-nginx': 'egress',
  monitoring: 'audit-ingress',
};

export function enforcementFor(namespace: string, auditModes: boolean): EnforcementMode {
  const mode = NAMESPACE_ENFORCEMENT[namespace] ?? 'none';
  if (!auditModes && mode.startsWith('audit-')) {
    return 'none';
  }
  return mode;
}

/** First numeric identity of workloads; lower ids are reserved identities. */
export const FIRST_WORKLOAD_IDENTITY = 10000;
/** Reserved identities an agent always knows (host, world, unmanaged, health, init, remote-node, kube-apiserver, ingress, world-ipv4, world-ipv6). */
export const RESERVED_IDENTITIES = 10;

export function instantiateWorkloads(rng: Prng): Workload[] {
  return WORKLOAD_CATALOGUE.map((spec, i) => ({
    ...spec,
    key: `${spec.namespace}/${spec.name}`,
    replicaSetHash: replicaSetHash(rng),
    identity: FIRST_WORKLOAD_IDENTITY + i * 7 + rng.int(7),
    nextOrdinal: 0,
  }));
}

/** ReplicaSet pod-template hashes use digits and consonants, 8 to 10 characters. */
function replicaSetHash(rng: Prng): string {
  return rng.suffix(9 + rng.int(2));
}

export interface PodIdentityDraft {
  name: string;
  ownerKind: OwnerKind;
  ownerName: string;
  labels: Record<string, string>;
}

/** Names a new pod of a workload; `nowSeconds` feeds CronJob names (scheduled minute). */
export function draftPod(workload: Workload, rng: Prng, nowSeconds: number): PodIdentityDraft {
  const labels: Record<string, string> = { app: workload.name, ...(workload.labels ?? {}) };
  switch (workload.kind) {
    case 'Deployment': {
      const rsName = `${workload.name}-${workload.replicaSetHash}`;
      labels['pod-template-hash'] = workload.replicaSetHash;
      return { name: `${rsName}-${rng.suffix(5)}`, ownerKind: 'ReplicaSet', ownerName: rsName, labels };
    }
    case 'StatefulSet': {
      const ordinal = workload.nextOrdinal++;
      return { name: `${workload.name}-${ordinal}`, ownerKind: 'StatefulSet', ownerName: workload.name, labels };
    }
    case 'DaemonSet':
      return { name: `${workload.name}-${rng.suffix(5)}`, ownerKind: 'DaemonSet', ownerName: workload.name, labels };
    case 'CronJob': {
      const scheduledMinute = Math.floor(nowSeconds / 60) - rng.int(600);
      const jobName = `${workload.name}-${scheduledMinute}`;
      labels['job-name'] = jobName;
      return { name: `${jobName}-${rng.suffix(5)}`, ownerKind: 'Job', ownerName: jobName, labels };
    }
  }
}
