/**
 * The backfill generator (bench/history) end to end on a small case: the families learnt from a real exporter, 20
 * nodes × 2 days at 120 s over two shards, turned into blocks by Debian's promtool and served by a real Prometheus.
 * PromQL then has to find what the generator wrote: every family, every node under its shard's instance, counter
 * increases and resets, gauges at their sample times, drops mostly zero, anomaly bands above baselines, histograms
 * whose +Inf bucket is their count, policy revisions that disagree while a change propagates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardOf } from '../../exporter/scrape/shard';
import { type BackfillFigures, backfill } from '../../bench/history/backfill';
import { type Catalog, learnCatalog } from '../../bench/history/catalog';
import { instanceOf } from '../../bench/history/context';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { describeWith } from '../support/tools';

jest.setTimeout(180_000);

const NODES = 20;
const DAYS = 2;
const RES = 120;
const STEPS = (DAYS * 86_400) / RES + 1;
const SHARDS = 2;
const END_MS = Date.UTC(2026, 0, 3, 12);
const RECORDED = [
  'ciliumscope_forwarded_packets_total',
  'ciliumscope_dropped_packets_total',
  'ciliumscope_policy_max_revision',
  'ciliumscope_unmanaged_pods',
  'ciliumscope_target_up',
];

/** Recorded truth: series key → step → value. */
type Truth = Map<string, Map<number, number>>;
const keyOf = (name: string, labels: Record<string, string>) =>
  `${name}{node="${labels.node}",direction="${labels.direction ?? ''}",reason="${labels.reason ?? ''}",component="${labels.component ?? ''}"}`;

describeWith([{ binary: 'promtool' }, { binary: 'prometheus' }], 'history backfill into a real Prometheus', () => {
  let dir: string;
  let catalog: Catalog;
  let figures: BackfillFigures;
  let prometheus: RunningPrometheus;
  const truth: Truth = new Map();
  const at = (step: number) => figures.startSeconds + step * RES;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ciliumscope-backfill-'));
    catalog = await learnCatalog();
    figures = await backfill({
      catalog,
      nodes: NODES,
      days: DAYS,
      resolutionSeconds: RES,
      shards: SHARDS,
      endMs: END_MS,
      seed: 11,
      dataDir: join(dir, 'data'),
      observe: (series, step, _time, value) => {
        if (RECORDED.includes(series.name)) {
          const key = keyOf(series.name, series.labels);
          let values = truth.get(key);
          if (!values) {
            truth.set(key, (values = new Map()));
          }
          values.set(step, value);
        }
      },
    });
    prometheus = await startPrometheus({ targets: [], dataDir: join(dir, 'data'), maxBlockDuration: '54h' });
  });

  afterAll(async () => {
    await prometheus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const end = () => figures.endSeconds;
  const range = `${DAYS * 86_400 + RES}s`;

  test('the figures add up: series × steps, less the withdrawn samples', () => {
    expect(figures.nodes).toBe(NODES);
    expect(figures.endSeconds - figures.startSeconds).toBe((STEPS - 1) * RES);
    expect(figures.samples).toBeLessThanOrEqual(figures.series * STEPS);
    expect(figures.samples).toBeGreaterThan(figures.series * STEPS * 0.95);
    expect(figures.blocks).toBeGreaterThanOrEqual(1);
    expect(figures.diskBytes).toBeGreaterThan(0);
  });

  test('every family the exporter exposes is there, and nothing else', async () => {
    const names = await prometheus.query(
      `count by (__name__) (last_over_time({__name__=~"ciliumscope_.+"}[${range}]))`,
      end()
    );
    const expected = [...new Set(catalog.families.flatMap((f) => f.samples.map((s) => s.name)))].sort();
    expect(names.map((n) => n.labels.__name__).sort()).toEqual(expected);
  });

  test("every node is there, under its shard's instance", async () => {
    const rows = await prometheus.query(`group by (node, instance) (ciliumscope_endpoints_total)`, end());
    const nodes = rows.map((r) => r.labels.node).sort();
    expect(nodes).toHaveLength(NODES);
    for (const r of rows) {
      expect(r.labels.instance).toBe(instanceOf(shardOf(r.labels.node, SHARDS)));
    }
    expect(new Set(rows.map((r) => r.labels.instance)).size).toBe(SHARDS);
  });

  test('counters: increase() over a window with an agent restart, and resets(), equal what was written', async () => {
    const packets = [...truth].filter(([k]) => k.startsWith('ciliumscope_forwarded_packets_total'));
    const withReset = packets.filter(([, v]) =>
      [...v].some(([step, value]) => v.has(step - 1) && value < v.get(step - 1)!)
    );
    expect(withReset.length).toBeGreaterThan(0);
    for (const [key, values] of withReset.slice(0, 4)) {
      const steps = [...values.keys()].sort((a, b) => a - b);
      const resetStep = steps.find((s) => values.has(s - 1) && values.get(s)! < values.get(s - 1)!)!;
      // A window of 12 hours around the restart, both ends on samples: no extrapolation, the exact increase.
      const half = (6 * 3600) / RES;
      const from = Math.max(steps[0], resetStep - half);
      const to = Math.min(steps[steps.length - 1], from + 2 * half);
      let expected = 0;
      for (let s = from + 1; s <= to; s++) {
        if (values.has(s) && values.has(s - 1)) {
          const d = values.get(s)! - values.get(s - 1)!;
          expected += d >= 0 ? d : values.get(s)!;
        }
      }
      const selector = key.replace(/,reason="",component=""/, '');
      const [increase] = await prometheus.query(`increase(${selector}[${(to - from) * RES}s])`, at(to));
      expect(increase.value).toBeCloseTo(expected, 0);
      const [resets] = await prometheus.query(`resets(${selector}[${(to - from) * RES}s])`, at(to));
      expect(resets.value).toBeGreaterThanOrEqual(1);
    }
  });

  test('gauges: the policy revision of every node at sample times is what was written, and nodes disagree while a change propagates', async () => {
    const revisions = [...truth].filter(([k]) => k.startsWith('ciliumscope_policy_max_revision'));
    expect(revisions).toHaveLength(NODES);
    for (const step of [0, Math.floor(STEPS / 4), Math.floor(STEPS / 2), STEPS - 1]) {
      const rows = await prometheus.query('ciliumscope_policy_max_revision', at(step));
      const got = Object.fromEntries(rows.map((r) => [r.labels.node, r.value]));
      for (const [key, values] of revisions) {
        const node = /node="([^"]+)"/.exec(key)![1];
        if (values.has(step)) {
          expect({ node, step, value: got[node] }).toEqual({ node, step, value: values.get(step) });
        }
      }
    }
    const spread = await prometheus.queryRange(
      'max(ciliumscope_policy_max_revision) - min(ciliumscope_policy_max_revision)',
      figures.startSeconds,
      end(),
      RES
    );
    const lagging = spread[0].values.filter(([, v]) => v > 0).length;
    expect(lagging).toBeGreaterThan(0);
    expect(lagging).toBeLessThan(spread[0].values.length / 10);
  });

  test('drops: step increases equal what was written, mostly zero, in bursts', async () => {
    const series = [...truth].filter(([k]) => k.startsWith('ciliumscope_dropped_packets_total')).slice(0, 6);
    let zero = 0;
    let total = 0;
    for (const [key, values] of series) {
      const selector = key.replace(/,component=""/, '');
      const [got] = await prometheus.queryRange(`increase(${selector}[${RES}s])`, at(1), end(), RES);
      const byTime = new Map(got.values);
      for (const [step, value] of values) {
        const previous = values.get(step - 1);
        if (previous === undefined || !byTime.has(at(step))) {
          continue;
        }
        const expected = value >= previous ? value - previous : value;
        expect(byTime.get(at(step))).toBeCloseTo(expected, 6);
        total++;
        zero += expected === 0 ? 1 : 0;
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(zero / total).toBeGreaterThan(0.5);
    expect(zero).toBeLessThan(total);
  });

  test('anomaly: the upper band is never under the baseline, and a spike scores at least 1 somewhere', async () => {
    const inverted = await prometheus.query(
      `count(count_over_time((ciliumscope_drop_rate_upper_band < ciliumscope_drop_rate_baseline)[${range}:${RES}s]))`,
      end()
    );
    expect(inverted).toEqual([]);
    const [score] = await prometheus.query(`max(max_over_time(ciliumscope_drop_anomaly_score[${range}]))`, end());
    expect(score.value).toBeGreaterThanOrEqual(1);
  });

  test('regeneration histogram: +Inf bucket equals the count, and a quantile over an hour is finite', async () => {
    const mismatched = await prometheus.query(
      `count(count_over_time((ciliumscope_endpoint_regeneration_seconds_bucket{le="+Inf"} != ignoring(le) ciliumscope_endpoint_regeneration_seconds_count)[${range}:${RES}s]))`,
      end()
    );
    expect(mismatched).toEqual([]);
    const [p90] = await prometheus.query(
      'histogram_quantile(0.9, sum by (le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[1h])))',
      end()
    );
    expect(p90.value).toBeGreaterThan(0);
    expect(Number.isFinite(p90.value)).toBe(true);
  });

  test('unmanaged pods and targets down: the maximum and minimum over the days per node are what was written', async () => {
    for (const [name, fn, pick] of [
      ['ciliumscope_unmanaged_pods', 'max_over_time', Math.max],
      ['ciliumscope_target_up', 'min_over_time', Math.min],
    ] as const) {
      const rows = await prometheus.query(`${fn}(${name}{component!="operator"}[${range}])`, end());
      const got = Object.fromEntries(rows.map((r) => [r.labels.node, r.value]));
      for (const [key, values] of [...truth].filter(([k]) => k.startsWith(name + '{') && !k.includes('operator'))) {
        const node = /node="([^"]+)"/.exec(key)![1];
        expect({ node, value: got[node] }).toEqual({ node, value: pick(...values.values()) });
      }
    }
    const [anyUnmanaged] = await prometheus.query(`max(max_over_time(ciliumscope_unmanaged_pods[${range}]))`, end());
    expect(anyUnmanaged.value).toBeGreaterThan(0);
  });
});

describeWith([{ binary: 'promtool' }], 'history backfill determinism', () => {
  test('the same seed writes the same samples; another seed other ones', async () => {
    const catalog = await learnCatalog();
    const run = async (seed: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-backfill-seed-'));
      const lines: string[] = [];
      try {
        await backfill({
          catalog,
          nodes: 3,
          days: 0.05,
          resolutionSeconds: 60,
          endMs: END_MS,
          seed,
          dataDir: join(dir, 'data'),
          observe: (series, step, _t, value) =>
            lines.push(`${series.name}${JSON.stringify(series.labels)}@${step}=${value}`),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return lines;
    };
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
