import {
  contentTypeFormat,
  Labels,
  MetricType,
  ParseError,
  ParseOptions,
  parseText,
  ParseStats,
  TextParser,
} from '../../../exporter/scrape/textparse';

interface Sample {
  name: string;
  labels: Labels;
  value: number;
  ts: number | null;
  family: string;
  type: MetricType;
}

function parse(text: string | Buffer, options?: ParseOptions): { samples: Sample[]; stats: ParseStats } {
  const samples: Sample[] = [];
  const stats = parseText(
    text,
    (name, labels, value, ts, family, type) => samples.push({ name, labels, value, ts, family, type }),
    options
  );
  return { samples, stats };
}

function samplesOf(text: string | Buffer, options?: ParseOptions): Sample[] {
  return parse(text, options).samples;
}

function parseError(text: string | Buffer, options?: ParseOptions): ParseError {
  try {
    parse(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }
  throw new Error(`no ParseError for ${JSON.stringify(String(text))}`);
}

const om: ParseOptions = { format: 'openmetrics' };

describe('TextParser: Prometheus text format', () => {
  test('the Prometheus reference page: spacing variants, trailing comma, escapes, comments, timestamps', () => {
    const input = [
      '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
      '# \tTYPE go_gc_duration_seconds summary',
      'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
      'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
      'go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05',
      'go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05',
      'go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05',
      '# Hrandom comment starting with prefix of HELP',
      '#',
      'wind_speed{A="2",c="3"} 12345',
      '# comment with escaped \\n newline',
      '# comment with escaped \\ escape character',
      '# HELP nohelp1',
      '# HELP nohelp2 ',
      'go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05',
      'go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05',
      'go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05',
      'go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05',
      'go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05',
      'go_gc_duration_seconds_count 99',
      'some:aggregate:rate5m{a_b="c"}\t1',
      '# HELP go_goroutines Number of goroutines that currently exist.',
      '# TYPE go_goroutines gauge',
      'go_goroutines 33  \t123123',
      '_metric_starting_with_underscore 1',
      'testmetric{_label_starting_with_underscore="foo"} 1',
      'testmetric{label="\\"bar\\""} 1',
      '# HELP metric foo\u0000bar',
      'null_byte_metric{a="abc\u0000"} 1',
    ].join('\n');
    const samples = samplesOf(input);
    expect(samples.map((s) => [s.name, s.labels, s.value, s.ts])).toEqual([
      ['go_gc_duration_seconds', { quantile: '0' }, 4.9351e-5, null],
      ['go_gc_duration_seconds', { quantile: '0.25' }, 7.424100000000001e-5, null],
      ['go_gc_duration_seconds', { quantile: '0.5', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '0.8', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '0.9', a: 'b' }, 8.3835e-5, null],
      ['wind_speed', { A: '2', c: '3' }, 12345, null],
      ['go_gc_duration_seconds', { quantile: '1.0', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '1.0', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '1.0', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '1.0', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds', { quantile: '2.0', a: 'b' }, 8.3835e-5, null],
      ['go_gc_duration_seconds_count', {}, 99, null],
      ['some:aggregate:rate5m', { a_b: 'c' }, 1, null],
      ['go_goroutines', {}, 33, 123123],
      ['_metric_starting_with_underscore', {}, 1, null],
      ['testmetric', { _label_starting_with_underscore: 'foo' }, 1, null],
      ['testmetric', { label: '"bar"' }, 1, null],
      ['null_byte_metric', { a: 'abc\u0000' }, 1, null],
    ]);
    // The summary's TYPE applies to its samples and _count; wind_speed (no TYPE) is its own, untyped family.
    expect(samples[0]).toMatchObject({ family: 'go_gc_duration_seconds', type: 'summary' });
    expect(samples[5]).toMatchObject({ family: 'wind_speed', type: 'untyped' });
    expect(samples[11]).toMatchObject({ family: 'go_gc_duration_seconds', type: 'summary' });
    expect(samples[13]).toMatchObject({ family: 'go_goroutines', type: 'gauge' });
    expect(samples[14]).toMatchObject({ family: '_metric_starting_with_underscore', type: 'untyped' });
  });

  test('label value escapes: \\\\, \\", \\n; other backslash pairs stay as written', () => {
    const [s] = samplesOf('m{a="C:\\\\DIR\\\\FILE.TXT",b="Cannot find file:\\n\\"FILE.TXT\\"",c="\\t\\x"} 1\n');
    expect(s.labels).toEqual({ a: 'C:\\DIR\\FILE.TXT', b: 'Cannot find file:\n"FILE.TXT"', c: '\\t\\x' });
  });

  test('label values keep any UTF-8, and invalid UTF-8 passes through as replacement characters', () => {
    const [a, b] = samplesOf(
      Buffer.concat([
        Buffer.from('m{a="Heizölrückstoßabdämpfung 10€ 🚀",b="{},=\\" #"} 1\nm{a="'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"} 2\n'),
      ])
    );
    expect(a.labels).toEqual({ a: 'Heizölrückstoßabdämpfung 10€ 🚀', b: '{},=" #' });
    expect(b.labels).toEqual({ a: '\ufffd\ufffd' });
  });

  test('special values: NaN, ±Inf in the spellings Go accepts, exponents, signs, negative zero', () => {
    const values = [
      'NaN',
      'nan',
      '+Inf',
      '-Inf',
      'Inf',
      'inf',
      '+inf',
      '-INF',
      'Infinity',
      '-infinity',
      '1e3',
      '1E3',
      '1.5e-3',
      '-2.5E+10',
      '.5',
      '5.',
      '+7',
      '-0',
      '0',
      '1.7976931348623157e308',
      '5e-324',
      '123456789012345678901234567890',
      '0.1',
      '0.30000000000000004',
      '1.8847854e+08',
    ];
    const samples = samplesOf(values.map((v, i) => `m{i="${i}"} ${v}`).join('\n'));
    expect(samples.map((s) => s.value)).toEqual([
      NaN,
      NaN,
      Infinity,
      -Infinity,
      Infinity,
      Infinity,
      Infinity,
      -Infinity,
      Infinity,
      -Infinity,
      1000,
      1000,
      0.0015,
      -2.5e10,
      0.5,
      5,
      7,
      -0,
      0,
      1.7976931348623157e308,
      5e-324,
      1.2345678901234568e29,
      0.1,
      0.30000000000000004,
      188478540,
    ]);
    expect(Object.is(samples[17].value, -0)).toBe(true);
  });

  test.each([
    ['true'],
    ['1_2'],
    ['0x1p-3'],
    ['0x10'],
    ['1z'],
    ['1.2.3'],
    ['e5'],
    ['1e'],
    ['+'],
    ['.'],
    ['+NaN'],
    ['Infinit'],
    ['--1'],
  ])('garbage value %s is an error naming the value', (value) => {
    const err = parseError(`# TYPE m gauge\nm{a="b"} ${value}\n`);
    expect(err.line).toBe(2);
    expect(err.message).toContain(`\`${value}\` is not a valid sample value`);
    expect(err.excerpt).toBe(`m{a="b"} ${value}`);
  });

  test('timestamps are int64 milliseconds, signed; anything else is an error', () => {
    const samples = samplesOf('a 1 1395066363000\nb 2 -5\nc 3 +7\n');
    expect(samples.map((s) => s.ts)).toEqual([1395066363000, -5, 7]);
    expect(samplesOf('a 1 9223372036854775807\nb 1 -9223372036854775808\n').map((s) => s.ts)).toEqual([
      2 ** 63 - 1,
      -(2 ** 63),
    ]);
    for (const ts of ['1_2', '1.5', '1e3', 'NaN', '12a', '-', '99999999999999999999', '9223372036854775809']) {
      expect(parseError(`a 1 ${ts}\n`).message).toContain(`\`${ts}\` is not a valid timestamp`);
    }
    expect(parseError('a 1 2 3\n').message).toContain('unexpected text after the timestamp');
  });

  test('empty label set, whitespace variants, CRLF, blank lines, leading whitespace', () => {
    const samples = samplesOf('\r\n\n  \t\nm{} 1\r\nm {}\t2\r\n  m 3 4\r\n\tm{a="b"}5\n\n');
    expect(samples.map((s) => [s.labels, s.value, s.ts])).toEqual([
      [{}, 1, null],
      [{}, 2, null],
      [{}, 3, 4],
      [{ a: 'b' }, 5, null],
    ]);
  });

  test('the last line needs no newline; an empty body has no samples', () => {
    expect(samplesOf('a 1\nb 2').map((s) => s.name)).toEqual(['a', 'b']);
    expect(parse('')).toEqual({
      samples: [],
      stats: { lines: 0, samples: 0, keptSamples: 0, bytes: 0, families: 0 },
    });
  });

  test('HELP and TYPE in either order, repeated families, families without TYPE or HELP', () => {
    const input = [
      '# TYPE a counter',
      '# HELP a A.',
      'a 1',
      'untyped_one 2',
      '# HELP b B.',
      '# TYPE b gauge',
      'b 3',
      '# TYPE a counter',
      'a{x="y"} 4',
      'c 5',
    ].join('\n');
    const { samples, stats } = parse(input);
    expect(samples.map((s) => [s.name, s.family, s.type])).toEqual([
      ['a', 'a', 'counter'],
      ['untyped_one', 'untyped_one', 'untyped'],
      ['b', 'b', 'gauge'],
      ['a', 'a', 'counter'],
      ['c', 'c', 'untyped'],
    ]);
    expect(stats).toEqual({ lines: 10, samples: 5, keptSamples: 5, bytes: Buffer.byteLength(input), families: 4 });
  });

  test('histogram and summary suffixes belong to the TYPE family; other suffixes and other types do not', () => {
    const input = [
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 0.5',
      'h_count 2',
      'h_created 1',
      'h_bucketx 9',
      'h_total 9',
      '# TYPE s summary',
      's{quantile="0.5"} 1',
      's_sum 1',
      's_count 1',
      's_bucket 9',
      '# TYPE g gauge',
      'g 1',
      'g_sum 9',
      '# TYPE c_total counter',
      'c_total 1',
      '# TYPE hh histogram',
      'hh_count 1',
      'h_sum 9',
    ].join('\n');
    expect(samplesOf(input).map((s) => `${s.name}:${s.family}:${s.type}`)).toEqual([
      'h_bucket:h:histogram',
      'h_bucket:h:histogram',
      'h_sum:h:histogram',
      'h_count:h:histogram',
      'h_created:h:histogram',
      'h_bucketx:h_bucketx:untyped',
      'h_total:h_total:untyped',
      's:s:summary',
      's_sum:s:summary',
      's_count:s:summary',
      's_bucket:s_bucket:untyped',
      'g:g:gauge',
      'g_sum:g_sum:untyped',
      'c_total:c_total:counter',
      'hh_count:hh:histogram',
      // Only the family of the last TYPE line lends its name to suffixed samples.
      'h_sum:h_sum:untyped',
    ]);
  });

  test('a sample named like a family declared earlier (not the last TYPE) takes that family type', () => {
    const samples = samplesOf('# TYPE a gauge\n# TYPE b counter\na 1\nb 2\n');
    expect(samples.map((s) => `${s.family}:${s.type}`)).toEqual(['a:gauge', 'b:counter']);
  });

  test('OpenMetrics type names are accepted in Prometheus text too; unknown types are errors', () => {
    const samples = samplesOf('# TYPE i info\ni_info{v="1"} 1\n# TYPE st stateset\nst{st="a"} 1\n');
    expect(samples.map((s) => `${s.family}:${s.type}`)).toEqual(['i:info', 'st:stateset']);
    const err = parseError('# TYPE m countr\nm 1\n');
    expect(err.message).toBe('line 1: unknown metric type `countr`: `# TYPE m countr`');
  });

  test('every sample gets its own Labels object', () => {
    const samples = samplesOf('m{a="1"} 1\nm{a="1"} 2\nm{a="1"} 3\n');
    expect(samples[0].labels).toEqual(samples[1].labels);
    expect(samples[0].labels).not.toBe(samples[1].labels);
    samples[0].labels.a = 'changed';
    expect(samples[1].labels.a).toBe('1');
    expect(samples[2].labels.a).toBe('1');
  });

  test('label names that are Object.prototype members are ordinary labels', () => {
    const [s] = samplesOf('m{constructor="a",__proto__="b",toString="c",hasOwnProperty="d"} 1\n');
    expect(Object.keys(s.labels)).toEqual(['constructor', '__proto__', 'toString', 'hasOwnProperty']);
    expect(s.labels.__proto__).toBe('b');
    expect(Object.getPrototypeOf(s.labels)).toBe(Object.prototype);
    expect(parseError('m{constructor="a",constructor="b"} 1\n').message).toContain('duplicate label `constructor`');
  });

  test('label sets that change from sample to sample (order, count, names) are decoded each time', () => {
    const input = [
      'm{a="1",b="2"} 1',
      'm{b="2",a="1"} 2',
      'm{a="1"} 3',
      'm{a="1",b="2",c="3"} 4',
      'm{a="1",bb="2"} 5',
      'm{a="10",b="2"} 6',
      'm{a="1\\n",b="2"} 7',
      'm{a="1",b="2é"} 8',
      'm{a="",b=""} 9',
      'm{ab="1"} 10',
      'm{a="1",b="2"} 11',
    ].join('\n');
    expect(samplesOf(input).map((s) => s.labels)).toEqual([
      { a: '1', b: '2' },
      { b: '2', a: '1' },
      { a: '1' },
      { a: '1', b: '2', c: '3' },
      { a: '1', bb: '2' },
      { a: '10', b: '2' },
      { a: '1\n', b: '2' },
      { a: '1', b: '2é' },
      { a: '', b: '' },
      { ab: '1' },
      { a: '1', b: '2' },
    ]);
  });

  test('a value that a previous sample predicted must still end at the quote', () => {
    // The second line shares the first value's bytes but continues; the third escapes a quote after them.
    const samples = samplesOf('m{a="abcd"} 1\nm{a="abcdef"} 2\nm{a="abcd\\"x"} 3\nm{a="abc"} 4\n');
    expect(samples.map((s) => s.labels.a)).toEqual(['abcd', 'abcdef', 'abcd"x', 'abc']);
  });
});

describe('TextParser: errors', () => {
  test.each([
    ['cilium_endpoint\n', 1, 'expected a value after the metric name', 'cilium_endpoint'],
    ['a{b="c"}\n', 1, 'expected a value after the labels', 'a{b="c"}'],
    ["a{b='c'} 1\n", 1, 'expected a quoted value for the label `b`', "a{b='c'} 1"],
    ['a{b=\n', 1, 'expected a quoted value for the label `b`', 'a{b='],
    ['a{b="c} 1\n', 1, 'unterminated value of the label `b` (missing `"`)', 'a{b="c} 1'],
    ['something_weird{problem="', 1, 'unterminated value of the label `problem`', 'something_weird{problem="'],
    ['a{b="c\\"} 1\n', 1, 'unterminated value of the label `b`', 'a{b="c\\"} 1'],
    ['a{\u00ff="foo"} 1\n', 1, 'expected a label name, found `Ã`', 'a{ÿ="foo"} 1'],
    ['empty_label_name{="x"} 0\n', 1, 'expected a label name, found `=`', 'empty_label_name{="x"} 0'],
    ['a{,b="c"} 1\n', 1, 'expected a label name, found `,`', 'a{,b="c"} 1'],
    ['a{b="c",,d="e"} 1\n', 1, 'expected a label name, found `,`', 'a{b="c",,d="e"} 1'],
    ['a{b="c"d="e"} 1\n', 1, 'expected `,` or `}` after a label value', 'a{b="c"d="e"} 1'],
    ['a{b="c" 1\n', 1, 'expected `,` or `}` after a label value', 'a{b="c" 1'],
    ['a{b="c",\n', 1, 'expected `}` to close the labels', 'a{b="c",'],
    ['a{b c="d"} 1\n', 1, 'expected `=` after the label name `b`', 'a{b c="d"} 1'],
    ['a{b="1",b="2"} 1\n', 1, 'duplicate label `b`', 'a{b="1",b="2"} 1'],
    ['{a="ok"} 1\n', 1, 'expected a metric name before `{`', '{a="ok"} 1'],
    ['9abc 1\n', 1, 'expected a metric name, found `9`', '9abc 1'],
    ['a-b 1\n', 1, 'invalid character `-` in the metric name', 'a-b 1'],
    ['a\u0000{b="ddd"} 1\n', 1, 'invalid character `\u0000` in the metric name', 'a\\x00{b="ddd"} 1'],
    ['foo 1 # {a="b"} 1\n', 1, 'unexpected text after the value', 'foo 1 # {a="b"} 1'],
    ['# TYPE #\n', 1, 'expected a metric name after `# TYPE`, found `#`', '# TYPE #'],
    ['# HELP #\n', 1, 'expected a metric name after `# HELP`, found `#`', '# HELP #'],
    ['# TYPE m\n', 1, 'expected a metric type', '# TYPE m'],
    ['# TYPE m gauge extra\n', 1, 'unexpected text after the metric type', '# TYPE m gauge extra'],
    ['# TYPE\n', 1, 'expected a metric name after `# TYPE`', '# TYPE'],
  ])('%j', (input, line, reason, excerpt) => {
    const err = parseError(input);
    expect(err.line).toBe(line);
    expect(err.message).toContain(reason);
    expect(err.excerpt).toBe(excerpt);
    expect(err.message).toBe(`line ${line}: ${err.message.slice(`line ${line}: `.length)}`);
  });

  test('the message names the line number, the problem and the line', () => {
    const page = '# TYPE a gauge\na 1\n'.repeat(616) + 'cilium_endpoint\n';
    const err = parseError(page);
    expect(err.message).toBe('line 1233: expected a value after the metric name: `cilium_endpoint`');
    expect(err.line).toBe(1233);
    expect(err.column).toBe(16);
    expect(err.name).toBe('ParseError');
  });

  test('long lines are excerpted around the problem', () => {
    const long = `m{${Array.from({ length: 40 }, (_, i) => `l${i}="v${i}"`).join(',')},bad-name="x"} 1\n`;
    const err = parseError(long);
    expect(err.message).toContain('expected `=` after the label name `bad`');
    expect(err.excerpt.length).toBeLessThan(140);
    expect(err.excerpt.startsWith('m{l0="v0",l1=')).toBe(true);
    expect(err.excerpt).toContain('bad-name');
  });

  test('lines longer than maxLineBytes are errors, whether whole in a chunk or pending across chunks', () => {
    const line = `m{a="${'x'.repeat(200)}"} 1\n`;
    expect(parseError(`ok 1\n${line}`, { maxLineBytes: 100 }).message).toMatch(/^line 2: line longer than 100 bytes/);
    const parser = new TextParser(() => undefined, { maxLineBytes: 100 });
    parser.write(Buffer.from('ok 1\nm{a="'));
    expect(() => {
      for (let i = 0; i < 50; i++) {
        parser.write(Buffer.from('xxxx'));
      }
    }).toThrow(/^line 2: line longer than 100 bytes/);
    // The parser stays failed.
    expect(() => parser.write(Buffer.from('\n'))).toThrow(ParseError);
    expect(() => parser.end()).toThrow(ParseError);
    expect(() => new TextParser(() => undefined, { maxLineBytes: 0 })).toThrow(RangeError);
  });

  test('the default line limit is 1 MiB', () => {
    const value = 'v'.repeat(1024 * 1024);
    expect(parseError(`m{a="${value}"} 1\n`).message).toContain('line longer than 1048576 bytes');
    expect(samplesOf(`m{a="${value.slice(0, 1000000)}"} 1\n`)[0].labels.a).toHaveLength(1000000);
  });

  test('write after end is a usage error', () => {
    const parser = new TextParser(() => undefined);
    parser.write(Buffer.from('a 1\n'));
    expect(parser.end().samples).toBe(1);
    expect(parser.end().samples).toBe(1);
    expect(() => parser.write(Buffer.from('b 1\n'))).toThrow('after end()');
  });

  test('errors thrown by the sample handler propagate unchanged', () => {
    const boom = new Error('handler failed');
    expect(() =>
      parseText('a 1\n', () => {
        throw boom;
      })
    ).toThrow(boom);
  });
});

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

describe('TextParser: streaming', () => {
  const page = [
    '# HELP cilium_drop_count_total Total dropped packets',
    '# TYPE cilium_drop_count_total counter',
    'cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 12',
    'cilium_drop_count_total{direction="INGRESS",reason="Stale or unroutable IP"} 3',
    '# TYPE cilium_endpoint_state gauge',
    'cilium_endpoint_state{endpoint_state="ready"} 7 1700000000000',
    'x{a="ü€🚀"} 1e-7',
    '',
  ].join('\r\n');

  test('every split of the body into two or three chunks parses like the whole body', () => {
    const body = Buffer.from(page);
    const whole = samplesOf(body);
    expect(whole).toHaveLength(4);
    for (let i = 0; i <= body.length; i++) {
      for (const j of [i, Math.min(body.length, i + 1), Math.min(body.length, i + 7)]) {
        const got: Sample[] = [];
        const parser = new TextParser((name, labels, value, ts, family, type) =>
          got.push({ name, labels, value, ts, family, type })
        );
        parser.write(body.subarray(0, i));
        parser.write(body.subarray(i, j));
        parser.write(body.subarray(j));
        const stats = parser.end();
        expect(got).toEqual(whole);
        expect(stats.bytes).toBe(body.length);
        expect(stats.lines).toBe(7);
      }
    }
  });

  test('one byte at a time, from Uint8Array chunks that the caller then reuses', () => {
    const body = Buffer.from(page);
    const got: Sample[] = [];
    const parser = new TextParser((name, labels, value, ts, family, type) =>
      got.push({ name, labels, value, ts, family, type })
    );
    const chunk = new Uint8Array(1);
    for (const byte of body) {
      chunk[0] = byte;
      parser.write(chunk);
      chunk[0] = 0x41; // the parser must have copied what it keeps
    }
    parser.end();
    expect(got).toEqual(samplesOf(body));
  });

  test('an error in a line split across chunks reports its line number', () => {
    const parser = new TextParser(() => undefined);
    parser.write(Buffer.from('a 1\nb 2\nc{x="'));
    parser.write(Buffer.from('y"} 3\nd{'));
    expect(() => {
      parser.write(Buffer.from('x=1} 4\n'));
    }).toThrow('line 4: expected a quoted value for the label `x`: `d{x=1} 4`');
  });

  test('a truncated last line is parsed by end() and may fail there', () => {
    const parser = new TextParser(() => undefined);
    parser.write(Buffer.from('a 1\nb{x="y'));
    expect(() => parser.end()).toThrow(/^line 2: unterminated value of the label `x`/);
  });
});

describe('TextParser: skipping families', () => {
  const page = [
    '# HELP cilium_drop_count_total Total dropped packets',
    '# TYPE cilium_drop_count_total counter',
    'cilium_drop_count_total{direction="EGRESS",reason="Policy denied"} 12',
    '# TYPE go_gc_duration_seconds summary',
    'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
    'go_gc_duration_seconds_sum 1',
    'go_gc_duration_seconds_count 2',
    'untyped_thing{a="b"} 3',
    '# TYPE cilium_endpoint_state gauge',
    'cilium_endpoint_state{endpoint_state="ready"} 7',
    '# TYPE go_gc_duration_seconds summary',
    'go_gc_duration_seconds_count 4',
    'cilium_endpoint_state{endpoint_state="ready"} 8',
  ].join('\n');

  test('keepFamily is asked once per family name, and only kept families reach the handler', () => {
    const asked: string[] = [];
    const keepFamily = (family: string): boolean => {
      asked.push(family);
      return family.startsWith('cilium_');
    };
    const { samples, stats } = parse(page, { keepFamily });
    expect(samples.map((s) => `${s.name}=${s.value}`)).toEqual([
      'cilium_drop_count_total=12',
      'cilium_endpoint_state=7',
      'cilium_endpoint_state=8',
    ]);
    expect(asked).toEqual([
      'cilium_drop_count_total',
      'go_gc_duration_seconds',
      'untyped_thing',
      'cilium_endpoint_state',
    ]);
    expect(stats).toMatchObject({ samples: 8, keptSamples: 3, families: 4, lines: 13 });
    // The decisions are remembered across parsers given the same function.
    parse(page, { keepFamily });
    expect(asked).toHaveLength(4);
  });

  test('skipped samples are not decoded: garbage in their labels or values goes unnoticed', () => {
    const input = '# TYPE skipped gauge\nskipped{a="unterminated 1\nskipped{a="b"} notanumber\nkept 1\n';
    expect(() => parse(input)).toThrow(ParseError);
    expect(samplesOf(input, { keepFamily: (f) => f !== 'skipped' }).map((s) => s.name)).toEqual(['kept']);
  });

  test('a bad metric name is an error even in a skipped region, since its family cannot be told', () => {
    expect(() => parse('# TYPE skipped gauge\nskipped 1\n9bad 1\n', { keepFamily: () => false })).toThrow(
      'line 3: expected a metric name, found `9`'
    );
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
