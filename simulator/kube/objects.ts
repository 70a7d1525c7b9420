/**
 * The Kubernetes objects the simulated API serves (Pods, CiliumEndpoints, Nodes), derived from the cluster model.
 *
 * The store keeps one small immutable record per object: a frozen copy of what the object shows (compared with the
 * model on every sync to find what changed) and its labels. Parts many objects share (owners, containers) are
 * shared, and full JSON objects are built only when a list or watch writes them, so memory stays proportional to the
 * records.
 */
import type { SimNode, SimulatedCluster } from '../cluster';
import type { OwnerKind, PodPhase, SimEndpoint, SimPod } from '../model';
import { hashSeed } from '../prng';
import { type ApiResource, CILIUM_ENDPOINTS, NODES, PODS } from './discovery';

export type { KubeResource } from './discovery';

export interface KubeRecord<S = unknown> {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly rv: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: S;
}

export interface Snapshot<S> {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  state: S;
}

/** One resource type: where its objects come from in the model and how they look in the API. */
export interface ResourceType<T, S> {
  /** What it is called and whether it is namespaced, as discovery lists it. */
  readonly api: ApiResource;
  readonly fieldPaths: readonly string[];
  items(cluster: SimulatedCluster): T[];
  key(item: T): string;
  /** The model object the API object stands for; the same object for the API object's whole life. */
  identity(item: T): object;
  uid(item: T, cluster: SimulatedCluster): string;
  /** Whether the item still shows what `state` recorded (compared on every sync, so it allocates nothing). */
  unchanged(item: T, state: S): boolean;
  snapshot(item: T, cluster: SimulatedCluster, previous: KubeRecord<S> | undefined): Snapshot<S>;
  /** The value of a selectable field (one of fieldPaths) for field selectors. */
  field(record: KubeRecord<S>, path: string): string;
  /** The object as the API writes it (built as text: lists of 100,000 pods are written in one go). */
  toJson(record: KubeRecord<S>): string;
}

const q = JSON.stringify;

/** RFC 3339 in whole seconds, as the API server writes timestamps. */
export function kubeTime(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A stable UUID-shaped id from the seed and a name. */
export function derivedUid(seed: number, ...parts: string[]): string {
  const words = [0, 1, 2, 3].map((i) =>
    hashSeed(seed, 'uid', i, ...parts)
      .toString(16)
      .padStart(8, '0')
  );
  const hex = words.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16], 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const OWNER_API_VERSION: Record<Exclude<OwnerKind, 'None'>, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  Node: 'v1',
};

interface PodState {
  nodeName: string | null;
  hostIP: string | null;
  phase: PodPhase;
  hostNetwork: boolean;
  podIP: string | null;
  creationTimestamp: number;
  startTime: number | null;
  deletionTimestamp: number | null;
  restartPolicy: 'Always' | 'OnFailure';
  /** JSON of metadata.ownerReferences, shared by the pods of one owner; null without an owner. */
  ownerReferencesJson: string | null;
  /** JSON of spec.containers, shared by the pods of one workload. */
  containersJson: string;
}

function wholeOrNull(seconds: number | null): number | null {
  return seconds === null ? null : Math.floor(seconds);
}

const containerCache = new Map<string, string>();
const ownerCache = new Map<string, string>();
/** Bounds of the shared-part caches; past them a cache starts again (sharing is an optimisation only). */
const MAX_CACHED = 100_000;

function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED) {
      cache.clear();
    }
    value = make();
    cache.set(key, value);
  }
  return value;
}

function containersJson(cluster: SimulatedCluster, pod: SimPod): string {
  const key = `${cluster.version.full}/${pod.namespace}/${pod.labels.app ?? pod.name}/${pod.labels['k8s-app'] ?? ''}/${pod.labels['io.cilium/app'] ?? ''}`;
  return cached(containerCache, key, () => JSON.stringify(containersOf(cluster, pod)));
}

function ownerReferencesJson(seed: number, pod: SimPod): string | null {
  if (pod.ownerKind === 'None') {
    return null;
  }
  const kind = pod.ownerKind;
  return cached(ownerCache, `${seed}/${kind}/${pod.namespace}/${pod.ownerName}`, () =>
    JSON.stringify([
      {
        apiVersion: OWNER_API_VERSION[kind],
        kind,
        name: pod.ownerName,
        uid: derivedUid(seed, kind, pod.namespace, pod.ownerName),
        controller: true,
        blockOwnerDeletion: true,
      },
    ])
  );
}

/** Containers as the pod spec lists them; Cilium's own pods expose their metrics ports as the Helm chart does. */
function containersOf(cluster: SimulatedCluster, pod: SimPod): Array<Record<string, unknown>> {
  const version = cluster.version.full;
  if (pod.namespace === 'kube-system' && pod.labels['k8s-app'] === 'cilium') {
    return [
      {
        name: 'cilium-agent',
        image: `quay.io/cilium/cilium:v${version}`,
        ports: [{ name: 'prometheus', containerPort: 9962, hostPort: 9962, protocol: 'TCP' }],
      },
    ];
  }
  if (pod.namespace === 'kube-system' && pod.labels['io.cilium/app'] === 'operator') {
    return [
      {
        name: 'cilium-operator',
        image: `quay.io/cilium/operator-generic:v${version}`,
        ports: [{ name: 'prometheus', containerPort: 9963, hostPort: 9963, protocol: 'TCP' }],
      },
    ];
  }
  const app = pod.labels.app ?? pod.name;
  return [{ name: app, image: `registry.example.com/${pod.namespace}/${app}:1.0` }];
}

export const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.hostNetwork',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
] as const;

export const podType: ResourceType<SimPod, PodState> = {
  api: PODS,
  fieldPaths: POD_FIELDS,
  items: (cluster) => cluster.listPods(),
  key: (pod) => `${pod.namespace}/${pod.name}`,
  identity: (pod) => pod,
  uid: (pod) => pod.uid,
  unchanged: (pod, s) =>
    pod.phase === s.phase &&
    pod.nodeName === s.nodeName &&
    pod.podIP === s.podIP &&
    wholeOrNull(pod.startTime) === s.startTime &&
    wholeOrNull(pod.deletionTimestamp) === s.deletionTimestamp,
  snapshot(pod, cluster) {
    const node = pod.nodeName === null ? undefined : cluster.node(pod.nodeName);
    return {
      namespace: pod.namespace,
      name: pod.name,
      labels: pod.labels,
      state: {
        nodeName: pod.nodeName,
        hostIP: node?.internalIP ?? null,
        phase: pod.phase,
        hostNetwork: pod.hostNetwork,
        podIP: pod.podIP,
        creationTimestamp: pod.creationTimestamp,
        startTime: wholeOrNull(pod.startTime),
        deletionTimestamp: wholeOrNull(pod.deletionTimestamp),
        restartPolicy: pod.ownerKind === 'Job' ? 'OnFailure' : 'Always',
        ownerReferencesJson: ownerReferencesJson(cluster.seed, pod),
        containersJson: containersJson(cluster, pod),
      },
    };
  },
  field(record, path) {
    const s = record.state;
    switch (path) {
      case 'metadata.name':
        return record.name;
      case 'metadata.namespace':
        return record.namespace;
      case 'spec.nodeName':
        return s.nodeName ?? '';
      case 'spec.hostNetwork':
        return String(s.hostNetwork);
      case 'spec.restartPolicy':
        return s.restartPolicy;
      case 'spec.schedulerName':
        return 'default-scheduler';
      case 'spec.serviceAccountName':
        return 'default';
      case 'status.phase':
        return s.phase;
      case 'status.podIP':
        return s.podIP ?? '';
      default:
        return '';
    }
  },
  toJson(record) {
    const s = record.state;
    let metadata = `"name":${q(record.name)},"namespace":${q(record.namespace)},"uid":"${record.uid}","resourceVersion":"${record.rv}","creationTimestamp":"${kubeTime(s.creationTimestamp)}"`;
    if (s.deletionTimestamp !== null) {
      metadata += `,"deletionTimestamp":"${kubeTime(s.deletionTimestamp)}","deletionGracePeriodSeconds":30`;
    }
    metadata += `,"labels":${q(record.labels)}`;
    if (s.ownerReferencesJson !== null) {
      metadata += `,"ownerReferences":${s.ownerReferencesJson}`;
    }
    let spec = `"containers":${s.containersJson},"restartPolicy":"${s.restartPolicy}","schedulerName":"default-scheduler","serviceAccountName":"default"`;
    if (s.nodeName !== null) {
      spec += `,"nodeName":${q(s.nodeName)}`;
    }
    if (s.hostNetwork) {
      spec += ',"hostNetwork":true';
    }
    const scheduled =
      s.nodeName === null
        ? '{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes are available"}'
        : '{"type":"PodScheduled","status":"True"}';
    const ready = s.phase === 'Running' && s.deletionTimestamp === null ? 'True' : 'False';
    let status = `"phase":"${s.phase}","conditions":[${scheduled},{"type":"Ready","status":"${ready}"}]`;
    if (s.hostIP !== null) {
      status += `,"hostIP":"${s.hostIP}","hostIPs":[{"ip":"${s.hostIP}"}]`;
    }
    if (s.podIP !== null) {
      status += `,"podIP":"${s.podIP}","podIPs":[{"ip":"${s.podIP}"}]`;
    }
    if (s.startTime !== null) {
      status += `,"startTime":"${kubeTime(s.startTime)}"`;
    }
    return `{"kind":"Pod","apiVersion":"v1","metadata":{${metadata}},"spec":{${spec}},"status":{${status}}}`;
  },
};

/** A managed pod: the CiliumEndpoint view of its endpoint. */
export type PodEndpoint = SimPod & { endpoint: SimEndpoint; nodeName: string };

interface CepState {
  podUid: string;
  nodeIP: string;
  endpointId: number;
  identity: number;
  /** JSON of the identity's labels, shared by the endpoints of one identity. */
  identityLabelsJson: string;
  state: string;
  ipv4: string | null;
  enforcement: string;
  creationTimestamp: number;
}

/** Pod labels Cilium leaves out of identities by default. */
const NON_IDENTITY_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'job-name', 'controller-uid']);

const identityLabelCache = new Map<string, string>();

/** Identity labels, shared by the pods of one identity (the simulator gives a workload's pods one identity). */
function identityLabelsJson(pod: SimPod, identity: number): string {
  return cached(identityLabelCache, `${identity}/${pod.namespace}/${pod.labels.app ?? ''}`, () =>
    JSON.stringify(computeIdentityLabels(pod))
  );
}

function computeIdentityLabels(pod: SimPod): string[] {
  const labels = Object.keys(pod.labels)
    .filter((k) => !NON_IDENTITY_LABELS.has(k))
    .map((k) => `k8s:${k}=${pod.labels[k]}`);
  labels.push(
    `k8s:io.kubernetes.pod.namespace=${pod.namespace}`,
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    'k8s:io.cilium.k8s.policy.cluster=default'
  );
  return labels.sort();
}

function policyDirection(enforcement: string, direction: 'ingress' | 'egress'): string {
  return enforcement === 'both' || enforcement === direction
    ? '{"enforcing":true,"state":"enforcing"}'
    : '{"enforcing":false,"state":"non-enforcing"}';
}

/** A CEP's uid: its pod's uid mixed with the endpoint id (a new endpoint is a new object). */
function endpointUid(podUid: string, endpointId: number): string {
  const head = (parseInt(podUid.slice(0, 8), 16) ^ Math.imul(endpointId + 1, 0x9e3779b1)) >>> 0;
  return head.toString(16).padStart(8, '0') + podUid.slice(8);
}

export const CEP_FIELDS = ['metadata.name', 'metadata.namespace'] as const;

export const ciliumEndpointType: ResourceType<PodEndpoint, CepState> = {
  api: CILIUM_ENDPOINTS,
  fieldPaths: CEP_FIELDS,
  items(cluster) {
    const out: PodEndpoint[] = [];
    for (const node of cluster.nodes) {
      for (const pod of node.pods.values()) {
        if (pod.endpoint) {
          out.push(pod as PodEndpoint);
        }
      }
    }
    return out;
  },
  key: (pod) => `${pod.namespace}/${pod.name}`,
  identity: (pod) => pod.endpoint,
  uid: (pod) => endpointUid(pod.uid, pod.endpoint.id),
  unchanged: ({ endpoint: e }, s) =>
    e.id === s.endpointId &&
    e.state === s.state &&
    e.identity === s.identity &&
    e.ipv4 === s.ipv4 &&
    e.enforcement === s.enforcement,
  snapshot(pod, cluster, previous) {
    const endpoint = pod.endpoint;
    const node = cluster.requireNode(pod.nodeName);
    return {
      namespace: pod.namespace,
      name: pod.name,
      labels: {},
      state: {
        podUid: pod.uid,
        nodeIP: node.internalIP,
        endpointId: endpoint.id,
        identity: endpoint.identity,
        identityLabelsJson: previous?.state.identityLabelsJson ?? identityLabelsJson(pod, endpoint.identity),
        state: endpoint.state,
        ipv4: endpoint.ipv4,
        enforcement: endpoint.enforcement,
        // The agent creates the endpoint as the pod's sandbox starts.
        creationTimestamp: previous?.state.creationTimestamp ?? Math.floor(pod.startTime ?? pod.creationTimestamp),
      },
    };
  },
  field: (record, path) =>
    path === 'metadata.name' ? record.name : path === 'metadata.namespace' ? record.namespace : '',
  toJson(record) {
    const s = record.state;
    const ns = q(record.namespace);
    const name = q(record.name);
    const addressing = s.ipv4 === null ? '[]' : `[{"ipv4":"${s.ipv4}"}]`;
    return (
      `{"kind":"CiliumEndpoint","apiVersion":"cilium.io/v2","metadata":{"name":${name},"namespace":${ns},"uid":"${record.uid}",` +
      `"resourceVersion":"${record.rv}","creationTimestamp":"${kubeTime(s.creationTimestamp)}","generation":1,` +
      `"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":${name},"uid":"${s.podUid}"}]},` +
      `"status":{"id":${s.endpointId},"external-identifiers":{"k8s-namespace":${ns},"k8s-pod-name":${name},` +
      `"pod-name":${q(`${record.namespace}/${record.name}`)}},"identity":{"id":${s.identity},"labels":${s.identityLabelsJson}},` +
      `"networking":{"addressing":${addressing},"node":"${s.nodeIP}"},"state":"${s.state}","encryption":{},` +
      `"policy":{"ingress":${policyDirection(s.enforcement, 'ingress')},"egress":${policyDirection(s.enforcement, 'egress')}}}}`
    );
  },
};

interface NodeState {
  internalIP: string;
  podCIDR: string;
  creationTimestamp: number;
  kubeletVersion: string;
}

export const NODE_FIELDS = ['metadata.name', 'spec.unschedulable'] as const;

export const nodeType: ResourceType<SimNode, NodeState> = {
  api: NODES,
  fieldPaths: NODE_FIELDS,
  items: (cluster) => cluster.nodes,
  key: (node) => node.name,
  identity: (node) => node,
  uid: (node, cluster) => derivedUid(cluster.seed, 'node', node.name),
  unchanged: (node, s) => node.internalIP === s.internalIP && node.podCIDR === s.podCIDR,
  snapshot(node, cluster) {
    const labels: Record<string, string> = {
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': node.name,
      'kubernetes.io/os': 'linux',
    };
    if (node.index === 0) {
      labels['node-role.kubernetes.io/control-plane'] = '';
    }
    return {
      namespace: '',
      name: node.name,
      labels,
      state: {
        internalIP: node.internalIP,
        podCIDR: node.podCIDR,
        creationTimestamp: Math.floor(cluster.startTimeSeconds - 90 * 86400 + node.index * 60),
        kubeletVersion: 'v1.31.4',
      },
    };
  },
  field: (record, path) => (path === 'metadata.name' ? record.name : path === 'spec.unschedulable' ? 'false' : ''),
  toJson: (record) => JSON.stringify(nodeObject(record)),
};

function nodeObject(record: KubeRecord<NodeState>): Record<string, unknown> {
  const s = record.state;
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: record.name,
      uid: record.uid,
      resourceVersion: String(record.rv),
      creationTimestamp: kubeTime(s.creationTimestamp),
      labels: record.labels,
    },
    spec: { podCIDR: s.podCIDR, podCIDRs: [s.podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address: s.internalIP },
        { type: 'Hostname', address: record.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      nodeInfo: { kubeletVersion: s.kubeletVersion, operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}
