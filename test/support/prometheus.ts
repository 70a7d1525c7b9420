/**
 * A real Prometheus (Debian's /usr/bin/prometheus) for integration tests: loopback port, temporary data
 * directory, a generated configuration; queried through its HTTP API. `pause()` ends the process and keeps its
 * data, `resume()` starts it again on the same port and data; `stop()` ends it and removes the directory. With
 * `dataDir` it serves an existing TSDB instead (a backfill, bench/history/backfill.ts), which it keeps on stop, with
 * a retention long enough to keep the old blocks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusOptions {
  /** host:port targets of one scrape job. */
  targets: string[];
  job?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Rule files (absolute paths) to load. */
  ruleFiles?: string[];
  /** How long to wait for /-/ready. */
  readyTimeoutMs?: number;
  /** Scrape timeout (default 1s, at most the interval). */
  scrapeTimeout?: string;
  /** An existing TSDB directory to serve (kept on stop); default a new empty one, removed on stop. */
  dataDir?: string;
  /** --storage.tsdb.retention.time; default 1h, or 3650d with dataDir (nothing backfilled is deleted). */
  retention?: string;
  /**
   * --query.lookback-delta: how far back an instant selector looks for a sample (Prometheus's default 5m). Data
   * sampled more sparsely than every 2.5 minutes needs about two of its intervals.
   */
  lookbackDelta?: string;
  /** --storage.tsdb.max-block-duration (hidden flag): set it to the backfill's block size so nothing is compacted. */
  maxBlockDuration?: string;
  /** Prometheus's query log (global query_log_file): every query with its timings, one JSON object a line. */
  queryLogFile?: string;
}

export interface RangeSeries {
  labels: Record<string, string>;
  /** [unix seconds, value] pairs. */
  values: Array<[number, number]>;
}

export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  dir: string;
  /** An instant query; throws with Prometheus's error message when the expression is rejected. */
  query(expr: string, timeSeconds?: number): Promise<VectorSample[]>;
  /** A range query (/api/v1/query_range); throws with Prometheus's error message when it is rejected. */
  queryRange(expr: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<RangeSeries[]>;
  /** Milliseconds from the first spawn to /-/ready (TSDB open, blocks and WAL loaded). */
  startupMs: number;
  /** Ends the process, keeping its data directory (for a restart on the same data). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it is ready. */
  resume(): Promise<void>;
  /** Active alerts of the loaded rule files (pending and firing). */
  alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>>;
  /** Everything Prometheus wrote to stderr so far (last 64 KiB), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const LOG_LIMIT = 64 * 1024;
const REQUEST_TIMEOUT_MS = 5000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function getJson<T>(url: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') {
    throw new Error(`Prometheus ${url}: ${body.error ?? response.status}`);
  }
  return body.data;
}

export async function startPrometheus(
  options: PrometheusOptions,
  binary = '/usr/bin/prometheus'
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'ciliumscope-prometheus-'));
  const config = {
    global: {
      scrape_interval: options.scrapeInterval ?? '1s',
      evaluation_interval: options.evaluationInterval ?? '1s',
      ...(options.queryLogFile ? { query_log_file: options.queryLogFile } : {}),
    },
    rule_files: options.ruleFiles ?? [],
    scrape_configs:
      options.targets.length === 0
        ? []
        : [
            {
              job_name: options.job ?? 'ciliumscope-exporter',
              scrape_interval: options.scrapeInterval ?? '1s',
              scrape_timeout: options.scrapeTimeout ?? '1s',
              static_configs: [{ targets: options.targets }],
            },
          ],
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let stderr = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let running = false;

  const kill = async () => {
    if (child && running) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  const launch = async () => {
    child = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${options.dataDir ?? join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.tsdb.retention.time=${options.retention ?? (options.dataDir ? '3650d' : '1h')}`,
        ...(options.lookbackDelta ? [`--query.lookback-delta=${options.lookbackDelta}`] : []),
        ...(options.maxBlockDuration ? [`--storage.tsdb.max-block-duration=${options.maxBlockDuration}`] : []),
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-LOG_LIMIT);
    });
    running = true;
    const proc = child;
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    void exited.then(() => (running = false));
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (!running) {
        await stop();
        throw new Error(`prometheus exited before it was ready:\n${stderr}`);
      }
      try {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`prometheus was not ready within ${options.readyTimeoutMs ?? 20_000} ms:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const spawnedAt = performance.now();
  await launch();
  const startupMs = performance.now() - spawnedAt;

  return {
    url,
    startupMs,
    dir,
    async query(expr, timeSeconds) {
      const params = new URLSearchParams({ query: expr });
      if (timeSeconds !== undefined) {
        params.set('time', String(timeSeconds));
      }
      const data = await getJson<{
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      }>(`${url}/api/v1/query?${params}`);
      if (data.resultType === 'scalar') {
        const value = data.result as unknown as [number, string];
        return [{ labels: {}, value: Number(value[1]) }];
      }
      return data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
    },
    async queryRange(expr, startSeconds, endSeconds, stepSeconds) {
      const params = new URLSearchParams({
        query: expr,
        start: String(startSeconds),
        end: String(endSeconds),
        step: String(stepSeconds),
      });
      const data = await getJson<{
        result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
      }>(`${url}/api/v1/query_range?${params}`, 30_000);
      return data.result.map((r) => ({
        labels: r.metric,
        values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]),
      }));
    },
    pause: kill,
    resume: launch,
    async alerts() {
      const data = await getJson<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>(
        `${url}/api/v1/alerts`
      );
      return data.alerts;
    },
    log: () => stderr,
    stop,
  };
}
