/**
 * The slim records the exporter keeps for pods and CiliumEndpoints instead of the full objects: only what the join,
 * discovery and the API answers need. They keep the `metadata` shape (name, namespace, resourceVersion) so the
 * client library's ListWatch cache can hold them in place of the objects it would otherwise keep whole.
 *
 * Objects arrive either from a typed list (dates already parsed into Date) or from a watch event (plain JSON with
 * ISO strings); both are accepted.
 */

export interface SlimMeta {
  name: string;
  namespace: string;
  resourceVersion?: string;
}

export interface SlimPod {
  metadata: SlimMeta;
  /** spec.nodeName; '' while the pod is unscheduled. */
  node: string;
  /** status.phase: Running, Pending, Succeeded, Failed, Unknown, or '' when absent. */
  phase: string;
  hostNetwork: boolean;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  podIP: string | null;
  /** "Kind/name" of the controller ownerReference, or null. */
  owner: string | null;
  /** status.startTime, else metadata.creationTimestamp, as Date.toISOString() writes it; else null. */
  startedAt: string | null;
}

export interface SlimCiliumEndpoint {
  metadata: SlimMeta;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** One spelling whether the time came as a Date (typed list) or a string (watch event): Date's ISO form. */
function isoTime(value: unknown): string | null {
  const time = value instanceof Date ? value : typeof value === 'string' && value !== '' ? new Date(value) : null;
  return time === null || Number.isNaN(time.getTime()) ? null : time.toISOString();
}

function slimMeta(raw: Json | null): SlimMeta | null {
  const meta = obj(raw?.metadata);
  const name = str(meta?.name);
  if (!meta || !name) {
    return null;
  }
  const out: SlimMeta = { name, namespace: str(meta.namespace) ?? '' };
  const rv = str(meta.resourceVersion);
  if (rv !== null) {
    out.resourceVersion = rv;
  }
  return out;
}

function controllerOwner(meta: Json): string | null {
  const refs = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const owner = refs.map(obj).find((r) => r?.controller === true) ?? null;
  const kind = str(owner?.kind);
  const name = str(owner?.name);
  return kind && name ? `${kind}/${name}` : null;
}

/** A pod's slim record; null when the value is not a pod-shaped object with a name. */
export function slimPod(value: unknown): SlimPod | null {
  const raw = obj(value);
  const metadata = slimMeta(raw);
  if (!raw || !metadata) {
    return null;
  }
  const meta = raw.metadata as Json;
  const spec = obj(raw.spec) ?? {};
  const status = obj(raw.status) ?? {};
  return {
    metadata,
    node: str(spec.nodeName) ?? '',
    phase: str(status.phase) ?? '',
    hostNetwork: spec.hostNetwork === true,
    terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    podIP: str(status.podIP),
    owner: controllerOwner(meta),
    startedAt: isoTime(status.startTime) ?? isoTime(meta.creationTimestamp),
  };
}

/** A CiliumEndpoint's slim record: its namespace and name are all the join needs. */
export function slimCiliumEndpoint(value: unknown): SlimCiliumEndpoint | null {
  const metadata = slimMeta(obj(value));
  return metadata ? { metadata } : null;
}

/** "namespace/name": neither part can contain a slash, so the key is exact. */
export function objectKey(meta: SlimMeta): string {
  return `${meta.namespace}/${meta.name}`;
}
