/** Builders of Grafana data-frame JSON (the contract's DataFrameJSON), so query handlers only decide content. */
import type { DataFrameJSON, FieldConfigJSON, FieldSchemaJSON, FieldType } from '../../../src/contract';

export interface SeriesFrameInput {
  refId: string;
  times: number[];
  values: Array<number | null>;
  labels?: Record<string, string>;
  config?: FieldConfigJSON;
  /** Name of the value field; Grafana shows displayNameFromDS when given. */
  name?: string;
}

/** A time series as Grafana's "timeseries-multi" frame: one time field, one labelled value field. */
export function seriesFrame(input: SeriesFrameInput): DataFrameJSON {
  return {
    schema: {
      refId: input.refId,
      name: input.config?.displayNameFromDS,
      meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
      fields: [
        { name: 'Time', type: 'time', config: {} },
        { name: input.name ?? 'Value', type: 'number', labels: input.labels, config: input.config ?? {} },
      ],
    },
    data: { values: [input.times, input.values] },
  };
}

export interface TableColumn {
  name: string;
  type: FieldType;
  values: unknown[];
  config?: FieldConfigJSON;
}

export function tableFrame(refId: string, name: string, columns: TableColumn[], notice?: string): DataFrameJSON {
  const fields: FieldSchemaJSON[] = columns.map((c) => ({ name: c.name, type: c.type, config: c.config ?? {} }));
  return {
    schema: {
      refId,
      name,
      meta: {
        type: 'table',
        preferredVisualisationType: 'table',
        ...(notice ? { notices: [{ severity: 'info' as const, text: notice }] } : {}),
      },
      fields,
    },
    data: { values: columns.map((c) => c.values) },
  };
}

/** Adds labels to the value fields of a frame. */
export function withLabels(frame: DataFrameJSON, labels: Record<string, string>): DataFrameJSON {
  return {
    ...frame,
    schema: {
      ...frame.schema,
      fields: frame.schema.fields.map((f) => (f.type === 'number' ? { ...f, labels: { ...f.labels, ...labels } } : f)),
    },
  };
}

/** Adds a notice (shown by Grafana on the panel) to a frame. */
export function withNotice(frame: DataFrameJSON, text: string, severity: 'info' | 'warning' = 'info'): DataFrameJSON {
  const meta = frame.schema.meta ?? {};
  return {
    ...frame,
    schema: { ...frame.schema, meta: { ...meta, notices: [...(meta.notices ?? []), { severity, text }] } },
  };
}

/** An empty frame that still tells the user why there is nothing to show. */
export function emptyFrame(refId: string, notice: string): DataFrameJSON {
  return {
    schema: {
      refId,
      meta: { type: 'timeseries-multi', typeVersion: [0, 1], notices: [{ severity: 'info', text: notice }] },
      fields: [
        { name: 'Time', type: 'time', config: {} },
        { name: 'Value', type: 'number', config: {} },
      ],
    },
    data: { values: [[], []] },
  };
}
