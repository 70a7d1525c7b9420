/**
 * The simulated Kubernetes API: Pods, Nodes and (unless disabled) CiliumEndpoints, with list, get and watch as the
 * API server answers them (resourceVersions, selectors, pagination, bookmarks, 410 Expired), discovery documents,
 * an optional bearer token, and faults on demand. Served by the simulator's own HTTP server. What a request asks
 * for is read in request.ts, LIST pages are made in list.ts, watches run in watch.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatedCluster } from '../cluster';
import { type KubeFault, type KubeFaultSpec, normaliseKubeFault } from './faults';
import { selectPage, writeList } from './list';
import type { KubeResource } from './objects';
import {
  booleanParam,
  integerParam,
  matcher,
  routeOf,
  type Selection,
  selectionOf,
  type Target,
  verbOf,
} from './request';
import { expired, KubeError, kubeError } from './status';
import { KubeStore, type ResourceStore } from './store';
import { WatchStream } from './watch';

export interface KubeApiOptions {
  /** Bearer token every request must carry; none by default. */
  token?: string;
  /** Serve CiliumEndpoints (default true); false answers their paths 404, as with Cilium's disable-endpoint-crd. */
  ciliumEndpointCRD?: boolean;
  /** Events kept per resource for watches to replay (default 10,000); older resourceVersions get 410 Expired. */
  eventLogSize?: number;
  /** Least time between two bookmarks on a watch that asked for them (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Longest a watch lasts without timeoutSeconds (default 1800 s, the API server's minimum request timeout). */
  maxWatchSeconds?: number;
}

export interface KubeFaultState extends Required<KubeFaultSpec> {
  /** LIST or WATCH requests still to be answered HTTP 410 (from `gone` with http410). */
  pendingHttp410: number;
}

export interface KubeStats {
  /** Requests by verb and resource: "list pods", "watch ciliumendpoints", "get nodes", "discovery", "version". */
  requests: Record<string, number>;
  /** Answers by HTTP status ("200", "401", "410"...); watches count when they start. */
  responses: Record<string, number>;
  /** Open watches per resource. */
  watches: Record<string, number>;
  /** Watch events written (ADDED, MODIFIED, DELETED; not bookmarks or errors). */
  eventsSent: number;
  resourceVersion: number;
  fault: KubeFaultState;
}

const DEFAULT_BOOKMARK_INTERVAL_MS = 1000;
const DEFAULT_MAX_WATCH_SECONDS = 1800;
const MAX_TIMEOUT_SECONDS = 86_400;
const NO_FAULT = normaliseKubeFault('none');

export class KubeApi {
  readonly store: KubeStore;
  readonly ciliumEndpointCRD: boolean;
  readonly token: string | null;
  private readonly bookmarkIntervalMs: number;
  private readonly maxWatchSeconds: number;
  private faultSpec: Required<KubeFaultSpec> = NO_FAULT;
  private pendingHttp410 = 0;
  private readonly watches = new Map<WatchStream, KubeResource>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests: Record<string, number> = {};
  private readonly responses: Record<string, number> = {};
  private eventsSent = 0;

  constructor(cluster: SimulatedCluster, options: KubeApiOptions = {}) {
    this.ciliumEndpointCRD = options.ciliumEndpointCRD ?? true;
    if (
      options.token !== undefined &&
      (typeof options.token !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(options.token))
    ) {
      throw new RangeError('kube token must be 1 to 4096 printable characters without spaces');
    }
    this.token = options.token ?? null;
    this.bookmarkIntervalMs = checkRange(
      options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS,
      'bookmarkIntervalMs',
      0,
      3_600_000
    );
    this.maxWatchSeconds = checkRange(
      options.maxWatchSeconds ?? DEFAULT_MAX_WATCH_SECONDS,
      'maxWatchSeconds',
      1,
      MAX_TIMEOUT_SECONDS
    );
    this.store = new KubeStore(cluster, {
      ciliumEndpointCRD: this.ciliumEndpointCRD,
      eventLogSize: options.eventLogSize,
    });
  }

  /** Whether a path belongs to the Kubernetes API. */
  static handles(path: string): boolean {
    return (
      path === '/version' ||
      path === '/api' ||
      path === '/apis' ||
      path.startsWith('/api/') ||
      path.startsWith('/apis/')
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const route = routeOf(path, this.store, this.ciliumEndpointCRD);
    const verb = route.target ? verbOf(route.target, url) : route.discovery ? 'discovery' : 'unknown';
    this.count(this.requests, route.target ? `${verb} ${route.target.resource.type.api.name}` : verb);
    try {
      this.authorise(req);
      if (req.method !== 'GET') {
        throw kubeError('MethodNotAllowed', 'the server does not allow this method on the requested resource');
      }
      const fault = this.faultSpec;
      if (fault.kind === 'down') {
        if (fault.reset) {
          this.count(this.responses, 'reset');
          req.socket.resetAndDestroy();
          return;
        }
        throw kubeError('ServiceUnavailable', 'the simulated API server is down');
      }
      if (fault.kind === 'slow' && fault.delayMs > 0) {
        await this.sleep(fault.delayMs, res);
        if (res.destroyed) {
          return;
        }
      }
      if (route.target) {
        await this.serveResource(res, url, route.target, verb);
        return;
      }
      if (route.discovery) {
        this.sendJson(res, 200, route.discovery(req));
        return;
      }
      throw kubeError('NotFound', 'the server could not find the requested resource');
    } catch (error) {
      if (error instanceof KubeError) {
        this.sendJson(res, error.status.code, error.status);
        return;
      }
      throw error;
    }
  }

  setFault(fault: KubeFault | unknown, extra?: Record<string, unknown>): KubeFaultState {
    const spec = normaliseKubeFault(fault, extra);
    this.faultSpec = spec;
    switch (spec.kind) {
      case 'none':
        this.pendingHttp410 = 0;
        break;
      case 'down':
        this.dropWatches(true);
        break;
      case 'watchDrop':
        this.dropWatches(spec.abrupt);
        break;
      case 'gone': {
        this.store.compact();
        this.pendingHttp410 += spec.http410;
        const status = expired(`too old resource version: compacted at ${this.store.resourceVersion}`);
        for (const stream of [...this.watches.keys()]) {
          stream.fail(status);
        }
        break;
      }
      case 'slow':
        break;
    }
    return this.fault();
  }

  fault(): KubeFaultState {
    return { ...this.faultSpec, pendingHttp410: this.pendingHttp410 };
  }

  stats(): KubeStats {
    const watches: Record<string, number> = {};
    for (const resource of this.watches.values()) {
      watches[resource] = (watches[resource] ?? 0) + 1;
    }
    return {
      requests: { ...this.requests },
      responses: { ...this.responses },
      watches,
      eventsSent: this.eventsSent,
      resourceVersion: this.store.resourceVersion,
      fault: this.fault(),
    };
  }

  /** Ends every watch and pending delay (the simulator is closing). */
  close(): void {
    this.dropWatches(true);
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    this.store.close();
  }

  private authorise(req: IncomingMessage): void {
    if (this.token === null) {
      return;
    }
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
    const wanted = Buffer.from(this.token);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw kubeError('Unauthorized', 'Unauthorized');
    }
  }

  private async serveResource(res: ServerResponse, url: URL, target: Target, verb: string): Promise<void> {
    const { resource } = target;
    const params = url.searchParams;
    const selection = selectionOf(target, params);
    if (verb === 'get') {
      this.store.sync();
      const key = resource.type.api.namespaced ? `${target.namespace}/${target.name}` : (target.name as string);
      const record = resource.get(key);
      if (!record) {
        throw kubeError('NotFound', `${resource.type.api.name} "${target.name}" not found`, {
          name: target.name ?? undefined,
          kind: resource.type.api.name,
        });
      }
      this.sendText(res, 200, resource.type.toJson(record));
      return;
    }
    if (this.pendingHttp410 > 0) {
      this.pendingHttp410--;
      throw new KubeError(
        expired(`too old resource version: ${params.get('resourceVersion') ?? ''} (${this.store.resourceVersion})`)
      );
    }
    if (verb === 'watch') {
      this.watch(res, resource, params, selection);
      return;
    }
    await this.list(res, resource, params, selection);
  }

  private async list(
    res: ServerResponse,
    resource: ResourceStore,
    params: URLSearchParams,
    selection: Selection
  ): Promise<void> {
    this.store.sync();
    const page = selectPage(this.store, resource, params, selection);
    this.count(this.responses, '200');
    await writeList(res, resource.type, page);
  }

  private watch(res: ServerResponse, resource: ResourceStore, params: URLSearchParams, selection: Selection): void {
    const rvParam = params.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d{1,15}$/.test(rvParam)) {
      throw kubeError('BadRequest', `resourceVersion: Invalid value: "${rvParam}": must be a resource version`);
    }
    const timeoutSeconds = integerParam(params, 'timeoutSeconds', 0, MAX_TIMEOUT_SECONDS);
    const bookmarks = booleanParam(params, 'allowWatchBookmarks');
    const sendInitial = params.get('sendInitialEvents');
    const fromCurrent = rvParam === '' || rvParam === '0';
    const initial = sendInitial === 'true' || (sendInitial === null && fromCurrent);
    let start: ReturnType<KubeStore['watchFrom']> = { events: [] };
    if (!fromCurrent && !initial) {
      start = this.store.watchFrom(resource, Number(rvParam));
    } else {
      this.store.sync();
    }
    this.count(this.responses, '200');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    if ('expired' in start) {
      // The API server answers a watch from a compacted resourceVersion with 200 and a single ERROR event.
      res.end(JSON.stringify({ type: 'ERROR', object: expired(start.expired) }) + '\n');
      return;
    }
    const fault = this.faultSpec;
    const stream = new WatchStream({
      res,
      resource,
      match: matcher(selection, resource.type),
      initial: initial ? resource.records() : null,
      replay: start.events,
      resourceVersion: () => this.store.resourceVersion,
      bookmarks,
      initialEventsEnd: sendInitial === 'true',
      bookmarkIntervalMs: this.bookmarkIntervalMs,
      timeoutMs: (timeoutSeconds > 0 ? timeoutSeconds : this.maxWatchSeconds) * 1000,
      afterEvents: fault.kind === 'watchDrop' ? fault.afterEvents : 0,
      onClose: (s) => this.watches.delete(s),
      onEvents: (n) => (this.eventsSent += n),
    });
    if (!stream.isClosed) {
      this.watches.set(stream, resource.type.api.name);
    }
  }

  private dropWatches(abrupt: boolean): void {
    for (const stream of [...this.watches.keys()]) {
      stream.drop(abrupt);
    }
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    this.sendText(res, status, JSON.stringify(body));
  }

  private sendText(res: ServerResponse, status: number, text: string): void {
    this.count(this.responses, String(status));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private sleep(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      res.once('close', done);
    });
  }

  private count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }
}

function checkRange(value: number, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`kube ${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
