/** Annotation events for the plugin, read from the history: import errors, agent restarts, anomaly periods. */
import type { AnnotationEvent, AnnotationsRequest } from '../../src/contract';
import type { HistoryStore, SeriesRange } from '../history/store';
import { SERIES } from '../model/series';
import { filterSet } from './query/validate';

const MAX_EVENTS = 1000;

export function annotationEvents(history: HistoryStore, request: AnnotationsRequest): AnnotationEvent[] {
  const nodes = filterSet(request.node);
  const match = (labels: Record<string, string>) => !nodes || nodes.has(labels.node);
  let events: AnnotationEvent[];
  switch (request.kind) {
    case 'policyImportErrors':
      events = pointEvents(history.select(SERIES.policyImportErrors, match, request.from, request.to), (s, v) => ({
        title: `Policy import failed on ${s.labels.node}`,
        text: `${v} policy import error${v === 1 ? '' : 's'} on node ${s.labels.node} since the previous scrape.`,
        tags: ['cilium', 'policy', 'import-error'],
      }));
      break;
    case 'agentRestarts':
      events = pointEvents(history.select(SERIES.agentRestart, match, request.from, request.to), (s) => ({
        title: `Cilium agent restarted on ${s.labels.node}`,
        text: `The agent on ${s.labels.node} restarted (its process start time changed or its counters went back to zero).`,
        tags: ['cilium', 'agent', 'restart'],
      }));
      break;
    default:
      events = anomalyRegions(history.select(SERIES.dropAnomalyScore, match, request.from, request.to));
  }
  return events.sort((a, b) => a.time - b.time).slice(0, MAX_EVENTS);
}

function pointEvents(series: SeriesRange[], describe: (s: SeriesRange, value: number) => Omit<AnnotationEvent, 'time' | 'node'>): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const s of series) {
    s.values.forEach((v, i) => {
      if (v > 0) {
        events.push({ time: s.times[i], node: s.labels.node, ...describe(s, Math.round(v)) });
      }
    });
  }
  return events;
}

/** Consecutive points with a score of 1 or more become one region, from the first to the last of them. */
function anomalyRegions(series: SeriesRange[]): AnnotationEvent[] {
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
      if (v >= 1) {
        start ??= s.times[i];
        peak = Math.max(peak, v);
        last = s.times[i];
      } else {
        close();
      }
    });
    close();
  }
  return events;
}
