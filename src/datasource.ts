import {
  DataSourceApi,
  LoadingState,
  type CoreApp,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { catchError, forkJoin, lastValueFrom, map, Observable, of } from 'rxjs';

import { ExporterClient, ExporterError } from './api';
import { createAnnotationSupport } from './annotations';
import type {
  AnnotationsRequest,
  AnnotationsResponse,
  DropReasonInfo,
  DropReasonsResponse,
  Filter,
  NamespacesResponse,
  NodeInfo,
  NodesResponse,
  QueryRequest,
  QueryResponse,
  StatusResponse,
  WorkloadRef,
  WorkloadsResponse,
} from './contract';
import { applyTemplateVariables, interpolateFilter, queryContainsTemplate, toScopeQuery } from './interpolate';
import { QUERY_TYPE_INFO } from './queryCatalog';
import { DEFAULT_QUERY_TYPE, TRAFFIC_DIRECTIONS } from './queryTypes';
import {
  annotationsToFrame,
  mergeResponses,
  queryResponseToDataQueryResponse,
  requestErrorToResponse,
} from './responses';
import { statusToTestResult } from './status';
import {
  DEFAULT_TIMEOUT_SECONDS,
  MAX_TIMEOUT_SECONDS,
  type ScopeDataQuery,
  type ScopeJsonData,
  type ScopeVariableQuery,
} from './types';
import { parseVariableQuery } from './variableQuery';
import { ScopeVariableSupport } from './variables';

/** A time range in Unix ms. */
export interface TimeSpan {
  from: number;
  to: number;
}

/** URL parameters: the given ones and the range's from and to. */
function rangeParams(range: TimeSpan | undefined, params: Record<string, string>): string {
  const all = new URLSearchParams(params);
  if (range) {
    all.set('from', String(Math.round(range.from)));
    all.set('to', String(Math.round(range.to)));
  }
  return all.toString();
}

/** How long option lists (nodes, namespaces, drop reasons) are reused by the editors before asking again. */
const OPTIONS_TTL_MS = 30_000;

interface CachedList<T> {
  at: number;
  promise: Promise<T>;
}

export class DataSource extends DataSourceApi<ScopeDataQuery, ScopeJsonData> {
  readonly api: ExporterClient;
  readonly timeoutSeconds: number;
  private readonly lists = new Map<string, CachedList<unknown>>();

  constructor(instanceSettings: DataSourceInstanceSettings<ScopeJsonData>) {
    super(instanceSettings);
    const configured = Number(instanceSettings.jsonData?.timeoutSeconds);
    this.timeoutSeconds =
      Number.isFinite(configured) && configured > 0
        ? Math.min(configured, MAX_TIMEOUT_SECONDS)
        : DEFAULT_TIMEOUT_SECONDS;
    this.api = new ExporterClient({
      proxyUrl: instanceSettings.url,
      exporterUrl: instanceSettings.jsonData?.url,
      timeoutMs: this.timeoutSeconds * 1000,
    });
    this.annotations = createAnnotationSupport();
    this.variables = new ScopeVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<ScopeDataQuery> {
    return { queryType: DEFAULT_QUERY_TYPE, groupBy: 'cluster' };
  }

  filterQuery(query: ScopeDataQuery): boolean {
    return !query.hide;
  }

  /** The query with template variables resolved: `$node` = [a, b] becomes `node: ['a', 'b']`, All no filter. */
  applyTemplateVariables(query: ScopeDataQuery, scopedVars?: ScopedVars): ScopeDataQuery {
    return applyTemplateVariables(query, scopedVars, getTemplateSrv());
  }

  interpolateVariablesInQueries(queries: ScopeDataQuery[], scopedVars: ScopedVars): ScopeDataQuery[] {
    return queries.map((q) => ({ ...this.applyTemplateVariables(q, scopedVars), datasource: this.getRef() }));
  }

  targetContainsTemplate(query: ScopeDataQuery): boolean {
    return queryContainsTemplate(query, getTemplateSrv());
  }

  getQueryDisplayText(query: ScopeDataQuery): string {
    const info = QUERY_TYPE_INFO[query.queryType ?? DEFAULT_QUERY_TYPE];
    const filters = (['node', 'namespace', 'workload', 'direction', 'reason', 'state'] as const)
      .filter((f) => query[f] !== undefined)
      .map((f) => `${f}=${([] as string[]).concat(query[f] ?? []).join('|')}`);
    return [info?.label ?? query.queryType, query.view, ...filters].filter(Boolean).join(' ');
  }

  query(request: DataQueryRequest<ScopeDataQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.filter((t) => !t.hide);
    const dataTargets = targets.filter((t) => !t.annotationKind);
    const annotationTargets = targets.filter((t) => t.annotationKind);
    const parts: Array<Observable<DataQueryResponse>> = [];

    if (dataTargets.length > 0) {
      parts.push(this.runDataQueries(request, dataTargets));
    }
    for (const target of annotationTargets) {
      parts.push(this.runAnnotationQuery(request, target));
    }
    if (parts.length === 0) {
      return of({ data: [], state: LoadingState.Done });
    }
    return forkJoin(parts).pipe(map(mergeResponses));
  }

  private runDataQueries(
    request: DataQueryRequest<ScopeDataQuery>,
    targets: ScopeDataQuery[]
  ): Observable<DataQueryResponse> {
    const refIds = targets.map((t) => t.refId);
    const body: QueryRequest = {
      from: request.range.from.valueOf(),
      to: request.range.to.valueOf(),
      intervalMs: request.intervalMs,
      maxDataPoints: request.maxDataPoints,
      queries: targets.map((t) => toScopeQuery(this.applyTemplateVariables(t, request.scopedVars), DEFAULT_QUERY_TYPE)),
    };
    return this.api.post<QueryResponse>('/api/v1/query', body, request.requestId).pipe(
      map((response) => queryResponseToDataQueryResponse(response, refIds)),
      catchError((err: ExporterError) => of(requestErrorToResponse(err, refIds)))
    );
  }

  private runAnnotationQuery(
    request: DataQueryRequest<ScopeDataQuery>,
    target: ScopeDataQuery
  ): Observable<DataQueryResponse> {
    const kind = target.annotationKind!;
    const body: AnnotationsRequest = {
      from: request.range.from.valueOf(),
      to: request.range.to.valueOf(),
      kind,
      node: interpolateFilter(target.node, request.scopedVars, getTemplateSrv()),
    };
    if (body.node === undefined) {
      delete body.node;
    }
    const requestId = request.requestId ? `${request.requestId}-${target.refId}` : undefined;
    return this.api.post<AnnotationsResponse>('/api/v1/annotations', body, requestId).pipe(
      map((response): DataQueryResponse => ({
        data: [annotationsToFrame(response.annotations ?? [], target.refId, kind)],
        state: LoadingState.Done,
      })),
      catchError((err: ExporterError) => of(requestErrorToResponse(err, [target.refId])))
    );
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const status = await lastValueFrom(this.api.get<StatusResponse>('/api/v1/status'));
      if (!status || typeof status !== 'object' || !status.nodes || !status.kubernetes) {
        return {
          status: 'error',
          message:
            'The URL answers, but not like a Cilium Scope exporter (no status in its answer to /api/v1/status). ' +
            'Check that it points at the exporter.',
        };
      }
      return statusToTestResult(status);
    } catch (err) {
      const error = err instanceof ExporterError ? err : this.api.toExporterError(err);
      return { status: 'error', message: error.message };
    }
  }

  /** The nodes the exporter knows, sorted by name. `fresh` skips the editors' short-lived cache. */
  getNodes(fresh = false): Promise<NodeInfo[]> {
    return this.cachedList('nodes', fresh, () =>
      lastValueFrom(this.api.get<NodesResponse>('/api/v1/nodes')).then((r) =>
        [...(r.nodes ?? [])].sort((a, b) => a.name.localeCompare(b.name))
      )
    );
  }

  /**
   * Namespaces with pods (Kubernetes) or with drops by workload; `droppedOnly` the latter alone, within `range` when
   * given.
   */
  getNamespaces(fresh = false, droppedOnly = false, range?: TimeSpan): Promise<string[]> {
    const query = droppedOnly ? rangeParams(range, { dropped: 'true' }) : '';
    return this.cachedList(`namespaces?${query}`, fresh, () =>
      lastValueFrom(this.api.get<NamespacesResponse>(`/api/v1/namespaces${query ? `?${query}` : ''}`)).then((r) =>
        [...(r.namespaces ?? [])].sort()
      )
    );
  }

  /**
   * The workloads of pairs with drops (Hubble), in the given namespaces (template variables resolved; none: all).
   * `fresh` skips the editors' short-lived cache; a time range narrows them to the pairs with drops in it.
   */
  getWorkloads(namespace?: Filter, fresh = false, range?: TimeSpan): Promise<WorkloadRef[]> {
    const resolved = interpolateFilter(namespace, undefined, getTemplateSrv());
    const query = rangeParams(
      range,
      resolved === undefined ? {} : { namespace: ([] as string[]).concat(resolved).join(',') }
    );
    return this.cachedList(`workloads?${query}`, fresh, () =>
      lastValueFrom(this.api.get<WorkloadsResponse>(`/api/v1/workloads${query ? `?${query}` : ''}`)).then(
        (r) => r.workloads ?? []
      )
    );
  }

  getDropReasons(fresh = false): Promise<DropReasonInfo[]> {
    return this.cachedList('dropReasons', fresh, () =>
      lastValueFrom(this.api.get<DropReasonsResponse>('/api/v1/drop-reasons')).then((r) => r.reasons ?? [])
    );
  }

  /** Values of a query variable (see variableQuery.ts for the text syntax). */
  async findVariableValues(
    query: ScopeVariableQuery | string | undefined,
    range?: TimeSpan
  ): Promise<MetricFindValue[]> {
    const { kind, seenOnly, droppedOnly, namespace } = parseVariableQuery(query);
    switch (kind) {
      case 'nodes':
        return (await this.getNodes(true)).map((n) => ({ text: n.name, value: n.name }));
      case 'namespaces':
        return (await this.getNamespaces(true, droppedOnly, range)).map((n) => ({ text: n, value: n }));
      case 'workloads': {
        const namespaces = namespace?.split(',').map((n) => n.trim());
        const names = new Set((await this.getWorkloads(namespaces, true, range)).map((w) => w.workload));
        return [...names].sort().map((w) => ({ text: w, value: w }));
      }
      case 'directions':
        return TRAFFIC_DIRECTIONS.map((d) => ({ text: d, value: d }));
      case 'dropReasons':
        return (await this.getDropReasons(true))
          .filter((r) => !seenOnly || r.seen)
          .map((r) => ({ text: r.reason, value: r.reason }));
    }
  }

  metricFindQuery(
    query: ScopeVariableQuery | string,
    options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]> {
    const range = options?.range ? { from: options.range.from.valueOf(), to: options.range.to.valueOf() } : undefined;
    return this.findVariableValues(query, range);
  }

  private cachedList<T>(key: string, fresh: boolean, load: () => Promise<T>): Promise<T> {
    const cached = this.lists.get(key) as CachedList<T> | undefined;
    if (!fresh && cached && Date.now() - cached.at < OPTIONS_TTL_MS) {
      return cached.promise;
    }
    const entry: CachedList<T> = { at: Date.now(), promise: load() };
    this.lists.set(key, entry);
    // A failure is not kept: the next editor render asks again.
    entry.promise.catch(() => {
      if (this.lists.get(key) === entry) {
        this.lists.delete(key);
      }
    });
    return entry.promise;
  }
}
