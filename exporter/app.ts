/**
 * Wires the exporter together: targets → scrape scheduler → cluster model → history and /metrics → HTTP.
 * `startExporter` is what the CLI runs and what tests and benchmarks start in-process; a query replica is the same
 * call with `history.backend: 'prometheus'`, `prometheus` settings and no targets (see `loadConfig` for the flags).
 */
import type { AddressInfo } from 'node:net';
import { type Server, createServer } from 'node:http';
import { type AnomalyDetection, createAnomalyDetection } from './anomaly/attach';
import { defaultAnomalyConfig } from './anomaly/params';
import { agentPageConsumer, operatorPageConsumer } from './cilium/consumers';
import { type ExporterConfig, loadConfig } from './config/config';
import type { HistoryBackend } from './history/backend';
import { EmbeddedBackend } from './history/embedded';
import { PrometheusBackend } from './history/prometheus/backend';
import { PrometheusClient } from './history/prometheus/client';
import type { PrometheusSettings } from './history/prometheus/settings';
import { RingHistory } from './history/ring';
import { createApp } from './http/server';
import { type HubbleRuntime, startHubble } from './hubble';
import { type Logger, silentLogger } from './log';
import { createRegistry } from './metrics';
import { ClusterModel, type ScrapedSample } from './model/cluster';
import type { KubeRuntime } from './kube';
import { PrometheusClusterView } from './model/prometheus-view';
import { HistoryRecorder } from './model/series';
import { type ClusterView, LocalClusterView } from './model/view';
import { ScrapeClient, type ScrapeOutcome, mapOutcome } from './scrape/client';
import { type CycleStats, ScrapeScheduler } from './scrape/scheduler';
import { shardFilter } from './scrape/shard';
import { StaticTargetSource, type ScrapeTarget, type TargetSource } from './scrape/targets';
import { VERSION } from './version';

export interface StartOptions {
  logger?: Logger;
  /** Run the scrape loop on its own (default). Tests turn it off and call scrapeNow(). */
  autoScrape?: boolean;
  /** Replaces the configured target source (tests, Kubernetes discovery). */
  targetSource?: TargetSource;
  now?: () => number;
}

export interface RunningExporter {
  url: string;
  port: number;
  config: ExporterConfig;
  model: ClusterModel;
  /** The embedded history; null with the Prometheus backend, which keeps none. */
  history: RingHistory | null;
  /** What the API reads history from. */
  backend: HistoryBackend;
  /** Serves the API from Prometheus without scraping anything itself. */
  replica: boolean;
  /** The cluster the API describes (the node list, the agent table). */
  cluster: ClusterView;
  anomaly: AnomalyDetection;
  /** The Kubernetes side (join, discovery), when configured. */
  kube: KubeRuntime | null;
  /** Hubble metrics and Relay (drops by workload), when configured. */
  hubble: HubbleRuntime | null;
  scrapeNow(): Promise<CycleStats>;
  close(): Promise<void>;
}

export async function startExporter(config: ExporterConfig, options: StartOptions = {}): Promise<RunningExporter> {
  const log = options.logger ?? silentLogger;
  const startedAt = Date.now();
  const model = new ClusterModel({
    staleAfterMs: config.staleAfterMs,
    nonPodEndpoints: config.nonPodEndpoints,
    now: options.now,
  });
  const prometheus = config.history.backend === 'prometheus' ? config.prometheus : null;
  if (config.history.backend === 'prometheus' && !prometheus) {
    throw new Error('--history-backend prometheus needs --prometheus-url');
  }
  const history = prometheus
    ? null
    : new RingHistory({
        retentionMs: config.history.retentionMs,
        intervalMs: config.scrapeIntervalMs,
        maxBytes: config.history.maxBytes,
      });
  const backend = historyBackend(history, prometheus ?? null, config.scrapeIntervalMs);
  const recorder = history ? new HistoryRecorder(history) : null;
  const anomaly = createAnomalyDetection(config.anomaly ?? defaultAnomalyConfig(), log);
  await anomaly.load(model.now());
  // Kubernetes starts below; Hubble reads its pod owners through this, once there.
  let podOwners: KubeRuntime['podOwners'] | null = null;
  // Registered before the recorder, so a cycle's relay flows are settled before the history point is written.
  const hubble = config.hubble
    ? startHubble(config.hubble, { model, staleAfterMs: config.staleAfterMs, log, lookup: () => podOwners })
    : null;
  model.onCycle((m, stats) => anomaly.onCycle(m, stats.startedAt));
  recorder?.addContributor((w, m, cycleStart) => anomaly.contribute(w, m, cycleStart));
  model.onCycle((m, stats) => recorder?.record(m, stats.startedAt));
  model.onCycle((_m, stats) => {
    log.debug({ ...stats }, 'scrape cycle done');
    if (stats.durationMs > config.scrapeIntervalMs) {
      log.warn(
        { durationMs: stats.durationMs, intervalMs: config.scrapeIntervalMs },
        'scrape cycle took longer than the interval'
      );
    }
  });

  const client = new ScrapeClient({
    timeoutMs: config.scrapeTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    userAgent: `ciliumscope-exporter/${VERSION}`,
    tls: {
      ca: config.tls.ca ?? undefined,
      cert: config.tls.cert ?? undefined,
      key: config.tls.key ?? undefined,
      insecureSkipVerify: config.tls.insecureSkipVerify,
    },
  });
  const lastErrors = new Map<string, string>();
  const scrape = async (target: ScrapeTarget): Promise<ScrapeOutcome<ScrapedSample>> => {
    let outcome: ScrapeOutcome<ScrapedSample>;
    if (target.component === 'agent') {
      outcome = mapOutcome(await client.scrape(target.url, agentPageConsumer), (sample) => ({
        component: 'agent',
        sample,
      }));
    } else if (target.component === 'hubble' && hubble) {
      outcome = mapOutcome(await client.scrape(target.url, hubble.pageConsumer()), (sample) => ({
        component: 'hubble',
        sample,
      }));
    } else {
      outcome = mapOutcome(await client.scrape(target.url, operatorPageConsumer), (sample) => ({
        component: 'operator',
        sample,
      }));
    }
    logTransition(log, lastErrors, target, outcome);
    return outcome;
  };

  const baseSource =
    options.targetSource ?? new StaticTargetSource(config.agents, config.operator, config.hubble?.targets ?? []);
  // A query replica scrapes nothing: it answers for the nodes every shard writes to Prometheus.
  const replica =
    backend instanceof PrometheusBackend &&
    !options.targetSource &&
    !config.agents.length &&
    !config.operator &&
    !config.kube?.discover;
  const promView = backend instanceof PrometheusBackend ? new PrometheusClusterView(backend, options.now) : null;
  const hubblePods = config.hubble?.discoverPort
    ? { port: config.hubble.discoverPort, urlTemplate: config.hubble.urlTemplate }
    : null;
  const kube = config.kube
    ? loadKubernetes().startKubernetes(config.kube, {
        model,
        baseSource,
        shard: config.shard,
        staleAfterMs: config.staleAfterMs,
        log,
        agents: replica ? promView!.directory() : undefined,
        hubble: hubblePods,
      })
    : null;
  if (kube) {
    recorder?.addContributor(kube.contributor);
    podOwners = kube.podOwners;
    if (replica) {
      promView!.refreshEvery(backend.intervalMs);
    }
  }
  if (hubble) {
    recorder?.addContributor(hubble.contributor);
  }
  const cluster: ClusterView = promView ?? new LocalClusterView(model, () => kube?.queries.podCounts() ?? new Map());
  const source = kube?.targetSource ?? baseSource;
  const scheduler = new ScrapeScheduler<ScrapedSample>({
    source,
    scrape,
    sink: model,
    intervalMs: config.scrapeIntervalMs,
    maxConcurrency: config.maxConcurrency,
    filter: config.shard ? shardFilter(config.shard) : undefined,
    now: options.now,
    onError: (err) => log.error({ err }, 'scrape cycle failed'),
  });

  const registry = createRegistry({
    model,
    history,
    version: VERSION,
    anomaly: anomaly.metrics(model),
    kube: kube?.metrics ?? null,
    hubble: hubble?.metrics ?? null,
    prometheus: backend instanceof PrometheusBackend ? backend.client : null,
    timestamps: config.metricsTimestamps ?? true,
  });
  const app = createApp({
    history: backend,
    cluster,
    // Cached answers stay while the history cannot change them (see query-cache.ts).
    generation: history ? () => String(model.cycleCount()) : () => String(Math.floor(Date.now() / backend.intervalMs)),
    registry,
    version: VERSION,
    startedAt,
    scrapeIntervalMs: config.scrapeIntervalMs,
    token: config.token,
    protectMetrics: config.protectMetrics,
    kube: kube?.queries ?? null,
    hubble: hubble ? () => hubble.status() : null,
    hubbleQueries: hubble?.queries ?? null,
    now: model.now,
    shard: config.shard,
    notReadyReason: () =>
      model.cycleCount() === 0 ? 'no scrape cycle has completed yet' : (kube?.notReadyReason() ?? null),
    log,
  });
  // Node enforces the header and request timeouts when it checks its connections: every second, not every 30 s
  // (the default), so a client trickling its headers (slowloris) is cut soon after headersTimeout.
  const server = createServer({ connectionsCheckingInterval: 1000 }, app);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  try {
    await listen(server, config.listen.host, config.listen.port);
  } catch (err) {
    await kube?.close();
    hubble?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? '127.0.0.1' : config.listen.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.info(
    {
      url,
      agents: config.agents.length,
      operator: config.operator?.url ?? null,
      intervalMs: config.scrapeIntervalMs,
      history: backend.kind,
      replica,
    },
    replica ? `query replica listening, reading history from ${prometheus!.url}` : 'exporter listening'
  );

  let closed = false;
  if (options.autoScrape !== false && kube) {
    // The first cycle waits (briefly) for discovery, so it does not run without the discovered agents.
    void kube.whenSynced(KUBE_FIRST_SYNC_WAIT_MS).then(() => !closed && scheduler.start());
  } else if (options.autoScrape !== false) {
    scheduler.start();
  }

  return {
    url,
    port,
    config,
    model,
    history,
    backend,
    replica,
    cluster,
    anomaly,
    kube,
    hubble,
    scrapeNow: () => scheduler.runCycle(),
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await scheduler.stop();
      hubble?.close();
      promView?.close();
      await kube?.close();
      await anomaly.close(model.now());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
      await backend.close();
    },
  };
}

const KUBE_FIRST_SYNC_WAIT_MS = 10_000;

/**
 * The configuration of a query replica reading `prometheusUrl`, plus any flags as the CLI takes them (e.g.
 * `['--listen', '127.0.0.1:0', '--scrape-interval', '30s']`): `startExporter(queryReplicaConfig(url))` runs one in-process.
 */
export function queryReplicaConfig(prometheusUrl: string, flags: string[] = []): ExporterConfig {
  const loaded = loadConfig({
    argv: ['--history-backend', 'prometheus', '--prometheus-url', prometheusUrl, ...flags],
    env: {},
  });
  if (loaded.kind !== 'config') {
    throw new Error('queryReplicaConfig: --help and --version are not configurations');
  }
  return loaded.config;
}

/**
 * The history the API reads: the rings, or Prometheus, whose samples are the exporters' scrape interval or its own
 * scrape interval apart, whichever is longer (with timestamped samples, scraping more often adds nothing).
 */
function historyBackend(
  ring: RingHistory | null,
  prometheus: PrometheusSettings | null,
  scrapeIntervalMs: number
): HistoryBackend {
  if (ring || !prometheus) {
    return new EmbeddedBackend(ring!, scrapeIntervalMs);
  }
  const client = new PrometheusClient(prometheus, `ciliumscope-exporter/${VERSION}`);
  return new PrometheusBackend(
    client,
    Math.max(scrapeIntervalMs, prometheus.scrapeIntervalMs),
    prometheus.maxConcurrency
  );
}

/** Loaded only when Kubernetes is configured: the client library takes a second or two and ~35 MB to load. */
function loadKubernetes(): typeof import('./kube') {
  return require('./kube');
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `cannot listen on ${host}:${port}: the address is in use (--listen)`
            : `cannot listen on ${host}:${port}: ${err.code ?? err.message} (--listen)`
        )
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Logs a target going down or coming back once, not at every failed scrape. */
function logTransition(
  log: Logger,
  lastErrors: Map<string, string>,
  target: ScrapeTarget,
  outcome: ScrapeOutcome<unknown>
): void {
  const previous = lastErrors.get(target.id);
  if (!outcome.ok && previous !== outcome.error) {
    lastErrors.set(target.id, outcome.error);
    log.warn(
      { node: target.node, component: target.component, url: target.url, error: outcome.error },
      'scrape failed'
    );
  } else if (outcome.ok && previous !== undefined) {
    lastErrors.delete(target.id);
    log.info({ node: target.node, component: target.component }, 'scrape recovered');
  }
}
