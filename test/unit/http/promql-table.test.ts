/**
 * The query table as PromQL: the exact expression for every query type and view (what a reviewer reads, and what
 * the Prometheus backend sends), and label values from a request escaped so they only ever match themselves.
 */
import type { ScopeQuery } from '../../../src/contract';
import { type Expr, notIn, withMatcher } from '../../../exporter/history/expr';
import { makeGrid } from '../../../exporter/history/grid';
import { escapeRegex, quoteString, toPromQL } from '../../../exporter/history/promql';
import { rankingOf } from '../../../exporter/http/query/limit';
import { ANNOTATIONS, RANKS, TABLE } from '../../../exporter/http/query/promql-table';
import { PAIR_KEY, WORKLOAD_TABLE } from '../../../exporter/http/query/workload-table';
import { SERIES } from '../../../exporter/model/series';

// A 6-hour range at maxDataPoints 100 with a 30 s interval: step 216 s, rate window 246 s, lookback 5 m.
const grid = makeGrid(0, 6 * 3_600_000, 30_000, 100, 30_000);
const q = (over: Partial<ScopeQuery>): ScopeQuery => ({ refId: 'A', queryType: 'endpoints', ...over });
const promql = (reads: Record<string, Expr>) =>
  Object.fromEntries(Object.entries(reads).map(([k, e]) => [k, toPromQL(e, grid)]));

test('every query type and view, with and without filters and grouping', () => {
  expect(grid.step).toBe(216_000);
  expect(promql(TABLE.endpoints(q({})))).toEqual({
    states: 'sum by (state) (last_over_time(ciliumscope_endpoints[5m]))',
  });
  expect(promql(TABLE.endpoints(q({ groupBy: 'node', node: ['n1', 'n2'], state: 'ready' })))).toEqual({
    states: 'sum by (node, state) (last_over_time(ciliumscope_endpoints{node=~"n1|n2", state="ready"}[5m]))',
  });
  expect(promql(TABLE.podEndpointDelta(q({ groupBy: 'node' })))).toEqual({
    pods: 'sum by (node) (last_over_time(ciliumscope_pods[5m]))',
    podEndpoints: 'sum by (node) (last_over_time(ciliumscope_pod_endpoints[5m]))',
    delta: 'sum by (node) (last_over_time(ciliumscope_endpoint_pod_delta[5m]))',
  });
  expect(promql(TABLE.regenerationRate(q({ node: '$__all' })))).toEqual({
    rate: 'sum by (outcome) (rate(ciliumscope_endpoint_regenerations_total[246s]))',
  });
  expect(promql(TABLE.regenerationLatency(q({ quantiles: [0.5, 0.99], groupBy: 'node' })))).toEqual({
    0: 'histogram_quantile(0.5, sum by (node, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[246s])))',
    1: 'histogram_quantile(0.99, sum by (node, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[246s])))',
  });
  expect(promql(TABLE.packetFlow(q({ direction: 'INGRESS' })))).toEqual({
    forwarded: 'sum by (direction) (rate(ciliumscope_forwarded_packets_total{direction="INGRESS"}[246s]))',
    dropped: 'sum by (direction) (rate(ciliumscope_dropped_packets_total{direction="INGRESS"}[246s]))',
  });
  expect(promql(TABLE.packetFlow(q({ unit: 'bytes', groupBy: 'node' })))).toEqual({
    forwarded: 'sum by (node, direction) (rate(ciliumscope_forwarded_bytes_total[246s]))',
    dropped: 'sum by (node, direction) (rate(ciliumscope_dropped_bytes_total[246s]))',
  });
  expect(promql(TABLE.dropRates(q({ reason: ['Policy denied', 'Stale or unroutable IP'] })))).toEqual({
    drops:
      'sum by (direction, reason) (rate(ciliumscope_dropped_packets_total{reason=~"Policy denied|Stale or unroutable IP"}[246s]))',
  });
  expect(promql(TABLE.dropTopNodes(q({ direction: 'EGRESS' })))).toEqual({
    perNode: 'sum by (node) (rate(ciliumscope_dropped_packets_total{direction="EGRESS"}[246s]))',
  });
  expect(promql(TABLE.dropTopReasons(q({ direction: 'EGRESS', unit: 'bytes' }), ['n2', 'n1']))).toEqual({
    perReason: 'sum by (node, reason) (rate(ciliumscope_dropped_bytes_total{node=~"n1|n2", direction="EGRESS"}[246s]))',
  });
  expect(promql(TABLE.policyGauge(q({}), SERIES.policies))).toEqual({
    max: 'max (last_over_time(ciliumscope_policies[5m]))',
    min: 'min (last_over_time(ciliumscope_policies[5m]))',
  });
  expect(promql(TABLE.policyGauge(q({ groupBy: 'node' }), SERIES.policyMaxRevision))).toEqual({
    perNode: 'sum by (node) (last_over_time(ciliumscope_policy_max_revision[5m]))',
  });
  expect(promql(TABLE.policyImportErrors(q({ groupBy: 'node' })))).toEqual({
    errors: 'sum by (node) (increase(ciliumscope_policy_import_errors_total[246s]))',
  });
  expect(promql(TABLE.policyEnforcement(q({})))).toEqual({
    modes: 'sum by (enforcement) (last_over_time(ciliumscope_policy_enforcement_endpoints[5m]))',
  });
  expect(promql(TABLE.agentUp(q({})))).toEqual({
    up: 'sum (last_over_time(ciliumscope_target_up[5m]))',
    targets: 'count (last_over_time(ciliumscope_target_up[5m]))',
  });
  expect(promql(TABLE.agentUp(q({ groupBy: 'node' })))).toEqual({
    perTarget: 'max by (node, component) (last_over_time(ciliumscope_target_up[5m]))',
  });
  expect(promql(TABLE.scrapeDuration(q({})))).toEqual({
    slowest:
      'max by (component) (max_over_time(ciliumscope_target_scrape_duration_seconds{component=~"agent|operator"}[246s]))',
  });
  expect(promql(TABLE.anomalyNodeRanking(q({ direction: 'EGRESS' })))).toEqual({
    perNode: 'max by (node) (max_over_time(ciliumscope_drop_anomaly_score{direction="EGRESS"}[246s]))',
  });
  expect(promql(TABLE.anomalySeriesRanking(q({ reason: 'Policy denied' }), ['n1']))).toEqual({
    perSeries:
      'max by (node, direction, reason) (max_over_time(ciliumscope_drop_anomaly_score{node="n1", reason="Policy denied"}[246s]))',
  });
  expect(promql(TABLE.anomalyBands({ node: ['n1'], direction: ['EGRESS'], reason: ['Policy denied'] }))).toEqual({
    rate: 'sum by (node, direction, reason) (rate(ciliumscope_dropped_packets_total{node="n1", direction="EGRESS", reason="Policy denied"}[246s]))',
    baseline:
      'max by (node, direction, reason) (last_over_time(ciliumscope_drop_rate_baseline{node="n1", direction="EGRESS", reason="Policy denied"}[5m]))',
    upperBand:
      'max by (node, direction, reason) (last_over_time(ciliumscope_drop_rate_upper_band{node="n1", direction="EGRESS", reason="Policy denied"}[5m]))',
    score:
      'max by (node, direction, reason) (max_over_time(ciliumscope_drop_anomaly_score{node="n1", direction="EGRESS", reason="Policy denied"}[246s]))',
  });
  expect(promql(TABLE.anomalyScores(q({})))).toEqual({
    score: 'max by (node, direction, reason) (last_over_time(ciliumscope_drop_anomaly_score[5m]))',
    baseline: 'max by (node, direction, reason) (last_over_time(ciliumscope_drop_rate_baseline[5m]))',
    upperBand: 'max by (node, direction, reason) (last_over_time(ciliumscope_drop_rate_upper_band[5m]))',
    rate: 'sum by (node, direction, reason) (rate(ciliumscope_dropped_packets_total[246s]))',
    warmingUp: 'max by (node) (last_over_time(ciliumscope_drop_anomaly_warming_up[5m]))',
  });
  expect(toPromQL(ANNOTATIONS.agentRestarts([]), grid)).toBe(
    'sum by (node) (last_over_time(ciliumscope_agent_restarts_total[5m]) - last_over_time(ciliumscope_agent_restarts_total[5m] offset 216s)) > 0'
  );
  expect(toPromQL(ANNOTATIONS.dropAnomalies([{ label: 'node', values: ['n1'] }]), grid)).toBe(
    'max by (node, direction, reason) (last_over_time(ciliumscope_drop_anomaly_score{node="n1"}[5m])) >= 1'
  );
});

test('the one-question views', () => {
  expect(promql(TABLE.endpointsNotReady(q({ node: ['n1', 'n2'] })))).toEqual({
    notReady:
      'sum by (node) (last_over_time(ciliumscope_endpoints{node=~"n1|n2", state!~"disconnected|disconnecting|ready"}[5m]))',
    reported: 'count by (node) (last_over_time(ciliumscope_endpoints{node=~"n1|n2"}[5m]))',
  });
  expect(promql(TABLE.endpointsNotReady(q({}), []))).toEqual({
    notReady: 'sum (last_over_time(ciliumscope_endpoints{state!~"disconnected|disconnecting|ready"}[5m]))',
    reported: 'count (last_over_time(ciliumscope_endpoints[5m]))',
  });
  expect(promql(TABLE.unmanagedPodCount(q({ groupBy: 'node' })))).toEqual({
    unmanaged: 'sum by (node) (last_over_time(ciliumscope_unmanaged_pods[5m]))',
  });
  expect(promql(TABLE.regenerationFailures(q({})))).toEqual({
    failures: 'sum (rate(ciliumscope_endpoint_regenerations_total{outcome="failure"}[246s]))',
  });
  expect(promql(TABLE.policyImportErrorsInRange(q({ node: 'n1' }), grid, grid.times[grid.times.length - 1]))).toEqual({
    errors: 'sum (increase(ciliumscope_policy_import_errors_total{node="n1"}[6h]))',
  });
  expect(promql(TABLE.agentCount(q({ node: ['n1', 'n2'] })))).toEqual({
    agents: 'count (last_over_time(ciliumscope_target_up{component="agent", node=~"n1|n2"}[5m]))',
  });
  expect(promql(TABLE.anomalySummary(q({ direction: 'EGRESS' })))).toEqual({
    rate: 'sum (rate(ciliumscope_dropped_packets_total{direction="EGRESS"}[246s]))',
    baseline: 'sum (last_over_time(ciliumscope_drop_rate_baseline{direction="EGRESS"}[5m]))',
    upperBand: 'sum (last_over_time(ciliumscope_drop_rate_upper_band{direction="EGRESS"}[5m]))',
    anomalous: 'count (last_over_time(ciliumscope_drop_anomaly_score{direction="EGRESS"}[5m]) >= 1)',
    scored: 'count (last_over_time(ciliumscope_drop_anomaly_score{direction="EGRESS"}[5m]))',
  });
});

describe('drops by workload pair', () => {
  const span = grid.times[grid.times.length - 1] - grid.times[0];
  const w = (over: Partial<ScopeQuery>) => q({ queryType: 'workloadDrops', ...over });
  const pair = 'source_namespace, source_workload, destination_namespace, destination_workload, reason, direction';

  test('pairs ranked by their mean rate over the range, only those with drops; one ranking without namespace or workload filters', () => {
    const r = `avg_over_time((sum by (${pair}) (rate(ciliumscope_workload_dropped_packets_total{reason="Policy denied", source_workload!="(other)"}[246s])))[6h:216s])`;
    expect(
      WORKLOAD_TABLE.ranking(w({ reason: 'Policy denied' }), PAIR_KEY, 10, span).map((e) => toPromQL(e, grid))
    ).toEqual([`${r} >= scalar(min(topk(10, ${r}))) > 0`]);
  });

  test('namespace and workload filters: one ranking per end of the pair, the node × pair rows of the table alike', () => {
    const side = (end: string) =>
      `avg_over_time((sum by (node, ${pair}) (rate(ciliumscope_workload_dropped_packets_total{node="n1", source_workload!="(other)", ${end}_namespace="shop", ${end}_workload=~"cart|web"}[246s])))[6h:216s])`;
    expect(
      WORKLOAD_TABLE.ranking(
        w({ node: 'n1', namespace: 'shop', workload: ['web', 'cart'] }),
        ['node', ...PAIR_KEY],
        5,
        span
      ).map((e) => toPromQL(e, grid))
    ).toEqual(['source', 'destination'].map((end) => `${side(end)} >= scalar(min(topk(5, ${side(end)}))) > 0`));
  });

  test("the top pairs' rates, the totals the others are made of, each node's mean, the variables", () => {
    const top = [
      {
        source_namespace: 'shop',
        source_workload: 'web',
        destination_namespace: 'shop',
        destination_workload: 'cart',
        reason: 'Policy denied',
        direction: 'INGRESS',
      },
      {
        source_namespace: '',
        source_workload: 'reserved:world',
        destination_namespace: 'shop',
        destination_workload: 'web',
        reason: 'Policy denied',
        direction: 'INGRESS',
      },
    ];
    expect(promql(WORKLOAD_TABLE.pairRates(w({ direction: 'INGRESS' }), top))).toEqual({
      pairs:
        `sum by (${pair}) (rate(ciliumscope_workload_dropped_packets_total{direction="INGRESS", source_namespace=~"|shop", source_workload=~"reserved:world|web", ` +
        'destination_namespace="shop", destination_workload=~"cart|web", reason="Policy denied", direction="INGRESS"}[246s]))',
    });
    expect(promql(WORKLOAD_TABLE.totals(w({})))).toEqual({
      all: 'sum (rate(ciliumscope_workload_dropped_packets_total[246s]))',
    });
    const total = (m: string) => `sum (rate(ciliumscope_workload_dropped_packets_total{${m}}[246s]))`;
    expect(promql(WORKLOAD_TABLE.totals(w({ namespace: 'shop' })))).toEqual({
      source: total('source_namespace="shop"'),
      destination: total('destination_namespace="shop"'),
      both: total('source_namespace="shop", destination_namespace="shop"'),
    });
    const nodes =
      'avg_over_time((sum by (node) (rate(ciliumscope_workload_dropped_packets_total{node=~"n1|n2"}[246s])))[6h:216s])';
    expect(toPromQL(WORKLOAD_TABLE.nodeTotals(['n2', 'n1'], span), grid)).toBe(
      `${nodes} >= scalar(min(topk(2, ${nodes}))) > 0`
    );
    expect(promql(WORKLOAD_TABLE.ends(new Set(['shop']), 3_600_000))).toEqual({
      source:
        'count by (source_namespace, source_workload) (last_over_time(ciliumscope_workload_dropped_packets_total{source_namespace="shop", source_workload!="(other)"}[1h]))',
      destination:
        'count by (destination_namespace, destination_workload) (last_over_time(ciliumscope_workload_dropped_packets_total{destination_namespace="shop", source_workload!="(other)"}[1h]))',
    });
    expect(RANKS.workloadDrops(w({ groupBy: 'node' }))).toBeNull();
  });
});

describe('top N: the rank of each query type as topk/bottomk in the PromQL, ties kept', () => {
  const span = grid.times[grid.times.length - 1] - grid.times[0];
  const ranked = (query: Partial<ScopeQuery>, k = 10) => {
    const spec = RANKS[query.queryType ?? 'endpoints'](q(query))!;
    return toPromQL(rankingOf(spec, k, grid), grid);
  };

  test("endpoints: most not ready at any point of the range; the span and step are the grid's", () => {
    expect(span).toBe(100 * 216_000);
    const r =
      'max_over_time((sum by (node) (last_over_time(ciliumscope_endpoints{state!~"disconnected|disconnecting|ready", node!=""}[5m])))[6h:216s])';
    expect(ranked({ groupBy: 'node' })).toBe(`${r} >= scalar(min(topk(10, ${r})))`);
  });

  test('each signal, reduced over the range by max, min or avg', () => {
    const signal = (query: Partial<ScopeQuery>) => {
      const spec = RANKS[query.queryType!](q(query))!;
      return `${spec.order} ${spec.over} ${toPromQL(spec.signal, grid)}`;
    };
    expect(signal({ queryType: 'podEndpointDelta', view: 'delta' })).toBe(
      'topk max sum by (node) (last_over_time(ciliumscope_endpoint_pod_delta[5m]))'
    );
    expect(signal({ queryType: 'unmanagedPods', view: 'count' })).toBe(
      'topk max sum by (node) (last_over_time(ciliumscope_unmanaged_pods[5m]))'
    );
    expect(RANKS.unmanagedPods(q({ queryType: 'unmanagedPods' }))).toBeNull();
    expect(signal({ queryType: 'regeneration', view: 'failures', node: 'n1' })).toBe(
      'topk avg sum by (node) (rate(ciliumscope_endpoint_regenerations_total{node="n1", outcome="failure"}[246s]))'
    );
    expect(signal({ queryType: 'regeneration', quantiles: [0.5, 0.95] })).toBe(
      'topk max histogram_quantile(0.95, sum by (node, le) (rate(ciliumscope_endpoint_regeneration_seconds_bucket[246s])))'
    );
    expect(signal({ queryType: 'packetFlow', unit: 'bytes' })).toBe(
      'topk avg sum by (node) (rate(ciliumscope_dropped_bytes_total[246s]))'
    );
    expect(signal({ queryType: 'drops', reason: 'Policy denied' })).toBe(
      'topk avg sum by (node) (rate(ciliumscope_dropped_packets_total{reason="Policy denied"}[246s]))'
    );
    expect(signal({ queryType: 'policy' })).toBe(
      'bottomk min sum by (node) (last_over_time(ciliumscope_policies[5m]))'
    );
    expect(signal({ queryType: 'policy', view: 'revision' })).toBe(
      'bottomk min sum by (node) (last_over_time(ciliumscope_policy_max_revision[5m]))'
    );
    expect(signal({ queryType: 'policy', view: 'importErrors' })).toBe(
      'topk avg sum by (node) (increase(ciliumscope_policy_import_errors_total[246s]))'
    );
    expect(signal({ queryType: 'policy', view: 'enforcement' })).toBe(
      'topk max sum by (node) (last_over_time(ciliumscope_policy_enforcement_endpoints{enforcement="none"}[5m]))'
    );
    expect(signal({ queryType: 'agentHealth', view: 'up' })).toBe(
      'bottomk avg min by (node) (last_over_time(ciliumscope_target_up[5m]))'
    );
    expect(signal({ queryType: 'agentHealth', view: 'scrapeDuration' })).toBe(
      'topk max max by (node) (max_over_time(ciliumscope_target_scrape_duration_seconds{component=~"agent|operator"}[246s]))'
    );
  });

  test('bottomk keeps the k lowest and their ties', () => {
    const r = 'min_over_time((sum by (node) (last_over_time(ciliumscope_policies{node!=""}[5m])))[6h:216s])';
    expect(ranked({ queryType: 'policy', groupBy: 'node' }, 3)).toBe(`${r} <= scalar(max(bottomk(3, ${r})))`);
  });

  test("the top nodes, then the others, as matchers added to the panel's own expressions", () => {
    const nodes = ['n2', 'a"b'];
    expect(
      toPromQL(withMatcher(TABLE.endpoints(q({ groupBy: 'node' })).states, { label: 'node', values: nodes }), grid)
    ).toBe('sum by (node, state) (last_over_time(ciliumscope_endpoints{node=~"n2|a\\"b"}[5m]))');
    expect(toPromQL(withMatcher(TABLE.endpoints(q({})).states, notIn('node', nodes)!), grid)).toBe(
      'sum by (state) (last_over_time(ciliumscope_endpoints{node!~"a\\"b|n2"}[5m]))'
    );
    expect(toPromQL(withMatcher(TABLE.endpoints(q({})).states, notIn('node', ['n1'])!), grid)).toBe(
      'sum by (state) (last_over_time(ciliumscope_endpoints{node!="n1"}[5m]))'
    );
  });
});

describe('label values from a request are escaped into matchers', () => {
  const hostile = [
    'a"} or vector(1) or {x="',
    '.*',
    'n1|n2',
    'back\\slash',
    'line\nbreak',
    '}[5m])) + sum(up',
    '$__all2',
    '^(a)+$',
    'tab\there',
    '\u0007bell',
  ];

  test('one value: a string literal holding exactly the value', () => {
    const expr = toPromQL(TABLE.endpoints(q({ node: 'a"} or vector(1) or {x="' })).states, grid);
    expect(expr).toBe(
      'sum by (state) (last_over_time(ciliumscope_endpoints{node="a\\"} or vector(1) or {x=\\""}[5m]))'
    );
    expect(quoteString('back\\slash')).toBe('"back\\\\slash"');
    expect(quoteString('line\nbreak\ttab\u0007')).toBe('"line\\nbreak\\ttab\\x07"');
  });

  test('several values: each regex-escaped, the whole a string literal', () => {
    const expr = toPromQL(TABLE.endpoints(q({ node: ['.*', 'n1|n2'] })).states, grid);
    expect(expr).toBe('sum by (state) (last_over_time(ciliumscope_endpoints{node=~"\\\\.\\\\*|n1\\\\|n2"}[5m]))');
    expect(escapeRegex('^(a)+$')).toBe('\\^\\(a\\)\\+\\$');
  });

  test('no value can close the string: every quote inside is escaped, the literal ends where it began', () => {
    for (const value of hostile) {
      for (const node of [value, [value, 'other']]) {
        const expr = toPromQL(TABLE.endpoints(q({ node })).states, grid);
        const literal = /\{node=~?(".*")\}\[5m\]\)\)$/s.exec(expr)?.[1];
        expect(literal).toBeDefined();
        // Read back as a JSON string (PromQL's escapes here are a subset of JSON's, plus \x): no unescaped quote.
        const decoded = JSON.parse(literal!.replace(/\\x([0-9a-f]{2})/g, '\\u00$1')) as string;
        expect(
          Array.isArray(node) ? decoded.split(/(?<!\\)\|/).map((v) => v.replace(/\\(.)/g, '$1')) : [decoded]
        ).toEqual(Array.isArray(node) ? [...node].sort() : [node]);
      }
    }
  });
});
