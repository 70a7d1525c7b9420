/**
 * Writes metric families in the Prometheus text format (0.0.4) straight from emitted values. prom-client's Gauge
 * and Counter hash every label set into a store and format it again at each scrape; at ~100k series that took
 * over a second per /metrics scrape at 1,000 nodes, so the exporter's own families are written here, in one pass,
 * with the same rules: labels in the family's declared order, a repeated label set overwrites a gauge and adds to
 * a counter, HELP and label values escaped as the format requires.
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
    const key = this.labelText(labels);
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

  private labelText(labels: LabelValues): string {
    let text = '';
    for (const name of this.family.labelNames) {
      const v = labels[name];
      if (v !== undefined) {
        text += (text ? ',' : '{') + name + '="' + escapeLabelValue(v) + '"';
      }
    }
    for (const name in labels) {
      if (!this.family.labelNames.includes(name)) {
        throw new Error(`label "${name}" is not declared for ${this.family.name}`);
      }
    }
    return text ? text + '}' : '';
  }
}

function sampleLine(name: string, labels: string, value: number, timestampMs: number | null): string {
  return timestampMs === null ? `${name}${labels} ${formatValue(value)}\n` : `${name}${labels} ${formatValue(value)} ${Math.round(timestampMs)}\n`;
}
