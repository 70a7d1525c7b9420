/** Template variable builders: query variables from a datasource, and custom ones with a fixed list of values. */
import { TOP_N } from './ids';
import type { DatasourceRef, Json } from './grafana';
import type { Backend } from './panels/table';

type PerBackend<T> = Record<Backend, T>;

/** A filter variable of both main dashboards: the datasource's variable query, or label values of the series. */
export interface FilterDef {
  name: string;
  label: string;
  description: string | PerBackend<string>;
  query: PerBackend<string>;
  /** Grafana's regex on a backend's values, where its query returns more than the value (query_result). */
  regex?: Partial<PerBackend<string>>;
}

export interface QueryVariableSpec {
  name: string;
  label: string;
  description: string;
  query: string;
  datasource: DatasourceRef;
  /** Value Grafana sends for "All"; unset lets the datasource receive every option (the plugin reads $__all). */
  allValue?: string;
  sort?: number;
  /** Grafana's regex on the values: the first capture group of each match is the value (query_result needs one). */
  regex?: string;
}

export function queryVariable(v: QueryVariableSpec): Json {
  const json: Json = {
    type: 'query',
    name: v.name,
    label: v.label,
    description: v.description,
    datasource: v.datasource,
    query: v.query,
    definition: v.query,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    includeAll: true,
    multi: true,
    refresh: 2,
    regex: v.regex ?? '',
    sort: v.sort ?? 1,
    hide: 0,
    skipUrlSync: false,
  };
  if (v.allValue !== undefined) {
    json.allValue = v.allValue;
  }
  return json;
}

/** A custom variable: a fixed list of values with one selected (how many nodes the top-N panels keep, for one). */
export function customVariable(v: {
  name: string;
  label: string;
  description: string;
  values: string[];
  current: string;
}): Json {
  return {
    type: 'custom',
    name: v.name,
    label: v.label,
    description: v.description,
    query: v.values.join(','),
    current: { selected: true, text: v.current, value: v.current },
    options: v.values.map((value) => ({ selected: value === v.current, text: value, value })),
    includeAll: false,
    multi: false,
    hide: 0,
    skipUrlSync: false,
  };
}

/** How many nodes the top-N panels keep: a dashboard variable, so a bigger screen can ask for more. */
export function topNVariable(): Json {
  return customVariable({
    name: TOP_N.variable,
    label: 'Top N nodes',
    description:
      'How many nodes the per-node panels show: those ranked highest by the panel\'s own signal over the range, the rest summed as "other nodes".',
    values: [...TOP_N.values],
    current: TOP_N.default,
  });
}
