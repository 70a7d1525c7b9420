/**
 * Discovery documents (`/version`, `/api`, `/api/v1`, `/apis`, `/apis/cilium.io/v2`): enough for a client to find the
 * served resources and, in particular, to tell whether the CiliumEndpoint CRD is installed.
 */

export const KUBERNETES_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.4' };

const CILIUM_GROUP = {
  name: 'cilium.io',
  versions: [{ groupVersion: 'cilium.io/v2', version: 'v2' }],
  preferredVersion: { groupVersion: 'cilium.io/v2', version: 'v2' },
};

const READ_VERBS = ['get', 'list', 'watch'];

export type KubeResource = 'pods' | 'ciliumendpoints' | 'nodes';

/** A served resource type as discovery lists it; its objects and lists (objects.ts, list.ts) are named after it. */
export interface ApiResource {
  name: KubeResource;
  singularName: string;
  namespaced: boolean;
  kind: string;
  /** The apiVersion of its objects (the group version discovery lists it under). */
  apiVersion: string;
  shortNames: readonly string[];
  categories?: readonly string[];
}

export const NODES: ApiResource = {
  name: 'nodes',
  singularName: 'node',
  namespaced: false,
  kind: 'Node',
  apiVersion: 'v1',
  shortNames: ['no'],
};
export const PODS: ApiResource = {
  name: 'pods',
  singularName: 'pod',
  namespaced: true,
  kind: 'Pod',
  apiVersion: 'v1',
  shortNames: ['po'],
  categories: ['all'],
};
export const CILIUM_ENDPOINTS: ApiResource = {
  name: 'ciliumendpoints',
  singularName: 'ciliumendpoint',
  namespaced: true,
  kind: 'CiliumEndpoint',
  apiVersion: 'cilium.io/v2',
  shortNames: ['cep', 'ciliumep'],
  categories: ['cilium'],
};

/** An entry of an APIResourceList. */
function listed({ apiVersion: _, ...resource }: ApiResource): Record<string, unknown> {
  return { ...resource, verbs: READ_VERBS };
}

export function versionDocument(): Record<string, unknown> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.9',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function coreResources(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [NODES, PODS].map(listed),
  };
}

export function groupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [CILIUM_GROUP] };
}

export function ciliumGroup(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', ...CILIUM_GROUP };
}

/** The cilium.io/v2 resources: without the CiliumEndpoint CRD the group is there (other Cilium CRDs) but lists no CEPs. */
export function ciliumResources(ciliumEndpointCRD: boolean): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'cilium.io/v2',
    resources: ciliumEndpointCRD ? [listed(CILIUM_ENDPOINTS)] : [],
  };
}
