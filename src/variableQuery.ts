import type { ScopeVariableQuery, VariableQueryKind } from './types';

/** The text form of each variable query kind, as a provisioned dashboard may store it. */
export const VARIABLE_QUERY_SYNTAX: Record<VariableQueryKind, { text: string; label: string; description: string }> = {
  nodes: { text: 'nodes()', label: 'Nodes', description: 'Kubernetes nodes the exporter scrapes' },
  namespaces: { text: 'namespaces()', label: 'Namespaces', description: 'Namespaces with pods' },
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
  directions: 'directions',
  drop_reasons: 'dropReasons',
  dropreasons: 'dropReasons',
};

export class VariableQueryError extends Error {}

/**
 * Reads a variable query: the editor's object, or text such as `nodes()`, `namespaces()`, `directions()`,
 * `drop_reasons()` and `drop_reasons(seen)` (parentheses optional, case-insensitive). An empty query lists nodes.
 */
export function parseVariableQuery(query: ScopeVariableQuery | string | undefined): {
  kind: VariableQueryKind;
  seenOnly: boolean;
} {
  if (query && typeof query === 'object' && query.kind) {
    return { kind: query.kind, seenOnly: Boolean(query.seenOnly) };
  }
  const text = (typeof query === 'string' ? query : (query?.query ?? '')).trim();
  if (text === '') {
    return { kind: 'nodes', seenOnly: false };
  }
  const match = /^([a-z_]+)\s*(?:\(\s*([a-z]*)\s*\))?$/i.exec(text);
  const kind = match ? FUNCTION_NAMES[match[1].toLowerCase()] : undefined;
  const argument = match?.[2]?.toLowerCase() ?? '';
  if (!kind || (argument !== '' && !(kind === 'dropReasons' && argument === 'seen'))) {
    throw new VariableQueryError(
      `Unknown variable query "${text}": use nodes(), namespaces(), directions(), drop_reasons() or drop_reasons(seen).`
    );
  }
  return { kind, seenOnly: argument === 'seen' };
}

/** The text form of a variable query, stored next to the structured one. */
export function variableQueryText(kind: VariableQueryKind, seenOnly: boolean): string {
  return kind === 'dropReasons' && seenOnly ? 'drop_reasons(seen)' : VARIABLE_QUERY_SYNTAX[kind].text;
}
