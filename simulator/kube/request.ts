/**
 * What a Kubernetes API request asks for: the resource its path names (or a discovery document), the verb, the
 * namespace, name and selectors that narrow it, and its integer and boolean query parameters.
 */
import type { IncomingMessage } from 'node:http';
import { ciliumGroup, ciliumResources, coreResources, coreVersions, groupList, versionDocument } from './discovery';
import type { KubeRecord, KubeResource } from './objects';
import {
  type FieldRequirement,
  type LabelRequirement,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
} from './selectors';
import { kubeError } from './status';
import type { KubeStore, ResourceStore } from './store';

const CORE_PATH = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;
const CILIUM_PATH = /^\/apis\/cilium\.io\/v2(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;

export interface Target {
  resource: ResourceStore;
  namespace: string | null;
  name: string | null;
}

export interface Selection {
  namespace: string | null;
  name: string | null;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

export interface Route {
  target?: Target;
  discovery?: (req: IncomingMessage) => unknown;
}

/** The resource or discovery document a path names; neither for a path the server does not serve. */
export function routeOf(path: string, store: KubeStore, ciliumEndpointCRD: boolean): Route {
  switch (path) {
    case '/version':
      return { discovery: versionDocument };
    case '/api':
      return { discovery: (req) => coreVersions(req.headers.host ?? '127.0.0.1') };
    case '/api/v1':
      return { discovery: coreResources };
    case '/apis':
      return { discovery: groupList };
    case '/apis/cilium.io':
      return { discovery: ciliumGroup };
    case '/apis/cilium.io/v2':
      return { discovery: () => ciliumResources(ciliumEndpointCRD) };
  }
  const core = CORE_PATH.exec(path);
  const cilium = core ? null : CILIUM_PATH.exec(path);
  const match = core ?? cilium;
  if (!match) {
    return {};
  }
  const [, namespace, plural, name] = match;
  const allowed: KubeResource[] = core ? ['pods', 'nodes'] : ['ciliumendpoints'];
  const resource = allowed.includes(plural as KubeResource) ? store.resource(plural as KubeResource) : undefined;
  if (!resource || (namespace !== undefined && !resource.type.api.namespaced)) {
    return {};
  }
  const ns = namespace === undefined ? null : safeDecode(namespace);
  const objectName = name === undefined ? null : safeDecode(name);
  if (ns === '' || objectName === '') {
    return {};
  }
  return { target: { resource, namespace: ns, name: objectName } };
}

/** A decoded path segment; '' (never a valid name) when it is malformed or would contain a slash. */
function safeDecode(segment: string): string {
  try {
    const decoded = decodeURIComponent(segment);
    return decoded.includes('/') ? '' : decoded;
  } catch {
    return '';
  }
}

export function verbOf(target: Target, url: URL): 'get' | 'list' | 'watch' {
  const watch = url.searchParams.get('watch');
  if (watch === '1' || watch === 'true') {
    return 'watch';
  }
  return target.name === null ? 'list' : 'get';
}

/** The target narrowed by the label and field selectors of the query; 400 BadRequest for a malformed selector. */
export function selectionOf(target: Target, params: URLSearchParams): Selection {
  try {
    return {
      namespace: target.namespace,
      name: target.name,
      labels: parseLabelSelector(params.get('labelSelector') ?? ''),
      fields: parseFieldSelector(params.get('fieldSelector') ?? '', target.resource.type.fieldPaths),
    };
  } catch (error) {
    if (error instanceof SelectorError) {
      throw kubeError('BadRequest', error.message);
    }
    throw error;
  }
}

export function matcher(selection: Selection, type: ResourceStore['type']): (record: KubeRecord) => boolean {
  const { namespace, name, labels, fields } = selection;
  return (record) =>
    (namespace === null || record.namespace === namespace) &&
    (name === null || record.name === name) &&
    matchesLabels(labels, record.labels) &&
    (fields.length === 0 || matchesFields(fields, (path) => type.field(record, path)));
}

export function integerParam(params: URLSearchParams, name: string, min: number, max: number): number {
  const text = params.get(name);
  if (text === null || text === '') {
    return 0;
  }
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw kubeError('BadRequest', `${name}: Invalid value: "${text}": must be an integer from ${min} to ${max}`);
  }
  return Number(text);
}

export function booleanParam(params: URLSearchParams, name: string): boolean {
  const text = params.get(name);
  return text === 'true' || text === '1';
}
