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
    resources: [
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: READ_VERBS, shortNames: ['no'] },
      {
        name: 'pods',
        singularName: 'pod',
        namespaced: true,
        kind: 'Pod',
        verbs: READ_VERBS,
        shortNames: ['po'],
        categories: ['all'],
      },
    ],
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
    resources: ciliumEndpointCRD
      ? [
          {
            name: 'ciliumendpoints',
            singularName: 'ciliumendpoint',
            namespaced: true,
            kind: 'CiliumEndpoint',
            verbs: READ_VERBS,
            shortNames: ['cep', 'ciliumep'],
            categories: ['cilium'],
          },
        ]
      : [],
  };
}
