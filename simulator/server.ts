/**
 * One HTTP server for the whole simulated cluster: every agent's page under /agents/<node>/metrics, its Hubble
 * metrics under /hubble/<node>/metrics, the operator's under /operator/metrics, the Kubernetes API under /api, /apis
 * and /version, ground truth under /truth, and control endpoints (ticks, faults, spikes, Kubernetes faults, Hubble
 * pages and the Relay's faults: hubble/control.ts) under /control/. The Hubble Relay serves gRPC on its own port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterOptionsError, SimulatedCluster, type SpikeSpec } from './cluster';
import { FaultBook } from './fault-book';
import { type Fault, FaultError, type FaultSpec } from './faults';
import { HttpError, readJsonBody, requireMethod, requireNumber, requireObject, requireString } from './http/body';
import {
  acceptsGzip,
  corruptGzipBody,
  malformedBody,
  TEXT_FORMAT,
  writeGzip,
  writeJson,
  writeOversized,
  writePlain,
  writeText,
  writeTruncated,
} from './http/responders';
import { KubeApi, type KubeApiOptions, type KubeFaultState, type KubeStats } from './kube/api';
import type { KubeFault } from './kube/faults';
import {
  HUBBLE_OFF,
  type HubbleChange,
  type HubbleHandles,
  hubbleControl,
  hubbleHandles,
  relayControl,
  startRelay,
} from './hubble/control';
import type { SimulatedRelay } from './hubble/relay';
import type { SimContextForm } from './hubble/state';
import { OPERATOR_KEY, PageStore, hubbleKey } from './page-store';
import { clusterTruth, type SimulatorTruth, truthJsonReplacer } from './truth';

export interface SimulatorOptions {
  nodes: number;
  seed?: number;
  /** "1.9" to "1.20", optionally with a patch ("1.16.5"); default 1.18. */
  ciliumVersion?: string;
  /** Approximate agent page size in KiB (default 300). */
  pageKB?: number;
  /**
   * Answer scrapers that accept gzip with a compressed page (default true, as agents do). False serves every page
   * plain: for runs of many small pages, where compressing them is all cost.
   */
  gzip?: boolean;
  /** Simulated seconds per tick (default 5). */
  tickSeconds?: number;
  /** Wall-clock interval between automatic ticks; 0 (default) = manual ticks only. */
  autoTickMs?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  podsPerNode?: number;
  scenario?: string;
  /** Concurrent connections accepted (default 1024); more are refused. */
  maxConnections?: number;
  /** Simulated Unix seconds at tick 0. */
  startTimeSeconds?: number;
  /**
   * The Kubernetes API (pods, nodes, CiliumEndpoints) on the same port: on by default (it costs nothing until it is
   * called); false turns it off, an object sets its token, CRD and limits.
   */
  kube?: boolean | KubeApiOptions;
  /**
   * Simulate Hubble: its metrics pages (/hubble/<node>/metrics) and, with `hubbleRelay`, the Relay. Off by default
   * (attributing every drop to a flow costs the ticks more); on when `hubbleContext` or `hubbleRelay` is given.
   */
  hubble?: boolean;
  /** Context labels of the Hubble metrics pages (/hubble/<node>/metrics): pod, namespace, workload, labels or mixed. */
  hubbleContext?: SimContextForm | 'mixed';
  /** Serve a Hubble Relay (gRPC) on this address; port 0 picks a free one. Off by default. */
  hubbleRelay?: { host?: string; port?: number };
}

export type { HubbleChange };

export interface RunningSimulator extends HubbleHandles {
  url: string;
  nodes: string[];
  agentUrl(node: string): string;
  operatorUrl: string;
  cluster: SimulatedCluster;
  tick(n?: number): void;
  setFault(node: string, fault: Fault): void;
  setOperatorFault(fault: Fault): void;
  spike(s: SpikeSpec): void;
  truth(): SimulatorTruth;
  /** The Kubernetes API's settings; null when it is off. */
  kube: { token: string | null; ciliumEndpointCRD: boolean } | null;
  /** Puts the Kubernetes API into a fault (`none` clears it); throws when the API is off. */
  setKubeFault(fault: KubeFault): KubeFaultState;
  /** Kubernetes API request counts, open watches, resourceVersion and fault. */
  kubeStats(): KubeStats;
  close(): Promise<void>;
}

export const DEFAULT_MAX_CONNECTIONS = 1024;
/** Ticks one control request may ask for. */
const MAX_TICKS_PER_REQUEST = 10_000;

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const cluster = new SimulatedCluster({
    nodes: options.nodes,
    seed: options.seed,
    ciliumVersion: options.ciliumVersion,
    tickSeconds: options.tickSeconds,
    podsPerNode: options.podsPerNode,
    scenario: options.scenario,
    startTimeSeconds: options.startTimeSeconds,
    hubble: options.hubble ?? (options.hubbleContext !== undefined || options.hubbleRelay !== undefined),
    hubbleContext: options.hubbleContext,
  });
  const autoTickMs = options.autoTickMs ?? 0;
  if (!Number.isFinite(autoTickMs) || autoTickMs < 0) {
    throw new ClusterOptionsError(
      `autoTickMs must be 0 (manual) or a positive number of milliseconds, got ${autoTickMs}`
    );
  }
  let pages: PageStore;
  try {
    pages = new PageStore(cluster, options.pageKB);
  } catch (error) {
    throw new ClusterOptionsError((error as Error).message);
  }
  const faults = new FaultBook(cluster);
  const hubbleFaults = new FaultBook(cluster);
  let kube: KubeApi | null = null;
  if (options.kube !== false) {
    try {
      kube = new KubeApi(cluster, options.kube === true || options.kube === undefined ? {} : options.kube);
    } catch (error) {
      throw new ClusterOptionsError((error as Error).message);
    }
  }
  const crd = kube?.ciliumEndpointCRD ?? true;
  const requireKube = (): KubeApi => {
    if (!kube) {
      throw new ClusterOptionsError('the Kubernetes API is off (started with kube: false)');
    }
    return kube;
  };
  let relay: SimulatedRelay | null = null;
  let relayAddress: string | null = null;
  try {
    ({ relay, address: relayAddress } = await startRelay(cluster, options.hubbleRelay));
  } catch (error) {
    kube?.close();
    throw error;
  }
  const simulator = new SimulatorServer(cluster, pages, faults, kube, hubbleFaults, relay, options.gzip ?? true);
  const server = createServer((req, res) => simulator.handle(req, res));
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  // Go's HTTP servers (the agents') keep idle connections open; Node's 5 s default would close them under a scraper
  // that is busy parsing a large page, which then races its next request against the close.
  server.keepAliveTimeout = 120_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await relay?.close();
    kube?.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timer = autoTickMs > 0 ? setInterval(() => cluster.tick(), autoTickMs) : null;
  timer?.unref();
  let closing: Promise<void> | null = null;
  return {
    url,
    nodes: cluster.nodeNames(),
    agentUrl: (node) => `${url}/agents/${encodeURIComponent(node)}/metrics`,
    operatorUrl: `${url}/operator/metrics`,
    cluster,
    tick: (n = 1) => cluster.tick(n),
    setFault: (node, fault) => void faults.setAgent(node, fault),
    setOperatorFault: (fault) => void faults.setOperator(fault),
    ...hubbleHandles(url, cluster, hubbleFaults, relay, relayAddress),
    spike: (s) => cluster.addSpike(s),
    truth: () => clusterTruth(cluster, (node) => faults.agentKind(node), faults.operator().kind, undefined, crd, relay),
    kube: kube ? { token: kube.token, ciliumEndpointCRD: kube.ciliumEndpointCRD } : null,
    setKubeFault: (fault) => requireKube().setFault(fault),
    kubeStats: () => requireKube().stats(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        if (timer) {
          clearInterval(timer);
        }
        simulator.abortPending();
        kube?.close();
        void relay?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

class SimulatorServer {
  private readonly slowTimers = new Set<NodeJS.Timeout>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly pages: PageStore,
    private readonly faults: FaultBook,
    private readonly kube: KubeApi | null,
    private readonly hubbleFaults: FaultBook,
    private readonly relay: SimulatedRelay | null,
    private readonly gzip: boolean
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch((error: unknown) => this.fail(res, error));
  }

  abortPending(): void {
    for (const timer of this.slowTimers) {
      clearTimeout(timer);
    }
    this.slowTimers.clear();
    for (const res of this.hanging) {
      res.destroy();
    }
    this.hanging.clear();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (this.kube && KubeApi.handles(path)) {
      await this.kube.handle(req, res, url);
      return;
    }
    const agent = /^\/agents\/([^/]+)\/metrics$/.exec(path);
    if (agent) {
      requireMethod(method, ['GET', 'HEAD']);
      const node = decodeURIComponent(agent[1]);
      if (!this.cluster.node(node)?.agent) {
        writeJson(res, 404, { error: `no agent on node "${node}"` });
        return;
      }
      await this.serveMetrics(req, res, node, this.faults.agent(node), 'cilium_endpoint_state');
      return;
    }
    const hubble = /^\/hubble\/([^/]+)\/metrics$/.exec(path);
    if (hubble) {
      requireMethod(method, ['GET', 'HEAD']);
      const node = decodeURIComponent(hubble[1]);
      if (!this.cluster.hubble) {
        writeJson(res, 404, { error: HUBBLE_OFF });
        return;
      }
      if (!this.cluster.node(node)?.agent) {
        writeJson(res, 404, { error: `no agent (and so no Hubble) on node "${node}"` });
        return;
      }
      await this.serveMetrics(req, res, hubbleKey(node), this.hubbleFaults.agent(node), 'hubble_drop_total');
      return;
    }
    switch (path) {
      case '/operator/metrics':
        requireMethod(method, ['GET', 'HEAD']);
        await this.serveMetrics(req, res, OPERATOR_KEY, this.faults.operator(), 'cilium_operator_ipam_nodes');
        return;
      case '/truth': {
        requireMethod(method, ['GET']);
        const node = url.searchParams.get('node') ?? undefined;
        if (node !== undefined) {
          this.cluster.requireNode(node);
        }
        const truth = clusterTruth(
          this.cluster,
          (n) => this.faults.agentKind(n),
          this.faults.operator().kind,
          node,
          this.kube?.ciliumEndpointCRD ?? true,
          this.relay
        );
        writeJson(res, 200, truth, truthJsonReplacer);
        return;
      }
      case '/':
        requireMethod(method, ['GET']);
        writeJson(res, 200, this.index(req));
        return;
      case '/healthz':
        writeText(res, 200, 'ok\n');
        return;
      case '/agents':
        requireMethod(method, ['GET']);
        writeJson(res, 200, { nodes: this.cluster.nodeNames() });
        return;
      case '/control/kube':
        writeJson(res, 200, await this.kubeControl(req, method));
        return;
      case '/control/tick':
      case '/control/fault':
      case '/control/spike':
      case '/control/operator':
      case '/control/hubble':
      case '/control/relay':
        requireMethod(method, ['POST']);
        writeJson(res, 200, this.control(path, requireObject(await readJsonBody(req))));
        return;
      default:
        writeJson(res, 404, { error: `no route for ${path}` });
    }
  }

  /** GET: the Kubernetes API's stats; POST { fault, ... }: sets its fault. */
  private async kubeControl(req: IncomingMessage, method: string): Promise<unknown> {
    requireMethod(method, ['GET', 'POST']);
    if (!this.kube) {
      throw new HttpError(404, 'the Kubernetes API is off (started with kube: false or --no-kube)');
    }
    if (method === 'GET') {
      return this.kube.stats();
    }
    const { fault, ...extra } = requireObject(await readJsonBody(req));
    return { fault: this.kube.setFault(fault, extra) };
  }

  private control(path: string, body: Record<string, unknown>): unknown {
    switch (path) {
      case '/control/tick': {
        const n = body.n ?? 1;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_TICKS_PER_REQUEST) {
          throw new HttpError(400, `n must be an integer from 0 to ${MAX_TICKS_PER_REQUEST}`, 'n');
        }
        this.cluster.tick(n);
        return { tick: this.cluster.tickCount, timeSeconds: this.cluster.nowSeconds };
      }
      case '/control/fault': {
        const node = requireString(body, 'node');
        const spec = this.faults.setAgent(node, body.fault, { delayMs: body.delayMs, sizeMB: body.sizeMB });
        return { node, ...spec };
      }
      case '/control/hubble':
        return hubbleControl(this.cluster, this.hubbleFaults, body);
      case '/control/relay':
        return relayControl(this.relay, body);
      case '/control/operator':
        return {
          operator: true,
          ...this.faults.setOperator(body.fault, { delayMs: body.delayMs, sizeMB: body.sizeMB }),
        };
      default: {
        const spike: SpikeSpec = {
          node: requireString(body, 'node'),
          direction: requireString(body, 'direction'),
          reason: requireString(body, 'reason'),
          factor: requireNumber(body, 'factor'),
          ticks: requireNumber(body, 'ticks'),
        };
        this.cluster.addSpike(spike);
        return { spike, tick: this.cluster.tickCount };
      }
    }
  }

  private async serveMetrics(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    fault: Required<FaultSpec>,
    malformedFamily: string
  ): Promise<void> {
    switch (fault.kind) {
      case 'flapping':
        if (this.faults.flapDown(key === OPERATOR_KEY ? '' : key)) {
          req.socket.resetAndDestroy();
          return;
        }
        break;
      case 'down':
        req.socket.resetAndDestroy();
        return;
      case 'http500':
        writeText(res, 500, 'simulated internal server error\n');
        return;
      case 'hang':
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.slowTimers.delete(timer);
          if (!res.destroyed) {
            this.serveHealthy(req, res, key).catch((error: unknown) => this.fail(res, error));
          }
        }, fault.delayMs);
        this.slowTimers.add(timer);
        res.on('close', () => {
          clearTimeout(timer);
          this.slowTimers.delete(timer);
        });
        return;
      }
      case 'malformed': {
        const body = malformedBody(this.pages.page(key), malformedFamily);
        writePlain(req, res, { chunks: [body], length: body.length });
        return;
      }
      case 'truncated':
        writeTruncated(res, this.pages.page(key));
        return;
      case 'oversized':
        await writeOversized(res, this.pages.page(key), Math.round(fault.sizeMB * 1024 * 1024));
        return;
      case 'gzipCorrupt': {
        const body = corruptGzipBody(this.pages.page(key));
        res.writeHead(200, { 'Content-Type': TEXT_FORMAT, 'Content-Encoding': 'gzip', 'Content-Length': body.length });
        res.end(body);
        return;
      }
      case 'none':
      case 'restart':
        break;
    }
    await this.serveHealthy(req, res, key);
  }

  private async serveHealthy(req: IncomingMessage, res: ServerResponse, key: string): Promise<void> {
    if (this.gzip && acceptsGzip(req)) {
      const body = await this.pages.gzipped(key);
      if (!res.destroyed) {
        writeGzip(req, res, body);
      }
      return;
    }
    writePlain(req, res, this.pages.page(key));
  }

  private index(req: IncomingMessage): unknown {
    const base = `http://${req.headers.host ?? 'localhost'}`;
    return {
      name: 'ciliumscope-simulator',
      ciliumVersion: this.cluster.version.full,
      scenario: this.cluster.scenario.name,
      nodes: this.cluster.nodes.length,
      tick: this.cluster.tickCount,
      agentMetrics: `${base}/agents/{node}/metrics`,
      hubbleMetrics: `${base}/hubble/{node}/metrics`,
      hubbleRelay: this.relay ? this.relay.truth().address : null,
      operatorMetrics: `${base}/operator/metrics`,
      truth: `${base}/truth`,
      kubernetes: this.kube
        ? {
            server: base,
            ciliumEndpointCRD: this.kube.ciliumEndpointCRD,
            token: this.kube.token !== null,
            paths: [
              '/api/v1/pods',
              '/api/v1/nodes',
              ...(this.kube.ciliumEndpointCRD ? ['/apis/cilium.io/v2/ciliumendpoints'] : []),
            ],
          }
        : null,
      control: ['tick', 'fault', 'spike', 'operator', 'kube', 'hubble', 'relay'].map(
        (c) => `POST ${base}/control/${c}`
      ),
    };
  }

  private fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      writeJson(res, error.status, { error: error.message, ...(error.field ? { field: error.field } : {}) });
    } else if (error instanceof FaultError) {
      writeJson(res, 400, { error: error.message, field: error.field });
    } else if (error instanceof ClusterOptionsError) {
      writeJson(res, 400, { error: error.message });
    } else {
      writeJson(res, 500, { error: `internal error: ${(error as Error)?.message ?? String(error)}` });
    }
  }
}
