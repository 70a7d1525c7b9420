/**
 * Hubble's context labels and how each form becomes a (namespace, workload) endpoint.
 *
 * Hubble metrics carry their traffic's endpoints in one of two ways, chosen per metric in the agent's
 * `hubble-metrics` option (Helm `hubble.metrics.enabled`):
 * - `sourceContext=…;destinationContext=…` writes a `source` and a `destination` label whose value depends on the
 *   identifier: `pod` → `namespace/pod`, `namespace` → `namespace`, `workload-name` → the workload's name,
 *   `identity` → the identity's labels joined with commas, `reserved-identity` → `reserved:world` and such, `ip`,
 *   `dns`, `app`, `pod-name`. Identifiers may be chained with `|` (the first non-empty one wins), so one page can
 *   mix `namespace/pod` values with `reserved:world`.
 * - `labelsContext=…` writes one label per field: `source_namespace`, `source_workload`, `source_pod`,
 *   `source_app`, `source_ip`, the same for `destination_*`, and `traffic_direction` (`ingress`, `egress`,
 *   `unknown`).
 *
 * Values without a slash are ambiguous (a namespace, a workload name, an app label or a bare pod name all look
 * alike): `--hubble-context` says which; by default (`auto`) they are namespaces unless the Kubernetes join knows
 * no namespace of that name, then workload names.
 */
import type { HubbleContextForm } from '../../src/contract';
import { type PodOwnerLookup, workloadOfPod, workloadOfPodName } from './workload';

export interface EndpointRef {
  /** Kubernetes namespace; '' for what is not a pod (world, host, an IP) or when the context does not say. */
  namespace: string;
  /** Workload name (Deployment, StatefulSet, DaemonSet, CronJob, ...), a reserved identity such as `reserved:world`, or ''. */
  workload: string;
}

/** The form of a page's context labels, as /api/v1/status reports it. */
export type ContextForm = HubbleContextForm;

/** How bare `source`/`destination` values (no slash, no `=`) are read: the `--hubble-context` setting. */
export type BareValueReading = 'auto' | 'namespace' | 'workload-name';

export const LABELS_CONTEXT = [
  'source_ip',
  'source_pod',
  'source_namespace',
  'source_workload',
  'source_workload_kind',
  'source_app',
  'destination_ip',
  'destination_pod',
  'destination_namespace',
  'destination_workload',
  'destination_workload_kind',
  'destination_app',
  'traffic_direction',
] as const;
const LABELS_CONTEXT_SET: ReadonlySet<string> = new Set(LABELS_CONTEXT);

export function isLabelsContextLabel(name: string): boolean {
  return LABELS_CONTEXT_SET.has(name);
}

/** Longest endpoint name kept: Kubernetes names are at most 253 characters; longer values are cut (and marked). */
export const MAX_NAME_LENGTH = 253;

function clip(value: string): string {
  return value.length <= MAX_NAME_LENGTH ? value : value.slice(0, MAX_NAME_LENGTH - 1) + '…';
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;
const APP_LABELS = ['k8s:app.kubernetes.io/name=', 'k8s:k8s-app=', 'k8s:app='];
const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace=';

const NOT_A_POD: EndpointRef = Object.freeze({ namespace: '', workload: '' });

export interface ReadContext {
  reading: BareValueReading;
  lookup: PodOwnerLookup | null;
}

/** What kind of value a `source`/`destination` label holds. */
export function valueForm(value: string): ContextForm {
  if (value === '') {
    return 'none';
  }
  if (value.startsWith('reserved:')) {
    return 'reserved-identity';
  }
  if (value.includes('=')) {
    return 'identity';
  }
  if (value.includes('/')) {
    return 'pod';
  }
  if (IPV4.test(value) || IPV6.test(value)) {
    return 'ip';
  }
  return 'namespace';
}

/** One `source` or `destination` label value as an endpoint. */
export function endpointOfContextValue(value: string, ctx: ReadContext): EndpointRef {
  switch (valueForm(value)) {
    case 'none':
    case 'ip':
      return NOT_A_POD;
    case 'reserved-identity':
      return { namespace: '', workload: clip(value) };
    case 'identity':
      return endpointOfIdentity(value);
    case 'pod': {
      const slash = value.indexOf('/');
      const namespace = value.slice(0, slash);
      return {
        namespace: clip(namespace),
        workload: clip(workloadOfPod(namespace, value.slice(slash + 1), ctx.lookup)),
      };
    }
    default:
      return bareIsNamespace(value, ctx)
        ? { namespace: clip(value), workload: '' }
        : { namespace: '', workload: clip(value) };
  }
}

function bareIsNamespace(value: string, ctx: ReadContext): boolean {
  if (ctx.reading !== 'auto') {
    return ctx.reading === 'namespace';
  }
  return ctx.lookup === null || ctx.lookup.hasNamespace(value);
}

/** `identity` context: the namespace label and the app label of the identity, or its reserved label. */
function endpointOfIdentity(value: string): EndpointRef {
  let namespace = '';
  let workload = '';
  let reserved = '';
  for (const label of value.split(',')) {
    if (label.startsWith(NAMESPACE_LABEL)) {
      namespace = label.slice(NAMESPACE_LABEL.length);
    } else if (workload === '') {
      const app = APP_LABELS.find((prefix) => label.startsWith(prefix));
      if (app) {
        workload = label.slice(app.length);
      } else if (reserved === '' && label.startsWith('reserved:')) {
        reserved = label;
      }
    }
  }
  return namespace === '' && workload === ''
    ? { namespace: '', workload: clip(reserved) }
    : { namespace: clip(namespace), workload: clip(workload) };
}

/** Fields of one side (source or destination) written by `labelsContext`. */
export interface LabelsSide {
  namespace?: string;
  workload?: string;
  pod?: string;
  app?: string;
}

/** `labelsContext` endpoint: its workload label, else its pod's workload, else its app label. */
export function endpointOfLabels(side: LabelsSide, lookup: PodOwnerLookup | null): EndpointRef {
  const namespace = side.namespace ?? '';
  if (side.workload) {
    return { namespace: clip(namespace), workload: clip(side.workload) };
  }
  if (side.pod) {
    return {
      namespace: clip(namespace),
      workload: clip(namespace ? workloadOfPod(namespace, side.pod, lookup) : workloadOfPodName(side.pod)),
    };
  }
  return { namespace: clip(namespace), workload: clip(side.app ?? '') };
}

/** Hubble's `traffic_direction` (ingress, egress, unknown) in the agent's spelling (INGRESS, EGRESS), or UNKNOWN. */
export function normaliseDirection(value: string | undefined): string {
  const upper = (value ?? '').toUpperCase();
  return upper === 'INGRESS' || upper === 'EGRESS' ? upper : 'UNKNOWN';
}
