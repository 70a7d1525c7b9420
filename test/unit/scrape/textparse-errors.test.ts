import { ParseError, parseText, TextParser } from '../../../exporter/scrape/textparse';
import { parseError, samplesOf } from './textparse-support';

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
