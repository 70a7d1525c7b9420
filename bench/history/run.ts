/**
 * npm run bench:history — the dashboard's panels over a long history, side by side in one run:
 *
 * 1. backfill: --days (30) of `ciliumscope_*` series for --nodes (1,000) at --resolution into a Prometheus data
 *    directory (bench/history/backfill.ts), or reuse one from --data; prints bytes, samples, generation and promtool
 *    time, disk used;
 * 2. Prometheus (Debian's 2.42) on that directory: startup time, then the Prometheus dashboard's PromQL over the
 *    whole range (the reference: what the query replica's PromQL costs Prometheus itself);
 * 3. the embedded backend: an exporter with --embedded-hours (3) of history of a simulated cluster of the same size,
 *    still scraping (bench/scale/api-server.js), the plugin dashboard's panels over that range;
 * 4. the query replica (--history-backend prometheus on that Prometheus), the same panels over the whole range:
 *    see startReplica, the one part that needs the Prometheus backend in the exporter.
 *
 * Each panel is run alone (p50/p99 at --connections for --panel-seconds), then the dashboard mix for --seconds.
 * The machine and every figure are printed; --json FILE writes them too.
 *
 * Usage: npm run bench:history -- [--nodes 1000] [--days 30] [--resolution 10m] [--ci] [--shards 2] [--seed 1] [--block-hours 54]
 *        [--data DIR] [--keep] [--connections 50] [--prometheus-connections 4] [--panel-seconds 5] [--seconds 30]
 *        [--embedded-hours 3] [--skip-embedded] [--backfill-only] [--json FILE]
 * --ci backfills the 30-day CI test's shape (CI_SHAPE: 1,000 nodes, 30 days, 1 h, 162 h blocks); --data DIR keeps and reuses a backfill
 * of the same shape (DIR/backfill.json says which).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../../exporter/config/units';
import { startPrometheus } from '../../test/support/prometheus';
import { type BackfillFigures, backfill } from './backfill';
import { learnCatalog } from './catalog';
import { nodeName } from './context';
import { BENCH_BLOCK_HOURS, BENCH_RESOLUTION_SECONDS, CI_RESOLUTION_SECONDS, CI_SHAPE } from './defaults';
import { type Side, printFigures, runPluginSide, runPromqlSide } from './sides';
import { startReplica } from './replica';

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
      'embedded-hours': { type: 'string', default: '3' },
      'skip-embedded': { type: 'boolean' },
      'backfill-only': { type: 'boolean' },
      json: { type: 'string' },
    },
  });
  const resolutionSeconds = values.resolution
    ? (parseDurationMs(values.resolution) ?? NaN) / 1000
    : values.ci
      ? CI_RESOLUTION_SECONDS
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
  const dir =
    values.data ?? join(tmpdir(), `ciliumscope-bench-history-${shape.nodes}n-${shape.days}d-${resolutionSeconds}s`);
  return {
    shape,
    dir,
    keep: Boolean(values.keep || values.data),
    connections: Number(values.connections),
    prometheusConnections: Number(values['prometheus-connections']),
    panelSeconds: Number(values['panel-seconds']),
    seconds: Number(values.seconds),
    embeddedHours: Number(values['embedded-hours']),
    skipEmbedded: Boolean(values['skip-embedded']),
    backfillOnly: Boolean(values['backfill-only']),
    json: values.json ?? null,
  };
}

/** A backfill of this shape in dir, made now or found from an earlier run (dir/backfill.json). */
async function backfilled(o: ReturnType<typeof options>): Promise<{ figures: BackfillFigures; reused: boolean }> {
  const record = join(o.dir, 'backfill.json');
  if (existsSync(record)) {
    const saved = JSON.parse(readFileSync(record, 'utf8')) as { shape: typeof o.shape; figures: BackfillFigures };
    if (JSON.stringify(saved.shape) === JSON.stringify(o.shape)) {
      return { figures: saved.figures, reused: true };
    }
    rmSync(o.dir, { recursive: true, force: true });
  }
  mkdirSync(o.dir, { recursive: true });
  const catalog = await learnCatalog();
  const figures = await backfill({
    ...o.shape,
    catalog,
    dataDir: join(o.dir, 'data'),
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  writeFileSync(record, JSON.stringify({ shape: o.shape, figures }, null, 2));
  return { figures, reused: false };
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
  console.log(`history benchmark on ${describeMachine()}`);
  const { figures, reused } = await backfilled(o);
  printBackfill(figures, reused);
  const sides: Side[] = [];
  const results: Record<string, unknown> = { machine: describeMachine(), shape: o.shape, backfill: figures, sides };
  try {
    if (o.backfillOnly) {
      return;
    }
    const prometheus = onInterrupt(
      await startPrometheus({
        targets: [],
        dataDir: join(o.dir, 'data'),
        lookbackDelta: `${Math.max(300, 2 * figures.resolutionSeconds)}s`,
        maxBlockDuration: `${o.shape.blockHours}h`,
        readyTimeoutMs: 600_000,
      }),
      (p) => p.stop()
    );
    results.prometheusStartupMs = prometheus.startupMs;
    console.log(`Prometheus ready on the backfill in ${(prometheus.startupMs / 1000).toFixed(1)} s`);
    try {
      const range = { from: figures.startSeconds, to: figures.endSeconds, scrapeSeconds: figures.resolutionSeconds };
      sides.push(await runPromqlSide(prometheus.url, range, o.prometheusConnections, o.panelSeconds));
      if (!o.skipEmbedded) {
        const server = onInterrupt(
          await startApiServer({
            nodes: o.shape.nodes,
            pageKB: 20,
            interval: 30,
            backfill: Math.round((o.embeddedHours * 3600) / 30) + 1,
            scrapeEvery: 30_000,
          }),
          (x) => x.child.kill('SIGTERM')
        );
        try {
          const nowS = server.nowMs / 1000;
          sides.push(
            await runPluginSide(`embedded, ${o.embeddedHours} h`, server.url, server.nodes, {
              range: { from: nowS - o.embeddedHours * 3600, to: nowS, scrapeSeconds: 30 },
              connections: o.connections,
              panelSeconds: o.panelSeconds,
              seconds: o.seconds,
            })
          );
        } finally {
          server.child.kill('SIGTERM');
        }
      }
      const replica = await startReplica(prometheus.url, figures.resolutionSeconds);
      if (!('skipped' in replica)) {
        onInterrupt(replica, (r) => r.stop());
      }
      if ('skipped' in replica) {
        console.log(`\nquery replica: not run: ${replica.skipped}`);
        results.replica = replica;
      } else {
        try {
          const nodes = Array.from({ length: 20 }, (_, i) => nodeName(i, figures.nodes));
          sides.push(
            await runPluginSide(`replica, ${o.shape.days} d`, replica.url, nodes, {
              range,
              connections: o.connections,
              panelSeconds: o.panelSeconds,
              seconds: o.seconds,
            })
          );
        } finally {
          await replica.stop();
        }
      }
    } finally {
      await prometheus.stop();
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
