/**
 * Generators and the response check for fuzzing the query API, shared by bench/fuzz-api.js (long runs) and
 * test/unit/http/fuzz-api.test.ts (CI-sized). Three kinds of body:
 *   valid     well-formed requests of every query type, view and filter the contract allows
 *   mutated   a valid request with keys dropped, values replaced by random JSON, extreme numbers, prototype keys
 *   random    any JSON value, or raw text and bytes sent as application/json
 * Whatever the body: never a 5xx, never a hang, JSON always, and a 4xx is `{ error, field? }` without a stack.
 */
'use strict';

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

/**
 * `fc` is fast-check; `nodes` and `reasons` are names the cluster really has (filters that match something);
 * `queryTypes` and `viewsByType` are what the exporter accepts (QUERY_TYPES and VIEWS_BY_TYPE of
 * exporter/http/query/validate), passed in so this file never restates them.
 */
function arbitraries(fc, { now, nodes = [], reasons = [], queryTypes, viewsByType }) {
  const allViews = [...new Set(Object.values(viewsByType).flat())];
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
        queryType: fc.constantFrom(...queryTypes),
        node: filter,
        namespace: filter,
        direction: filter,
        reason: filter,
        state: filter,
        groupBy: fc.constantFrom('cluster', 'node'),
        unit: fc.constantFrom('packets', 'bytes'),
        view: fc.constantFrom(...allViews),
        quantiles: fc.array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 4 }),
        limit: fc.integer({ min: 1, max: 1000 }),
      },
      { requiredKeys: ['queryType'] }
    )
    .map((q) => {
      // A view only where the type has it, so these requests are valid.
      if (q.view !== undefined && !(viewsByType[q.queryType] ?? []).includes(q.view)) {
        delete q.view;
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
      const body = {
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
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant('set'),
      path: fc.constantFrom('', 'q'),
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
      kind: fc.constant('delete'),
      path: fc.constantFrom('', 'q'),
      key: fc.constantFrom('from', 'to', 'queries', 'refId', 'queryType', 'view'),
    }),
    fc.record({ kind: fc.constant('replaceQuery'), value: anyValue }),
    fc.record({ kind: fc.constant('duplicateQuery') }),
    fc.record({ kind: fc.constant('wrap'), value: fc.constantFrom('array', 'string', 'deep') })
  );
  const mutatedRequest = fc
    .tuple(validRequest, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([req, mutations, pick]) => {
      let body = JSON.parse(JSON.stringify(req));
      for (const m of mutations) {
        const q = Array.isArray(body?.queries) && body.queries.length ? body.queries[pick % body.queries.length] : null;
        const target = m.path === 'q' && q && typeof q === 'object' ? q : body;
        if (m.kind === 'set' && target && typeof target === 'object') {
          // defineProperty, so "__proto__" becomes an own key as it would from JSON.parse.
          Object.defineProperty(target, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else if (m.kind === 'delete' && target && typeof target === 'object') {
          delete target[m.key];
        } else if (m.kind === 'replaceQuery' && Array.isArray(body?.queries) && body.queries.length) {
          body.queries[pick % body.queries.length] = m.value;
        } else if (m.kind === 'duplicateQuery' && q) {
          body.queries.push(q);
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

function nest(value, depth) {
  let v = value;
  for (let i = 0; i < depth; i++) {
    v = { queries: v };
  }
  return v;
}

const STACK = /\bat\s+\S+\s+\(|\.(ts|js):\d+|node_modules|Error:\s/;

/** Null when the response is acceptable, else what is wrong with it. */
function checkResponse(status, contentType, text) {
  if (status >= 500) {
    return `HTTP ${status}: ${text.slice(0, 300)}`;
  }
  if (![200, 400, 413].includes(status)) {
    return `unexpected status ${status}: ${text.slice(0, 300)}`;
  }
  if (!/application\/json/.test(contentType ?? '')) {
    return `content type ${contentType}`;
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (status !== 200) {
    const keys = Object.keys(body ?? {});
    if (typeof body?.error !== 'string' || body.error === '' || keys.some((k) => k !== 'error' && k !== 'field')) {
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
  if (!body || typeof body.results !== 'object') {
    return `200 without results: ${text.slice(0, 200)}`;
  }
  for (const [refId, r] of Object.entries(body.results)) {
    if (!Array.isArray(r.frames)) {
      return `result ${refId} without frames`;
    }
    if (r.status >= 500 || r.error) {
      return `query ${refId} failed inside a 200: ${r.error}`;
    }
  }
  return null;
}

module.exports = { arbitraries, checkResponse };
