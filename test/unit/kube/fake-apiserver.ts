/**
 * A minimal Kubernetes API server for the watcher's unit tests: one pod collection with paged lists, watches that
 * stream events from a resourceVersion, and switches for the failures the watcher must survive. The simulator's
 * API server is the full one (integration tests); this one gives exact control over single behaviours.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { type TestServer, startServer } from '../../support/http';

export interface FakePod {
  namespace: string;
  name: string;
  node?: string;
  phase?: string;
}

type Mode = 'ok' | 'fail500' | 'notFound' | 'hang';
type WatchMode = 'stream' | 'closeAtOnce' | 'hang' | 'gone410';

interface Event {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Record<string, unknown>;
}

export class FakeApiServer {
  listMode: Mode = 'ok';
  watchMode: WatchMode = 'stream';
  /** Oldest resourceVersion a watch may start from; older ones get a 410 ERROR event. */
  compactedBefore = 0;
  readonly requests: string[] = [];
  private readonly pods = new Map<string, Record<string, unknown>>();
  private readonly events: Event[] = [];
  private readonly watches = new Set<{ res: ServerResponse; from: number }>();
  private rv = 100;
  private server!: TestServer;

  static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer();
    fake.server = await startServer((req, res) => fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  kubeConfig(token = 'secret-token'): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    return kc;
  }

  upsert(p: FakePod): void {
    const key = `${p.namespace}/${p.name}`;
    const type = this.pods.has(key) ? 'MODIFIED' : 'ADDED';
    this.rv++;
    const object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: p.namespace, name: p.name, resourceVersion: String(this.rv) },
      spec: { nodeName: p.node ?? 'n1' },
      status: { phase: p.phase ?? 'Running' },
    };
    this.pods.set(key, object);
    this.emit({ rv: this.rv, type, object });
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const object = this.pods.get(key);
    if (!object) {
      return;
    }
    this.pods.delete(key);
    this.rv++;
    this.emit({
      rv: this.rv,
      type: 'DELETED',
      object: { ...object, metadata: { namespace, name, resourceVersion: String(this.rv) } },
    });
  }

  /** Forgets history up to now (a watch must start at the current resourceVersion) and sends 410 Gone to open watches. */
  expireWatches(): void {
    this.compactedBefore = this.rv;
    for (const w of this.watches) {
      w.res.write(
        JSON.stringify({
          type: 'ERROR',
          object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 },
        }) + '\n'
      );
    }
  }

  /** Cuts open watches without a clean end. */
  dropWatches(): void {
    for (const w of this.watches) {
      w.res.socket?.destroy();
    }
    this.watches.clear();
  }

  openWatches(): number {
    return this.watches.size;
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private emit(e: Event): void {
    this.events.push(e);
    for (const w of this.watches) {
      w.res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const watch = url.searchParams.get('watch') === 'true';
    this.requests.push(`${watch ? 'WATCH' : 'LIST'} ${url.pathname}?${url.searchParams}`);
    if (req.headers.authorization !== 'Bearer secret-token') {
      return this.status(res, 401, 'Unauthorized');
    }
    if (url.pathname !== '/api/v1/pods') {
      return this.status(res, 404, 'NotFound');
    }
    return watch ? this.watch(url, res) : this.list(url, res);
  }

  private status(res: ServerResponse, code: number, reason: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: `${reason} (fake)` })
    );
  }

  private list(url: URL, res: ServerResponse): void {
    if (this.listMode === 'hang') {
      return;
    }
    if (this.listMode !== 'ok') {
      return this.listMode === 'notFound' ? this.status(res, 404, 'NotFound') : this.status(res, 500, 'InternalError');
    }
    const all = [...this.pods.values()];
    const limit = Number(url.searchParams.get('limit') ?? all.length) || all.length;
    const start = Number(url.searchParams.get('continue') ?? 0);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), continue: next },
        items: page,
      })
    );
  }

  private watch(url: URL, res: ServerResponse): void {
    if (this.watchMode === 'hang') {
      return;
    }
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    if (this.watchMode === 'gone410') {
      return this.status(res, 410, 'Expired');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (this.watchMode === 'closeAtOnce') {
      res.end();
      return;
    }
    if (from < this.compactedBefore) {
      res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }) + '\n');
      return;
    }
    const entry = { res, from };
    this.watches.add(entry);
    res.on('close', () => this.watches.delete(entry));
    for (const e of this.events) {
      if (e.rv > from) {
        res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
      }
    }
  }
}
