/**
 * One page of a list call per resource the exporter watches, through the client library's typed APIs (so every
 * authentication method of a kubeconfig applies), abortable, with the page size bounded.
 */
import {
  type ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

export interface ListPage {
  items: unknown[];
  resourceVersion: string;
  /** Token for the next page; undefined on the last. */
  continueToken: string | undefined;
}

export type PageLister = (continueToken: string | undefined, signal: AbortSignal) => Promise<ListPage>;

export const LIST_PAGE_SIZE = 500;

/** Per-call options that make the request follow an AbortSignal (middleware of the observable API underneath). */
function abortable(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

interface ListShape {
  items?: unknown;
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
}

function toPage(list: ListShape): ListPage {
  const items = Array.isArray(list.items) ? list.items : [];
  const meta = list.metadata ?? {};
  const token = meta._continue ?? meta.continue;
  return { items, resourceVersion: meta.resourceVersion ?? '', continueToken: token ? token : undefined };
}

/** Pods in every namespace, or in one namespace matching a label selector (agent and operator discovery). */
export function podLister(kc: KubeConfig, scope: { namespace?: string; labelSelector?: string } = {}): PageLister {
  const api = kc.makeApiClient(CoreV1Api);
  return async (continueToken, signal) => {
    const params = { labelSelector: scope.labelSelector, limit: LIST_PAGE_SIZE, _continue: continueToken };
    const list = scope.namespace
      ? await api.listNamespacedPod({ namespace: scope.namespace, ...params }, abortable(signal))
      : await api.listPodForAllNamespaces(params, abortable(signal));
    return toPage(list as ListShape);
  };
}

export const CEP_GROUP = 'cilium.io';
export const CEP_VERSION = 'v2';
export const CEP_PLURAL = 'ciliumendpoints';
export const CEP_PATH = `/apis/${CEP_GROUP}/${CEP_VERSION}/${CEP_PLURAL}`;

/** CiliumEndpoints in every namespace; a 404 means the CRD is not installed (disable-endpoint-crd). */
export function ciliumEndpointLister(kc: KubeConfig): PageLister {
  const api = kc.makeApiClient(CustomObjectsApi);
  return async (continueToken, signal) => {
    const list = await api.listClusterCustomObject(
      { group: CEP_GROUP, version: CEP_VERSION, plural: CEP_PLURAL, limit: LIST_PAGE_SIZE, _continue: continueToken },
      abortable(signal)
    );
    return toPage(list as ListShape);
  };
}

export function podsPath(namespace?: string): string {
  return namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods';
}
