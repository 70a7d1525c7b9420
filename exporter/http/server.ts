/**
 * The exporter's HTTP surface (express 5): /metrics, /healthz, /readyz stay open (unless /metrics protection is
 * asked for); /api/v1/* is the JSON API of the contract, behind a bearer token when one is configured. Every
 * error is JSON `{ error, field? }` without a stack trace.
 */
import { setMaxListeners } from 'node:events';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type {
  AnnotationsResponse,
  DropReasonsResponse,
  HubbleStatus,
  NamespacesResponse,
  NodesResponse,
  StatusResponse,
  UnmanagedPodsResponse,
  WorkloadsResponse,
} from '../../src/contract';
import { DROP_REASONS, lookupDropReason } from '../cilium/dropReasons';
import { type HistoryBackend, HistoryBackendError } from '../history/backend';
import type { HubbleQueries } from '../hubble/queries';
import type { ClusterSummary, ClusterView } from '../model/view';
import { annotationEvents, annotationGrid } from './annotations';
import { requireBearer } from './auth';
import { QueryCache } from './query-cache';
import type { KubeQueries } from './query/context';
import { runQueries } from './query';
import { ValidationError, filterSet, parseAnnotationsRequest, parseQueryRequest } from './query/validate';
import { droppedEnds, variableWindow } from './variables';

export interface ApiDeps {
  history: HistoryBackend;
  /** The cluster now: this exporter's own targets, or (query replica) what Prometheus holds. */
  cluster: ClusterView;
  /** Changes whenever cached query answers may be out of date (see query-cache.ts). */
  generation: () => string;
  registry: Registry;
  version: string;
  startedAt: number;
  scrapeIntervalMs: number;
  token: string | null;
  protectMetrics: boolean;
  kube: KubeQueries | null;
  /** The Hubble part of the status, when Hubble is configured. */
  hubble?: (() => HubbleStatus) | null;
  /** What queries read of the Hubble side beside the history (Relay's denying policies). */
  hubbleQueries?: HubbleQueries | null;
  /** The exporter's clock (Unix ms): the time variable lists are read at when the request gives no range. */
  now?: () => number;
  shard: { index: number; count: number } | null;
  /** Ready once this returns null; otherwise the reason it is not. */
  notReadyReason: () => string | null;
  log: { error: (obj: object, msg: string) => void; debug: (obj: object, msg: string) => void };
}

const MAX_BODY = '256kb';
/** An API request's reads from the history end by then, so the answer (an error at worst) beats the 30 s server cut. */
const REQUEST_DEADLINE_MS = 25_000;

/** Aborted when the client goes away or the request's deadline passes. */
function requestSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  // Every request to the history backend listens to it (bounded by the request's queries).
  setMaxListeners(1000, controller.signal);
  const deadline = setTimeout(
    () => controller.abort(new Error(`the API request took longer than ${REQUEST_DEADLINE_MS / 1000}s`)),
    REQUEST_DEADLINE_MS
  );
  deadline.unref();
  res.on('close', () => {
    clearTimeout(deadline);
    if (!res.writableFinished) {
      controller.abort(new Error('the client closed the connection'));
    }
  });
  return controller.signal;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const reason = deps.notReadyReason();
    res
      .status(reason ? 503 : 200)
      .type('text/plain')
      .send(reason ? `not ready: ${reason}\n` : 'ready\n');
  });

  const metricsHandlers = deps.protectMetrics && deps.token ? [requireBearer(deps.token)] : [];
  app.get('/metrics', ...metricsHandlers, async (_req, res, next) => {
    try {
      const body = await deps.registry.metrics();
      res.set('Content-Type', deps.registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  });

  const api = express.Router();
  if (deps.token) {
    api.use(requireBearer(deps.token));
  }
  api.use(express.json({ limit: MAX_BODY, strict: true }));

  const queryCache = new QueryCache();
  api.post('/query', async (req, res) => {
    const request = parseQueryRequest(req.body);
    const interval = deps.history.intervalMs;
    const base = {
      history: deps.history.reader(requestSignal(res)),
      cluster: deps.cluster,
      kube: deps.kube,
      hubble: deps.hubbleQueries ?? null,
    };
    const onError = (err: unknown, query: { refId: string; queryType: string }) =>
      deps.log.error({ err, refId: query.refId, queryType: query.queryType }, 'query failed');
    const body = await queryCache.answer(request, interval, deps.generation(), (queries) =>
      runQueries({ ...request, queries }, base, interval, onError)
    );
    res.type('application/json').send(body);
  });

  api.post('/annotations', async (req, res) => {
    const request = parseAnnotationsRequest(req.body);
    const grid = annotationGrid(request, deps.history.intervalMs);
    const key = `annotations|${request.kind}|${JSON.stringify(request.node ?? null)}|${grid.times[0] ?? ''}|${grid.step}|${grid.times.length}`;
    const body = await queryCache.single(key, deps.generation(), async () => {
      const answer: AnnotationsResponse = {
        annotations: await annotationEvents(deps.history.reader(requestSignal(res)), request, deps.history.intervalMs),
      };
      return JSON.stringify(answer);
    });
    res.type('application/json').send(body);
  });

  api.get('/nodes', async (_req, res) => {
    const body: NodesResponse = { nodes: await deps.cluster.nodes() };
    res.json(body);
  });

  // Namespaces with pods (Kubernetes) and those of workload pairs with drops (the history); ?dropped=true the latter.
  const ends = (req: Request, res: Response, namespaces: Set<string> | null) =>
    droppedEnds(
      deps.history.reader(requestSignal(res)),
      namespaces,
      variableWindow(
        queryParam(req, 'from'),
        queryParam(req, 'to'),
        deps.now?.() ?? Date.now(),
        deps.history.intervalMs
      ),
      deps.history.intervalMs
    );

  // Namespaces with pods (Kubernetes) and those of workload pairs with drops (the history); ?dropped=true the latter.
  api.get('/namespaces', async (req, res) => {
    const droppedOnly = queryFlag(req, 'dropped');
    const kube = droppedOnly ? [] : (deps.kube?.namespaces() ?? []);
    let dropped: string[];
    try {
      dropped = (await ends(req, res, null)).map((w) => w.namespace).filter((n) => n !== '');
    } catch (err) {
      // Kubernetes' namespaces still answer while the history (Prometheus) does not.
      if (!(err instanceof HistoryBackendError) || droppedOnly || !deps.kube) {
        throw err;
      }
      dropped = [];
    }
    const body: NamespacesResponse = { namespaces: [...new Set([...kube, ...dropped])].sort() };
    res.json(body);
  });

  // The workloads (non-empty) at either end of pairs with drops, in the namespaces asked for.
  api.get('/workloads', async (req, res) => {
    const body: WorkloadsResponse = {
      workloads: (await ends(req, res, filterSet(queryParam(req, 'namespace')))).filter((w) => w.workload !== ''),
    };
    res.json(body);
  });

  api.get('/drop-reasons', async (_req, res) => {
    // Labels resolve through the catalogue, so older spellings and bare codes mark their entry as seen.
    const seenEntries = new Set<string>();
    const unknown: string[] = [];
    for (const label of await deps.cluster.dropReasonsSeen()) {
      const entry = lookupDropReason(label);
      if (entry) {
        seenEntries.add(entry.reason);
      } else {
        unknown.push(label);
      }
    }
    const reasons: DropReasonsResponse['reasons'] = DROP_REASONS.map((r) => ({
      ...r,
      seen: seenEntries.has(r.reason),
    }));
    for (const reason of unknown.sort()) {
      reasons.push({
        reason,
        code: null,
        hubbleName: null,
        meaning: 'A drop reason this version of Cilium Scope does not describe yet.',
        commonCauses: 'See the Cilium documentation for this reason string.',
        seen: true,
      });
    }
    res.json({ reasons } satisfies DropReasonsResponse);
  });

  api.get('/unmanaged-pods', (req, res) => {
    const node = filterSet(queryParam(req, 'node'));
    const namespace = filterSet(queryParam(req, 'namespace'));
    const body: UnmanagedPodsResponse = deps.kube
      ? deps.kube.unmanagedPods({ node, namespace })
      : {
          pods: [],
          source: 'none',
          notice: 'Kubernetes is not configured (--kubeconfig or in-cluster): unmanaged pods cannot be listed.',
          countsByNode: [],
          nodesWithoutAgent: [],
          terminating: [],
          syncedAt: null,
          stale: false,
        };
    res.json(body);
  });

  api.get('/status', async (_req, res) => {
    res.json(await status(deps));
  });

  api.use((_req, res) => {
    res.status(404).json({ error: 'no such API route: see the API reference in the README' });
  });

  app.use('/api/v1', api);
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'unknown API version: use /api/v1/' });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found: try /metrics, /healthz, /readyz or /api/v1/' });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      return;
    }
    const e = err as { status?: number; type?: string; message?: string };
    if (err instanceof ValidationError) {
      res.status(400).json({ error: err.message, field: err.field });
    } else if (err instanceof HistoryBackendError) {
      res.status(err.status).json({ error: err.message });
    } else if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'body is not valid JSON', field: 'body' });
    } else if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: `body larger than ${MAX_BODY}`, field: 'body' });
    } else if (e?.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? 'bad request' });
    } else {
      deps.log.error({ err, path: req.path }, 'request failed');
      res.status(500).json({ error: 'internal error: see the exporter log' });
    }
  });
  return app;
}

/** `?name=true` (or `1`, or present without a value); anything else is false. */
function queryFlag(req: Request, name: string): boolean {
  const v = req.query[name];
  return typeof v === 'string' && (v === '' || v === 'true' || v === '1');
}

function queryParam(req: Request, name: string): string | string[] | undefined {
  const v = req.query[name];
  if (typeof v === 'string') {
    return v.split(',');
  }
  return Array.isArray(v) ? v.map(String) : undefined;
}

const NO_SUMMARY: ClusterSummary = {
  nodes: { total: 0, up: 0, down: 0, stale: 0 },
  operator: { configured: false, up: null, error: null },
};

/** Always answers: when the history backend fails, its state says so (the health check shows it) and counts are 0. */
async function status(deps: ApiDeps): Promise<StatusResponse> {
  let summary = NO_SUMMARY;
  try {
    summary = await deps.cluster.summary();
  } catch (err) {
    if (!(err instanceof HistoryBackendError)) {
      throw err;
    }
  }
  const h = deps.history.status();
  return {
    exporterVersion: deps.version,
    startedAt: deps.startedAt,
    scrapeIntervalMs: deps.scrapeIntervalMs,
    nodes: summary.nodes,
    operator: summary.operator,
    kubernetes: deps.kube?.status() ?? {
      enabled: false,
      synced: false,
      lastSyncAgeSeconds: null,
      error: null,
      unmanagedSource: 'none',
    },
    history: h,
    shard: deps.shard,
    ...(deps.hubble ? { hubble: deps.hubble() } : {}),
  };
}
