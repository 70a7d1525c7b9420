import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Box, InlineField, InlineFieldRow, InlineSwitch, RadioButtonGroup, Stack, Text } from '@grafana/ui';

import type { DropReasonInfo, NodeInfo, QueryType, QueryView } from '../contract';
import type { DataSource } from '../datasource';
import { QUERY_BOUNDS, QUERY_TYPE_INFO, QUERY_TYPE_ORDER, viewsOf, type FilterName } from '../queryCatalog';
import {
  DEFAULT_QUERY_TYPE,
  DEFAULT_TOP_N,
  DROP_DIRECTIONS,
  effectiveView,
  ENDPOINT_STATES,
  fieldsForType,
  knownType,
  queryOptions,
  queryTypeInfo,
  TRAFFIC_DIRECTIONS,
  viewOptions,
} from '../queryTypes';
import type { ScopeDataQuery, ScopeJsonData } from '../types';
import { DraftField } from './DraftField';
import { FilterField, type FilterFieldProps } from './FilterField';
import { Picker, type PickerOption } from './pickers';
import { type AsyncOptions, useAsyncOptions } from './useAsyncOptions';

type Props = QueryEditorProps<DataSource, ScopeDataQuery, ScopeJsonData>;

const LABEL_WIDTH = 14;

const QUERY_TYPE_OPTIONS: Array<PickerOption<QueryType>> = QUERY_TYPE_ORDER.map((value) => ({
  value,
  label: QUERY_TYPE_INFO[value].label,
  description: QUERY_TYPE_INFO[value].description,
}));

const GROUP_BY_OPTIONS = [
  { value: 'cluster' as const, label: 'Cluster', description: 'One series summed over the selected nodes' },
  { value: 'node' as const, label: 'Per node', description: 'One series per node' },
];

const UNIT_OPTIONS = [
  { value: 'packets' as const, label: 'Packets/s' },
  { value: 'bytes' as const, label: 'Bytes/s' },
];

/** The filters in the order the editor shows them, with their labels and help. */
const FILTER_ORDER: readonly FilterName[] = ['node', 'namespace', 'workload', 'state', 'direction', 'reason'];
const FILTER_FIELDS: Record<FilterName, { label: string; tooltip: string; labelWidth: number }> = {
  node: {
    label: 'Node',
    tooltip: 'Kubernetes nodes to include. Empty, or a variable set to All: every node.',
    labelWidth: LABEL_WIDTH,
  },
  namespace: {
    label: 'Namespace',
    tooltip: 'Namespaces of the pods to list, or (drops by workload) of either end of a pair. Empty: every namespace.',
    labelWidth: 12,
  },
  workload: {
    label: 'Workload',
    tooltip:
      'Workloads (Deployment, StatefulSet, DaemonSet, ... or reserved:world) at either end of a pair, in the namespaces ' +
      'chosen beside it. Empty: every workload.',
    labelWidth: 11,
  },
  direction: {
    label: 'Direction',
    tooltip: 'Traffic direction as the agent reports it. Drops also have SERVICE and UNKNOWN. Empty: all.',
    labelWidth: 11,
  },
  reason: {
    label: 'Reason',
    tooltip: 'Drop reasons as the agent reports them, e.g. "Policy denied". Hover a reason for what it means.',
    labelWidth: 9,
  },
  state: {
    label: 'State',
    tooltip: 'Endpoint states to include, e.g. ready, regenerating. Empty: every state.',
    labelWidth: 8,
  },
};

/** A filter's option list as loaded from the exporter. */
function loaded({
  options,
  loading,
  error,
}: AsyncOptions): Pick<FilterFieldProps, 'options' | 'loading' | 'loadError'> {
  return { options, loading, loadError: error };
}

function nodeOption(node: NodeInfo): PickerOption<string> {
  const details = [
    node.up ? 'up' : 'down',
    node.stale ? 'stale' : '',
    node.ciliumVersion ? `Cilium ${node.ciliumVersion}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { value: node.name, label: node.name, description: details };
}

function reasonOptions(reasons: DropReasonInfo[]): Array<PickerOption<string>> {
  const seen = reasons.filter((r) => r.seen);
  const others = reasons.filter((r) => !r.seen);
  return [
    ...seen.map((r) => ({ value: r.reason, label: r.reason, description: r.meaning, group: 'Reported now' })),
    ...others.map((r) => ({ value: r.reason, label: r.reason, description: r.meaning, group: 'Other reasons' })),
  ];
}

function staticOptions(values: string[]): Array<PickerOption<string>> {
  return values.map((value) => ({ value, label: value }));
}

/** "0.5, 0.9, 0.99" → [0.5, 0.9, 0.99]; undefined when any value is not strictly between 0 and 1. */
export function parseQuantiles(text: string): number[] | undefined {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.length > QUERY_BOUNDS.quantiles) {
    return undefined;
  }
  const values = parts.map(Number);
  return values.every((v) => Number.isFinite(v) && v > 0 && v < 1) ? values : undefined;
}

/**
 * The Top N field: a whole number of nodes, a template variable (`$topn`), or empty for every node (null); undefined
 * when the text is none of these.
 */
export function parseTopN(text: string): number | string | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') {
    return null;
  }
  if (/^(\$\w+|\$\{\w+\})$/.test(trimmed)) {
    return trimmed;
  }
  const value = Number(trimmed);
  return Number.isInteger(value) && value >= 1 && value <= QUERY_BOUNDS.topN ? value : undefined;
}

export function parseLimit(text: string): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= QUERY_BOUNDS.limit ? value : undefined;
}

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const queryType = query.queryType ?? DEFAULT_QUERY_TYPE;
  const info = queryTypeInfo(queryType);
  const views = viewsOf(knownType(queryType));
  const view = effectiveView(queryType, query.view);
  const options = queryOptions(queryType, query.view);
  const defaults = viewOptions(queryType, query.view);
  // The first setting of the row lines up with the fields above it.
  const firstOption = (['groupBy', 'unit', 'quantiles', 'limit', 'topN'] as const).find((o) => options.includes(o));
  const labelWidth = (option: (typeof options)[number], width: number) =>
    option === firstOption ? LABEL_WIDTH : width;
  const has = (filter: FilterName) => info.filters.includes(filter);

  const nodes = useAsyncOptions(() => datasource.getNodes().then((list) => list.map(nodeOption)), 'nodes');
  const namespaces = useAsyncOptions(
    has('namespace') ? () => datasource.getNamespaces().then(staticOptions) : undefined,
    `namespaces:${has('namespace')}`
  );
  const workloadNamespaces = JSON.stringify(query.namespace ?? null);
  const workloads = useAsyncOptions(
    has('workload')
      ? () =>
          datasource
            .getWorkloads(query.namespace)
            .then((list) => list.map((w) => ({ value: w.workload, label: w.workload, description: w.namespace })))
      : undefined,
    `workloads:${has('workload')}:${workloadNamespaces}`
  );
  const reasons = useAsyncOptions(
    has('reason') ? () => datasource.getDropReasons().then(reasonOptions) : undefined,
    `reasons:${has('reason')}`
  );

  const update = (patch: Partial<ScopeDataQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  const changeType = (next: QueryType) => {
    if (next === queryType) {
      return;
    }
    // Keep Grafana's own fields (refId, hide, datasource, ...) and the filters the new type reads; drop the rest.
    const {
      node,
      namespace,
      workload,
      direction,
      reason,
      state,
      groupBy,
      unit,
      view: _v,
      quantiles,
      limit,
      topN,
      others,
      ...grafana
    } = query;
    const kept = fieldsForType(
      { node, namespace, workload, direction, reason, state, groupBy, unit, quantiles, limit, topN, others },
      next
    );
    onChange({ ...grafana, ...kept, queryType: next });
    onRunQuery();
  };

  const directions = queryType === 'packetFlow' ? TRAFFIC_DIRECTIONS : DROP_DIRECTIONS;
  const filterOptions: Record<FilterName, Pick<FilterFieldProps, 'options' | 'loading' | 'loadError'>> = {
    node: loaded(nodes),
    namespace: loaded(namespaces),
    workload: loaded(workloads),
    state: { options: staticOptions(ENDPOINT_STATES) },
    direction: { options: staticOptions(directions) },
    reason: loaded(reasons),
  };
  const quantilesText = (query.quantiles ?? defaults.quantiles ?? []).join(', ');
  // A view without a default limit (agent status) shows every row until one is set.
  const everyRow = defaults.limit === null;
  const limitText = String(query.limit ?? defaults.limit ?? '');
  const topNText = query.topN === undefined ? '' : String(query.topN);
  // Top N ranks nodes: it applies once a query has one series per node (anomaly bands always have).
  const showTopN = options.includes('topN') && (query.groupBy === 'node' || !options.includes('groupBy'));
  // A view that keeps a top N even when unset (drops by workload, which rank pairs rather than nodes).
  const unsetTopN = typeof defaults.topN === 'number' ? defaults.topN : null;
  const ranksPairs = queryType === 'workloadDrops';

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField
          label="Query type"
          labelWidth={LABEL_WIDTH}
          tooltip="What to show. Each type reads the filters beside it."
        >
          <Picker<QueryType>
            id="ciliumscope-query-type"
            testId="query-type"
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            width={28}
            onChange={changeType}
          />
        </InlineField>
        {views.length > 0 && view && (
          <InlineField
            label="View"
            labelWidth={8}
            tooltip={views.map((v) => `${v.label}: ${v.description}`).join('. ')}
          >
            <RadioButtonGroup<QueryView>
              data-testid="query-view"
              options={views.map((v) => ({ value: v.value, label: v.label, description: v.description }))}
              value={view.value}
              onChange={(value) => update({ view: value })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <Box marginBottom={1}>
        <Text variant="bodySmall" color="secondary" data-testid="query-type-description">
          {info.help}
        </Text>
      </Box>

      <InlineFieldRow>
        {FILTER_ORDER.filter((name) => name === 'node' || has(name)).map((name) => (
          <FilterField
            key={name}
            {...FILTER_FIELDS[name]}
            {...filterOptions[name]}
            value={query[name]}
            onChange={(value) => update({ [name]: value })}
          />
        ))}
      </InlineFieldRow>

      {options.length > 0 && (
        <InlineFieldRow>
          {options.includes('groupBy') && (
            <InlineField
              label="Series"
              labelWidth={LABEL_WIDTH}
              tooltip="Sum over the selected nodes, or one series per node."
            >
              <RadioButtonGroup
                data-testid="query-group-by"
                options={GROUP_BY_OPTIONS}
                value={query.groupBy ?? 'cluster'}
                onChange={(groupBy) =>
                  // One series per node starts light: the top nodes and the rest as one series.
                  update(
                    groupBy === 'node'
                      ? { groupBy, topN: query.topN ?? DEFAULT_TOP_N, others: query.others ?? true }
                      : { groupBy }
                  )
                }
              />
            </InlineField>
          )}
          {options.includes('unit') && (
            <InlineField
              label="Unit"
              labelWidth={labelWidth('unit', 8)}
              tooltip="Packets per second or bytes per second."
            >
              <RadioButtonGroup
                data-testid="query-unit"
                options={UNIT_OPTIONS}
                value={query.unit ?? 'packets'}
                onChange={(unit) => update({ unit })}
              />
            </InlineField>
          )}
          {options.includes('quantiles') && (
            <DraftField
              key={quantilesText}
              label="Quantiles"
              labelWidth={labelWidth('quantiles', 11)}
              tooltip="Comma-separated quantiles between 0 and 1, e.g. 0.5, 0.9, 0.99."
              testId="query-quantiles"
              width={20}
              value={quantilesText}
              parse={parseQuantiles}
              invalidMessage="Values between 0 and 1, comma-separated"
              onCommit={(quantiles) => update({ quantiles })}
            />
          )}
          {options.includes('limit') && (
            <DraftField
              key={limitText}
              label="Limit"
              labelWidth={labelWidth('limit', 8)}
              tooltip={
                `Rows (tables) or series (bands) to show, highest first; 1 to ${QUERY_BOUNDS.limit}.` +
                (everyRow ? ' Empty: every row.' : '')
              }
              testId="query-limit"
              type="number"
              min={1}
              max={QUERY_BOUNDS.limit}
              width={10}
              value={limitText}
              parse={(text) => (everyRow && text.trim() === '' ? null : parseLimit(text))}
              invalidMessage={`A whole number from 1 to ${QUERY_BOUNDS.limit}${everyRow ? ', or empty for every row' : ''}`}
              onCommit={(limit) => update({ limit: limit ?? undefined })}
            />
          )}
          {showTopN && (
            <DraftField
              key={topNText}
              label="Top N"
              labelWidth={labelWidth('topN', 11)}
              tooltip={
                ranksPairs
                  ? `Keep the N workload pairs with the highest mean drop rate over the whole range. Empty: ${unsetTopN}. ` +
                    'A variable such as $topn works too.'
                  : "Keep the N nodes that rank highest by this query's own signal over the whole range (endpoints not " +
                    'ready, regeneration failures, the slowest scrapes, ...). Empty: every node. A variable such as ' +
                    '$topn works too.'
              }
              testId="query-top-n"
              width={10}
              value={topNText}
              parse={parseTopN}
              invalidMessage={`A whole number from 1 to ${QUERY_BOUNDS.topN}, a variable, or empty for ${unsetTopN ?? 'every node'}`}
              onCommit={(topN) => update({ topN: topN === null ? undefined : topN })}
            />
          )}
          {showTopN && (query.topN !== undefined || unsetTopN !== null) && (
            <InlineField
              label="Others"
              labelWidth={9}
              tooltip={
                ranksPairs
                  ? 'Also one series for every other pair, summed.'
                  : 'Also one series for the nodes outside the top N, summed (the maximum for durations).'
              }
            >
              <InlineSwitch
                data-testid="query-others"
                value={query.others ?? false}
                onChange={(e) => update({ others: e.currentTarget.checked })}
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}
    </Stack>
  );
}
