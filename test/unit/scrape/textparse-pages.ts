/**
 * Random metrics pages for the parser's property tests and bench/fuzz-parser.js: fast-check arbitraries of families
 * and samples, and a small renderer of its own (independent of the parser) that also returns what a correct parser
 * must read back. Plain TypeScript with no import of the parser, so the fuzz bench can load it through ts-node.
 */
import fc from 'fast-check';

export type Format = 'prometheus' | 'openmetrics';
type Type =
  'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'unknown' | 'info' | 'stateset' | 'gaugehistogram';

export interface ExpectedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number | null;
  family: string;
  type: Type;
}

export interface Page {
  format: Format;
  text: string;
  samples: ExpectedSample[];
  /** [family, help] for each HELP line, in order. */
  helps: Array<[string, string]>;
  familyNames: string[];
}

/** Each type's sample-name suffixes ('' for the family name itself). */
const SUFFIXES: Record<Type, string[]> = {
  counter: ['', '_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['', '_sum', '_count', '_created'],
  untyped: [''],
  unknown: [''],
  info: ['', '_info'],
  stateset: [''],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
};
const TYPES = Object.keys(SUFFIXES) as Type[];

interface SampleSpec {
  suffixIndex: number;
  labels: Array<[string, string]>;
  value: number;
  valueStyle: number;
  ts: number | null;
  layout: number;
  exemplar: boolean;
  /** 0: its own labels; 1: the family's first sample's labels; 2: those with one value changed a little. */
  labelMode: number;
}

interface FamilySpec {
  base: string;
  type: Type | null;
  help: string | null;
  helpAfterType: boolean;
  samples: SampleSpec[];
}

interface PageSpec {
  families: FamilySpec[];
  repeatFirst: boolean;
  crlf: boolean;
  noise: number[];
}

const labelName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('le', 'quantile', 'constructor', '__proto__', 'toString', '_') }
);

/** Any Unicode text, with a good share of the characters the format escapes or treats specially. */
const text = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('\\', '"', '\n', '{', '}', ',', '=', ' ', '\t', '#', '\\n', '\r', '\u0000'),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) }
  ),
  maxLength: 24,
});

const value = fc.oneof(
  { weight: 3, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 5e-324, 1.7976931348623157e308, 1e21) }
);

const sampleSpec: fc.Arbitrary<SampleSpec> = fc.record({
  suffixIndex: fc.nat(3),
  labels: fc.uniqueArray(fc.tuple(labelName, text), { maxLength: 4, selector: ([name]) => name }),
  value,
  valueStyle: fc.nat(3),
  ts: fc.option(fc.integer({ min: -1e15, max: 1e15 }), { freq: 3 }),
  layout: fc.nat(7),
  exemplar: fc.boolean(),
  labelMode: fc.nat(2),
});

const familySpec: fc.Arbitrary<FamilySpec> = fc.record({
  base: fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/),
  type: fc.option(fc.constantFrom(...TYPES), { freq: 4 }),
  help: fc.option(text, { freq: 2 }),
  helpAfterType: fc.boolean(),
  samples: fc.array(sampleSpec, { maxLength: 6 }),
});

const pageSpec: fc.Arbitrary<PageSpec> = fc.record({
  families: fc.array(familySpec, { maxLength: 8 }),
  repeatFirst: fc.boolean(),
  crlf: fc.boolean(),
  noise: fc.array(fc.nat(9), { maxLength: 12 }),
});

export function pageArbitrary(format: Format): fc.Arbitrary<Page> {
  return pageSpec.map((spec) => renderPage(spec, format));
}

function escapeLabelValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A value that shares a prefix with v, or extends it. */
function variant(v: string, k: number): string {
  const points = [...v]; // whole code points: half a surrogate pair has no UTF-8 form
  return [
    `${v}x`,
    points.slice(0, -1).join(''),
    `${v}"`,
    `${v}é`,
    `${v}\\`,
    `${v}\n`,
    `x${v}`,
    points.slice(1).join(''),
  ][k];
}

function renderValue(v: number, style: number): string {
  if (Number.isNaN(v)) {
    return ['NaN', 'nan', 'NaN', 'NAN'][style];
  }
  if (v === Infinity) {
    return ['+Inf', 'Inf', 'inf', '+Infinity'][style];
  }
  if (v === -Infinity) {
    return ['-Inf', '-inf', '-INF', '-Infinity'][style];
  }
  if (Object.is(v, -0)) {
    return ['-0', '-0.0', '-0e3', '-.0'][style];
  }
  return [String(v), v.toExponential(), v.toPrecision(17), String(v).toUpperCase()][style];
}

function renderLabels(labels: Array<[string, string]>, layout: number): string {
  if (labels.length === 0) {
    return ['', '{}', '', '{ }'][layout & 3];
  }
  const pairs = labels.map(([n, v]) =>
    layout & 1 ? `${n}="${escapeLabelValue(v)}"` : `${n} = "${escapeLabelValue(v)}"`
  );
  const body = pairs.join(layout & 2 ? ',' : ', ');
  return layout & 4 ? `{ ${body}, }` : `{${body}}`;
}

function renderPage(spec: PageSpec, format: Format): Page {
  const openMetrics = format === 'openmetrics';
  const lines: string[] = [];
  const samples: ExpectedSample[] = [];
  const helps: Array<[string, string]> = [];
  const familyNames = new Set<string>();
  let noise = 0;
  const addNoise = (): void => {
    const n = spec.noise[noise++ % Math.max(1, spec.noise.length)] ?? 0;
    if (n === 1) {
      lines.push('');
    } else if (n === 2) {
      lines.push('# a comment, with "quotes" and \\ backslashes');
    } else if (n === 3) {
      lines.push('#');
    } else if (n === 4) {
      lines.push('  \t');
    }
  };

  // Family names end with a digit and suffixes with a letter, so no family name is another's name plus a suffix.
  const families = spec.families.map((f, i) => ({ ...f, name: `${f.base}_${i}` }));
  if (spec.repeatFirst && families.length > 0) {
    families.push({ ...families[0], help: null, samples: [...families[0].samples].reverse() });
  }
  for (const family of families) {
    const type = family.type;
    if (type !== null || family.samples.length > 0) {
      familyNames.add(family.name); // a family is seen through its TYPE line or its samples, not its HELP
    }
    const help = family.help?.replace(/\r/g, '').replace(/^[ \t]+/, '') ?? null;
    const helpLine = help === null ? null : `# HELP ${family.name} ${escapeHelp(help)}`;
    if (helpLine !== null && !family.helpAfterType) {
      lines.push(helpLine);
      helps.push([family.name, help as string]);
    }
    if (type !== null) {
      lines.push(`# TYPE ${family.name} ${type}`);
    }
    if (helpLine !== null && family.helpAfterType) {
      lines.push(helpLine);
      helps.push([family.name, help as string]);
    }
    addNoise();
    // Samples of a family mostly share label names and many values, which the parser's predictions rely on.
    const base = family.samples.length > 0 ? family.samples[0].labels : [];
    for (const s of family.samples) {
      const labels: Array<[string, string]> =
        s.labelMode === 0 || base.length === 0
          ? s.labels
          : s.labelMode === 1
            ? base
            : base.map(([n, v], i) => [n, i === s.valueStyle % base.length ? variant(v, s.layout) : v]);
      const suffixes = type === null ? [''] : SUFFIXES[type];
      const name = family.name + suffixes[s.suffixIndex % suffixes.length];
      let line =
        name + renderLabels(labels, s.layout) + (s.layout & 1 ? ' ' : '\t') + renderValue(s.value, s.valueStyle);
      let ts: number | null = null;
      if (s.ts !== null) {
        line += ` ${openMetrics ? String(s.ts / 1000) : String(s.ts)}`;
        ts = s.ts;
      }
      if (openMetrics && s.exemplar) {
        line += ` # {trace_id="${escapeLabelValue(name)}"} ${renderValue(s.value, 0)}${s.ts === null ? '' : ' 1.5'}`;
      }
      lines.push(line);
      samples.push({
        name,
        labels: Object.fromEntries(labels),
        value: s.value,
        ts,
        family: family.name,
        type: type ?? (openMetrics ? 'unknown' : 'untyped'),
      });
      addNoise();
    }
  }
  if (openMetrics) {
    lines.push('# EOF');
  }
  const newline = spec.crlf ? '\r\n' : '\n';
  return { format, text: lines.join(newline) + newline, samples, helps, familyNames: [...familyNames] };
}

/** Byte strings built from the format's own tokens, likelier than random bytes to get deep into the parser. */
const tokenSoup = fc
  .array(
    fc.constantFrom(
      '# ',
      '#',
      'TYPE ',
      'HELP ',
      'EOF',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '{',
      '}',
      '"',
      '\\',
      '=',
      ',',
      'a',
      'm_1',
      '_bucket',
      'le',
      '1',
      '-',
      '+',
      '.',
      'e',
      'NaN',
      '+Inf',
      'Inf',
      'counter',
      'histogram',
      'gauge',
      '\u0000',
      'é',
      '\uFFFD'
    ),
    { maxLength: 60 }
  )
  .map((tokens) => Buffer.from(tokens.join('')));

/** Arbitrary inputs: random bytes, token soup, and valid pages with a few random edits. */
export function garbageArbitrary(format: Format): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(
      pageArbitrary(format),
      fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.uint8Array({ maxLength: 4 })), { minLength: 1, maxLength: 4 })
    )
    .map(([page, edits]) => {
      let bytes = Buffer.from(page.text);
      for (const [at, remove, insert] of edits) {
        const p = bytes.length === 0 ? 0 : at % bytes.length;
        bytes = Buffer.concat([bytes.subarray(0, p), Buffer.from(insert), bytes.subarray(p + remove)]);
      }
      return bytes;
    });
  return fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
    tokenSoup,
    mutated
  );
}

/** Cut points for feeding a body in chunks. */
export const splitPoints = fc.array(fc.nat(), { maxLength: 12 });

export function chunksOf(body: Buffer, points: readonly number[]): Buffer[] {
  const cuts = points.map((p) => (body.length === 0 ? 0 : p % (body.length + 1))).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(body.subarray(from, cut));
    from = cut;
  }
  chunks.push(body.subarray(from));
  return chunks;
}
