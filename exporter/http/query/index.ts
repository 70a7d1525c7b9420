/** Runs a validated query request: one handler per query type, each query answering on its own. */
import type { QueryRequest, QueryResponse, QueryType } from '../../../src/contract';
import { agentHealthHandler, policyHandler, regenerationHandler } from './agents';
import type { QueryContext, QueryHandler } from './context';
import { endpointsHandler, podEndpointDeltaHandler, unmanagedPodsHandler } from './endpoints';
import { limitSeries } from './limit';
import { makeGrid } from './range';
import { anomalyHandler, dropsHandler, packetFlowHandler } from './traffic';

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
};

export function runQueries(request: QueryRequest, base: Omit<QueryContext, 'grid'>, scrapeIntervalMs: number): QueryResponse {
  const grid = makeGrid(request.from, request.to, request.intervalMs, request.maxDataPoints, scrapeIntervalMs);
  const ctx: QueryContext = { ...base, grid };
  const results: QueryResponse['results'] = {};
  for (const query of request.queries) {
    try {
      results[query.refId] = { frames: limitSeries(query, HANDLERS[query.queryType](query, ctx)) };
    } catch (err) {
      // One broken query must not take the panel's other queries down; the cause goes to the log.
      results[query.refId] = { frames: [], error: `query failed: ${(err as Error).message}`, status: 500 };
    }
  }
  return { results };
}
