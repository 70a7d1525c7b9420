/** Query handlers about traffic: forwarded vs dropped packets, drops by reason, top nodes, anomaly bands. */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { lookupDropReason } from '../../cilium/dropReasons';
import { SERIES } from '../../model/series';
import { emptyFrame, seriesFrame, tableFrame, withNotice } from './frames';
import { type QueryContext, type QueryHandler, displayName, groupedFrames, labelFilters, select, splitLabels } from './context';
import { combine, groupBy, onGrid, pointMean } from './range';
import { anomalySummary } from './signals';
import { filterSet } from './validate';

const unitOf = (q: ScopeQuery) => q.unit ?? 'packets';
const grafanaUnit = (q: ScopeQuery) => (unitOf(q) === 'bytes' ? 'Bps' : 'pps');

export const packetFlowHandler: QueryHandler = (q, ctx) => {
  const unit = unitOf(q);
  const match = labelFilters(q, ['node', 'direction']);
  const withUnit = (labels: Record<string, string>) => labels.unit === unit && match(labels);
  const by = splitLabels(q, ['direction']);
  const frames = (metric: string, verdict: 'forwarded' | 'dropped') =>
    groupedFrames(ctx, {
      refId: q.refId,
      series: select(ctx, metric, withUnit),
      by,
      within: 'mean',
      across: 'sum',
      config: (l) => ({
        displayNameFromDS: displayName(l, ['node'], ` ${verdict} ${l.direction.toLowerCase()}`),
        unit: grafanaUnit(q),
        description: `${unit === 'bytes' ? 'Bytes' : 'Packets'} per second ${verdict} by the datapath, ${l.direction}.`,
      }),
    }).map((f) => ({ ...f, schema: { ...f.schema, fields: f.schema.fields.map((fd) => (fd.labels ? { ...fd, labels: { ...fd.labels, verdict } } : fd)) } }));
  const all = [...frames(SERIES.forwardedRate, 'forwarded'), ...frames(SERIES.droppedRate, 'dropped')];
  return all.length ? all : [emptyFrame(q.refId, 'No traffic data in this range yet (rates need two scrapes of an agent).')];
};

export const dropsHandler: QueryHandler = (q, ctx) => (q.view === 'topNodes' ? topNodes(q, ctx) : dropRates(q, ctx));

function dropRates(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const unit = unitOf(q);
  const match = labelFilters(q, ['node', 'direction', 'reason']);
  const frames = groupedFrames(ctx, {
    refId: q.refId,
    series: select(ctx, SERIES.droppedRate, (l) => l.unit === unit && match(l)),
    by: splitLabels(q, ['direction', 'reason']),
    within: 'mean',
    across: 'sum',
    config: (l) => {
      const info = lookupDropReason(l.reason);
      return {
        displayNameFromDS: `${l.node ? l.node + ' ' : ''}${l.reason} (${l.direction})`,
        unit: grafanaUnit(q),
        description: info ? `${info.meaning} Usual causes: ${info.commonCauses}` : `Drops reported by the agent with reason "${l.reason}".`,
      };
    },
  });
  return frames.length ? frames : [emptyFrame(q.refId, 'No drops in this range for the selected nodes, directions and reasons.')];
}

function topNodes(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const unit = unitOf(q);
  const match = labelFilters(q, ['node', 'direction', 'reason']);
  const series = select(ctx, SERIES.droppedRate, (l) => l.unit === unit && match(l));
  const rangeSeconds = Math.max(1, (ctx.grid.to - ctx.grid.from) / 1000);
  const rows = [...groupBy(series, ['node']).values()].map(({ labels, members }) => {
    const byReason = new Map<string, number>();
    let total = 0;
    for (const s of members) {
      const mean = pointMean(s);
      total += mean;
      byReason.set(s.labels.reason, (byReason.get(s.labels.reason) ?? 0) + mean);
    }
    const [topReason, topRate] = [...byReason.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return { node: labels.node, rate: total, dropped: Math.round(total * rangeSeconds), topReason, share: total > 0 ? topRate / total : 0 };
  });
  rows.sort((a, b) => b.rate - a.rate || (a.node < b.node ? -1 : 1));
  const top = rows.slice(0, q.limit ?? 10);
  const what = unit === 'bytes' ? 'bytes' : 'packets';
  return [
    tableFrame(q.refId, 'Top nodes by drops', [
      { name: 'Node', type: 'string', values: top.map((r) => r.node) },
      { name: 'Drop rate', type: 'number', values: top.map((r) => r.rate), config: { unit: grafanaUnit(q), decimals: 2, description: `Mean ${what} dropped per second over the range.` } },
      { name: `Dropped ${what}`, type: 'number', values: top.map((r) => r.dropped), config: { unit: unit === 'bytes' ? 'decbytes' : 'short', description: 'Approximate total over the range.' } },
      { name: 'Top reason', type: 'string', values: top.map((r) => r.topReason) },
      { name: 'Top reason share', type: 'number', values: top.map((r) => r.share), config: { unit: 'percentunit', decimals: 0, min: 0, max: 1 } },
    ]),
  ];
}

const NO_DETECTOR = 'The drop anomaly detector has no data yet: it needs a few scrapes of each agent to build a baseline.';

export const anomalyHandler: QueryHandler = (q, ctx) =>
  q.view === 'scores' ? anomalyScores(q, ctx) : q.view === 'summary' ? anomalySummary(q, ctx) : anomalyBands(q, ctx);

function anomalyBands(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  const match = labelFilters(q, ['node', 'direction', 'reason']);
  const keyOf = (l: Record<string, string>) => `${l.node}\u0000${l.direction}\u0000${l.reason}`;
  const scores = select(ctx, SERIES.dropAnomalyScore, match);
  if (!scores.length) {
    return [emptyFrame(q.refId, NO_DETECTOR)];
  }
  // The series most worth seeing: highest score in the range first.
  const ranked = scores
    .map((s) => ({ s, max: s.values.reduce((a, b) => Math.max(a, b), 0) }))
    .sort((a, b) => b.max - a.max || (keyOf(a.s.labels) < keyOf(b.s.labels) ? -1 : 1))
    .slice(0, q.limit ?? 10);
  const frames: DataFrameJSON[] = [];
  for (const { s } of ranked) {
    const l = s.labels;
    const exact = (other: Record<string, string>) => keyOf(other) === keyOf(l);
    const one = (metric: string, extra?: (x: Record<string, string>) => boolean) =>
      select(ctx, metric, (x) => exact(x) && (extra ? extra(x) : true));
    const base = `${l.node} ${l.reason} (${l.direction})`;
    const parts: Array<[string, ReturnType<typeof one>, string, 'mean' | 'max']> = [
      ['rate', one(SERIES.droppedRate, (x) => x.unit === 'packets'), 'pps', 'mean'],
      ['baseline', one(SERIES.dropRateBaseline), 'pps', 'mean'],
      ['upper band', one(SERIES.dropRateUpperBand), 'pps', 'mean'],
      ['score', [s], 'none', 'max'],
    ];
    for (const [name, series, unit, within] of parts) {
      if (!series.length) {
        continue;
      }
      const values = combine(series.map((x) => onGrid(x, ctx.grid, within)), 'sum', ctx.grid.times.length);
      frames.push(
        seriesFrame({
          refId: q.refId,
          times: ctx.grid.times,
          values,
          labels: { node: l.node, direction: l.direction, reason: l.reason, series: name },
          config: {
            displayNameFromDS: `${base} ${name}`,
            unit,
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

function anomalyScores(q: ScopeQuery, ctx: QueryContext): DataFrameJSON[] {
  if (!ctx.anomaly) {
    return [tableFrame(q.refId, 'Drop anomalies', [], NO_DETECTOR)];
  }
  const [nodes, directions, reasons] = [filterSet(q.node), filterSet(q.direction), filterSet(q.reason)];
  const rows = ctx.anomaly
    .current()
    .filter((r) => (!nodes || nodes.has(r.node)) && (!directions || directions.has(r.direction)) && (!reasons || reasons.has(r.reason)))
    // Outside the band: anomalous, or above it but not confirmed yet (first scrape, too small an increase, warm-up).
    .filter((r) => r.score >= 1 || r.rate > r.upperBand)
    .sort((a, b) => b.score - a.score || b.rate - a.rate)
    .slice(0, q.limit ?? 10);
  const frame = tableFrame(q.refId, 'Drop anomalies', [
    { name: 'Node', type: 'string', values: rows.map((r) => r.node) },
    { name: 'Direction', type: 'string', values: rows.map((r) => r.direction) },
    { name: 'Reason', type: 'string', values: rows.map((r) => r.reason) },
    { name: 'Rate', type: 'number', values: rows.map((r) => r.rate), config: { unit: 'pps', decimals: 2 } },
    { name: 'Baseline', type: 'number', values: rows.map((r) => r.baseline), config: { unit: 'pps', decimals: 2 } },
    { name: 'Upper band', type: 'number', values: rows.map((r) => r.upperBand), config: { unit: 'pps', decimals: 2 } },
    {
      name: 'Score',
      type: 'number',
      values: rows.map((r) => r.score),
      config: { decimals: 2, thresholds: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 1, color: 'red' }] } },
    },
    { name: 'Warming up', type: 'boolean', values: rows.map((r) => r.warmingUp) },
  ]);
  return [rows.length ? frame : withNotice(frame, 'No drop series is outside its band right now.')];
}
