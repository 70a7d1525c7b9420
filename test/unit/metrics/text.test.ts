/**
 * The exporter writes its own families (exporter/metrics/text.ts) instead of going through prom-client's Gauge and
 * Counter. For random families, label values (escapes, unicode, empty) and repeated label sets, the text must be
 * exactly what prom-client writes for the same calls: a gauge keeps the last value, a counter adds.
 */
import fc from 'fast-check';
import { Counter, Gauge, Registry } from 'prom-client';
import { FamilyText, HistogramText, escapeHelp, escapeLabelValue, formatValue } from '../../../exporter/metrics/text';

const labelValue = fc.oneof(
  fc.constantFrom('', 'node-1', 'a"b', 'back\\slash', 'line\nbreak', 'é✓', '{}', '\\n'),
  fc.string({ maxLength: 8 })
);
const family = fc.record({
  type: fc.constantFrom('gauge' as const, 'counter' as const),
  help: fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom('with \\ and\nnewline', 'quotes " stay')),
  labelNames: fc.subarray(['node', 'direction', 'reason', 'le'], { minLength: 0 }),
  emits: fc.array(
    fc.record({
      values: fc.array(labelValue, { minLength: 4, maxLength: 4 }),
      value: fc.oneof(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1e12, noNaN: true })),
    }),
    { maxLength: 12 }
  ),
});

test('the same text as prom-client for the same calls', async () => {
  await fc.assert(
    // prom-client writes a label-less metric that was never set as 0; the exporter writes no sample (below).
    fc.asyncProperty(
      family.filter((f) => f.labelNames.length > 0 || f.emits.length > 0),
      async (f) => {
        const name = `ciliumscope_test_${f.type}`;
        const registry = new Registry();
        const metric =
          f.type === 'gauge'
            ? new Gauge({ name, help: f.help, labelNames: f.labelNames, registers: [registry] })
            : new Counter({ name, help: f.help, labelNames: f.labelNames, registers: [registry] });
        const ours = new FamilyText({ name, help: f.help, type: f.type, labelNames: f.labelNames });
        for (const e of f.emits) {
          const labels = Object.fromEntries(f.labelNames.map((l, i) => [l, e.values[i]]));
          if (metric instanceof Gauge) {
            metric.set(labels, e.value);
          } else {
            metric.inc(labels, e.value);
          }
          ours.add(labels, e.value);
        }
        const theirs = await registry.metrics();
        expect(ours.render()).toBe(theirs);
        // Families whose label sets are unique by construction skip the repeat check: same text.
        const sets = f.emits.map((e) => JSON.stringify(f.labelNames.map((_, i) => e.values[i])));
        if (new Set(sets).size === sets.length) {
          const unique = new FamilyText({ name, help: f.help, type: f.type, labelNames: f.labelNames }, true);
          for (const e of f.emits) {
            unique.add(Object.fromEntries(f.labelNames.map((l, i) => [l, e.values[i]])), e.value);
          }
          expect(unique.render()).toBe(theirs);
        }
      }
    ),
    { numRuns: 400 }
  );
});

test('escapes and values as the text format requires', () => {
  expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  expect(escapeLabelValue('plain')).toBe('plain');
  expect(escapeHelp('a\\b\nc "q"')).toBe('a\\\\b\\nc "q"');
  expect([
    formatValue(1.5),
    formatValue(Infinity),
    formatValue(-Infinity),
    formatValue(NaN),
    formatValue(1e21),
  ]).toEqual(['1.5', '+Inf', '-Inf', 'NaN', '1e+21']);
});

test('a label the family does not declare is a programming error, as in prom-client', () => {
  const f = new FamilyText({ name: 'x', help: 'h', type: 'gauge', labelNames: ['node'] });
  expect(() => f.add({ node: 'a', extra: 'b' }, 1)).toThrow(/label "extra" is not declared for x/);
});

test('a family without samples writes its header only: an unknown value is not exported as 0', () => {
  const f = new FamilyText({ name: 'ciliumscope_operator_unmanaged_pods', help: 'h', type: 'gauge', labelNames: [] });
  expect(f.render()).toBe(
    '# HELP ciliumscope_operator_unmanaged_pods h\n# TYPE ciliumscope_operator_unmanaged_pods gauge\n'
  );
});

test('a histogram is written with the buckets it was given: le after the declared labels, then _sum and _count', () => {
  const h = { upperBounds: [0.5, 1, Infinity], cumulativeCounts: [1, 1, 2], sum: 2.3, count: 2 };
  const labelled = new HistogramText({ name: 'x_seconds', help: 'with \\ and\nnewline', labelNames: ['node'] });
  labelled.add({ node: 'a"b' }, h, 1_700_000_000_123.4);
  expect(labelled.render()).toBe(
    [
      '# HELP x_seconds with \\\\ and\\nnewline',
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{node="a\\"b",le="0.5"} 1 1700000000123',
      'x_seconds_bucket{node="a\\"b",le="1"} 1 1700000000123',
      'x_seconds_bucket{node="a\\"b",le="+Inf"} 2 1700000000123',
      'x_seconds_sum{node="a\\"b"} 2.3 1700000000123',
      'x_seconds_count{node="a\\"b"} 2 1700000000123',
      '',
    ].join('\n')
  );
  const bare = new HistogramText({ name: 'y_seconds', help: 'h', labelNames: [] });
  expect(bare.render()).toBe('# HELP y_seconds h\n# TYPE y_seconds histogram\n');
  bare.add({}, { upperBounds: [Infinity], cumulativeCounts: [0], sum: 0, count: 0 });
  expect(bare.render()).toBe(
    '# HELP y_seconds h\n# TYPE y_seconds histogram\ny_seconds_bucket{le="+Inf"} 0\ny_seconds_sum 0\ny_seconds_count 0\n'
  );
});
