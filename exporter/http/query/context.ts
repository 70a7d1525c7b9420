/** What every query handler gets, and the small helpers they share to select and shape history series. */
import type { DataFrameJSON, FieldConfigJSON, ScopeQuery, StatusResponse, UnmanagedPodsResponse } from '../../../src/contract';
import type { HistoryStore, Labels, SeriesRange } from '../../history/store';
import type { ClusterModel } from '../../model/cluster';
import { type AcrossSeries, type StepGrid, type WithinStep, groupBy, reduceGroup } from './range';
import { seriesFrame } from './frames';
import { filterSet } from './validate';

/** Answers about Kubernetes, when the exporter watches it. */
export interface KubeQueries {
  unmanagedPods(filter: { node: Set<string> | null; namespace: Set<string> | null }): UnmanagedPodsResponse;
  namespaces(): string[];
  /** Pods and unmanaged pods per node, for the node list. */
  podCounts(): Map<string, { pods: number; unmanaged: number }>;
  status(): StatusResponse['kubernetes'];
}

/** Current anomaly state, when the detector runs. */
export interface AnomalyQueries {
  current(): Array<{ node: string; direction: string; reason: string; rate: number; baseline: number; upperBand: number; score: number; warmingUp: boolean }>;
}

export interface QueryContext {
  grid: StepGrid;
  model: ClusterModel;
  history: HistoryStore;
  kube: KubeQueries | null;
  anomaly: AnomalyQueries | null;
}

export type QueryHandler = (query: ScopeQuery, ctx: QueryContext) => DataFrameJSON[];

/** Label filters of a query, keyed by history label name. */
export function labelFilters(query: ScopeQuery, names: Array<'node' | 'direction' | 'reason' | 'state'>): (labels: Labels) => boolean {
  const sets = names.map((n) => [n, filterSet(query[n])] as const).filter(([, set]) => set !== null) as Array<readonly [string, Set<string>]>;
  return (labels) => sets.every(([name, set]) => set.has(labels[name] ?? ''));
}

export function select(ctx: QueryContext, metric: string, match: (labels: Labels) => boolean): SeriesRange[] {
  // One step earlier than the range, so the first step has its points.
  return ctx.history.select(metric, match, ctx.grid.from - ctx.grid.step, ctx.grid.to);
}

export interface GroupedFramesOptions {
  refId: string;
  series: SeriesRange[];
  /** Labels that make a frame; series differing only in other labels are combined. */
  by: string[];
  within: WithinStep;
  across: AcrossSeries;
  config: (labels: Record<string, string>) => FieldConfigJSON;
}

/** One frame per group of series, each combined across its members step by step. */
export function groupedFrames(ctx: QueryContext, o: GroupedFramesOptions): DataFrameJSON[] {
  const frames: DataFrameJSON[] = [];
  for (const { labels, members } of groupBy(o.series, o.by).values()) {
    const values = reduceGroup(members, ctx.grid, o.within, o.across);
    if (values.every((v) => v === null)) {
      continue;
    }
    frames.push(seriesFrame({ refId: o.refId, times: ctx.grid.times, values, labels, config: o.config(labels) }));
  }
  return frames;
}

/** The labels a grouped query splits by: node too when grouping per node. */
export function splitLabels(query: ScopeQuery, others: string[]): string[] {
  return query.groupBy === 'node' ? ['node', ...others] : others;
}

export function displayName(labels: Record<string, string>, parts: string[], suffix = ''): string {
  const text = parts.map((p) => labels[p]).filter((v) => v !== undefined && v !== '').join(' ');
  return (text + suffix).trim() || suffix.trim();
}
