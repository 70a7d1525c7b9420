/**
 * Annotation events for the plugin, read from the history on a grid of at most 11,000 steps over the range (at
 * least one scrape interval each): a policy import error or an agent restart where its counter went up within a
 * step, and a drop anomaly region over the consecutive steps where the series' score was 1 or more.
 */
import type { AnnotationEvent, AnnotationsRequest } from '../../src/contract';
import type { GridSeries, HistoryReader } from '../history/backend';
import { MAX_POINTS, type StepGrid, makeGrid } from '../history/grid';
import { matcher } from '../history/expr';
import { ANNOTATIONS } from './query/promql-table';
import { filterSet } from './query/validate';

const MAX_EVENTS = 1000;

/** The grid the events of a request are read on: what its answer depends on, with the kind and the nodes. */
export function annotationGrid(request: AnnotationsRequest, sampleIntervalMs: number): StepGrid {
  return makeGrid(request.from, request.to, undefined, MAX_POINTS, sampleIntervalMs);
}

export async function annotationEvents(
  history: HistoryReader,
  request: AnnotationsRequest,
  sampleIntervalMs: number
): Promise<AnnotationEvent[]> {
  const grid = annotationGrid(request, sampleIntervalMs);
  const nodes = [matcher('node', filterSet(request.node))].filter((m) => m !== null);
  const [series] = await history.evaluate([ANNOTATIONS[request.kind](nodes)], grid);
  let events: AnnotationEvent[];
  switch (request.kind) {
    case 'policyImportErrors':
      events = pointEvents(grid, series, (node, n) => ({
        title: `Policy import failed on ${node}`,
        text: `${n} policy import error${n === 1 ? '' : 's'} on node ${node}.`,
        tags: ['cilium', 'policy', 'import-error'],
      }));
      break;
    case 'agentRestarts':
      events = pointEvents(grid, series, (node) => ({
        title: `Cilium agent restarted on ${node}`,
        text: `The agent on ${node} restarted (its process start time changed or its counters went back to zero).`,
        tags: ['cilium', 'agent', 'restart'],
      }));
      break;
    default:
      events = anomalyRegions(grid, series);
  }
  return events
    .sort((a, b) => a.time - b.time || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .slice(0, MAX_EVENTS);
}

function pointEvents(
  grid: StepGrid,
  series: GridSeries[],
  describe: (node: string, count: number) => Omit<AnnotationEvent, 'time' | 'node'>
): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const s of series) {
    s.values.forEach((v, i) => {
      if (v !== null && v > 0) {
        events.push({ time: grid.times[i], node: s.labels.node, ...describe(s.labels.node, Math.round(v)) });
      }
    });
  }
  return events;
}

/** Consecutive steps with a score of 1 or more become one region, from the first to the last of them. */
function anomalyRegions(grid: StepGrid, series: GridSeries[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const s of series) {
    let start: number | null = null;
    let peak = 0;
    let last = 0;
    const close = () => {
      if (start !== null) {
        const { node, direction, reason } = s.labels;
        events.push({
          time: start,
          timeEnd: last,
          node,
          title: `Drop anomaly on ${node}: ${reason} (${direction})`,
          text: `Drops with reason "${reason}" (${direction}) on ${node} were above their band; peak score ${peak.toFixed(1)}.`,
          tags: ['cilium', 'drops', 'anomaly', reason],
        });
      }
      start = null;
      peak = 0;
    };
    s.values.forEach((v, i) => {
      if (v !== null && v >= 1) {
        start ??= grid.times[i];
        peak = Math.max(peak, v);
        last = grid.times[i];
      } else {
        close();
      }
    });
    close();
  }
  return events;
}
