/**
 * The exporter's HTTP surface (express 5): /metrics, /healthz, /readyz stay open (unless /metrics protection is
 * asked for); /api/v1/* is the JSON API of the contract, behind a bearer token when one is configured. Every
 * error is JSON `{ error, field? }` without a stack trace.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type {
  AnnotationsResponse,
  DropReasonsResponse,
  HubbleStatus,
  NamespacesResponse,
  NodeInfo,
  NodesResponse,
  StatusResponse,
  UnmanagedPodsResponse,
} from '../../src/contract';
import { DROP_REASONS, lookupDropReason } from '../cilium/dropReasons';
import type { HistoryStore } from '../history/store';
import type { ClusterModel } from '../model/cluster';
import { annotationEvents } from './annotations';
import { requireBearer } from './auth';
import { QueryCache } from './query-cache';
import type { AnomalyQueries, KubeQueries } from './query/context';
import { runQueries } from './query';
import { ValidationError, filterSet, parseAnnotationsRequest, parseQueryRequest } from './query/validate';

export interface ApiDeps {
  model: ClusterModel;
  history: HistoryStore;
  registry: Registry;
  version: string;
  startedAt: number;
  scrapeIntervalMs: number;
  token: string | null;
  protectMetrics: boolean;
  kube: KubeQueries | null;
  anomaly: AnomalyQueries | null;
  /** The Hubble part of the status, when Hubble is configured. */
  hubble?: (() => HubbleStatus) | null;
  shard: { index: number; count: number } | null;
  /** Ready once this returns null; otherwise the reason it is not. */
  notReadyReason: () => string | null;
  log: { error: (obj: object, msg: string) => void; debug: (obj: object, msg: string) => void };
}

const MAX_BODY = '256kb';

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
    res.status(reason ? 503 : 200).type('text/plain').send(reason ? `not ready: ${reason}\n` : 'ready\n');
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
  api.post('/query', (req, res) => {
    const request = parseQueryRequest(req.body);
    const context = { model: deps.model, history: deps.history, kube: deps.kube, anomaly: deps.anomaly };
    const body = queryCache.answer(
      request,
      deps.scrapeIntervalMs,
      { generation: String(deps.model.cycleCount()), pointRange: (from, to) => deps.history.pointRange(from, to) },
      (queries) => runQueries({ ...request, queries }, context, deps.scrapeIntervalMs).results
    );
    res.type('application/json').send(body);
  });

  api.post('/annotations', (req, res) => {
    const request = parseAnnotationsRequest(req.body);
    const body: AnnotationsResponse = { annotations: annotationEvents(deps.history, request) };
    res.json(body);
  });

  api.get('/nodes', (_req, res) => {
    const body: NodesResponse = { nodes: nodeInfos(deps) };
    res.json(body);
  });

  api.get('/namespaces', (_req, res) => {
    const body: NamespacesResponse = { namespaces: deps.kube?.namespaces() ?? [] };
    res.json(body);
  });

  api.get('/drop-reasons', (_req, res) => {
    // Labels resolve through the catalogue, so older spellings and bare codes mark their entry as seen.
    const seenEntries = new Set<string>();
    const unknown: string[] = [];
    for (const label of deps.model.dropReasonsSeen()) {
      const entry = lookupDropReason(label);
      if (entry) {
        seenEntries.add(entry.reason);
      } else {
        unknown.push(label);
      }
    }
    const reasons: DropReasonsResponse['reasons'] = DROP_REASONS.map((r) => ({ ...r, seen: seenEntries.has(r.reason) }));
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

  api.get('/status', (_req, res) => res.json(status(deps)));

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

function queryParam(req: Request, name: string): string | string[] | undefined {
  const v = req.query[name];
  if (typeof v === 'string') {
    return v.split(',');
  }
  return Array.isArray(v) ? v.map(String) : undefined;
}

function nodeInfos(deps: ApiDeps): NodeInfo[] {
  const counts = deps.kube?.podCounts() ?? new Map<string, { pods: number; unmanaged: number }>();
  const now = deps.model.now();
  return deps.model.nodes().map((n) => ({
    name: n.name,
    up: n.agent.up,
    stale: deps.model.isStale(n, now),
    ciliumVersion: n.sample?.ciliumVersion ?? null,
    lastScrape: n.agent.lastScrape,
    lastSuccess: n.agent.lastSuccess,
    scrapeDurationMs: n.agent.durationMs,
    error: n.agent.error,
    podEndpoints: deps.model.podEndpoints(n),
    endpoints: n.sample?.endpoints ?? null,
    pods: counts.get(n.name)?.pods ?? null,
    unmanagedPods: counts.get(n.name)?.unmanaged ?? null,
    source: n.agent.target.source,
  }));
}

function status(deps: ApiDeps): StatusResponse {
  const nodes = deps.model.nodes();
  const now = deps.model.now();
  const op = deps.model.operator();
  const h = deps.history.stats();
  return {
    exporterVersion: deps.version,
    startedAt: deps.startedAt,
    scrapeIntervalMs: deps.scrapeIntervalMs,
    nodes: {
      total: nodes.length,
      up: nodes.filter((n) => n.agent.up).length,
      down: nodes.filter((n) => !n.agent.up && n.agent.lastScrape !== null).length,
      stale: nodes.filter((n) => deps.model.isStale(n, now)).length,
    },
    operator: { configured: op !== null, up: op ? (op.target.lastScrape === null ? null : op.target.up) : null, error: op?.target.error ?? null },
    kubernetes: deps.kube?.status() ?? { enabled: false, synced: false, lastSyncAgeSeconds: null, error: null, unmanagedSource: 'none' },
    history: { backend: h.backend, retentionSeconds: h.retentionMs / 1000, series: h.series, bytes: h.bytes },
    shard: deps.shard,
    ...(deps.hubble ? { hubble: deps.hubble() } : {}),
  };
}
