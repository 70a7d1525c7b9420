/**
 * A dashboard laid out as Grafana lays it out: the title, the variable pickers and the time range on top, then the
 * 24-column grid (30 px grid lines, 8 px gaps) with row headers across the full width and panels at their gridPos.
 */
import { css } from '@emotion/css';
import { rangeUtil, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { Icon, InlineLabel, ToolbarButton, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';

import type { DashboardJson, PanelJson } from '../dashboard';
import { dashboardRows, GRID, gridBox, PAGE_PADDING } from '../dashboard';
import { PanelView } from './panels';
import type { PanelQueryResult, PreviewAnnotation } from './queries';
import { isAll, type ResolvedVariable } from './templateSrv';

export interface DashboardViewProps {
  dashboard: DashboardJson;
  datasourceName: string;
  variables: ResolvedVariable[];
  timeRange: TimeRange;
  gridWidth: number;
  results: Map<number, PanelQueryResult>;
  annotations: PreviewAnnotation[];
  replaceVariables: (text: string) => string;
  onRenderError: (panelId: number, message: string) => void;
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    background: theme.colors.background.canvas,
    padding: PAGE_PADDING,
    fontFamily: theme.typography.fontFamily,
  }),
  title: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    fontSize: theme.typography.h4.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
    marginBottom: theme.spacing(2),
  }),
  breadcrumb: css({ color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular }),
  controls: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'flex-start',
    marginBottom: theme.spacing(2),
    gap: theme.spacing(2),
  }),
  variables: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) }),
  variable: css({ display: 'flex' }),
  value: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    height: theme.spacing(4),
    padding: theme.spacing(0, 1),
    border: `1px solid ${theme.components.input.borderColor}`,
    borderRadius: theme.shape.radius.default,
    background: theme.components.input.background,
    color: theme.colors.text.primary,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
  }),
  grid: css({ position: 'relative' }),
  row: css({
    position: 'absolute',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    fontSize: theme.typography.h5.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
  }),
});

function variableText(variable: ResolvedVariable, datasourceName: string): string {
  if (variable.type === 'datasource') {
    return datasourceName;
  }
  return isAll(variable) ? 'All' : variable.current.join(' + ');
}

function PanelSlot({ panel, props }: { panel: PanelJson; props: DashboardViewProps }) {
  const box = gridBox(panel.gridPos, props.gridWidth);
  const result = props.results.get(panel.id);
  return (
    <div
      data-panel-id={panel.id}
      style={{ position: 'absolute', left: box.left, top: box.top, width: box.width, height: box.height }}
    >
      <PanelView
        panel={panel}
        frames={result?.frames ?? []}
        errors={result?.errors ?? []}
        width={box.width}
        height={box.height}
        timeRange={props.timeRange}
        annotations={panel.type === 'timeseries' ? props.annotations : []}
        replaceVariables={props.replaceVariables}
        onRenderError={props.onRenderError}
      />
    </div>
  );
}

export function DashboardView(props: DashboardViewProps) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const { dashboard, gridWidth } = props;
  const rows = dashboardRows(dashboard);
  const bottom = Math.max(
    0,
    ...dashboard.panels.map((p) => (p.type === 'row' ? p.gridPos.y + 1 : p.gridPos.y + p.gridPos.h))
  );
  const gridHeight = bottom * (GRID.cellHeight + GRID.margin);
  const shownVariables = props.variables.filter((v) => v.hide === 0);
  return (
    <div className={styles.page} style={{ width: gridWidth + 2 * PAGE_PADDING }} data-dashboard={dashboard.uid}>
      <div className={styles.title} data-header="true">
        <Icon name="apps" size="lg" />
        <span className={styles.breadcrumb}>Dashboards /</span>
        <span>{dashboard.title}</span>
      </div>
      <div className={styles.controls} data-controls="true">
        <div className={styles.variables}>
          {shownVariables.map((v) => (
            <div key={v.name} className={styles.variable}>
              <InlineLabel width="auto" transparent={false}>
                {v.label || v.name}
              </InlineLabel>
              <div className={styles.value}>
                {variableText(v, props.datasourceName)}
                <Icon name="angle-down" />
              </div>
            </div>
          ))}
        </div>
        <div style={{ display: 'flex', gap: theme.spacing(1) }}>
          <ToolbarButton icon="clock-nine" variant="default">
            {rangeUtil.describeTimeRange(props.timeRange.raw)}
          </ToolbarButton>
          <ToolbarButton icon="sync" variant="default" aria-label="Refresh" />
        </div>
      </div>
      <div className={styles.grid} style={{ width: gridWidth, height: gridHeight }}>
        {rows
          .filter((row) => row.title !== '')
          .map((row) => {
            const box = gridBox({ x: 0, y: row.y, w: GRID.columns, h: 1 }, gridWidth);
            return (
              <div
                key={row.slug}
                data-row={row.slug}
                className={styles.row}
                style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
              >
                <Icon name="angle-down" />
                {row.title}
              </div>
            );
          })}
        {rows.flatMap((row) => row.panels.map((panel) => <PanelSlot key={panel.id} panel={panel} props={props} />))}
      </div>
    </div>
  );
}
