/**
 * Keeps a query's answer light whatever the cluster's size: `topN` keeps the nodes that rank highest by the query's
 * own signal over the whole range (rank-signals.ts), `others` adds the rest combined into "other nodes" series, and
 * a hard cap bounds the series of any answer, with a notice naming the limit when it cuts.
 *
 * It works on the frames a handler answers (a labelled value per step each), not on how they were computed, so it
 * applies unchanged whichever history backend the handlers read.
 */
import type { DataFrameJSON, ScopeQuery } from '../../../src/contract';
import { withNotice } from './frames';
import { RANK_SIGNALS, type NodeSeries, type RankSignal } from './rank-signals';
import { LIMITS } from './validate';

export interface LimitOptions {
  /** Series an answer may hold (default LIMITS.seriesPerQuery). */
  maxSeries?: number;
}

/** The value field of a time-series frame (the second field of the frames the handlers build). */
function valueField(frame: DataFrameJSON): number {
  return frame.schema.fields.findIndex((f) => f.type === 'number');
}

function nodeOf(frame: DataFrameJSON): string | undefined {
  const index = valueField(frame);
  return index < 0 ? undefined : frame.schema.fields[index].labels?.node;
}

function asSeries(frame: DataFrameJSON): NodeSeries {
  const index = valueField(frame);
  return {
    labels: frame.schema.fields[index]?.labels ?? {},
    values: (frame.data.values[index] ?? []) as Array<number | null>,
  };
}

/** Nodes by their score, highest first, ties by name (so equal nodes keep the same order every refresh). */
function rankNodes(byNode: Map<string, DataFrameJSON[]>, signal: RankSignal): string[] {
  const scored = [...byNode.entries()].map(([node, frames]) => ({ node, score: signal.score(frames.map(asSeries)) }));
  scored.sort((a, b) => b.score - a.score || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return scored.map((s) => s.node);
}

function combineValues(rows: Array<Array<number | null>>, how: 'sum' | 'max'): Array<number | null> {
  const length = Math.max(0, ...rows.map((r) => r.length));
  const out: Array<number | null> = new Array(length).fill(null);
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (v === null || v === undefined) {
        continue;
      }
      const cur = out[i];
      out[i] = cur === null ? v : how === 'sum' ? cur + v : Math.max(cur, v);
    }
  }
  return out;
}

const labelKey = (labels: Record<string, string>) =>
  Object.keys(labels)
    .filter((k) => k !== 'node')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');

/**
 * The series of the nodes outside the top N, one per remaining label set (state, outcome, direction, ...), shaped as
 * their first member with "other nodes (K)" in place of the node's name.
 */
function otherNodes(frames: DataFrameJSON[], nodeCount: number, how: 'sum' | 'max'): DataFrameJSON[] {
  const groups = new Map<string, DataFrameJSON[]>();
  for (const frame of frames) {
    const key = labelKey(asSeries(frame).labels);
    const members = groups.get(key);
    if (members) {
      members.push(frame);
    } else {
      groups.set(key, [frame]);
    }
  }
  const name = `other nodes (${nodeCount})`;
  return [...groups.values()].map((members) => {
    const first = members[0];
    const index = valueField(first);
    const field = first.schema.fields[index];
    const { node, ...rest } = field.labels ?? {};
    const config = { ...field.config };
    for (const key of ['displayNameFromDS', 'displayName'] as const) {
      const text = config[key];
      if (text !== undefined) {
        config[key] = node && text.includes(node) ? text.replace(node, name) : `${name} ${text}`;
      }
    }
    config.description =
      `${how === 'sum' ? 'Sum' : 'Maximum'} over the ${nodeCount} nodes outside the top N. ${config.description ?? ''}`.trim();
    const values = combineValues(
      members.map((m) => asSeries(m).values),
      how
    );
    const fields = first.schema.fields.map((f, i) =>
      i === index ? { ...f, labels: { ...rest, others: String(nodeCount) }, config } : f
    );
    const data = first.data.values.map((column, i) => (i === index ? values : column));
    return {
      ...first,
      schema: { ...first.schema, name: config.displayNameFromDS ?? first.schema.name, fields },
      data: { values: data },
    };
  });
}

/**
 * A query's frames after its topN, others and the series cap. Frames without a node label (cluster aggregates,
 * tables) are never ranked; they count toward the cap like any other.
 */
export function limitSeries(query: ScopeQuery, frames: DataFrameJSON[], options: LimitOptions = {}): DataFrameJSON[] {
  const maxSeries = options.maxSeries ?? LIMITS.seriesPerQuery;
  const signal = RANK_SIGNALS[query.queryType](query);
  const byNode = new Map<string, DataFrameJSON[]>();
  const unranked: DataFrameJSON[] = [];
  for (const frame of frames) {
    const node = nodeOf(frame);
    if (node === undefined || node === '' || !signal) {
      unranked.push(frame);
    } else {
      const list = byNode.get(node);
      if (list) {
        list.push(frame);
      } else {
        byNode.set(node, [frame]);
      }
    }
  }
  const nothingToCut = frames.length <= maxSeries && (query.topN === undefined || byNode.size <= query.topN);
  if (byNode.size === 0 || nothingToCut) {
    return cap(frames, maxSeries, null);
  }
  const ranked = rankNodes(byNode, signal!);
  if (query.topN === undefined || ranked.length <= query.topN) {
    // Past the cap, the highest-ranked nodes are the ones kept.
    return cap([...unranked, ...ranked.flatMap((n) => byNode.get(n)!)], maxSeries, signal);
  }
  const top = new Set(ranked.slice(0, query.topN));
  const rest = ranked.slice(query.topN);
  const keep = new Set([...unranked, ...[...top].flatMap((n) => byNode.get(n)!)]);
  const kept = frames.filter((f) => keep.has(f));
  const others =
    query.others && signal!.others
      ? otherNodes(
          rest.flatMap((n) => byNode.get(n)!),
          rest.length,
          signal!.others
        )
      : [];
  const text =
    `The ${query.topN} of ${ranked.length} nodes ranked highest by ${signal!.describe}` +
    (others.length
      ? `; the other ${rest.length} ${signal!.others === 'sum' ? 'summed' : 'combined (maximum)'} as "other nodes".`
      : '.');
  const out = [...kept, ...others];
  const first = out.findIndex((f) => top.has(nodeOf(f) ?? ''));
  out[first] = withNotice(out[first], text);
  return cap(out, maxSeries, signal);
}

function cap(frames: DataFrameJSON[], maxSeries: number, signal: RankSignal | null): DataFrameJSON[] {
  if (frames.length <= maxSeries) {
    return frames;
  }
  const kept = frames.slice(0, maxSeries);
  const order = signal ? `the nodes ranked highest by ${signal.describe}` : 'in the order of their labels';
  kept[0] = withNotice(
    kept[0],
    `${frames.length} series exceed the exporter's limit of ${maxSeries} series per query: the first ${maxSeries} are shown (${order}). ` +
      'Set "Top N" in the query, or select fewer nodes.',
    'warning'
  );
  return kept;
}
