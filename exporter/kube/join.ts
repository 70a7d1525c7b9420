/**
 * The pod ⟷ CiliumEndpoint join, kept incrementally: every pod or CiliumEndpoint event updates only the numbers of
 * the pod's node, in constant time. The rules (see the README's "Unmanaged pods"):
 * - a pod counts when it is Running or Pending, not hostNetwork, and scheduled (spec.nodeName set);
 * - it is managed when a CiliumEndpoint with exactly its namespace and name exists (a map lookup);
 * - a pod being deleted (deletionTimestamp set) is counted apart as terminating, whatever its endpoint;
 * - Succeeded, Failed and Unknown pods, hostNetwork pods and unscheduled pods are not counted at all.
 * Whether a node has a Cilium agent is decided by the caller (see report.ts); this index knows only Kubernetes.
 */
import { type SlimCiliumEndpoint, type SlimPod, objectKey } from './objects';

export type PodClass = 'counted' | 'terminating' | 'ignored';

export function classifyPod(pod: SlimPod): PodClass {
  if (pod.node === '' || pod.hostNetwork || (pod.phase !== 'Running' && pod.phase !== 'Pending')) {
    return 'ignored';
  }
  return pod.terminating ? 'terminating' : 'counted';
}

export interface NodeTally {
  /** Counted pods (managed and unmanaged). */
  pods: number;
  /** Counted pods without a CiliumEndpoint, by "namespace/name". */
  readonly unmanaged: Map<string, SlimPod>;
  /** Terminating pods, by "namespace/name". */
  readonly terminating: Map<string, SlimPod>;
}

export class PodJoin {
  private readonly pods = new Map<string, SlimPod>();
  private readonly endpoints = new Set<string>();
  private readonly tallies = new Map<string, NodeTally>();
  private readonly namespaceRefs = new Map<string, number>();
  private changes = 0;

  /** Bumped by every change that can alter an answer; lets callers cache derived views. */
  get version(): number {
    return this.changes;
  }

  get podCount(): number {
    return this.pods.size;
  }

  get endpointCount(): number {
    return this.endpoints.size;
  }

  upsertPod(pod: SlimPod): void {
    const key = objectKey(pod.metadata);
    const previous = this.pods.get(key);
    if (previous) {
      this.unindex(key, previous);
    }
    this.pods.set(key, pod);
    this.index(key, pod);
    this.changes++;
  }

  deletePod(pod: Pick<SlimPod, 'metadata'>): void {
    const key = objectKey(pod.metadata);
    const previous = this.pods.get(key);
    if (!previous) {
      return;
    }
    this.unindex(key, previous);
    this.pods.delete(key);
    this.changes++;
  }

  upsertEndpoint(cep: SlimCiliumEndpoint): void {
    const key = objectKey(cep.metadata);
    if (this.endpoints.has(key)) {
      return;
    }
    this.endpoints.add(key);
    const pod = this.pods.get(key);
    if (pod && classifyPod(pod) === 'counted') {
      this.tallies.get(pod.node)!.unmanaged.delete(key);
    }
    this.changes++;
  }

  deleteEndpoint(cep: SlimCiliumEndpoint): void {
    const key = objectKey(cep.metadata);
    if (!this.endpoints.delete(key)) {
      return;
    }
    const pod = this.pods.get(key);
    if (pod && classifyPod(pod) === 'counted') {
      this.tallies.get(pod.node)!.unmanaged.set(key, pod);
    }
    this.changes++;
  }

  /** Forgets every CiliumEndpoint (the CRD went away): every counted pod becomes unmanaged again. */
  clearEndpoints(): void {
    for (const key of [...this.endpoints]) {
      this.deleteEndpoint({ metadata: splitKey(key) });
    }
  }

  hasEndpoint(namespace: string, name: string): boolean {
    return this.endpoints.has(`${namespace}/${name}`);
  }

  /** Nodes with at least one counted or terminating pod. */
  nodes(): IterableIterator<string> {
    return this.tallies.keys();
  }

  tally(node: string): Readonly<NodeTally> | undefined {
    return this.tallies.get(node);
  }

  /** Namespaces that hold at least one pod (any phase), sorted. */
  /** The pod namespace/name, if known. */
  pod(namespace: string, name: string): SlimPod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaceRefs.has(namespace);
  }

  namespaces(): string[] {
    return [...this.namespaceRefs.keys()].sort();
  }

  private index(key: string, pod: SlimPod): void {
    const ns = pod.metadata.namespace;
    this.namespaceRefs.set(ns, (this.namespaceRefs.get(ns) ?? 0) + 1);
    const cls = classifyPod(pod);
    if (cls === 'ignored') {
      return;
    }
    let t = this.tallies.get(pod.node);
    if (!t) {
      t = { pods: 0, unmanaged: new Map(), terminating: new Map() };
      this.tallies.set(pod.node, t);
    }
    if (cls === 'terminating') {
      t.terminating.set(key, pod);
      return;
    }
    t.pods++;
    if (!this.endpoints.has(key)) {
      t.unmanaged.set(key, pod);
    }
  }

  private unindex(key: string, pod: SlimPod): void {
    const ns = pod.metadata.namespace;
    const refs = (this.namespaceRefs.get(ns) ?? 1) - 1;
    if (refs <= 0) {
      this.namespaceRefs.delete(ns);
    } else {
      this.namespaceRefs.set(ns, refs);
    }
    const cls = classifyPod(pod);
    const t = cls === 'ignored' ? undefined : this.tallies.get(pod.node);
    if (!t) {
      return;
    }
    if (cls === 'terminating') {
      t.terminating.delete(key);
    } else {
      t.pods--;
      t.unmanaged.delete(key);
    }
    if (t.pods === 0 && t.terminating.size === 0) {
      this.tallies.delete(pod.node);
    }
  }
}

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
