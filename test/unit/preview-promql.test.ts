/**
 * The preview's emulation of Grafana's Prometheus datasource: interpolation of built-in and template variables,
 * the range query window, and the frames built from Prometheus answers (range, instant, scalar, errors, tables).
 */
import {
  formatDuration,
  framesFromResponse,
  interpolateExpr,
  legendName,
  prometheusRequest,
  rangeQueryWindow,
  rateIntervalMs,
  seriesToTables,
  type PromQueryContext,
  type PromVariable,
} from '../../tools/preview/promql';

const variable = (over: Partial<PromVariable>): PromVariable => ({
  values: [],
  allSelected: false,
  options: ['node-a', 'node-b', 'node-c'],
  multi: true,
  includeAll: true,
  ...over,
});

const ctx = (over: Partial<PromQueryContext> = {}): PromQueryContext => ({
  variables: {},
  intervalMs: 15_000,
  scrapeIntervalMs: 15_000,
  range: { from: 1_700_001_000_000, to: 1_700_004_600_000 },
  ...over,
});

describe('durations and intervals as Grafana writes them', () => {
  test('Go duration strings', () => {
    expect(formatDuration(4000)).toBe('4s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0s');
  });

  test('$__rate_interval is max($__interval + scrape interval, 4 × scrape interval)', () => {
    expect(rateIntervalMs(15_000, 15_000)).toBe(60_000);
    expect(rateIntervalMs(120_000, 15_000)).toBe(135_000);
    expect(rateIntervalMs(1000, 1000)).toBe(4000);
  });

  test('a range query steps by the interval (at least the scrape interval) on aligned boundaries', () => {
    const w = rangeQueryWindow(ctx({ intervalMs: 500, scrapeIntervalMs: 1000, range: { from: 10_400, to: 70_900 } }));
    expect(w).toEqual({ start: 10_000, end: 70_000, stepMs: 1000 });
  });
});

describe('interpolation', () => {
  test('built-in variables', () => {
    const text = interpolateExpr(
      'rate(x[$__rate_interval]) + rate(x[$__interval]) + increase(x[$__range]) + $__range_s + ${__interval_ms}',
      ctx()
    );
    expect(text).toBe('rate(x[1m]) + rate(x[15s]) + increase(x[3600s]) + 3600 + 15000');
  });

  test('the range boundaries in ms, or in seconds with the date:seconds format', () => {
    const c = ctx();
    expect(interpolateExpr('time() > ${__from:date:seconds} and ${__to}', c)).toBe(
      `time() > ${Math.floor(c.range.from / 1000)} and ${c.range.to}`
    );
    expect(() => interpolateExpr('${__from:date:YYYY}', c)).toThrow(/date:seconds/);
  });

  test('"All" is the custom all value, else every option as a regex', () => {
    expect(
      interpolateExpr('x{node=~"$node"}', ctx({ variables: { node: variable({ allSelected: true, allValue: '.*' }) } }))
    ).toBe('x{node=~".*"}');
    expect(interpolateExpr('x{node=~"$node"}', ctx({ variables: { node: variable({ allSelected: true }) } }))).toBe(
      'x{node=~"(node-a|node-b|node-c)"}'
    );
  });

  test('selected values are regex-escaped, several of them joined as alternatives', () => {
    const vars = { node: variable({ values: ['node.a', 'node-b'] }), reason: variable({ values: ['CT: Map (full)'] }) };
    expect(interpolateExpr('x{node=~"${node}", reason=~"[[reason]]"}', ctx({ variables: vars }))).toBe(
      'x{node=~"(node\\.a|node-b)", reason=~"CT: Map \\(full\\)"}'
    );
  });

  test('unknown variables stay as written', () => {
    expect(interpolateExpr('x{a="$nothing"}', ctx())).toBe('x{a="$nothing"}');
  });

  test('instant queries go to /api/v1/query at the end of the range, range queries to /api/v1/query_range', () => {
    const instant = prometheusRequest({ refId: 'A', expr: 'up', instant: true, range: false }, ctx());
    expect(instant.path).toBe('/api/v1/query');
    expect(instant.params.get('time')).toBe('1700004600');
    const range = prometheusRequest({ refId: 'A', expr: 'rate(up[$__rate_interval])', range: true }, ctx());
    expect(range.path).toBe('/api/v1/query_range');
    expect(Object.fromEntries(range.params)).toEqual({
      query: 'rate(up[1m])',
      start: '1700001000',
      end: '1700004600',
      step: '15',
    });
  });
});

describe('frames from Prometheus answers', () => {
  const target = { refId: 'A', expr: 'sum by (node) (x)', legendFormat: '{{node}} drops' };

  test('a matrix: one frame per series, labels on the value field, the legend as display name', () => {
    const { frames, error } = framesFromResponse(
      target,
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { node: 'n1' },
              values: [
                [1700000000, '1'],
                [1700000015, 'NaN'],
              ],
            },
            { metric: { node: 'n2' }, values: [[1700000000, '+Inf']] },
          ],
        },
      },
      'sum by (node) (x)',
      15_000
    );
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(2);
    expect(frames[0].schema?.refId).toBe('A');
    expect(frames[0].schema?.fields[0]).toMatchObject({ name: 'Time', type: 'time', config: { interval: 15_000 } });
    expect(frames[0].schema?.fields[1]).toMatchObject({
      name: 'Value',
      labels: { node: 'n1' },
      config: { displayNameFromDS: 'n1 drops' },
    });
    expect(frames[0].data?.values).toEqual([
      [1_700_000_000_000, 1_700_000_015_000],
      [1, NaN],
    ]);
    expect(frames[1].data?.values[1]).toEqual([Infinity]);
  });

  test('legend formats: __auto leaves the name to the labels, a series without labels is named by its query', () => {
    expect(legendName('__auto', { node: 'n1' }, 'q')).toBe('');
    expect(legendName('__auto', {}, 'count(up)')).toBe('count(up)');
    expect(legendName('{{node}} {{missing}}x', { node: 'n1' }, 'q')).toBe('n1 x');
  });

  test('a scalar is one frame without labels; an error is the message Grafana shows', () => {
    const scalar = framesFromResponse(
      { refId: 'B', expr: 'vector(0)' },
      { status: 'success', data: { resultType: 'scalar', result: [1700000000, '0'] } },
      'vector(0)',
      null
    );
    expect(scalar.frames[0].schema?.fields[1].labels).toEqual({});
    const failed = framesFromResponse(
      target,
      { status: 'error', errorType: 'bad_data', error: 'parse error' },
      '',
      null
    );
    expect(failed).toEqual({ frames: [], error: 'bad_data: parse error' });
  });

  test('instant "table" queries: one table per query, label columns sorted, Value #refId with several queries', () => {
    const vector = (refId: string, rows: Array<[Record<string, string>, string]>) =>
      framesFromResponse(
        { refId, expr: 'x', instant: true, format: 'table' },
        {
          status: 'success',
          data: {
            resultType: 'vector',
            result: rows.map(([metric, v]) => ({ metric, value: [1700000000, v] as [number, string] })),
          },
        },
        'x',
        null
      ).frames;
    const one = seriesToTables(
      vector('A', [
        [{ node: 'n1', component: 'agent' }, '1'],
        [{ node: 'n2' }, '0'],
      ])
    );
    expect(one).toHaveLength(1);
    expect(one[0].schema?.fields.map((f) => f.name)).toEqual(['Time', 'component', 'node', 'Value']);
    expect(one[0].data?.values).toEqual([
      [1_700_000_000_000, 1_700_000_000_000],
      ['agent', ''],
      ['n1', 'n2'],
      [1, 0],
    ]);

    const two = seriesToTables([...vector('A', [[{ node: 'n1' }, '1']]), ...vector('B', [[{ node: 'n1' }, '0.5']])]);
    expect(two.map((t) => t.schema?.fields.at(-1)?.name)).toEqual(['Value #A', 'Value #B']);
  });
});
