import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';

import type { AnnotationKind, Filter, QueryType, ScopeQuery } from './contract';

/**
 * A panel query as Grafana stores it: the contract's ScopeQuery plus Grafana's own DataQuery fields (hide,
 * datasource, ...). `queryType` is optional because Grafana creates queries before the editor fills them in;
 * the datasource falls back to the default query type.
 *
 * `annotationKind` marks an annotation query (Grafana runs those through `query()` as well); such a query goes to
 * `POST /api/v1/annotations` instead of `/api/v1/query`.
 */
export interface ScopeDataQuery extends DataQuery, Omit<ScopeQuery, 'refId' | 'queryType' | 'topN'> {
  queryType?: QueryType;
  annotationKind?: AnnotationKind;
  /** A number, or a template variable holding one (a dashboard's `$topn`); resolved before the query is sent. */
  topN?: number | string;
}

/** Stored in the datasource's jsonData (visible to every viewer of the datasource: no secrets here). */
export interface ScopeJsonData extends DataSourceJsonData {
  /** Exporter base URL as Grafana's server reaches it, e.g. http://ciliumscope-exporter.kube-system:9967. */
  url?: string;
  /** Request timeout in seconds, enforced by the plugin; mirrored into `timeout`, which Grafana's data proxy reads. */
  timeoutSeconds?: number;
  timeout?: number;
}

/** Stored encrypted; Grafana's data proxy adds it as `Authorization: Bearer <token>`. Never reaches the browser. */
export interface ScopeSecureJsonData {
  token?: string;
}

/** What a query variable can list. */
export type VariableQueryKind = 'nodes' | 'namespaces' | 'workloads' | 'directions' | 'dropReasons';

/**
 * A query variable. `query` holds the text form (`nodes()`, `drop_reasons(seen)`, ...) that provisioned dashboards
 * and older Grafana versions store as a plain string; the editor keeps both in step.
 */
export interface ScopeVariableQuery extends DataQuery {
  kind?: VariableQueryKind;
  /** dropReasons: only the reasons the cluster currently reports. */
  seenOnly?: boolean;
  /** namespaces: only the namespaces of workload pairs with drops. */
  droppedOnly?: boolean;
  /** workloads: the namespaces whose workloads to list (names or a template variable, comma-separated); empty: all. */
  namespace?: string;
  query?: string;
}

export const DEFAULT_URL = 'http://localhost:9967';
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Upper bound for the timeout field: beyond this a dashboard hangs rather than failing usefully. */
export const MAX_TIMEOUT_SECONDS = 300;

export type { AnnotationKind, Filter, QueryType };
