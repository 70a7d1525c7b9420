/**
 * Prints an expression (expr.ts) as PromQL for a grid: windows become durations, matchers become `label="v"` or
 * `label=~"a|b"`. Every label value is escaped twice over: regular-expression metacharacters (so a value matches
 * only itself), then the PromQL string escapes (so no value can end the string and add to the query).
 */
import type { Comparison, Expr, Matcher, RangeCall, Ranking, Selector, Window } from './expr';
import { type StepGrid, lookbackMs, rateWindowMs } from './grid';

export function windowMs(window: Window, grid: Pick<StepGrid, 'step' | 'intervalMs'>): number {
  switch (window.kind) {
    case 'lookback':
      return lookbackMs(grid);
    case 'rate':
      return rateWindowMs(grid);
    default:
      return window.ms;
  }
}

/** A duration in the largest unit that divides it (Prometheus reads 2m, 90s, 1500ms). */
export function formatDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (whole % size === 0) {
      return `${whole / size}${unit}`;
    }
  }
  return `${whole}ms`;
}

/** A PromQL double-quoted string literal holding exactly `value`. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate (for...of yields pairs whole) cannot be written in a PromQL string.
      out += '\uFFFD';
    } else if (ch === '\\' || ch === '"') {
      out += '\\' + ch;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\x' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** RE2 metacharacters escaped, so the value matches only itself inside a regular expression. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function printMatcher(m: Matcher): string {
  const not = m.negate ? '!' : '';
  if (m.values.length === 1) {
    return `${m.label}${m.negate ? '!=' : '='}${quoteString(m.values[0])}`;
  }
  return `${m.label}${not || '='}~${quoteString(m.values.map(escapeRegex).join('|'))}`;
}

export function printSelector(s: Selector): string {
  return s.matchers.length ? `${s.metric}{${s.matchers.map(printMatcher).join(', ')}}` : s.metric;
}

function printCall(c: RangeCall, grid: Pick<StepGrid, 'step' | 'intervalMs'>): string {
  const offset = c.offsetStep ? ` offset ${formatDuration(grid.step)}` : '';
  return `${c.fn}(${printSelector(c.selector)}[${formatDuration(windowMs(c.window, grid))}]${offset})`;
}

const keep = (c: Comparison | undefined) => (c ? ` ${c.op} ${c.value}` : '');

const by = (labels: readonly string[]) => (labels.length ? ` by (${labels.join(', ')})` : '');

/** R of a ranking (expr.ts): every series' reduction over the span, before the top or bottom k are kept. */
export function rankingScores(expr: Ranking, grid: Pick<StepGrid, 'step' | 'intervalMs'>): string {
  return `${expr.over}_over_time((${toPromQL(expr.arg, grid)})[${formatDuration(expr.spanMs)}:${formatDuration(grid.step)}])`;
}

export function toPromQL(expr: Expr, grid: Pick<StepGrid, 'step' | 'intervalMs'>): string {
  if (expr.kind === 'ranking') {
    const reduced = rankingScores(expr, grid);
    const [cmp, edge] = expr.order === 'topk' ? ['>=', 'min'] : ['<=', 'max'];
    return `${reduced} ${cmp} scalar(${edge}(${expr.order}(${expr.k}, ${reduced})))${keep(expr.keep)}`;
  }
  if (expr.kind === 'quantile') {
    const rate = printCall({ kind: 'call', fn: 'rate', selector: expr.buckets, window: { kind: 'rate' } }, grid);
    return `histogram_quantile(${expr.q}, sum${by([...expr.by, 'le'])} (${rate}))`;
  }
  const arg =
    expr.arg.kind === 'sub'
      ? `${printCall(expr.arg.lhs, grid)} - ${printCall(expr.arg.rhs, grid)}`
      : printCall(expr.arg, grid);
  return `${expr.op}${by(expr.by)} (${arg}${keep(expr.argKeep)})${keep(expr.keep)}`;
}
