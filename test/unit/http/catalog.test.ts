/**
 * The query catalogue (src/queryCatalog.ts) is the one statement of each query type's views, defaults and help and
 * of the annotation kinds: the exporter's validator accepts exactly what it lists, and a catalogue that leaves a
 * query type, a view, the default view or the help out does not compile (the @ts-expect-error lines below are
 * checked by `npm run typecheck`: each must stay an error).
 */
import { parseAnnotationsRequest, parseQueryRequest } from '../../../exporter/http/query/validate';
import type { QueryType, QueryView } from '../../../src/contract';
import {
  ANNOTATION_KINDS,
  QUERY_BOUNDS,
  QUERY_TYPES,
  QUERY_TYPE_ORDER,
  type QueryCatalog,
  viewsOf,
} from '../../../src/queryCatalog';

const request = (query: Record<string, unknown>) => ({ from: 0, to: 60_000, queries: [{ refId: 'A', ...query }] });
const refusal = (body: unknown): string | null => {
  try {
    parseQueryRequest(body);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

const ALL_VIEWS = [...new Set(QUERY_TYPE_ORDER.flatMap((t) => viewsOf(t).map((v) => v.value)))];

test('every query type is accepted, with exactly the views the catalogue lists for it', () => {
  for (const queryType of QUERY_TYPE_ORDER) {
    expect(refusal(request({ queryType }))).toBeNull();
    const own = viewsOf(queryType).map((v) => v.value);
    for (const view of ALL_VIEWS) {
      const expected = own.includes(view)
        ? null
        : `queries[0].view for ${queryType} must be ${own.length ? `one of ${own.join(', ')}` : 'not set'}`;
      expect([queryType, view, refusal(request({ queryType, view }))]).toEqual([queryType, view, expected]);
    }
  }
  expect(refusal(request({ queryType: 'nope' }))).toBe(
    `queries[0].queryType must be one of ${QUERY_TYPE_ORDER.join(', ')}`
  );
});

test('every annotation kind is accepted and nothing else', () => {
  for (const kind of Object.keys(ANNOTATION_KINDS)) {
    expect(parseAnnotationsRequest({ from: 0, to: 1, kind }).kind).toBe(kind);
  }
  expect(() => parseAnnotationsRequest({ from: 0, to: 1, kind: 'nope' })).toThrow(
    `kind must be one of ${Object.keys(ANNOTATION_KINDS).join(', ')}`
  );
});

test('the bounds the editor enforces are the ones the exporter refuses past', () => {
  const quantiles = Array.from({ length: QUERY_BOUNDS.quantiles }, (_, i) => (i + 1) / (QUERY_BOUNDS.quantiles + 1));
  expect(refusal(request({ queryType: 'regeneration', quantiles }))).toBeNull();
  expect(refusal(request({ queryType: 'regeneration', quantiles: [...quantiles, 0.999] }))).toMatch(
    /at most 10 quantiles/
  );
  expect(refusal(request({ queryType: 'drops', view: 'topNodes', limit: QUERY_BOUNDS.limit }))).toBeNull();
  expect(refusal(request({ queryType: 'drops', view: 'topNodes', limit: QUERY_BOUNDS.limit + 1 }))).toMatch(
    /limit must be at most 1000/
  );
  expect(refusal(request({ queryType: 'endpoints', topN: QUERY_BOUNDS.topN }))).toBeNull();
  expect(refusal(request({ queryType: 'endpoints', topN: QUERY_BOUNDS.topN + 1 }))).toMatch(
    /topN must be at most 1000/
  );
});

test('each type with views answers one of them by default, with help for the type and every view', () => {
  for (const queryType of QUERY_TYPE_ORDER) {
    const info: QueryCatalog[QueryType] = QUERY_TYPES[queryType];
    expect(info.help.length).toBeGreaterThan(20);
    if (info.views) {
      expect(Object.keys(info.views)).toContain(info.defaultView);
      for (const view of viewsOf(queryType)) {
        expect([queryType, view.value, view.description.length > 10]).toEqual([queryType, view.value, true]);
      }
    }
  }
});

// What does not compile: each entry below leaves out something the catalogue must state.
const { anomaly: _anomaly, ...withoutAnomaly } = QUERY_TYPES;
const { help: _help, ...drops } = QUERY_TYPES.drops;
const { summary: _summary, ...anomalyViews } = QUERY_TYPES.anomaly.views;
const { defaultView: _default, ...policy } = QUERY_TYPES.policy;
export const notCompiling: Array<Partial<QueryCatalog>> = [
  // @ts-expect-error a query type without its entry
  withoutAnomaly satisfies QueryCatalog,
  // @ts-expect-error an entry without its help
  { drops },
  // @ts-expect-error a view of the type left out
  { anomaly: { ...QUERY_TYPES.anomaly, views: anomalyViews } },
  // @ts-expect-error a view of another type
  { anomaly: { ...QUERY_TYPES.anomaly, views: { ...anomalyViews, summary: _summary, topNodes: _summary } } },
  // @ts-expect-error a type with views but no default view
  { policy },
  // @ts-expect-error a default view that is not one of the type's
  { policy: { ...QUERY_TYPES.policy, defaultView: 'rate' as QueryView } },
  // @ts-expect-error views on a type that has a single view
  { packetFlow: { ...QUERY_TYPES.packetFlow, views: { rate: QUERY_TYPES.drops.views.rate } } },
];
