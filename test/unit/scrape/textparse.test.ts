import { parse, parseError, samplesOf } from './textparse-support';

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
