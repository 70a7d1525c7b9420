/**
 * Property tests of the text-format parser. Run counts are moderate for CI; raise them with FUZZ_RUNS
 * (e.g. FUZZ_RUNS=20000 npx jest --selectProjects exporter textparse.property), or run bench/fuzz-parser.js.
 */
import fc from 'fast-check';

import { ParseError, ParseOptions, parseText, TextParser } from '../../../exporter/scrape/textparse';
import { parseFloatBytes } from '../../../exporter/scrape/textparse-number';
import { chunksOf, ExpectedSample, Format, garbageArbitrary, pageArbitrary, splitPoints } from './textparse-pages';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const FORMATS: Format[] = ['prometheus', 'openmetrics'];

function parseChunks(chunks: readonly Buffer[], options: ParseOptions): ExpectedSample[] {
  const samples: ExpectedSample[] = [];
  const parser = new TextParser(
    (name, labels, value, ts, family, type) => samples.push({ name, labels, value, ts, family, type }),
    options
  );
  for (const chunk of chunks) {
    parser.write(chunk);
  }
  parser.end();
  return samples;
}

describe.each(FORMATS)('TextParser properties (%s)', (format) => {
  test('rendered pages read back: names, labels, values (NaN, ±Inf, -0), timestamps, families, types', () => {
    fc.assert(
      fc.property(pageArbitrary(format), (page) => {
        const helps: Array<[string, string]> = [];
        const samples: ExpectedSample[] = [];
        const stats = parseText(
          page.text,
          (name, labels, value, ts, family, type) => samples.push({ name, labels, value, ts, family, type }),
          { format, onHelp: (family, help) => helps.push([family, help]) }
        );
        // toEqual compares numbers with Object.is: NaN equals NaN, -0 differs from 0.
        expect(samples).toEqual(page.samples);
        expect(helps).toEqual(page.helps);
        expect(stats.samples).toBe(page.samples.length);
        expect(stats.keptSamples).toBe(page.samples.length);
        expect(stats.families).toBe(new Set([...page.familyNames]).size);
        expect(stats.bytes).toBe(Buffer.byteLength(page.text));
      }),
      { numRuns: RUNS }
    );
  });

  test('any split of the body into chunks parses like the whole body', () => {
    fc.assert(
      fc.property(pageArbitrary(format), splitPoints, (page, points) => {
        const body = Buffer.from(page.text);
        expect(parseChunks(chunksOf(body, points), { format })).toEqual(page.samples);
      }),
      { numRuns: RUNS }
    );
  });

  test('keepFamily changes nothing in the kept samples', () => {
    fc.assert(
      fc.property(pageArbitrary(format), fc.func(fc.boolean()), splitPoints, (page, keep, points) => {
        const keepFamily = (family: string): boolean => keep(family);
        const kept = parseChunks(chunksOf(Buffer.from(page.text), points), { format, keepFamily });
        expect(kept).toEqual(page.samples.filter((s) => keepFamily(s.family)));
      }),
      { numRuns: RUNS }
    );
  });

  test('garbage either parses or throws a ParseError with a line number and an excerpt, in any chunking', () => {
    fc.assert(
      fc.property(garbageArbitrary(format), splitPoints, fc.boolean(), (body, points, skipSome) => {
        const options: ParseOptions = {
          format,
          maxLineBytes: 200,
          keepFamily: skipSome ? (f) => f.length % 2 === 0 : undefined,
        };
        let whole: unknown;
        try {
          parseText(body, () => undefined, options);
        } catch (err) {
          whole = err;
        }
        let chunked: unknown;
        try {
          parseChunks(chunksOf(body, points), options);
        } catch (err) {
          chunked = err;
        }
        for (const err of [whole, chunked]) {
          if (err !== undefined) {
            expect(err).toBeInstanceOf(ParseError);
            const e = err as ParseError;
            expect(e.line).toBeGreaterThanOrEqual(0);
            expect(e.line).toBeLessThanOrEqual(body.length + 1);
            expect(e.message.startsWith(`line ${e.line}: `)).toBe(true);
            expect(e.excerpt.length).toBeLessThanOrEqual(200);
          }
        }
        // Chunking changes neither the outcome nor the error.
        expect(chunked === undefined).toBe(whole === undefined);
        if (whole !== undefined) {
          expect((chunked as ParseError).message).toBe((whole as ParseError).message);
        }
      }),
      { numRuns: RUNS }
    );
  });
});

describe('parseFloatBytes', () => {
  test('decimal text reads exactly as Number() reads it (fast path and fallback alike)', () => {
    const decimal = fc
      .tuple(
        fc.constantFrom('', '+', '-'),
        fc.stringMatching(/^[0-9]{0,20}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,20}$/)),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 })))
      )
      .filter(([, int, frac]) => int.length + (frac ?? '').length > 0)
      .map(
        ([sign, int, frac, exp]) =>
          `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `${exp[0]}${exp[1]}${exp[2]}`}`
      );
    const rendered = fc
      .double({ noNaN: true })
      .chain((v) =>
        fc.constantFrom(String(v), v.toExponential(), v.toPrecision(17), v.toFixed(Math.abs(v) < 1e21 ? 20 : 0))
      );
    fc.assert(
      fc.property(fc.oneof(decimal, rendered), (text) => {
        const parsed = parseFloatBytes(Buffer.from(text), 0, text.length);
        expect(parsed).toBe(Number(text));
      }),
      { numRuns: RUNS * 10 }
    );
  });
});
