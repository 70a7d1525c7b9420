/** What the parser's unit tests share: the samples it hands over, collected, and its errors, caught. */
import {
  type Labels,
  type MetricType,
  ParseError,
  type ParseOptions,
  parseText,
  type ParseStats,
} from '../../../exporter/scrape/textparse';

export interface Sample {
  name: string;
  labels: Labels;
  value: number;
  ts: number | null;
  family: string;
  type: MetricType;
}

export function parse(text: string | Buffer, options?: ParseOptions): { samples: Sample[]; stats: ParseStats } {
  const samples: Sample[] = [];
  const stats = parseText(
    text,
    (name, labels, value, ts, family, type) => samples.push({ name, labels, value, ts, family, type }),
    options
  );
  return { samples, stats };
}

export function samplesOf(text: string | Buffer, options?: ParseOptions): Sample[] {
  return parse(text, options).samples;
}

export function parseError(text: string | Buffer, options?: ParseOptions): ParseError {
  try {
    parse(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
    return err as ParseError;
  }
  throw new Error(`no ParseError for ${JSON.stringify(String(text))}`);
}

export const om: ParseOptions = { format: 'openmetrics' };
