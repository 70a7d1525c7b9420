/**
 * The lists behind the workload variables: the ends (namespace, workload) of the pairs with drops by workload, read
 * from the history (WORKLOAD_TABLE.ends in query/promql-table.ts), so a query replica lists what the scraping
 * exporters wrote to Prometheus. Within the request's range when it gives one, else within the gauge lookback at the
 * exporter's clock: the pairs the exporter exports now.
 */
import type { WorkloadRef } from '../../src/contract';
import type { HistoryReader } from '../history/backend';
import { instantGrid, lookbackMs } from '../history/grid';
import { WORKLOAD_TABLE } from './query/workload-table';
import { LIMITS, ValidationError } from './query/validate';

export interface VariableWindow {
  /** Unix ms the lists are read at, and how far back they look. */
  at: number;
  windowMs: number;
}

function millis(value: string | string[] | undefined, field: string): number | null {
  if (value === undefined) {
    return null;
  }
  const text = Array.isArray(value) ? value.join(',') : value;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new ValidationError(`${field} must be a time in Unix milliseconds`, field);
  }
  return n;
}

/** The window of `?from=&to=` (both or neither), or the lookback before `now`. */
export function variableWindow(
  from: string | string[] | undefined,
  to: string | string[] | undefined,
  now: number,
  intervalMs: number
): VariableWindow {
  const [start, end] = [millis(from, 'from'), millis(to, 'to')];
  const lookback = lookbackMs({ intervalMs });
  if (start === null && end === null) {
    return { at: now, windowMs: lookback };
  }
  if (start === null || end === null) {
    throw new ValidationError(
      `${start === null ? 'from' : 'to'} is required with ${start === null ? 'to' : 'from'}`,
      start === null ? 'from' : 'to'
    );
  }
  if (end < start) {
    throw new ValidationError('to must not be before from', 'to');
  }
  if (end - start > LIMITS.maxRangeMs) {
    throw new ValidationError('to must be within 31 days of from (the longest range a query may ask for)', 'to');
  }
  return { at: end, windowMs: Math.max(lookback, end - start) };
}

/** Both ends of every pair with a sample in the window (in the namespaces given, null: all), sorted, each once. */
export async function droppedEnds(
  history: HistoryReader,
  namespaces: ReadonlySet<string> | null,
  window: VariableWindow,
  intervalMs: number
): Promise<WorkloadRef[]> {
  const { source, destination } = WORKLOAD_TABLE.ends(namespaces, window.windowMs);
  const results = await history.evaluate([source, destination], instantGrid(window.at, intervalMs));
  const ends = new Map<string, WorkloadRef>();
  results.forEach((series, i) => {
    const side = i === 0 ? 'source' : 'destination';
    for (const s of series) {
      const ref = { namespace: s.labels[`${side}_namespace`] ?? '', workload: s.labels[`${side}_workload`] ?? '' };
      ends.set(`${ref.namespace}\u0000${ref.workload}`, ref);
    }
  });
  return [...ends.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}
