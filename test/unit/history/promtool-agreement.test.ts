/**
 * The embedded evaluator computes what Prometheus computes. Random counters (with resets, gaps, series born late,
 * values up to 1e12), gauges and a histogram are written to a ring at 10 s intervals; every expression kind the
 * query table uses is evaluated by the embedded backend at random times and steps; then Prometheus's own engine
 * (`promtool test rules`, Debian's 2.42) evaluates the same PromQL over the same samples and must give exactly
 * the same numbers (promtool compares floats exactly). One node name is hostile (quotes, backslash, regex
 * metacharacters, a newline) and is also selected by a matcher: the escaping round-trips through the real parser.
 * Rankings (topk/bottomk of a signal reduced over a subquery, every tie kept) run on a gauge of few values, so
 * ties are common and must come out the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { evaluate } from '../../../exporter/history/embedded';
import {
  type Expr,
  atLeast,
  countBy,
  eq,
  increase,
  last,
  matcher,
  maxBy,
  maxOver,
  minBy,
  notIn,
  over,
  quantile,
  ranking,
  rate,
  selector,
  stepChange,
  sumBy,
} from '../../../exporter/history/expr';
import { instantGrid } from '../../../exporter/history/grid';
import { formatDuration, quoteString, toPromQL } from '../../../exporter/history/promql';
import { RingHistory } from '../../../exporter/history/ring';
import { Prng } from '../../../simulator/prng';
import { describeWith } from '../../support/tools';

const INTERVAL = 10_000;
const POINTS = 40;
const NODES = ['node-a', 'node-b', 'x"y\\z.*|(q)\n'];
const BOUNDS = ['0.1', '1', '10', '+Inf'];

interface Series {
  metric: string;
  labels: Record<string, string>;
  counter: boolean;
  /** Per point: a value, or null for no sample. */
  values: Array<number | null>;
}

function generate(random: () => number): Series[] {
  const out: Series[] = [];
  const int = (n: number) => Math.floor(random() * n);
  for (const node of NODES) {
    const born = random() < 0.3 ? int(POINTS / 2) : 0;
    let c = random() < 0.5 ? int(50) : Math.floor(random() * 1e12);
    const counter: Array<number | null> = [];
    const gauge: Array<number | null> = [];
    for (let k = 0; k < POINTS; k++) {
      c = random() < 0.05 ? int(20) : c + (random() < 0.3 ? 0 : int(1000));
      counter.push(k < born || random() < 0.1 ? null : c);
      gauge.push(random() < 0.1 ? null : int(100) - 20);
    }
    out.push({ metric: 'test_total', labels: { node }, counter: true, values: counter });
    out.push({ metric: 'test_gauge', labels: { node }, counter: false, values: gauge });
    out.push({
      metric: 'test_small',
      labels: { node },
      counter: false,
      values: gauge.map((v) => (v === null ? null : Math.abs(v) % 3)),
    });
  }
  // A histogram whose +Inf bucket grows at every point, so every window has observations.
  const counts = BOUNDS.map(() => 0);
  const buckets: Array<Array<number | null>> = BOUNDS.map(() => []);
  for (let k = 0; k < POINTS; k++) {
    const add = [int(5), int(5), int(5), 1 + int(5)];
    let cumulative = 0;
    BOUNDS.forEach((_, i) => {
      cumulative += add[i];
      counts[i] += cumulative;
      buckets[i].push(counts[i]);
    });
  }
  BOUNDS.forEach((le, i) =>
    out.push({ metric: 'test_seconds_bucket', labels: { node: 'node-a', le }, counter: true, values: buckets[i] })
  );
  return out;
}

function ring(series: Series[]): RingHistory {
  const h = new RingHistory({ retentionMs: POINTS * INTERVAL * 2, intervalMs: INTERVAL, maxBytes: 1 << 24 });
  for (let k = 0; k < POINTS; k++) {
    const w = h.begin(k * INTERVAL);
    for (const s of series) {
      const v = s.values[k];
      if (v !== null) {
        const at = w.at(`agent/${s.labels.node}`, k * INTERVAL);
        (s.counter ? at.putCounter : at.put)(s.metric, s.labels, v);
      }
    }
    w.commit();
  }
  return h;
}

const seriesText = (metric: string, labels: Record<string, string>) =>
  `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${quoteString(v)}`)
    .join(',')}}`;

/** Every expression kind the query table, the cluster view and the top-N rankings use. */
function expressions(random: () => number, step: number): Expr[] {
  const c = selector('test_total');
  const g = selector('test_gauge');
  const small = selector('test_small');
  const hostile = selector('test_total', matcher('node', [NODES[2], 'node-b']));
  // A request grid's span (a whole number of steps), or any span at all.
  const span = random() < 0.7 ? Math.floor(random() * 12) * step : Math.floor(random() * 300_000);
  const k = 1 + Math.floor(random() * 3);
  return [
    sumBy(['node'], last(selector('test_gauge', notIn('node', ['node-a'])))),
    sumBy(['node'], rate(selector('test_total', notIn('node', [NODES[2], 'node-a'])))),
    atLeast(10, countBy([], last(g))),
    atLeast(1, sumBy(['node'], rate(c))),
    ranking('topk', k, 'max', span, maxBy(['node'], last(small))),
    ranking('bottomk', k, 'min', span, sumBy(['node'], last(small))),
    ranking('topk', k, 'avg', span, sumBy(['node'], rate(c))),
    ranking('topk', k + 2, 'avg', span, sumBy(['node'], rate(c)), { op: '>', value: 0 }),
    ranking('bottomk', k, 'avg', span, minBy(['node'], last(small))),
    ranking('topk', k, 'max', span, quantile(0.9, ['node'], selector('test_seconds_bucket'))),
    ranking('topk', k, 'max', span, maxBy(['node'], maxOver(selector('test_gauge', notIn('node', [NODES[2]]))))),
    sumBy(['node'], rate(c)),
    sumBy(['node'], increase(c)),
    sumBy(['node'], rate(hostile)),
    maxBy(['node'], last(selector('test_gauge', eq('node', NODES[2])))),
    sumBy(['node'], over('increase', c, 60_000 + Math.floor(random() * 200) * 1000)),
    maxBy(['node'], last(g)),
    maxBy(['node'], maxOver(g)),
    maxBy([], last(g)),
    minBy([], last(g)),
    countBy([], last(g)),
    sumBy([], last(g)),
    sumBy(['node'], stepChange(c)),
    quantile(0.5, [], selector('test_seconds_bucket')),
    quantile(0.95, ['node'], selector('test_seconds_bucket', eq('node', 'node-a'))),
  ];
}

describeWith([{ binary: 'promtool' }], 'the embedded evaluator against Prometheus (promtool)', () => {
  test('same samples, same expressions, same numbers', () => {
    const cases: Array<Record<string, unknown>> = [];
    let checked = 0;
    for (let seed = 1; seed <= 6; seed++) {
      // The simulator's deterministic PRNG, so a failure reproduces.
      const rng = new Prng(seed);
      const random = () => rng.float();
      const series = generate(random);
      const h = ring(series);
      const tests: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 12; i++) {
        // Exact sample times (window edges on samples), and times between them; some past the last sample.
        const time =
          random() < 0.4
            ? Math.floor(random() * (POINTS + 4)) * INTERVAL
            : Math.floor(random() * (POINTS + 40) * INTERVAL);
        const step = [INTERVAL, 2 * INTERVAL, 35_000, 60_000][Math.floor(random() * 4)];
        const grid = instantGrid(time, INTERVAL, step);
        for (const expr of expressions(random, step)) {
          const result = evaluate(h, expr, grid);
          tests.push({
            expr: toPromQL(expr, grid),
            eval_time: formatDuration(time),
            exp_samples: result.map((s) => ({
              labels: `{${Object.entries(s.labels)
                .filter(([, v]) => v !== '')
                .map(([k, v]) => `${k}=${quoteString(v)}`)
                .join(',')}}`,
              value: s.values[0],
            })),
          });
          checked += result.length;
        }
      }
      cases.push({
        interval: `${INTERVAL / 1000}s`,
        input_series: series.map((s) => ({
          series: seriesText(s.metric, s.labels),
          values: s.values.map((v) => (v === null ? '_' : String(v))).join(' '),
        })),
        promql_expr_test: tests,
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-promtool-'));
    try {
      const file = join(dir, 'agreement.test.yml');
      // promtool loads the input up to each evaluation step: a 1 s step makes every sample at or before eval_time visible.
      writeFileSync(file, stringify({ evaluation_interval: '1s', tests: cases }, { lineWidth: 0 }));
      const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
      // On a failure, promtool's report (the expression, the time, what it expected and got) is the message.
      expect(run.status === 0 ? '' : `status ${run.status}: ${(run.stdout + run.stderr).slice(0, 6000)}`).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(checked).toBeGreaterThan(500);
  });
});
