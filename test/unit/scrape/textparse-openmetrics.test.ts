import { contentTypeFormat, parseText } from '../../../exporter/scrape/textparse';
import { om, parse, parseError, samplesOf } from './textparse-support';

describe('TextParser: OpenMetrics', () => {
  const page = [
    '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
    '# TYPE go_gc_duration_seconds summary',
    '# UNIT go_gc_duration_seconds seconds',
    'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
    'go_gc_duration_seconds_count 99',
    '# HELP help2 escape \\ \\n \\\\ \\" \\x chars',
    '# TYPE go_goroutines gauge',
    'go_goroutines 33 123.123',
    '# TYPE hhh histogram',
    'hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4',
    'hhh_count 1 # {id="histogram-count-test"} 4',
    '# TYPE ggh gaugehistogram',
    'ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123',
    'ggh_gcount 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123',
    'ggh_gsum 1',
    '# TYPE ii info',
    'ii_info{foo="bar"} 1',
    '# TYPE ss stateset',
    'ss{ss="foo"} 1',
    '# TYPE un unknown',
    'un 1',
    '_metric_starting_with_underscore 1',
    '# TYPE foo counter',
    'foo_total 17.0 1520879607.789 # {id="counter-test"} 5',
    'foo_created 1520872607.123',
    'foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5',
    '# EOF',
    '',
  ].join('\n');

  test('families with OpenMetrics suffixes, timestamps in seconds, exemplars ignored', () => {
    const samples = samplesOf(page, om);
    expect(samples.map((s) => [s.name, s.labels, s.value, s.ts, s.family, s.type])).toEqual([
      ['go_gc_duration_seconds', { quantile: '0' }, 4.9351e-5, null, 'go_gc_duration_seconds', 'summary'],
      ['go_gc_duration_seconds_count', {}, 99, null, 'go_gc_duration_seconds', 'summary'],
      ['go_goroutines', {}, 33, 123123, 'go_goroutines', 'gauge'],
      ['hhh_bucket', { le: '+Inf' }, 1, null, 'hhh', 'histogram'],
      ['hhh_count', {}, 1, null, 'hhh', 'histogram'],
      ['ggh_bucket', { le: '+Inf' }, 1, null, 'ggh', 'gaugehistogram'],
      ['ggh_gcount', {}, 1, null, 'ggh', 'gaugehistogram'],
      ['ggh_gsum', {}, 1, null, 'ggh', 'gaugehistogram'],
      ['ii_info', { foo: 'bar' }, 1, null, 'ii', 'info'],
      ['ss', { ss: 'foo' }, 1, null, 'ss', 'stateset'],
      ['un', {}, 1, null, 'un', 'unknown'],
      ['_metric_starting_with_underscore', {}, 1, null, '_metric_starting_with_underscore', 'unknown'],
      ['foo_total', {}, 17, 1520879607789, 'foo', 'counter'],
      ['foo_created', {}, 1520872607.123, null, 'foo', 'counter'],
      ['foo_total', { a: 'b' }, 17, 1520879607789, 'foo', 'counter'],
    ]);
  });

  test('HELP text is unescaped (\\\\, \\n and, in OpenMetrics, \\") for kept families', () => {
    const helps: Array<[string, string]> = [];
    parseText(page, () => undefined, { ...om, onHelp: (f, h) => helps.push([f, h]) });
    expect(helps).toEqual([
      ['go_gc_duration_seconds', 'A summary of the GC invocation durations.'],
      ['help2', 'escape \\ \n \\ " \\x chars'],
    ]);
    const prometheusHelps: Array<[string, string]> = [];
    parseText('# HELP a x\\\\y\\nz \\"q\\"\n# HELP b\n# HELP c  two spaces\n', () => undefined, {
      onHelp: (f, h) => prometheusHelps.push([f, h]),
      keepFamily: (f) => f !== 'c',
    });
    expect(prometheusHelps).toEqual([
      ['a', 'x\\y\nz \\"q\\"'],
      ['b', ''],
    ]);
  });

  test('# EOF is required, and nothing but blank lines may follow it', () => {
    expect(parse('# EOF', om).stats.samples).toBe(0);
    expect(parse('a 1\n# EOF\n\n', om).stats.samples).toBe(1);
    expect(parseError('a 1\n', om).message).toBe(
      'line 1: OpenMetrics text must end with `# EOF` (truncated response?)'
    );
    expect(parseError('', om).message).toContain('must end with `# EOF`');
    expect(parseError('# EOF\na 1', om).message).toBe('line 2: unexpected data after `# EOF`: `a 1`');
    // In the Prometheus format `# EOF` is an ordinary comment.
    expect(samplesOf('# EOF\na 1\n').length).toBe(1);
  });

  test.each([
    ['a 1 NaN\n# EOF\n', 'is not a valid timestamp (expected finite seconds)'],
    ['a 1 -Inf\n# EOF\n', 'is not a valid timestamp'],
    ['a 1 1z\n# EOF\n', 'is not a valid timestamp'],
    ['a 1 1 1\n# EOF\n', 'unexpected text after the timestamp'],
    ['a 1 2 #\n# EOF\n', 'expected an exemplar `{labels} value` after `#`'],
    ['a{b="c"d="e"} 1\n# EOF\n', 'expected `,` or `}` after a label value'],
    ['a{b="c" d="e"} 1\n# EOF\n', 'expected `,` or `}` after a label value'],
    ['custom_metric_total 1 # {aa=bb}\n# EOF\n', 'expected a quoted value for the label `aa`'],
    ['custom_metric_total 1 # {aa="bb"}\n# EOF\n', 'expected a value after the exemplar labels'],
    ['custom_metric_total 1 # {bb}\n# EOF\n', 'expected `=` after the label name `bb`'],
    ['custom_metric_total 1 # {aa="bb",,cc="dd"} 1\n# EOF\n', 'expected a label name, found `,`'],
    ['custom_metric_total 1 # {aa="bb"} 1_2\n# EOF\n', '`1_2` is not a valid exemplar value'],
    ['custom_metric_total 1 # {aa="bb"} true\n# EOF\n', '`true` is not a valid exemplar value'],
    ['hhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 NaN\n# EOF\n', '`NaN` is not a valid exemplar timestamp'],
    ['hhh_bucket{le="+Inf"} 1 # {aa="bb"} 4 1 2\n# EOF\n', 'unexpected text after the exemplar'],
  ])('%j is an error', (input, reason) => {
    expect(parseError(input, om).message).toContain(reason);
  });

  test('Prometheus format also accepts labels separated by whitespace only (as Prometheus does)', () => {
    expect(samplesOf('a{b="c" d="e"} 1\n')[0].labels).toEqual({ b: 'c', d: 'e' });
  });
});

describe('contentTypeFormat', () => {
  test.each([
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['text/plain; version=0.0.4; charset=utf-8', 'prometheus'],
    ['text/plain', 'prometheus'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['Application/OpenMetrics-Text;version=0.0.1', 'openmetrics'],
    ['  application/openmetrics-text  ', 'openmetrics'],
    ['application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily', 'prometheus'],
  ])('%j → %s', (contentType, format) => {
    expect(contentTypeFormat(contentType)).toBe(format);
  });
});
