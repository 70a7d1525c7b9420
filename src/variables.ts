import {
  createDataFrame,
  CustomVariableSupport,
  FieldType,
  LoadingState,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
} from '@grafana/data';
import { catchError, from, map, Observable, of } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { ScopeDataQuery, ScopeJsonData, ScopeVariableQuery } from './types';

/** What the variable support needs from the datasource. */
export interface VariableValueSource {
  findVariableValues(
    query: ScopeVariableQuery | string | undefined,
    range?: { from: number; to: number }
  ): Promise<MetricFindValue[]>;
}

/**
 * Query variables with their own editor (what Grafana's Prometheus and Loki datasources use in 13.x): nodes,
 * namespaces, workloads, directions and drop reasons, from `GET /api/v1/nodes`, `/namespaces`, `/workloads` and
 * `/drop-reasons`; namespaces with drops and workloads within the dashboard's time range.
 */
export class ScopeVariableSupport extends CustomVariableSupport<
  DataSourceApi<ScopeDataQuery, ScopeJsonData>,
  ScopeVariableQuery
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: VariableValueSource) {
    super();
  }

  query(request: DataQueryRequest<ScopeVariableQuery>): Observable<DataQueryResponse> {
    const target = request.targets[0];
    const range = request.range ? { from: request.range.from.valueOf(), to: request.range.to.valueOf() } : undefined;
    return from(this.datasource.findVariableValues(target, range)).pipe(
      map((values): DataQueryResponse => ({
        data: [
          createDataFrame({
            refId: target?.refId,
            fields: [
              { name: 'text', type: FieldType.string, values: values.map((v) => v.text) },
              { name: 'value', type: FieldType.string, values: values.map((v) => String(v.value ?? v.text)) },
            ],
          }),
        ],
        state: LoadingState.Done,
      })),
      catchError((err: unknown) =>
        of({
          data: [],
          errors: [{ refId: target?.refId, message: err instanceof Error ? err.message : String(err) }],
          state: LoadingState.Error,
        })
      )
    );
  }
}
