/**
 * Which workload a pod belongs to. With the Kubernetes join, from the pod's controller ownerReference (a ReplicaSet's
 * name minus its pod-template-hash is its Deployment; a Job's name minus its scheduled-minute suffix is its
 * CronJob). Without it, from the pod's name, stripping the suffixes Kubernetes generates:
 *
 * | pod name                        | made by                          | workload        |
 * |---------------------------------|----------------------------------|-----------------|
 * | `web-7d9f8b6c5d-x2k4q`          | Deployment → ReplicaSet (hash) → random suffix | `web` |
 * | `report-29430720-7bq9x`         | CronJob → Job (scheduled minute) → random suffix | `report` |
 * | `fluent-bit-q8z2m`              | DaemonSet, Job, bare ReplicaSet: random suffix | `fluent-bit` |
 * | `kafka-2`                       | StatefulSet ordinal              | `kafka`         |
 * | `etcd`                          | anything else                    | `etcd`          |
 *
 * Random suffixes and pod-template hashes use Kubernetes' safe alphabet (consonants without vowels and digits
 * without 0, 1, 3: `bcdfghjklmnpqrstvwxz2456789`), five characters for a generated name, six to ten for a hash, so
 * a word such as `canary` or `api` is never taken for one. A static pod (`kube-apiserver-node-1`) loses its
 * trailing number like a StatefulSet pod would; the join names it exactly.
 */

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const CRONJOB_POD = new RegExp(`^(.+)-\\d{8,}-${SAFE}{5}$`);
const GENERATED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const STATEFULSET_POD = /^(.+)-\d+$/;
const REPLICASET_NAME = new RegExp(`^(.+)-${SAFE}{6,10}$`);
const CRONJOB_JOB_NAME = /^(.+)-\d{8,}$/;

/** The workload of a pod, from its name alone. */
export function workloadOfPodName(pod: string): string {
  const m = DEPLOYMENT_POD.exec(pod) ?? CRONJOB_POD.exec(pod) ?? GENERATED_POD.exec(pod) ?? STATEFULSET_POD.exec(pod);
  return m ? m[1] : pod;
}

/** The workload of a pod from its controller ownerReference ("Kind/name"), or null when it has none. */
export function workloadOfOwner(owner: string | null): string | null {
  if (owner === null) {
    return null;
  }
  const slash = owner.indexOf('/');
  const kind = owner.slice(0, slash);
  const name = owner.slice(slash + 1);
  if (kind === 'ReplicaSet') {
    return REPLICASET_NAME.exec(name)?.[1] ?? name;
  }
  if (kind === 'Job') {
    return CRONJOB_JOB_NAME.exec(name)?.[1] ?? name;
  }
  return kind === 'Node' ? null : name;
}

/** Looks pods up in the Kubernetes join; absent without Kubernetes. */
export interface PodOwnerLookup {
  /** The controller ownerReference of pod namespace/name as "Kind/name"; undefined when the pod is not known. */
  ownerOf(namespace: string, pod: string): string | null | undefined;
  /** Whether a namespace with pods exists (tells namespace context values from workload names). */
  hasNamespace(namespace: string): boolean;
}

/** The workload of pod namespace/name: its owner when the join knows the pod, else its name's stem. */
export function workloadOfPod(namespace: string, pod: string, lookup: PodOwnerLookup | null): string {
  const owner = lookup?.ownerOf(namespace, pod);
  if (owner === undefined || owner === null) {
    return workloadOfPodName(pod);
  }
  // A mirror (static) pod is owned by its Node and named "<name>-<node>".
  if (owner.startsWith('Node/')) {
    const suffix = '-' + owner.slice('Node/'.length);
    return pod.endsWith(suffix) && pod.length > suffix.length ? pod.slice(0, -suffix.length) : pod;
  }
  return workloadOfOwner(owner) ?? workloadOfPodName(pod);
}
