/**
 * What the query editor needs beyond the query catalogue (queryCatalog.ts, shared with the exporter): the defaults
 * of a new query, the values offered in the filters, and which settings apply to a query in its view.
 */
import type { QueryType, QueryView, ScopeQuery } from './contract';
import { QUERY_TYPE_INFO, type QueryOption, type QueryTypeInfo, type ViewInfo, type ViewOptions } from './queryCatalog';

export const DEFAULT_QUERY_TYPE: QueryType = 'endpoints';
/** What a query grouped per node keeps when the editor switches it to one series per node. */
export const DEFAULT_TOP_N = 10;

/** Endpoint states as the agent names them (Cilium's EndpointState enum, plus the older "creating"). */
export const ENDPOINT_STATES = [
  'ready',
  'regenerating',
  'waiting-to-regenerate',
  'waiting-for-identity',
  'not-ready',
  'restoring',
  'creating',
  'disconnecting',
  'disconnected',
  'invalid',
];

export const TRAFFIC_DIRECTIONS = ['INGRESS', 'EGRESS'];
/** Drops also carry these directions (service load-balancing drops, and drops the datapath could not attribute). */
export const DROP_DIRECTIONS = ['INGRESS', 'EGRESS', 'SERVICE', 'UNKNOWN'];

/** The query type the editor shows: a stored query of a type this build does not know reads as the default type. */
export function knownType(queryType: QueryType | undefined): QueryType {
  return queryType !== undefined && QUERY_TYPE_INFO[queryType] ? queryType : DEFAULT_QUERY_TYPE;
}

export function queryTypeInfo(queryType: QueryType | undefined): QueryTypeInfo {
  return QUERY_TYPE_INFO[knownType(queryType)];
}

/** The view in effect: the stored one when it belongs to the type, else the type's default; none for a single view. */
export function effectiveView(
  queryType: QueryType | undefined,
  view: QueryView | undefined
): (ViewInfo & { value: QueryView }) | undefined {
  const { views, defaultView } = queryTypeInfo(queryType);
  const value = view !== undefined && views?.[view] ? view : defaultView;
  const info = value !== undefined ? views?.[value] : undefined;
  return info && value !== undefined ? { value, ...info } : undefined;
}

/** The settings a query reads in its view (the stored one, or the type's default), with their defaults. */
export function viewOptions(queryType: QueryType | undefined, view: QueryView | undefined): ViewOptions {
  const info = queryTypeInfo(queryType);
  return (info.views ? effectiveView(queryType, view)?.options : info.options) ?? {};
}

/** The settings that apply to a query type in a view (the stored one, or the type's default). */
export function queryOptions(queryType: QueryType | undefined, view: QueryView | undefined): QueryOption[] {
  return Object.keys(viewOptions(queryType, view)) as QueryOption[];
}

type QueryFields = Omit<ScopeQuery, 'refId' | 'queryType' | 'topN'> & { topN?: number | string };

/**
 * The fields a query keeps when it changes to `queryType`: those the new type reads in its default view, so a
 * dashboard's JSON never carries filters that silently do nothing.
 */
export function fieldsForType<T extends QueryFields>(query: T, queryType: QueryType): Partial<QueryFields> {
  const info = queryTypeInfo(queryType);
  const kept: Partial<QueryFields> = {};
  for (const filter of info.filters) {
    if (query[filter] !== undefined) {
      kept[filter] = query[filter];
    }
  }
  // The new type starts on its default view.
  const options = queryOptions(queryType, undefined);
  if (options.includes('groupBy') && query.groupBy) {
    kept.groupBy = query.groupBy;
  }
  if (options.includes('unit') && query.unit) {
    kept.unit = query.unit;
  }
  if (options.includes('topN')) {
    if (query.topN !== undefined) {
      kept.topN = query.topN;
    }
    if (query.others !== undefined) {
      kept.others = query.others;
    }
  }
  return kept;
}
