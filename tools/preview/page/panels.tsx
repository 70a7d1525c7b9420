/**
 * Panels drawn with @grafana/ui's own visualisation components, fed the way Grafana's panel plugins feed them:
 * time series through `TimeSeries` (frames reduced to time and number fields, nulls inserted at gaps, annotation
 * lines drawn on the plot), tables through `TableNG` (the table panel's component from Grafana 12.x; `Table` on
 * releases whose @grafana/ui has no TableNG, as their table panel drew them), stats through
 * `VizRepeater` + `BigValue` from `getFieldDisplayValues`; all inside `PanelChrome` with the panel's title,
 * description and query errors. A render failure is caught per panel and reported with its title.
 */
import { css } from '@emotion/css';
import {
  applyNullInsertThreshold,
  FieldType,
  getDisplayValueAlignmentFactors,
  getFieldDisplayValues,
  nullToValue,
  VizOrientation,
  type DataFrame,
  type FieldConfigSource,
  type FieldDisplay,
  type GrafanaTheme2,
  type TimeRange,
} from '@grafana/data';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  PanelChrome,
  Table,
  TimeSeries,
  useTheme2,
  VizRepeater,
  type UPlotConfigBuilder,
} from '@grafana/ui';
// Empty on releases without it (10.4); see render.ts.
import * as uiUnstable from '@grafana/ui/unstable';
import React, { Component, useLayoutEffect, type ReactNode } from 'react';

import type { PanelJson } from '../dashboard';
import type { PreviewAnnotation } from './queries';

export interface PanelViewProps {
  panel: PanelJson;
  frames: DataFrame[];
  errors: string[];
  width: number;
  height: number;
  timeRange: TimeRange;
  annotations: PreviewAnnotation[];
  replaceVariables: (text: string) => string;
  onRenderError: (panelId: number, message: string) => void;
}

/** Grafana's "No data" view: the panel's noValue text, centred and muted. */
function NoData({ panel }: { panel: PanelJson }) {
  const theme = useTheme2();
  const text = (panel.fieldConfig?.defaults.noValue as string | undefined) ?? 'No data';
  return (
    <div
      data-no-data="true"
      className={css({
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        height: '100%',
        color: theme.colors.text.secondary,
        fontSize: theme.typography.body.fontSize,
      })}
    >
      {text}
    </div>
  );
}

/**
 * The time series panel's preparation of frames: time plus number fields (booleans as 0/1, NaN and ±Inf as
 * null), other fields dropped, nulls inserted where samples are missing (from the time field's interval) and turned
 * into the panel's values.
 */
export function graphableFrames(frames: DataFrame[], timeRange: TimeRange): DataFrame[] | null {
  const out: DataFrame[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    const fields = frame.fields
      .filter((f) => f === time || f.type === FieldType.number || f.type === FieldType.boolean)
      .map((f) => {
        if (f.type === FieldType.boolean) {
          return { ...f, type: FieldType.number, values: f.values.map((v) => (v === null ? null : v ? 1 : 0)) };
        }
        if (f.type === FieldType.number) {
          // NaN and ±Inf become gaps, as Grafana's panel does: uPlot cannot scale an axis around them.
          return {
            ...f,
            values: f.values.map((v) => (v === null || v === undefined || !Number.isFinite(v) ? null : v)),
          };
        }
        return f;
      });
    if (fields.length < 2) {
      continue;
    }
    let copy: DataFrame = { ...frame, fields };
    copy = applyNullInsertThreshold({
      frame: copy,
      refFieldPseudoMin: timeRange.from.valueOf(),
      refFieldPseudoMax: timeRange.to.valueOf(),
    });
    out.push(nullToValue(copy));
  }
  return out.length > 0 ? out : null;
}

/** Draws the dashboard's annotations on a time series: a dashed line per event, a shaded band per region. */
function AnnotationMarks({ config, annotations }: { config: UPlotConfigBuilder; annotations: PreviewAnnotation[] }) {
  const theme = useTheme2();
  useLayoutEffect(() => {
    config.addHook('draw', (u) => {
      const ctx = u.ctx;
      const top = u.bbox.top;
      const bottom = u.bbox.top + u.bbox.height;
      ctx.save();
      for (const a of annotations) {
        const color = theme.visualization.getColorByName(a.color);
        const x0 = u.valToPos(a.time, 'x', true);
        if (a.timeEnd !== undefined) {
          const x1 = u.valToPos(a.timeEnd, 'x', true);
          ctx.fillStyle = color;
          ctx.globalAlpha = 0.12;
          ctx.fillRect(Math.min(x0, x1), top, Math.max(2, Math.abs(x1 - x0)), bottom - top);
        }
        ctx.globalAlpha = 0.9;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(Math.round(x0) + 0.5, top);
        ctx.lineTo(Math.round(x0) + 0.5, bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.moveTo(x0 - 5, bottom + 8);
        ctx.lineTo(x0 + 5, bottom + 8);
        ctx.lineTo(x0, bottom + 1);
        ctx.closePath();
        ctx.fill();
      }
      ctx.restore();
    });
    // The hook is added once, before the plot is built (children's layout effects run before the chart mounts).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [config]);
  return null;
}

function TimeSeriesViz(props: PanelViewProps & { innerWidth: number; innerHeight: number }) {
  const { panel, timeRange, innerWidth, innerHeight } = props;
  const frames = graphableFrames(props.frames, timeRange);
  if (!frames) {
    return <NoData panel={panel} />;
  }
  const options = (panel.options ?? {}) as Record<string, unknown> & { legend?: Record<string, unknown> };
  const legend = {
    showLegend: true,
    displayMode: 'list',
    placement: 'bottom',
    calcs: [],
    ...(options.legend ?? {}),
  } as never;
  const visible = props.annotations.filter(
    (a) => a.time <= timeRange.to.valueOf() && (a.timeEnd ?? a.time) >= timeRange.from.valueOf()
  );
  return (
    <TimeSeries
      frames={frames}
      timeRange={timeRange}
      timeZone="browser"
      width={innerWidth}
      height={innerHeight}
      legend={legend}
      options={options}
    >
      {(config) => (visible.length > 0 ? <AnnotationMarks config={config} annotations={visible} /> : null)}
    </TimeSeries>
  );
}

/** Grafana 12.x and later draw tables with TableNG; earlier releases with Table. */
const TableNG = (uiUnstable as Partial<typeof uiUnstable>).TableNG;

function TableViz(props: PanelViewProps & { innerWidth: number; innerHeight: number }) {
  const { panel, frames, innerWidth, innerHeight, timeRange } = props;
  const options = (panel.options ?? {}) as {
    frameIndex?: number;
    showHeader?: boolean;
    cellHeight?: string;
    sortBy?: Array<{ displayName: string; desc?: boolean }>;
    footer?: { enablePagination?: boolean };
  };
  const hasFields = frames.some((f) => f.fields.length > 0);
  if (frames.length === 0 || !hasFields) {
    return <NoData panel={panel} />;
  }
  const main = frames[Math.min(options.frameIndex ?? 0, frames.length - 1)];
  const common = {
    data: main,
    width: innerWidth,
    height: innerHeight,
    noHeader: options.showHeader === false,
    resizable: false,
    cellHeight: (options.cellHeight ?? 'sm') as never,
    enablePagination: options.footer?.enablePagination,
    timeRange,
  };
  if (!TableNG) {
    return (
      <Table {...common} initialSortBy={options.sortBy?.map((s) => ({ displayName: s.displayName, desc: s.desc }))} />
    );
  }
  return (
    <TableNG
      {...common}
      sortBy={options.sortBy}
      fieldConfig={panel.fieldConfig as FieldConfigSource}
      noValue={(panel.fieldConfig?.defaults.noValue as string | undefined) ?? undefined}
      enableVirtualization={false}
    />
  );
}

function StatViz(props: PanelViewProps & { innerWidth: number; innerHeight: number; theme: GrafanaTheme2 }) {
  const { panel, frames, innerWidth, innerHeight, theme } = props;
  const options = (panel.options ?? {}) as {
    reduceOptions?: { values?: boolean; calcs?: string[]; fields?: string; limit?: number };
    graphMode?: string;
    colorMode?: string;
    justifyMode?: string;
    textMode?: string;
    orientation?: string;
    wideLayout?: boolean;
  };
  const values = getFieldDisplayValues({
    fieldConfig: (panel.fieldConfig ?? { defaults: {}, overrides: [] }) as FieldConfigSource,
    reduceOptions: { values: false, calcs: ['lastNotNull'], fields: '', ...(options.reduceOptions ?? {}) },
    replaceVariables: props.replaceVariables,
    theme,
    data: frames,
    sparkline: (options.graphMode ?? 'area') !== 'none',
    timeZone: 'browser',
  });
  // No field the stat's reduce options select: Grafana shows its "No data" placeholder, which comes from no frame.
  const noValues = values.every((v) => v.view === undefined);
  return (
    <div data-no-data={noValues ? 'true' : undefined}>
      <VizRepeater<FieldDisplay, ReturnType<typeof getDisplayValueAlignmentFactors>>
        getValues={() => values}
        getAlignmentFactors={getDisplayValueAlignmentFactors}
        renderValue={({ value, width, height, alignmentFactors, count }) => (
          <BigValue
            value={value.display}
            count={count}
            sparkline={value.sparkline}
            colorMode={(options.colorMode ?? 'value') as BigValueColorMode}
            graphMode={(options.graphMode ?? 'area') as BigValueGraphMode}
            justifyMode={(options.justifyMode ?? 'auto') as BigValueJustifyMode}
            textMode={(options.textMode ?? 'auto') as BigValueTextMode}
            alignmentFactors={alignmentFactors}
            width={width}
            height={height}
            theme={theme}
            disableWideLayout={options.wideLayout === false}
          />
        )}
        width={innerWidth}
        height={innerHeight}
        source={frames}
        itemSpacing={3}
        renderCounter={0}
        autoGrid={true}
        orientation={(options.orientation ?? 'auto') as VizOrientation}
        minVizWidth={75}
        minVizHeight={75}
      />
    </div>
  );
}

/** Panel types the preview draws; any other type is reported instead of guessed. */
export const SUPPORTED_PANEL_TYPES = ['timeseries', 'table', 'stat'] as const;

function Visualisation(props: PanelViewProps & { innerWidth: number; innerHeight: number }) {
  const theme = useTheme2();
  switch (props.panel.type) {
    case 'timeseries':
      return <TimeSeriesViz {...props} />;
    case 'table':
      return <TableViz {...props} />;
    case 'stat':
      return <StatViz {...props} theme={theme} />;
    default:
      throw new Error(`panel type "${props.panel.type}" is not drawn by the preview`);
  }
}

class PanelErrorBoundary extends Component<
  { panelId: number; onError: (panelId: number, message: string) => void; children: ReactNode },
  { error: string | null }
> {
  state = { error: null as string | null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  componentDidCatch(error: unknown) {
    this.props.onError(this.props.panelId, error instanceof Error ? `${error.message}` : String(error));
  }

  render() {
    if (this.state.error) {
      return <div data-render-error="true">Render error: {this.state.error}</div>;
    }
    return this.props.children;
  }
}

export function PanelView(props: PanelViewProps) {
  const { panel, width, height, errors } = props;
  return (
    <PanelChrome
      width={width}
      height={height}
      title={panel.title}
      description={panel.description}
      statusMessage={errors.length > 0 ? errors.join('\n') : undefined}
    >
      {(innerWidth, innerHeight) => (
        <PanelErrorBoundary panelId={panel.id} onError={props.onRenderError}>
          <Visualisation {...props} innerWidth={innerWidth} innerHeight={innerHeight} />
        </PanelErrorBoundary>
      )}
    </PanelChrome>
  );
}
