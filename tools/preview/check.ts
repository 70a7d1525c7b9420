/**
 * What the preview holds every shipped panel to, from the page's summary of it. A failure is what a user would
 * see as a broken panel: a query error, "No data", a render error, a datasource the panel cannot reach, a
 * transformation or override property Grafana would silently ignore. A warning is worth a look but can be right:
 * a time series that only draws zeros, an override whose field never appears in this data.
 */
import type { PanelSummary, ShowResult } from './summary';

export interface PanelFinding {
  /** The panel's title: what the report and the tests name. */
  title: string;
  row: string;
  problems: string[];
}

function findings(panels: PanelSummary[], pick: (p: PanelSummary) => string[]): PanelFinding[] {
  return panels.map((p) => ({ title: p.title, row: p.row, problems: pick(p) })).filter((f) => f.problems.length > 0);
}

/** Panels that fail, each with why. */
export function panelFailures(panels: PanelSummary[]): PanelFinding[] {
  return findings(panels, (p) => {
    const problems: string[] = [];
    for (const error of p.errors) {
      problems.push(`query error: ${error}`);
    }
    if (p.renderError) {
      problems.push(`render error: ${p.renderError}`);
    }
    if (p.datasourceProblem) {
      problems.push(p.datasourceProblem);
    }
    if (!p.hasData || p.showsNoData) {
      problems.push(
        p.rawFrameCount === 0
          ? 'no data: the queries returned no frames'
          : `no data: ${p.rawFrameCount} frame(s) returned, nothing left to draw after transformations and field config`
      );
    }
    for (const id of p.unknownTransformations) {
      problems.push(`unknown transformation "${id}" (Grafana skips it)`);
    }
    for (const id of p.unknownOverrideProperties) {
      problems.push(`unknown override property "${id}" (Grafana ignores it)`);
    }
    return problems;
  });
}

/** Panels worth a look. */
export function panelWarnings(panels: PanelSummary[]): PanelFinding[] {
  return findings(panels, (p) => [
    ...(p.onlyZeros ? ['every value drawn is 0'] : []),
    ...p.unmatchedOverrides.map((o) => `override ${o} matches no field`),
  ]);
}

/** One line per finding, for logs and test failure messages. */
export function formatFindings(label: string, list: PanelFinding[]): string {
  if (list.length === 0) {
    return `${label}: none`;
  }
  return [`${label}:`, ...list.map((f) => `  ${f.row ? `${f.row} / ` : ''}${f.title}: ${f.problems.join('; ')}`)].join(
    '\n'
  );
}

/** A one-line summary of a panel's data, e.g. "12 series, 1452 values" or "7 rows". */
export function dataSummary(p: PanelSummary): string {
  if (p.type === 'table') {
    return `${p.frames[0]?.length ?? 0} rows`;
  }
  const series = p.frames.flatMap((f) => f.fields.filter((x) => x.type === 'number' && !x.hiddenFromViz));
  const values = series.reduce((sum, s) => sum + s.values, 0);
  return `${series.length} series, ${values} values`;
}

/** Variables, annotations and panels of one rendered dashboard as report lines. */
export function reportLines(result: ShowResult): string[] {
  const lines: string[] = [];
  for (const v of result.variables) {
    lines.push(
      `  variable ${v.name}: ${v.options.length} options (${v.options.slice(0, 6).join(', ')}${v.options.length > 6 ? ', ...' : ''})`
    );
  }
  for (const a of result.annotations) {
    lines.push(`  annotation ${a.name}: ${a.error ? `error: ${a.error}` : `${a.events} events`}`);
  }
  for (const p of result.panels) {
    lines.push(
      `  ${p.hasData && p.errors.length === 0 ? 'ok ' : 'BAD'} ${p.row} / ${p.title} [${p.type}]: ${dataSummary(p)}`
    );
  }
  return lines;
}
