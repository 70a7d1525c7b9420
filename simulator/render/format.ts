/**
 * Prometheus text exposition (format 0.0.4) written the way Go's client_golang writes it: families sorted by name,
 * label pairs sorted by name with `le` last on buckets, floats in Go's shortest 'g' form (1.390438e+06, 0.0015384,
 * 6.138e-06).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
export type Labels = ReadonlyArray<readonly [string, string]>;

/** strconv.FormatFloat(v, 'g', -1, 64) as expfmt uses it. */
export function formatValue(value: number): string {
  if (Number.isInteger(value) && value > -1e6 && value < 1e6) {
    return value === 0 ? '0' : String(value);
  }
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return '+Inf';
  }
  if (value === -Infinity) {
    return '-Inf';
  }
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e6) {
    // Plain notation in both languages, with the same shortest round-trip digits.
    return String(value);
  }
  const exponential = value.toExponential();
  const e = exponential.indexOf('e');
  const mantissa = exponential.slice(0, e);
  const exponent = Number(exponential.slice(e + 1));
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
}

export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) {
    return value;
  }
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(help: string): string {
  if (!/[\\\n]/.test(help)) {
    return help;
  }
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="1",b="2"}` with pairs sorted by name, or '' without labels. `le` is appended last when given. */
export function renderLabels(labels: Labels, le?: string): string {
  const inner = labelPairs(labels);
  if (le === undefined) {
    return inner === '' ? '' : `{${inner}}`;
  }
  return inner === '' ? `{le="${le}"}` : `{${inner},le="${le}"}`;
}

/** `a="1",b="2"` sorted by label name. */
function labelPairs(labels: Labels): string {
  let sorted = labels;
  for (let i = 1; i < labels.length; i++) {
    if (labels[i - 1][0] > labels[i][0]) {
      sorted = [...labels].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      break;
    }
  }
  let out = '';
  for (let i = 0; i < sorted.length; i++) {
    out += `${i > 0 ? ',' : ''}${sorted[i][0]}="${escapeLabelValue(sorted[i][1])}"`;
  }
  return out;
}

const formattedBounds = new Map<number, string>();

function formatBound(bound: number): string {
  let text = formattedBounds.get(bound);
  if (text === undefined) {
    text = formatValue(bound);
    if (formattedBounds.size < 1000) {
      formattedBounds.set(bound, text);
    }
  }
  return text;
}

export function familyHeader(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

export function sampleLine(name: string, labels: Labels, value: number): string {
  return `${name}${renderLabels(labels)} ${formatValue(value)}\n`;
}

/** One histogram series: cumulative buckets (bounds without +Inf), then _sum and _count. */
export function histogramLines(
  name: string,
  labels: Labels,
  upperBounds: readonly number[],
  cumulativeCounts: readonly number[],
  sum: number,
  count: number
): string {
  const inner = labelPairs(labels);
  const bucketPrefix = inner === '' ? `${name}_bucket{le="` : `${name}_bucket{${inner},le="`;
  const plain = inner === '' ? '' : `{${inner}}`;
  let out = '';
  for (let i = 0; i < upperBounds.length; i++) {
    out += `${bucketPrefix}${formatBound(upperBounds[i])}"} ${formatValue(cumulativeCounts[i])}\n`;
  }
  out += `${bucketPrefix}+Inf"} ${formatValue(count)}\n`;
  out += `${name}_sum${plain} ${formatValue(sum)}\n`;
  out += `${name}_count${plain} ${formatValue(count)}\n`;
  return out;
}

/** Orders series the way Go does: by label values, compared label by label in label-name order. */
export function compareLabels(a: Labels, b: Labels): number {
  const x = sortedValues(a);
  const y = sortedValues(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return x.length - y.length;
}

function sortedValues(labels: Labels): string[] {
  return [...labels].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0)).map((p) => p[1]);
}
