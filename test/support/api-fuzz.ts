/**
 * Generators and the response check for fuzzing the query API, shared by bench/fuzz-api.ts (long runs) and
 * test/unit/http/fuzz-api.test.ts (CI-sized). Three kinds of body:
 *   valid     well-formed requests of every query type, view and filter the contract allows
 *   mutated   a valid request with keys dropped, values replaced by random JSON, extreme numbers, prototype keys
 *   random    any JSON value, or raw text and bytes sent as application/json
 * Whatever the body: never a 5xx, never a hang, JSON always, and a 4xx is `{ error, field? }` without a stack.
 */
import fc from 'fast-check';
import type { QueryRequest, QueryType, QueryView } from '../../src/contract';
import { QUERY_TYPE_ORDER, viewsOf } from '../../src/queryCatalog';

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const EXTREME_NUMBERS = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  1e-320,
  11_000,
  11_001,
  50,
  51,
  31 * 86_400_000,
  31 * 86_400_000 + 1,
];

export interface FuzzOptions {
  /** The simulator's clock in Unix milliseconds: valid ranges end at most an hour before it. */
  now: number;
  /** Node names and drop reasons the cluster really has, so that some filters match something. */
  nodes?: readonly string[];
  reasons?: readonly string[];
}

/** Request bodies as the text a client sends. */
export interface FuzzArbitraries {
  validRequest: fc.Arbitrary<string>;
  mutatedRequest: fc.Arbitrary<string>;
  randomBody: fc.Arbitrary<string>;
}

type Mutation =
  | { kind: 'set'; path: '' | 'q'; key: string; value: unknown }
  | { kind: 'delete'; path: '' | 'q'; key: string }
  | { kind: 'replaceQuery'; value: unknown }
  | { kind: 'duplicateQuery' }
  | { kind: 'wrap'; value: 'array' | 'string' | 'deep' };

/** Query types and views are the contract's catalogue (src/queryCatalog.ts), so this file never restates them. */
export function arbitraries({ now, nodes = [], reasons = [] }: FuzzOptions): FuzzArbitraries {
  const viewNames = (queryType: string): string[] =>
    (QUERY_TYPE_ORDER as string[]).includes(queryType) ? viewsOf(queryType as QueryType).map((v) => v.value) : [];
  const allViews = [...new Set(QUERY_TYPE_ORDER.flatMap((t) => viewsOf(t).map((v) => v.value)))] as QueryView[];
  const text = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom('', '$__all', '*', ' ', '\u0000', 'é', '"\\')
  );
  const filterValue = fc.oneof(
    text,
    nodes.length ? fc.constantFrom(...nodes) : text,
    reasons.length ? fc.constantFrom(...reasons) : text,
    fc.constantFrom('INGRESS', 'EGRESS', 'ready')
  );
  const filter = fc.oneof(filterValue, fc.array(filterValue, { maxLength: 6 }));
  const query = fc
    .record(
      {
        queryType: fc.constantFrom(...QUERY_TYPE_ORDER),
        node: filter,
        namespace: filter,
        workload: filter,
        direction: filter,
        reason: filter,
        state: filter,
        groupBy: fc.constantFrom('cluster' as const, 'node' as const),
        unit: fc.constantFrom('packets' as const, 'bytes' as const),
        view: fc.constantFrom(...allViews),
        quantiles: fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 4 }),
        limit: fc.integer({ min: 1, max: 1000 }),
      },
      { requiredKeys: ['queryType'] }
    )
    .map((q) => {
      // A view only where the type has it, so these requests are valid.
      if (q.view !== undefined && !viewNames(q.queryType).includes(q.view)) {
        delete q.view;
      }
      // Drops by workload are summed over nodes and counted in packets (validate.ts refuses the rest).
      if (q.queryType === 'workloadDrops') {
        delete q.groupBy;
        delete q.unit;
      }
      return q;
    });
  const validRequest = fc
    .record({
      span: fc.integer({ min: 0, max: 6 * 3_600_000 }),
      back: fc.integer({ min: 0, max: 3_600_000 }),
      intervalMs: fc.option(fc.integer({ min: 1, max: 3_600_000 }), { nil: undefined }),
      maxDataPoints: fc.option(fc.integer({ min: 1, max: 11_000 }), { nil: undefined }),
      queries: fc.array(query, { minLength: 1, maxLength: 6 }),
    })
    .map(({ span, back, intervalMs, maxDataPoints, queries }) => {
      const body: QueryRequest = {
        from: now - back - span,
        to: now - back,
        queries: queries.map((q, i) => ({ refId: `Q${i}`, ...q })),
      };
      if (intervalMs !== undefined) {
        body.intervalMs = intervalMs;
      }
      if (maxDataPoints !== undefined) {
        body.maxDataPoints = maxDataPoints;
      }
      return body;
    });

  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(...EXTREME_NUMBERS),
    fc.constant(null),
    fc.string()
  );
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      path: fc.constantFrom('' as const, 'q' as const),
      key: fc.oneof(
        fc.constantFrom(
          'from',
          'to',
          'intervalMs',
          'maxDataPoints',
          'queries',
          'refId',
          'queryType',
          'node',
          'view',
          'quantiles',
          'limit',
          'groupBy',
          ...PROTO_KEYS
        ),
        fc.string({ maxLength: 8 })
      ),
      value: anyValue,
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      path: fc.constantFrom('' as const, 'q' as const),
      key: fc.constantFrom('from', 'to', 'queries', 'refId', 'queryType', 'view'),
    }),
    fc.record({ kind: fc.constant('replaceQuery' as const), value: anyValue }),
    fc.record({ kind: fc.constant('duplicateQuery' as const) }),
    fc.record({
      kind: fc.constant('wrap' as const),
      value: fc.constantFrom('array' as const, 'string' as const, 'deep' as const),
    })
  );
  const mutatedRequest = fc
    .tuple(validRequest, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([req, mutations, pick]) => {
      let body: unknown = JSON.parse(JSON.stringify(req));
      for (const m of mutations) {
        const queries =
          isObject(body) && Array.isArray(body.queries) && body.queries.length ? (body.queries as unknown[]) : null;
        const q = queries ? queries[pick % queries.length] : null;
        const target = 'path' in m && m.path === 'q' && isObject(q) ? q : body;
        if (m.kind === 'set' && isObject(target)) {
          // defineProperty, so "__proto__" becomes an own key as it would from JSON.parse.
          Object.defineProperty(target, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else if (m.kind === 'delete' && isObject(target)) {
          delete target[m.key];
        } else if (m.kind === 'replaceQuery' && queries) {
          queries[pick % queries.length] = m.value;
        } else if (m.kind === 'duplicateQuery' && queries && q) {
          queries.push(q);
        } else if (m.kind === 'wrap') {
          body = m.value === 'array' ? [body] : m.value === 'string' ? JSON.stringify(body) : nest(body, 200);
        }
      }
      return JSON.stringify(body);
    });
  const randomBody = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.constantFrom(
      '',
      '{',
      '{"from":',
      '[',
      'null',
      'true',
      '1e400',
      '{"__proto__":{"x":1}}',
      '{"a":' + '['.repeat(5000)
    )
  );
  return { validRequest: validRequest.map((b) => JSON.stringify(b)), mutatedRequest, randomBody };
}

/** Any object, arrays included, with its keys readable. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nest(value: unknown, depth: number): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) {
    v = { queries: v };
  }
  return v;
}

const STACK = /\bat\s+\S+\s+\(|\.(ts|js):\d+|node_modules|Error:\s/;

/** Null when the response is acceptable, else what is wrong with it. */
export function checkResponse(status: number, contentType: string | null, text: string): string | null {
  if (status >= 500) {
    return `HTTP ${status}: ${text.slice(0, 300)}`;
  }
  if (![200, 400, 413].includes(status)) {
    return `unexpected status ${status}: ${text.slice(0, 300)}`;
  }
  if (!/application\/json/.test(contentType ?? '')) {
    return `content type ${contentType}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (status !== 200) {
    if (
      !isObject(body) ||
      typeof body.error !== 'string' ||
      body.error === '' ||
      Object.keys(body).some((k) => k !== 'error' && k !== 'field')
    ) {
      return `4xx body is not { error, field? }: ${text.slice(0, 300)}`;
    }
    if (body.field !== undefined && typeof body.field !== 'string') {
      return `field is not a string: ${text.slice(0, 300)}`;
    }
    if (STACK.test(body.error)) {
      return `stack trace or internals in the error: ${body.error.slice(0, 300)}`;
    }
    return null;
  }
  if (!isObject(body) || !isObject(body.results)) {
    return `200 without results: ${text.slice(0, 200)}`;
  }
  for (const [refId, r] of Object.entries(body.results)) {
    if (!isObject(r) || !Array.isArray(r.frames)) {
      return `result ${refId} without frames`;
    }
    if ((typeof r.status === 'number' && r.status >= 500) || r.error) {
      return `query ${refId} failed inside a 200: ${String(r.error)}`;
    }
  }
  return null;
}
