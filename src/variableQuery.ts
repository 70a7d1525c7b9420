import type { ScopeVariableQuery, VariableQueryKind } from './types';

/** The text form of each variable query kind, as a provisioned dashboard may store it. */
export const VARIABLE_QUERY_SYNTAX: Record<VariableQueryKind, { text: string; label: string; description: string }> = {
  nodes: { text: 'nodes()', label: 'Nodes', description: 'Kubernetes nodes the exporter scrapes' },
  namespaces: {
    text: 'namespaces()',
    label: 'Namespaces',
    description: 'Namespaces with pods or with drops by workload; namespaces(dropped) for those with drops only',
  },
  workloads: {
    text: 'workloads()',
    label: 'Workloads',
    description:
      'Workloads with drops (Hubble), as source or destination; workloads($namespace) for those of some namespaces',
  },
  directions: { text: 'directions()', label: 'Directions', description: 'INGRESS and EGRESS' },
  dropReasons: {
    text: 'drop_reasons()',
    label: 'Drop reasons',
    description: 'Every drop reason Cilium reports; drop_reasons(seen) for those the cluster reports now',
  },
};

const FUNCTION_NAMES: Record<string, VariableQueryKind> = {
  nodes: 'nodes',
  namespaces: 'namespaces',
  workloads: 'workloads',
  directions: 'directions',
  drop_reasons: 'dropReasons',
  dropreasons: 'dropReasons',
};

export class VariableQueryError extends Error {}

/** A variable query read: what to list and its option. */
export interface ParsedVariableQuery {
  kind: VariableQueryKind;
  /** dropReasons: only the reasons reported now. */
  seenOnly: boolean;
  /** namespaces: only those with drops by workload. */
  droppedOnly?: boolean;
  /** workloads: the namespaces to list workloads of, comma-separated names or a template variable. */
  namespace?: string;
}

/** One namespace of a workloads() argument: a name, a template variable, or All. */
const NAMESPACE_ITEM = String.raw`(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?|\$\w+|\$\{\w+(?::[^}]*)?\}|\*)`;
/**
 * A workloads() argument: namespaces, comma-separated, or a variable's values as Grafana's default format joins
 * them when the query is interpolated before it reaches the datasource (`{shop,payments}`).
 */
const NAMESPACE_ARGUMENT = new RegExp(
  `^(?:${NAMESPACE_ITEM}(?:\\s*,\\s*${NAMESPACE_ITEM})*|\\{${NAMESPACE_ITEM}(?:,${NAMESPACE_ITEM})*\\})$`
);

const SYNTAX =
  'use nodes(), namespaces(), namespaces(dropped), workloads(), workloads(<namespace or $variable>), directions(), ' +
  'drop_reasons() or drop_reasons(seen).';

/**
 * Reads a variable query: the editor's object, or text such as `nodes()`, `namespaces()`, `namespaces(dropped)`,
 * `workloads($namespace)`, `directions()`, `drop_reasons()` and `drop_reasons(seen)` (parentheses optional, names
 * case-insensitive). An empty query lists nodes.
 */
export function parseVariableQuery(query: ScopeVariableQuery | string | undefined): ParsedVariableQuery {
  if (query && typeof query === 'object' && query.kind) {
    return withOptions(query.kind, Boolean(query.seenOnly), Boolean(query.droppedOnly), query.namespace?.trim() ?? '');
  }
  const text = (typeof query === 'string' ? query : (query?.query ?? '')).trim();
  if (text === '') {
    return { kind: 'nodes', seenOnly: false };
  }
  const match = /^([a-z_]+)\s*(?:\(\s*([^()]*?)\s*\))?$/i.exec(text);
  const kind = match ? FUNCTION_NAMES[match[1].toLowerCase()] : undefined;
  const argument = match?.[2] ?? '';
  const word = argument.toLowerCase();
  const fits =
    argument === '' ||
    (kind === 'dropReasons' && word === 'seen') ||
    (kind === 'namespaces' && word === 'dropped') ||
    (kind === 'workloads' && NAMESPACE_ARGUMENT.test(argument));
  if (!kind || !fits) {
    throw new VariableQueryError(`Unknown variable query "${text}": ${SYNTAX}`);
  }
  return withOptions(
    kind,
    word === 'seen',
    word === 'dropped',
    kind === 'workloads' ? argument.replace(/^\{(.*)\}$/, '$1') : ''
  );
}

function withOptions(
  kind: VariableQueryKind,
  seenOnly: boolean,
  droppedOnly: boolean,
  namespace: string
): ParsedVariableQuery {
  return {
    kind,
    seenOnly: kind === 'dropReasons' && seenOnly,
    ...(kind === 'namespaces' && droppedOnly ? { droppedOnly: true } : {}),
    ...(kind === 'workloads' && namespace ? { namespace } : {}),
  };
}

/** The text form of a variable query, stored next to the structured one. */
export function variableQueryText(
  kind: VariableQueryKind,
  seenOnly: boolean,
  options: Pick<ParsedVariableQuery, 'droppedOnly' | 'namespace'> = {}
): string {
  if (kind === 'dropReasons' && seenOnly) {
    return 'drop_reasons(seen)';
  }
  if (kind === 'namespaces' && options.droppedOnly) {
    return 'namespaces(dropped)';
  }
  if (kind === 'workloads' && options.namespace) {
    return `workloads(${options.namespace})`;
  }
  return VARIABLE_QUERY_SYNTAX[kind].text;
}
