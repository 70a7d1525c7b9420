/**
 * Wires the exporter together: targets → scrape scheduler → cluster model → history and /metrics → HTTP.
 * `startExporter` is what the CLI runs and what tests and benchmarks start in-process.
 */
import type { AddressInfo } from 'node:net';
import { type Server, createServer } from 'node:http';
import { type AnomalyDetection, createAnomalyDetection } from './anomaly/attach';
import { defaultAnomalyConfig } from './anomaly/params';
import { agentPageConsumer, operatorPageConsumer } from './cilium/consumers';
import type { ExporterConfig } from './config/config';
import { RingHistory } from './history/store';
import { createRegistry } from './http/exposition';
import { createApp } from './http/server';
import { type HubbleRuntime, startHubble } from './hubble';
import { type Logger, silentLogger } from './log';
import { ClusterModel, type ScrapedSample } from './model/cluster';
import type { KubeRuntime } from './kube';
import { HistoryRecorder } from './model/series';
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
  history: RingHistory;
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
  const model = new ClusterModel({ staleAfterMs: config.staleAfterMs, nonPodEndpoints: config.nonPodEndpoints, now: options.now });
  const history = new RingHistory({
    retentionMs: config.history.retentionMs,
    intervalMs: config.scrapeIntervalMs,
    maxBytes: config.history.maxBytes,
  });
  const recorder = new HistoryRecorder(history);
  const anomaly = createAnomalyDetection(config.anomaly ?? defaultAnomalyConfig(), log);
  await anomaly.load(model.now());
  // Kubernetes starts below; Hubble reads its pod owners through this, once there.
  let podOwners: KubeRuntime['podOwners'] | null = null;
  // Registered before the recorder, so a cycle's relay flows are settled before the history point is written.
  const hubble = config.hubble ? startHubble(config.hubble, { model, staleAfterMs: config.staleAfterMs, log, lookup: () => podOwners }) : null;
  model.onCycle((m, stats) => anomaly.onCycle(m, stats.startedAt));
  recorder.addContributor((w, m, cycleStart) => anomaly.contribute(w, m, cycleStart));
  model.onCycle((m, stats) => recorder.record(m, stats.startedAt));
  model.onCycle((_m, stats) => {
    log.debug({ ...stats }, 'scrape cycle done');
    if (stats.durationMs > config.scrapeIntervalMs) {
      log.warn({ durationMs: stats.durationMs, intervalMs: config.scrapeIntervalMs }, 'scrape cycle took longer than the interval');
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
      outcome = mapOutcome(await client.scrape(target.url, agentPageConsumer), (sample) => ({ component: 'agent', sample }));
    } else if (target.component === 'hubble' && hubble) {
      outcome = mapOutcome(await client.scrape(target.url, hubble.pageConsumer()), (sample) => ({ component: 'hubble', sample }));
    } else {
      outcome = mapOutcome(await client.scrape(target.url, operatorPageConsumer), (sample) => ({ component: 'operator', sample }));
    }
    logTransition(log, lastErrors, target, outcome);
    return outcome;
  };

  const baseSource = options.targetSource ?? new StaticTargetSource(config.agents, config.operator, config.hubble?.targets ?? []);
  const hubblePods = config.hubble?.discoverPort ? { port: config.hubble.discoverPort, urlTemplate: config.hubble.urlTemplate } : null;
  const kube = config.kube
    ? loadKubernetes().startKubernetes(config.kube, { model, baseSource, shard: config.shard, staleAfterMs: config.staleAfterMs, log, hubble: hubblePods })
    : null;
  if (kube) {
    recorder.addContributor(kube.contributor);
    podOwners = kube.podOwners;
  }
  if (hubble) {
    recorder.addContributor(hubble.contributor);
  }
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

  const registry = createRegistry({ model, history, version: VERSION, extraFamilies: [...anomaly.families(model), ...(kube?.families ?? []), ...(hubble?.families ?? [])] });
  const app = createApp({
    model,
    history,
    registry,
    version: VERSION,
    startedAt,
    scrapeIntervalMs: config.scrapeIntervalMs,
    token: config.token,
    protectMetrics: config.protectMetrics,
    kube: kube?.queries ?? null,
    anomaly: anomaly.queries(model),
    hubble: hubble ? () => hubble.status() : null,
    shard: config.shard,
    notReadyReason: () => (model.cycleCount() === 0 ? 'no scrape cycle has completed yet' : (kube?.notReadyReason() ?? null)),
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
  log.info({ url, agents: config.agents.length, operator: config.operator?.url ?? null, intervalMs: config.scrapeIntervalMs }, 'exporter listening');

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
      await kube?.close();
      await anomaly.close(model.now());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.close();
    },
  };
}

const KUBE_FIRST_SYNC_WAIT_MS = 10_000;

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
function logTransition(log: Logger, lastErrors: Map<string, string>, target: ScrapeTarget, outcome: ScrapeOutcome<unknown>): void {
  const previous = lastErrors.get(target.id);
  if (!outcome.ok && previous !== outcome.error) {
    lastErrors.set(target.id, outcome.error);
    log.warn({ node: target.node, component: target.component, url: target.url, error: outcome.error }, 'scrape failed');
  } else if (outcome.ok && previous !== undefined) {
    lastErrors.delete(target.id);
    log.info({ node: target.node, component: target.component }, 'scrape recovered');
  }
}
