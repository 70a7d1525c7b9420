/** What every query handler gets, and the small helpers they share to read the history and shape its series. */
import type {
  DataFrameJSON,
  FieldConfigJSON,
  ScopeQuery,
  StatusResponse,
  UnmanagedPodsResponse,
} from '../../../src/contract';
import type { GridSeries, HistoryReader } from '../../history/backend';
import type { StepGrid } from '../../history/grid';
import type { ClusterView } from '../../model/view';
import { seriesFrame } from './frames';
import type { Reads } from './promql-table';
import type { HubbleQueries } from '../../hubble/queries';

/** Answers about Kubernetes, when the exporter watches it. */
export interface KubeQueries {
  unmanagedPods(filter: { node: Set<string> | null; namespace: Set<string> | null }): UnmanagedPodsResponse;
  namespaces(): string[];
  /** Pods and unmanaged pods per node, for the node list. */
  podCounts(): Map<string, { pods: number; unmanaged: number }>;
  status(): StatusResponse['kubernetes'];
}

export interface QueryContext {
  grid: StepGrid;
  history: HistoryReader;
  /** The targets and their state (the agentHealth status table). */
  cluster: ClusterView;
  kube: KubeQueries | null;
  /** The exporter's Hubble side, when Hubble is configured (drops by workload read the history; policies need it). */
  hubble?: HubbleQueries | null;
}

export type QueryHandler = (query: ScopeQuery, ctx: QueryContext) => Promise<DataFrameJSON[]>;

/** Evaluates named expressions on the query's grid (or another one), together. */
export async function read<R extends Reads>(
  ctx: QueryContext,
  reads: R,
  grid: StepGrid = ctx.grid
): Promise<Record<keyof R, GridSeries[]>> {
  const names = Object.keys(reads) as Array<keyof R>;
  const results = await ctx.history.evaluate(
    names.map((n) => reads[n]),
    grid
  );
  return Object.fromEntries(names.map((n, i) => [n, results[i]])) as Record<keyof R, GridSeries[]>;
}

/** One time-series frame per result series. */
export function seriesFrames(
  ctx: QueryContext,
  refId: string,
  series: GridSeries[],
  config: (labels: Record<string, string>) => FieldConfigJSON,
  extraLabels: Record<string, string> = {}
): DataFrameJSON[] {
  return series.map((s) =>
    seriesFrame({
      refId,
      times: ctx.grid.times,
      values: s.values,
      labels: { ...s.labels, ...extraLabels },
      config: config(s.labels),
    })
  );
}

export function displayName(labels: Record<string, string>, parts: string[], suffix = ''): string {
  const text = parts
    .map((p) => labels[p])
    .filter((v) => v !== undefined && v !== '')
    .join(' ');
  return (text + suffix).trim() || suffix.trim();
}
