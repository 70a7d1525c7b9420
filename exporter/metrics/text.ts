/**
 * Writes metric families in the Prometheus text format (0.0.4) straight from emitted values. prom-client's Gauge
 * and Counter hash every label set into a store and format it again at each scrape; at ~100k series that took
 * over a second per /metrics scrape at 1,000 nodes, so the exporter's own families are written here, in one pass,
 * with the same rules: labels in the family's declared order, a repeated label set overwrites a gauge and adds to
 * a counter, HELP and label values escaped as the format requires. A histogram is passed through with the buckets
 * it was given (prom-client's Histogram can only observe, not carry another histogram's cumulative counts).
 */

import { formatValue } from '../history/promql-math';

export { formatValue };

export type LabelValues = Record<string, string>;

export interface TextFamily {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  labelNames: readonly string[];
}

/** A cumulative histogram: upper bounds ascending (the last +Inf), counts cumulative. */
export interface HistogramValue {
  upperBounds: readonly number[];
  cumulativeCounts: readonly number[];
  sum: number;
  count: number;
}

const NEEDS_ESCAPE = /[\\\n"]/;

export function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : value;
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Collects one family's samples, then renders it. */
export class FamilyText {
  private readonly values = new Map<string, { value: number; timestampMs: number | null }>();
  /** Sample lines of a family whose label sets are unique (no map of label sets needed). */
  private lines = '';

  constructor(
    private readonly family: TextFamily,
    private readonly unique = false
  ) {}

  /** A sample; with a timestamp (Unix ms), Prometheus stores it at that time instead of its scrape's. */
  add(labels: LabelValues, value: number, timestampMs: number | null = null): void {
    const key = labelText(this.family, labels);
    if (this.unique) {
      this.lines += sampleLine(this.family.name, key, value, timestampMs);
      return;
    }
    const previous = this.values.get(key);
    const sum = previous !== undefined && this.family.type === 'counter' ? previous.value + value : value;
    this.values.set(key, { value: sum, timestampMs });
  }

  /** `# HELP`, `# TYPE` and one line per label set; the header alone when there is no sample. */
  render(): string {
    const { name, help, type } = this.family;
    let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n${this.lines}`;
    for (const [labels, { value, timestampMs }] of this.values) {
      out += sampleLine(name, labels, value, timestampMs);
    }
    return out;
  }
}

/** Writes one histogram family: `_bucket` lines with `le`, then `_sum` and `_count`, per label set as given. */
export class HistogramText {
  private lines = '';

  constructor(private readonly family: Omit<TextFamily, 'type'>) {}

  add(labels: LabelValues, h: HistogramValue, timestampMs: number | null = null): void {
    const { name } = this.family;
    const inner = labelText(this.family, labels).slice(1, -1);
    const prefix = inner ? `{${inner},le="` : '{le="';
    const set = inner ? `{${inner}}` : '';
    const at = timestampMs === null ? '' : ` ${Math.round(timestampMs)}`;
    h.upperBounds.forEach((le, i) => {
      this.lines += `${name}_bucket${prefix}${formatValue(le)}"} ${formatValue(h.cumulativeCounts[i])}${at}\n`;
    });
    this.lines += `${name}_sum${set} ${formatValue(h.sum)}${at}\n${name}_count${set} ${formatValue(h.count)}${at}\n`;
  }

  render(): string {
    const { name, help } = this.family;
    return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} histogram\n${this.lines}`;
  }
}

/** `{a="x",b="y"}` in the family's declared order; '' without labels. An undeclared label is a programming error. */
function labelText(family: Omit<TextFamily, 'type'>, labels: LabelValues): string {
  let text = '';
  for (const name of family.labelNames) {
    const v = labels[name];
    if (v !== undefined) {
      text += (text ? ',' : '{') + name + '="' + escapeLabelValue(v) + '"';
    }
  }
  for (const name in labels) {
    if (!family.labelNames.includes(name)) {
      throw new Error(`label "${name}" is not declared for ${family.name}`);
    }
  }
  return text ? text + '}' : '';
}

function sampleLine(name: string, labels: string, value: number, timestampMs: number | null): string {
  return timestampMs === null
    ? `${name}${labels} ${formatValue(value)}\n`
    : `${name}${labels} ${formatValue(value)} ${Math.round(timestampMs)}\n`;
}
