/** Runs a validated query request: one handler per query type, each query answering (or failing) on its own. */
import type { QueryRequest, QueryResult, QueryType, ScopeQuery } from '../../../src/contract';
import { HistoryBackendError } from '../../history/backend';
import { makeGrid } from '../../history/grid';
import { agentHealthHandler, policyHandler, regenerationHandler } from './agents';
import { anomalyHandler } from './anomaly';
import type { QueryContext, QueryHandler } from './context';
import { endpointsHandler, podEndpointDeltaHandler, unmanagedPodsHandler } from './endpoints';
import { limitedAnswer } from './limit';
import { dropsHandler, packetFlowHandler } from './traffic';
import { workloadDropsHandler } from './workloads';

export const HANDLERS: Record<QueryType, QueryHandler> = {
  endpoints: endpointsHandler,
  podEndpointDelta: podEndpointDeltaHandler,
  unmanagedPods: unmanagedPodsHandler,
  regeneration: regenerationHandler,
  packetFlow: packetFlowHandler,
  drops: dropsHandler,
  policy: policyHandler,
  agentHealth: agentHealthHandler,
  anomaly: anomalyHandler,
  workloadDrops: workloadDropsHandler,
};

export type QueryBase = Omit<QueryContext, 'grid'>;

/** The step grid of a request, on the history's sample interval. */
export function gridOf(
  request: Pick<QueryRequest, 'from' | 'to' | 'intervalMs' | 'maxDataPoints'>,
  sampleIntervalMs: number
) {
  return makeGrid(request.from, request.to, request.intervalMs, request.maxDataPoints, sampleIntervalMs);
}

/** Every query's result by refId; a failing query gets its error (naming the backend and the cause) and status. */
export async function runQueries(
  request: QueryRequest & { queries: ScopeQuery[] },
  base: QueryBase,
  sampleIntervalMs: number,
  onError?: (err: unknown, query: ScopeQuery) => void
): Promise<Record<string, QueryResult>> {
  const ctx: QueryContext = { ...base, grid: gridOf(request, sampleIntervalMs) };
  const answers = await Promise.all(
    request.queries.map(async (query): Promise<QueryResult> => {
      try {
        return { frames: await limitedAnswer(HANDLERS[query.queryType], query, ctx) };
      } catch (err) {
        // One broken query must not take the panel's other queries down.
        if (err instanceof HistoryBackendError) {
          return { frames: [], error: err.message, status: err.status };
        }
        onError?.(err, query);
        return { frames: [], error: `query failed: ${(err as Error).message}`, status: 500 };
      }
    })
  );
  return Object.fromEntries(request.queries.map((q, i) => [q.refId, answers[i]]));
}
