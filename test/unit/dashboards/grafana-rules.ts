/**
 * Evaluates a provisioned Grafana alert rule the way Grafana's server-side expressions do, for the subset the
 * Cilium Scope rules use: instant Prometheus queries (run by the caller, e.g. through Prometheus's HTTP API),
 * `reduce` (on instant values a no-op, `dropNN` drops NaN), `math` (numbers, $refs, + - * /, comparisons, && ||,
 * !, parentheses; series matched by identical label sets) and `threshold` (gt, lt, within_range, outside_range).
 * The result is the label sets whose condition is non-zero: the alert instances that would be firing (or pending).
 */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface RuleDataEntry {
  refId: string;
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface ProvisionedRule {
  uid: string;
  title: string;
  condition: string;
  data: RuleDataEntry[];
}

type Value = number | Map<string, Sample>;

const keyOf = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.keys(labels)
      .filter((k) => k !== '__name__')
      .sort()
      .map((k) => [k, labels[k]])
  );

function toVector(samples: Sample[]): Map<string, Sample> {
  const out = new Map<string, Sample>();
  for (const s of samples) {
    const labels = { ...s.labels };
    delete labels.__name__;
    out.set(keyOf(labels), { labels, value: s.value });
  }
  return out;
}

function mapValue(v: Value, fn: (x: number) => number): Value {
  if (typeof v === 'number') {
    return fn(v);
  }
  return new Map([...v].map(([k, s]) => [k, { labels: s.labels, value: fn(s.value) }]));
}

function combine(a: Value, b: Value, fn: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') {
    return fn(a, b);
  }
  if (typeof a === 'number') {
    return mapValue(b, (y) => fn(a, y));
  }
  if (typeof b === 'number') {
    return mapValue(a, (x) => fn(x, b));
  }
  const out = new Map<string, Sample>();
  for (const [k, s] of a) {
    const other = b.get(k);
    if (other) {
      out.set(k, { labels: s.labels, value: fn(s.value, other.value) });
    }
  }
  return out;
}

const bool = (x: boolean) => (x ? 1 : 0);
const BINARY: Record<string, (x: number, y: number) => number> = {
  '||': (x, y) => bool(x !== 0 || y !== 0),
  '&&': (x, y) => bool(x !== 0 && y !== 0),
  '==': (x, y) => bool(x === y),
  '!=': (x, y) => bool(x !== y),
  '>': (x, y) => bool(x > y),
  '<': (x, y) => bool(x < y),
  '>=': (x, y) => bool(x >= y),
  '<=': (x, y) => bool(x <= y),
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
};
const LEVELS = [['||'], ['&&'], ['==', '!=', '>=', '<=', '>', '<'], ['+', '-'], ['*', '/']];

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\$\{[A-Za-z0-9_]+\}|\$[A-Za-z0-9_]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?|&&|\|\||>=|<=|==|!=|[-+*/()<>!])/y;
  let rest = text.trim();
  while (rest.length) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) {
      throw new Error(`math expression: cannot read "${rest}"`);
    }
    tokens.push(m[1]);
    rest = rest.slice(m[0].length).trimStart();
  }
  return tokens;
}

/** Parses and evaluates one math expression over the values of earlier refIds. */
export function evaluateMath(text: string, vars: (refId: string) => Value): Value {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const parseLevel = (level: number): Value => {
    if (level === LEVELS.length) {
      return parseUnary();
    }
    let left = parseLevel(level + 1);
    while (LEVELS[level].includes(peek())) {
      const op = tokens[pos++];
      const right = parseLevel(level + 1);
      left = combine(left, right, BINARY[op]);
    }
    return left;
  };
  const parseUnary = (): Value => {
    const t = tokens[pos++];
    if (t === undefined) {
      throw new Error(`math expression "${text}" ends early`);
    }
    if (t === '-') {
      return mapValue(parseUnary(), (x) => -x);
    }
    if (t === '!') {
      return mapValue(parseUnary(), (x) => bool(x === 0));
    }
    if (t === '(') {
      const inner = parseLevel(0);
      if (tokens[pos++] !== ')') {
        throw new Error(`math expression "${text}": missing )`);
      }
      return inner;
    }
    if (t.startsWith('$')) {
      return vars(t.replace(/^\$\{?|\}$/g, ''));
    }
    const n = Number(t);
    if (Number.isNaN(n)) {
      throw new Error(`math expression "${text}": unexpected "${t}"`);
    }
    return n;
  };
  const result = parseLevel(0);
  if (pos !== tokens.length) {
    throw new Error(`math expression "${text}": unexpected "${tokens[pos]}"`);
  }
  return result;
}

function threshold(v: Value, evaluator: { type: string; params: number[] }): Value {
  const [a, b] = evaluator.params;
  const test: Record<string, (x: number) => boolean> = {
    gt: (x) => x > a,
    lt: (x) => x < a,
    within_range: (x) => x > a && x < b,
    outside_range: (x) => x < a || x > b,
  };
  const fn = test[evaluator.type];
  if (!fn) {
    throw new Error(`threshold type ${evaluator.type} is not supported here`);
  }
  return mapValue(v, (x) => bool(fn(x)));
}

/** Runs every refId the condition needs and returns the label sets for which the condition is non-zero. */
export async function firingInstances(
  rule: ProvisionedRule,
  runQuery: (entry: RuleDataEntry) => Promise<Sample[]>
): Promise<Array<Record<string, string>>> {
  const byRef = new Map(rule.data.map((d) => [d.refId, d]));
  const done = new Map<string, Value>();
  const evaluate = async (refId: string, depth = 0): Promise<Value> => {
    const cached = done.get(refId);
    if (cached !== undefined) {
      return cached;
    }
    const entry = byRef.get(refId);
    if (!entry || depth > byRef.size) {
      throw new Error(`rule ${rule.uid}: refId ${refId} is ${entry ? 'part of a cycle' : 'missing'}`);
    }
    const m = entry.model;
    let value: Value;
    if (entry.datasourceUid !== '__expr__') {
      value = toVector(await runQuery(entry));
    } else if (m.type === 'reduce') {
      const input = await evaluate(String(m.expression), depth + 1);
      const mode = (m.settings as { mode?: string } | undefined)?.mode;
      value =
        typeof input === 'number' || mode !== 'dropNN'
          ? input
          : new Map([...input].filter(([, s]) => Number.isFinite(s.value)));
    } else if (m.type === 'math') {
      const text = String(m.expression);
      const refs = [...text.matchAll(/\$\{?([A-Za-z0-9_]+)\}?/g)].map((x) => x[1]);
      const values = new Map<string, Value>();
      for (const r of refs) {
        values.set(r, await evaluate(r, depth + 1));
      }
      value = evaluateMath(text, (r) => values.get(r)!);
    } else if (m.type === 'threshold') {
      const input = await evaluate(String(m.expression), depth + 1);
      const conditions = m.conditions as Array<{ evaluator: { type: string; params: number[] } }>;
      value = threshold(input, conditions[0].evaluator);
    } else {
      throw new Error(`rule ${rule.uid}: expression type ${String(m.type)} is not supported here`);
    }
    done.set(refId, value);
    return value;
  };
  const result = await evaluate(rule.condition);
  if (typeof result === 'number') {
    return result !== 0 ? [{}] : [];
  }
  return [...result.values()].filter((s) => s.value !== 0).map((s) => s.labels);
}
