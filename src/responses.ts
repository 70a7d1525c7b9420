import {
  createDataFrame,
  FieldType,
  LoadingState,
  type AnnotationEvent as GrafanaAnnotationEvent,
  type DataFrame,
  type DataQueryError,
  type DataQueryResponse,
} from '@grafana/data';
import { toDataQueryResponse } from '@grafana/runtime';

import type { ExporterError } from './api';
import type { AnnotationEvent, AnnotationKind, QueryResponse } from './contract';

/**
 * The exporter answers `POST /api/v1/query` in the shape of Grafana's own `/api/ds/query`, so Grafana's converter
 * reads it: frames per refId (in the order of `refIds`), and each failed query's error on that refId while the
 * other queries keep their frames.
 */
export function queryResponseToDataQueryResponse(body: QueryResponse, refIds: string[]): DataQueryResponse {
  // The contract's frame JSON is a subset of @grafana/data's DataFrameJSON (string unions instead of its enums).
  const response = { data: body, status: 200 } as unknown as Parameters<typeof toDataQueryResponse>[0];
  return toDataQueryResponse(
    response,
    refIds.map((refId) => ({ refId }))
  );
}

/** Pulls the query index out of a 400's field path: `queries[2].limit` or `queries.2.limit`. */
export function queryIndexOfField(field: string | undefined): number | undefined {
  const match = field ? /^queries(?:\[(\d+)\]|\.(\d+))/.exec(field) : null;
  return match ? Number(match[1] ?? match[2]) : undefined;
}

/**
 * A request-level failure as errors on the queries it concerns: only the offending one when the exporter names it
 * (a 400 on `queries[i]...`), every query of the request otherwise.
 */
export function requestErrorToResponse(error: ExporterError, refIds: string[]): DataQueryResponse {
  const index = queryIndexOfField(error.field);
  const affected = index !== undefined && index < refIds.length ? [refIds[index]] : refIds;
  const errors: DataQueryError[] = affected.map((refId) => ({ refId, message: error.message, status: error.status }));
  return { data: [], errors, state: LoadingState.Error };
}

/** The annotation events of one kind as a frame with Grafana's annotation field names (time, timeEnd, title, ...). */
export function annotationsToFrame(events: AnnotationEvent[], refId: string, kind: AnnotationKind): DataFrame {
  return createDataFrame({
    refId,
    name: kind,
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
      { name: 'timeEnd', type: FieldType.time, values: events.map((e) => e.timeEnd ?? e.time) },
      { name: 'title', type: FieldType.string, values: events.map((e) => e.title) },
      { name: 'text', type: FieldType.string, values: events.map((e) => e.text) },
      { name: 'tags', type: FieldType.other, values: events.map((e) => e.tags) },
      { name: 'node', type: FieldType.string, values: events.map((e) => e.node) },
    ],
  });
}

function valueAt<T>(frame: DataFrame, name: string, row: number): T | undefined {
  const field = frame.fields.find((f) => f.name === name);
  return field ? (field.values[row] as T) : undefined;
}

/** Grafana annotation events from the frames `annotationsToFrame` made; a span when the event has an end. */
export function framesToAnnotationEvents(frames: DataFrame[]): GrafanaAnnotationEvent[] {
  const events: GrafanaAnnotationEvent[] = [];
  for (const frame of frames) {
    for (let row = 0; row < frame.length; row++) {
      const time = valueAt<number>(frame, 'time', row);
      if (typeof time !== 'number') {
        continue;
      }
      const timeEnd = valueAt<number>(frame, 'timeEnd', row);
      const tags = valueAt<string[]>(frame, 'tags', row);
      events.push({
        time,
        timeEnd: typeof timeEnd === 'number' ? timeEnd : time,
        isRegion: typeof timeEnd === 'number' && timeEnd > time,
        title: valueAt<string>(frame, 'title', row),
        text: valueAt<string>(frame, 'text', row),
        tags: Array.isArray(tags) ? tags : [],
      });
    }
  }
  return events;
}

/** Several partial responses (the data request, each annotation request) as one. */
export function mergeResponses(responses: DataQueryResponse[]): DataQueryResponse {
  const data = responses.flatMap((r) => r.data);
  const errors = responses.flatMap((r) => r.errors ?? []);
  if (errors.length === 0) {
    return { data, state: LoadingState.Done };
  }
  return { data, errors, state: LoadingState.Error };
}
