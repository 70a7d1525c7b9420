/** Query handlers about drop anomalies: the bands of the series most worth seeing, and the table of those outside. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { QUERY_TYPES } from '../../../src/queryCatalog';
import type { GridSeries } from '../../history/backend';
import { gridEnd, instantGrid } from '../../history/grid';
import { emptyFrame, seriesFrame, tableFrame, withNotice } from './frames';
import { type QueryContext, type QueryHandler, read } from './context';
import { firstNodes } from './limit';
import { DROP_KEY, TABLE } from './promql-table';
import { anomalySummary } from './signals';

const NO_DETECTOR =
  'The drop anomaly detector has no data yet: it needs a few scrapes of each agent to build a baseline.';

const keyOf = (l: Record<string, string>) => DROP_KEY.map((k) => l[k] ?? '').join('\u0000');

export const anomalyHandler: QueryHandler = (q, ctx) =>
  q.view === 'scores' ? anomalyScores(q, ctx) : q.view === 'summary' ? anomalySummary(q, ctx) : anomalyBands(q, ctx);

const atEnd = (ctx: QueryContext) => instantGrid(gridEnd(ctx.grid), ctx.grid.intervalMs, ctx.grid.step);

/** The latest value of each series at the end of the range, by series key. */
function latest(series: GridSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    if (s.values[0] !== null) {
      out.set(keyOf(s.labels), s.values[0]);
    }
  }
  return out;
}

async function anomalyBands(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const limit = q.limit ?? QUERY_TYPES.anomaly.views.bands.options.limit;
  // The series most worth seeing: highest score in the range first (then by node, direction, reason). The top
  // `limit` series belong to the top `limit` nodes ranked the same way (or the top `topN`, when set), so only those
  // nodes' series are read.
  const peak = (values: Array<number | null>) =>
    values.reduce<number>((m, v) => (v !== null && v > m ? v : m), -Infinity);
  const first = ctx.grid.times.length
    ? await firstNodes(
        ctx,
        { order: 'topk', over: 'max', signal: TABLE.anomalyNodeRanking(q).perNode },
        q.topN ?? limit
      )
    : null;
  const nodes = first?.nodes.map((n) => n.node) ?? [];
  if (!nodes.length) {
    return [emptyFrame(q.refId, NO_DETECTOR)];
  }
  const { perSeries } = await read(ctx, TABLE.anomalySeriesRanking(q, nodes));
  const ranked = perSeries
    .map((s) => ({ labels: s.labels, key: keyOf(s.labels), max: peak(s.values) }))
    .sort((a, b) => b.max - a.max || (a.key < b.key ? -1 : 1))
    .slice(0, limit);
  const only = (label: (typeof DROP_KEY)[number]) => [...new Set(ranked.map((r) => r.labels[label]))];
  const parts = await read(
    ctx,
    TABLE.anomalyBands({ node: only('node'), direction: only('direction'), reason: only('reason') })
  );
  const byKey = (series: GridSeries[]) => new Map(series.map((s) => [keyOf(s.labels), s.values]));
  const found = {
    rate: byKey(parts.rate),
    baseline: byKey(parts.baseline),
    'upper band': byKey(parts.upperBand),
    score: byKey(parts.score),
  };
  const frames: DataFrameJSON[] = [];
  for (const { labels: l, key } of ranked) {
    const base = `${l.node} ${l.reason} (${l.direction})`;
    for (const [name, series] of Object.entries(found)) {
      const values = series.get(key);
      if (!values) {
        continue;
      }
      frames.push(
        seriesFrame({
          refId: q.refId,
          times: ctx.grid.times,
          values,
          labels: { node: l.node, direction: l.direction, reason: l.reason, series: name },
          config: {
            displayNameFromDS: `${base} ${name}`,
            unit: name === 'score' ? 'none' : 'pps',
            description:
              name === 'score'
                ? '0 while normal; once above the upper band for consecutive scrapes, the rate over the band (≥ 1).'
                : name === 'rate'
                  ? 'Dropped packets per second.'
                  : 'Robust baseline and upper band learnt from this series and its peers.',
          },
        })
      );
    }
  }
  return frames;
}

/** Series outside their band at the end of the range: scored anomalous, or above the band but not confirmed yet. */
async function anomalyScores(q: ScopeQuery, ctx: QueryContext): Promise<DataFrameJSON[]> {
  const r = await read(ctx, TABLE.anomalyScores(q), atEnd(ctx));
  if (!r.score.length) {
    return [tableFrame(q.refId, 'Drop anomalies', [], NO_DETECTOR)];
  }
  const [baseline, upperBand, rate] = [latest(r.baseline), latest(r.upperBand), latest(r.rate)];
  const warming = new Map(r.warmingUp.map((s) => [s.labels.node, s.values[0] === 1]));
  const rows = r.score
    .filter((s) => s.values[0] !== null)
    .map((s) => {
      const key = keyOf(s.labels);
      return {
        node: s.labels.node,
        direction: s.labels.direction,
        reason: s.labels.reason,
        key,
        score: s.values[0]!,
        rate: rate.get(key) ?? 0,
        baseline: baseline.get(key) ?? null,
        upperBand: upperBand.get(key) ?? null,
        warmingUp: warming.get(s.labels.node) ?? false,
      };
    })
    .filter((x) => x.score >= 1 || (x.upperBand !== null && x.rate > x.upperBand))
    .sort((a, b) => b.score - a.score || b.rate - a.rate || (a.key < b.key ? -1 : 1))
    .slice(0, q.limit ?? QUERY_TYPES.anomaly.views.scores.options.limit);
  const frame = tableFrame(q.refId, 'Drop anomalies', [
    { name: 'Node', type: 'string', values: rows.map((x) => x.node) },
    { name: 'Direction', type: 'string', values: rows.map((x) => x.direction) },
    { name: 'Reason', type: 'string', values: rows.map((x) => x.reason) },
    {
      name: 'Rate',
      type: 'number',
      values: rows.map((x) => x.rate),
      config: { unit: 'pps', decimals: 2, description: 'Dropped packets per second over the rate window.' },
    },
    { name: 'Baseline', type: 'number', values: rows.map((x) => x.baseline), config: { unit: 'pps', decimals: 2 } },
    { name: 'Upper band', type: 'number', values: rows.map((x) => x.upperBand), config: { unit: 'pps', decimals: 2 } },
    {
      name: 'Score',
      type: 'number',
      values: rows.map((x) => x.score),
      config: {
        decimals: 2,
        thresholds: {
          mode: 'absolute',
          steps: [
            { value: null, color: 'green' },
            { value: 1, color: 'red' },
          ],
        },
      },
    },
    { name: 'Warming up', type: 'boolean', values: rows.map((x) => x.warmingUp) },
  ]);
  return [rows.length ? frame : withNotice(frame, 'No drop series is outside its band right now.')];
}
