/**
 * npm run bench:history — the dashboard's panels over a long history, side by side in one run:
 *
 * 1. backfill: --days (30) of `ciliumscope_*` series for --nodes (1,000) at --resolution into a Prometheus data
 *    directory (bench/history/backfill.ts), or reuse one from --data, or with --ci the cached backfill of the 30-day
 *    test (bench/history/cached.ts); prints bytes, samples, generation and promtool time, disk used;
 * 2. Prometheus (Debian's 2.42) on that directory: startup time, then the Prometheus dashboard's PromQL over the
 *    whole range (the reference: what the query replica's PromQL costs Prometheus itself);
 * 3. the embedded backend: an exporter with --embedded-hours (3) of history of a simulated cluster of the same size,
 *    still scraping (bench/scale/api-server.js), the plugin dashboard's panels over that range;
 * 4. the query replica (--history-backend prometheus on that Prometheus, bench/history/replica.ts), the same panels
 *    over the whole range.
 *
 * Each panel is run uncached --cold-runs times (the median is its cold figure), then alone under load (p50/p99 at
 * --connections for --panel-seconds), then the dashboard mix for --seconds. Variables are at All, as the shipped
 * dashboard loads; --node-filter N narrows the node variable to N nodes (what a user looking at a few nodes sends).
 * The machine and every figure are printed; --json FILE writes them too; --profile DIR writes CPU profiles of the
 * replica and the embedded exporter, and Prometheus's query log (prometheus-query.log: each query and its timings). --baseline DIR (another build/ directory, e.g. main's) runs its replica and
 * embedded exporter beside this build's, on the same data and in the same run, for before/after ratios.
 *
 * Usage: npm run bench:history -- [--nodes 1000] [--days 30] [--resolution 10m] [--ci] [--shards 2] [--seed 1] [--block-hours 54]
 *        [--data DIR] [--keep] [--connections 50] [--prometheus-connections 4] [--panel-seconds 5] [--seconds 30]
 *        [--cold-runs 3] [--node-filter N] [--embedded-hours 3] [--skip-promql] [--skip-embedded] [--skip-replica]
 *        [--backfill-only] [--profile DIR] [--baseline BUILD_DIR] [--json FILE]
 * --ci takes the 30-day test's backfill (CI_SHAPE: 1,000 nodes, 30 days, 1 h, 162 h blocks, ending at a fixed time
 * the replica takes as "now") from the cache, making it there if needed; --data DIR keeps and reuses a backfill of
 * the same shape (DIR/backfill.json says which).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../../exporter/config/units';
import { startPrometheus } from '../../test/support/prometheus';
import { type BackfillFigures, backfill } from './backfill';
import { cachedBackfill, copyBlocks } from './cached';
import { learnCatalog } from './catalog';
import { nodeName } from './context';
import { BENCH_BLOCK_HOURS, BENCH_RESOLUTION_SECONDS, CI_SHAPE } from './defaults';
import { startReplica } from './replica';
import { type Load, type Side, printFigures, runPluginSide, runPromqlSide } from './sides';

const { describeMachine } = require('../scale/proc') as { describeMachine: () => string };
const { startApiServer } = require('../scale/processes') as {
  startApiServer: (o: Record<string, unknown>) => Promise<{
    child: import('node:child_process').ChildProcess;
    url: string;
    nowMs: number;
    nodes: string[];
    series: number;
  }>;
};

function options() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      days: { type: 'string', default: '30' },
      resolution: { type: 'string' },
      ci: { type: 'boolean' },
      shards: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
      'block-hours': { type: 'string', default: String(BENCH_BLOCK_HOURS) },
      data: { type: 'string' },
      keep: { type: 'boolean' },
      connections: { type: 'string', default: '50' },
      'prometheus-connections': { type: 'string', default: '4' },
      'panel-seconds': { type: 'string', default: '5' },
      seconds: { type: 'string', default: '30' },
      'cold-runs': { type: 'string', default: '3' },
      'node-filter': { type: 'string' },
      'embedded-hours': { type: 'string', default: '3' },
      'skip-promql': { type: 'boolean' },
      'skip-embedded': { type: 'boolean' },
      'skip-replica': { type: 'boolean' },
      'backfill-only': { type: 'boolean' },
      profile: { type: 'string' },
      baseline: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const resolutionSeconds = values.resolution
    ? (parseDurationMs(values.resolution) ?? NaN) / 1000
    : BENCH_RESOLUTION_SECONDS;
  const shape = values.ci
    ? { ...CI_SHAPE }
    : {
        nodes: Number(values.nodes),
        days: Number(values.days),
        resolutionSeconds,
        shards: Number(values.shards),
        seed: Number(values.seed),
        blockHours: Number(values['block-hours']),
      };
  const load = (connections: number): Load => ({
    connections,
    panelSeconds: Number(values['panel-seconds']),
    seconds: Number(values.seconds),
    coldRuns: Number(values['cold-runs']),
  });
  return {
    shape,
    ci: Boolean(values.ci),
    dir:
      values.data ??
      join(tmpdir(), `ciliumscope-bench-history-${shape.nodes}n-${shape.days}d-${shape.resolutionSeconds}s`),
    keep: Boolean(values.keep || values.data),
    load: load(Number(values.connections)),
    prometheusLoad: load(Number(values['prometheus-connections'])),
    nodeFilter: values['node-filter'] ? Number(values['node-filter']) : null,
    embeddedHours: Number(values['embedded-hours']),
    skipPromql: Boolean(values['skip-promql']),
    skipEmbedded: Boolean(values['skip-embedded']),
    skipReplica: Boolean(values['skip-replica']),
    backfillOnly: Boolean(values['backfill-only']),
    profile: values.profile ?? null,
    baseline: values.baseline ? resolve(values.baseline) : null,
    json: values.json ?? null,
  };
}

interface Backfilled {
  figures: BackfillFigures;
  reused: boolean;
  /** The blocks Prometheus serves. */
  dataDir: string;
  /** "Now" for the replica when the backfill ends in the past (the cached CI shape). */
  nowMs?: number;
}

/** A backfill of this shape: the cached CI one (--ci), or in dir, made now or found from an earlier run. */
async function backfilled(o: ReturnType<typeof options>): Promise<Backfilled> {
  const log = (line: string) => process.stderr.write(`  ${line}\n`);
  if (o.ci) {
    const entry = await cachedBackfill(CI_SHAPE, log);
    mkdirSync(o.dir, { recursive: true });
    const work = mkdtempSync(join(o.dir, 'prometheus-'));
    return { figures: entry.figures, reused: !entry.made, dataDir: copyBlocks(entry, work), nowMs: CI_SHAPE.endMs };
  }
  const record = join(o.dir, 'backfill.json');
  const dataDir = join(o.dir, 'data');
  if (existsSync(record)) {
    const saved = JSON.parse(readFileSync(record, 'utf8')) as { shape: typeof o.shape; figures: BackfillFigures };
    if (JSON.stringify(saved.shape) === JSON.stringify(o.shape)) {
      return { figures: saved.figures, reused: true, dataDir };
    }
    rmSync(o.dir, { recursive: true, force: true });
  }
  mkdirSync(o.dir, { recursive: true });
  const catalog = await learnCatalog();
  const figures = await backfill({ ...o.shape, catalog, dataDir, log });
  writeFileSync(record, JSON.stringify({ shape: o.shape, figures }, null, 2));
  return { figures, reused: false, dataDir };
}

function printBackfill(f: BackfillFigures, reused: boolean): void {
  const gb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;
  console.log(
    `\nbackfill${reused ? ' (reused)' : ''}: ${f.nodes} nodes × ${f.days} days at ${f.resolutionSeconds} s, ${f.series.toLocaleString('en')} series, ` +
      `${f.samples.toLocaleString('en')} samples`
  );
  console.log(
    `  OpenMetrics ${gb(f.textBytes)} (${(f.textBytes / f.samples).toFixed(0)} B/sample), generated in ${f.generateSeconds.toFixed(0)} s ` +
      `(${f.generateCpuSeconds.toFixed(0)} s CPU, ${(f.samples / f.generateCpuSeconds / 1e6).toFixed(2)} M samples per CPU s); ` +
      `promtool ${f.promtoolSeconds.toFixed(0)} s over ${f.blocks} blocks (${f.promtoolCpuSeconds.toFixed(0)} s CPU, ` +
      `${(f.samples / f.promtoolCpuSeconds / 1e6).toFixed(2)} M samples per CPU s); wall ${f.wallSeconds.toFixed(0)} s; ` +
      `TSDB ${gb(f.diskBytes)} (${((f.diskBytes * 8) / f.samples).toFixed(2)} bits/sample)`
  );
}

async function main(): Promise<void> {
  const o = options();
  if (o.profile) {
    mkdirSync(o.profile, { recursive: true });
  }
  console.log(`history benchmark on ${describeMachine()}`);
  const b = await backfilled(o);
  const { figures } = b;
  printBackfill(figures, b.reused);
  const sides: Side[] = [];
  const results: Record<string, unknown> = { machine: describeMachine(), shape: o.shape, backfill: figures, sides };
  try {
    if (o.backfillOnly) {
      return;
    }
    const range = { from: figures.startSeconds, to: figures.endSeconds, scrapeSeconds: figures.resolutionSeconds };
    const days = `${o.shape.days} d`;
    if (!o.skipEmbedded) {
      if (o.baseline) {
        sides.push(await embeddedSide(o, o.baseline));
      }
      sides.push(await embeddedSide(o));
    }
    if (!o.skipPromql || !o.skipReplica) {
      const prometheus = onInterrupt(
        await startPrometheus({
          targets: [],
          dataDir: b.dataDir,
          lookbackDelta: `${Math.max(300, 2 * figures.resolutionSeconds)}s`,
          maxBlockDuration: `${o.shape.blockHours}h`,
          readyTimeoutMs: 600_000,
          queryLogFile: o.profile ? join(resolve(o.profile), 'prometheus-query.log') : undefined,
        }),
        (p) => p.stop()
      );
      results.prometheusStartupMs = prometheus.startupMs;
      console.log(`Prometheus ready on the backfill in ${(prometheus.startupMs / 1000).toFixed(1)} s`);
      try {
        if (!o.skipPromql) {
          sides.push(await runPromqlSide(prometheus.url, range, o.prometheusLoad));
        }
        for (const build of o.skipReplica ? [] : [...(o.baseline ? [o.baseline] : []), undefined]) {
          const replica = onInterrupt(
            await startReplica(prometheus.url, figures.resolutionSeconds, {
              nowMs: b.nowMs,
              cpuProfileDir: o.profile ?? undefined,
              build,
            }),
            (r) => r.stop()
          );
          try {
            const nodes = o.nodeFilter
              ? Array.from({ length: o.nodeFilter }, (_, i) => nodeName(i, figures.nodes))
              : undefined;
            const name = `${build ? 'baseline ' : ''}replica, ${days}`;
            sides.push(await runPluginSide(name, replica.url, range, { ...o.load, nodes }));
          } finally {
            await replica.stop();
          }
        }
      } finally {
        await prometheus.stop();
      }
    }
    printFigures(sides);
  } finally {
    if (o.json) {
      writeFileSync(o.json, JSON.stringify(results, null, 2));
    }
    if (!o.keep) {
      rmSync(o.dir, { recursive: true, force: true });
    }
  }
}

/**
 * The embedded backend: an exporter (of this build, or `build`) holding --embedded-hours of a simulated cluster of
 * the same size, scraping.
 */
async function embeddedSide(o: ReturnType<typeof options>, build?: string): Promise<Side> {
  const server = onInterrupt(
    await startApiServer({
      nodes: o.shape.nodes,
      pageKB: 20,
      interval: 30,
      backfill: Math.round((o.embeddedHours * 3600) / 30) + 1,
      scrapeEvery: 30_000,
      nodeArgs: o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`] : [],
      build,
    }),
    (x) => x.child.kill('SIGTERM')
  );
  try {
    const nowS = server.nowMs / 1000;
    const nodes = o.nodeFilter ? server.nodes.slice(0, o.nodeFilter) : undefined;
    return await runPluginSide(
      `${build ? 'baseline ' : ''}embedded, ${o.embeddedHours} h`,
      server.url,
      { from: nowS - o.embeddedHours * 3600, to: nowS, scrapeSeconds: 30 },
      { ...o.load, nodes }
    );
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }
}

/** What to stop when the benchmark is interrupted (SIGINT, SIGTERM), so no Prometheus or exporter outlives it. */
const running: Array<() => unknown> = [];
function onInterrupt<T>(resource: T, stop: (r: T) => unknown): T {
  running.push(() => stop(resource));
  return resource;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled(running.map((stop) => stop())).then(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  }
);
