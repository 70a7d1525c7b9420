/**
 * Validation of API input against the contract, with limits on everything a client controls, and errors that
 * name the offending field (`queries[2].queryType`). The query types, their views and the annotation kinds come from
 * the catalogue the plugin's editors read too (src/queryCatalog.ts), so the two cannot disagree.
 */
import { z } from 'zod';
import type {
  AnnotationKind,
  AnnotationsRequest,
  QueryRequest,
  QueryType,
  QueryView,
  ScopeQuery,
} from '../../../src/contract';
import { ANNOTATION_KINDS, QUERY_BOUNDS, QUERY_TYPE_ORDER, viewsOf } from '../../../src/queryCatalog';

export const LIMITS = {
  queriesPerRequest: 50,
  /** Longest range a query may ask for. */
  maxRangeMs: 31 * 86_400_000,
  maxDataPoints: 11_000,
  filterValues: 1000,
  stringLength: 256,
  rows: QUERY_BOUNDS.limit,
  /** Largest topN: a panel of more lines than this is no panel. */
  topN: QUERY_BOUNDS.topN,
  quantiles: QUERY_BOUNDS.quantiles,
  /** Series in one query's answer; past it the answer is cut and carries a notice naming this limit. */
  seriesPerQuery: 200,
};

/** Every query type, and the views each one takes (none for a type with a single view). */
const QUERY_TYPES = QUERY_TYPE_ORDER as [QueryType, ...QueryType[]];
const VIEWS_BY_TYPE = new Map(QUERY_TYPES.map((type) => [type, viewsOf(type).map((v) => v.value)]));
const VIEWS = [...new Set([...VIEWS_BY_TYPE.values()].flat())] as [QueryView, ...QueryView[]];
const ANNOTATION_KIND_NAMES = Object.keys(ANNOTATION_KINDS) as [AnnotationKind, ...AnnotationKind[]];

const text = z.string().max(LIMITS.stringLength, `must be at most ${LIMITS.stringLength} characters`);
const filter = z.union([text, z.array(text).max(LIMITS.filterValues, `at most ${LIMITS.filterValues} values`)]);
const millis = z.number({ error: 'must be a number of milliseconds' }).finite().min(0);

const querySchema = z
  .object({
    refId: z.string().min(1, 'is required').max(64),
    queryType: z.enum(QUERY_TYPES, { error: `must be one of ${QUERY_TYPES.join(', ')}` }),
    node: filter.optional(),
    namespace: filter.optional(),
    workload: filter.optional(),
    direction: filter.optional(),
    reason: filter.optional(),
    state: filter.optional(),
    groupBy: z.enum(['cluster', 'node'], { error: 'must be cluster or node' }).optional(),
    unit: z.enum(['packets', 'bytes'], { error: 'must be packets or bytes' }).optional(),
    view: z.enum(VIEWS, { error: `must be one of ${VIEWS.join(', ')}` }).optional(),
    quantiles: z
      .array(z.number().gt(0, 'must be above 0').lt(1, 'must be below 1'))
      .min(1)
      .max(LIMITS.quantiles, `at most ${LIMITS.quantiles} quantiles`)
      .optional(),
    limit: z.number().int().min(1).max(LIMITS.rows, `must be at most ${LIMITS.rows}`).optional(),
    topN: z
      .number({ error: 'must be a whole number of nodes' })
      .int('must be a whole number of nodes')
      .min(1, 'must be at least 1')
      .max(LIMITS.topN, `must be at most ${LIMITS.topN}`)
      .optional(),
    others: z.boolean({ error: 'must be true or false' }).optional(),
  })
  // Grafana adds its own keys to stored queries (datasource, hide, key, ...): accept and ignore them.
  .passthrough();

const requestSchema = z
  .object({
    from: millis,
    to: millis,
    intervalMs: z.number().finite().positive('must be above 0').optional(),
    maxDataPoints: z
      .number()
      .int()
      .positive()
      .max(LIMITS.maxDataPoints, `must be at most ${LIMITS.maxDataPoints}`)
      .optional(),
    queries: z
      .array(querySchema)
      .min(1, 'needs at least one query')
      .max(LIMITS.queriesPerRequest, `at most ${LIMITS.queriesPerRequest} queries per request`),
  })
  .superRefine((r, ctx) => {
    if (r.to < r.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    }
    if (r.to - r.from > LIMITS.maxRangeMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'must be within 31 days of from (the longest range a query may ask for)',
      });
    }
    const refIds = new Set<string>();
    r.queries.forEach((q, i) => {
      if (refIds.has(q.refId)) {
        ctx.addIssue({ code: 'custom', path: ['queries', i, 'refId'], message: `"${q.refId}" is used twice` });
      }
      refIds.add(q.refId);
      const allowed = VIEWS_BY_TYPE.get(q.queryType) ?? [];
      if (q.view !== undefined && !allowed.includes(q.view)) {
        const hint = allowed.length ? `one of ${allowed.join(', ')}` : 'not set';
        ctx.addIssue({ code: 'custom', path: ['queries', i, 'view'], message: `for ${q.queryType} must be ${hint}` });
      }
      if (q.queryType === 'workloadDrops') {
        if (q.groupBy === 'node') {
          ctx.addIssue({
            code: 'custom',
            path: ['queries', i, 'groupBy'],
            message:
              'for workloadDrops must be cluster: pairs are summed over the selected nodes (set node to see one node, or use the table view, which has a row per node)',
          });
        }
        if (q.unit === 'bytes') {
          ctx.addIssue({
            code: 'custom',
            path: ['queries', i, 'unit'],
            message: 'for workloadDrops must be packets: Hubble counts dropped packets, not bytes',
          });
        }
      }
    });
  });

const annotationsSchema = z.object({
  from: millis,
  to: millis,
  kind: z.enum(ANNOTATION_KIND_NAMES, { error: `must be one of ${ANNOTATION_KIND_NAMES.join(', ')}` }),
  node: filter.optional(),
});

export class ValidationError extends Error {
  constructor(
    message: string,
    readonly field: string
  ) {
    super(message);
  }
}

function firstIssue(error: z.ZodError, body: unknown): ValidationError {
  const issue = error.issues[0];
  const field = issue.path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    ''
  );
  // zod leaves the input out of its issues: whether the field is missing is read from the body itself.
  const value = issue.path.reduce<unknown>(
    (at, part) => (at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[part] : undefined),
    body
  );
  const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
  return new ValidationError(`${field || 'body'} ${message}`, field || 'body');
}

export function parseQueryRequest(body: unknown): QueryRequest & { queries: ScopeQuery[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object with from, to and queries', 'body');
  }
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    throw firstIssue(parsed.error, body);
  }
  return parsed.data as QueryRequest;
}

export function parseAnnotationsRequest(body: unknown): AnnotationsRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object with from, to and kind', 'body');
  }
  const parsed = annotationsSchema.safeParse(body);
  if (!parsed.success) {
    throw firstIssue(parsed.error, body);
  }
  if (parsed.data.to < parsed.data.from) {
    throw new ValidationError('to must not be before from', 'to');
  }
  return parsed.data;
}

/** A filter as a set; null means "everything" (absent, empty, or Grafana's All). */
export function filterSet(f: string | string[] | undefined): Set<string> | null {
  if (f === undefined) {
    return null;
  }
  const values = (Array.isArray(f) ? f : [f])
    .map((v) => v.trim())
    .filter((v) => v !== '' && v !== '$__all' && v !== '*');
  return values.length ? new Set(values) : null;
}
