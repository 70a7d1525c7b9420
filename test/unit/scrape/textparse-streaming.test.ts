import { ParseError, TextParser } from '../../../exporter/scrape/textparse';
import { parse, type Sample, samplesOf } from './textparse-support';

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
