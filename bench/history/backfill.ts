/**
 * Backfills a Prometheus data directory with days of `ciliumscope_*` series for a simulated cluster: the series are
 * written as OpenMetrics text, one file per TSDB block window, and each file is turned into a block by
 * `promtool tsdb create-blocks-from openmetrics` (Debian's Prometheus 2.42) while the next one is generated.
 *
 * Why one file per block: promtool reads its whole input once per block window it covers (30 days in 54-hour blocks
 * would be 14 passes over tens of GB); a file that covers exactly one window is read once. The windows are aligned
 * as promtool aligns them (multiples of the block duration since the epoch), and --max-block-duration, a hidden
 * flag of 2.42, sets that duration. 54 h is what a Prometheus with 30 days of retention compacts to (10% of the
 * retention, rounded down to 2 h × 3^n), so the Prometheus started on the result has nothing left to compact.
 *
 * Streaming: nodes advance step by step and each step's lines are written as they come, so memory holds the models
 * and one output buffer, and disk holds at most two text files (the one being written, the one promtool reads).
 * No TYPE or HELP lines: they are not stored in blocks, and the lines of a step mix every family. Prometheus's
 * `job` and `instance` labels are on every series, one instance per shard.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Catalog } from './catalog';
import { type BackfillShape, ClusterContext } from './context';
import { NodeModel } from './node-model';
import type { SeriesModel, SeriesSpec } from './series-model';
import { ShardModel } from './shard-model';

const { cpuSeconds: cpuSecondsOf } = require('../scale/proc') as { cpuSeconds: (pid: number) => number | null };

export interface BackfillOptions extends BackfillShape {
  catalog: Catalog;
  /** Where the blocks go (a Prometheus --storage.tsdb.path); the OpenMetrics text is written beside it. */
  dataDir: string;
  /** Hours per block: 2 × 3^n (2, 6, 18, 54, 162, 486). */
  blockHours?: number;
  /** Keeps the OpenMetrics files (in `${dataDir}.openmetrics/`) instead of removing each once it is a block. */
  keepText?: boolean;
  /** Sees every sample written (tests read the values they later query). */
  observe?: (series: SeriesSpec, step: number, timeSeconds: number, value: number) => void;
  promtool?: string;
  /** Progress lines (one per block). */
  log?: (line: string) => void;
}

export interface BackfillFigures {
  nodes: number;
  days: number;
  resolutionSeconds: number;
  startSeconds: number;
  endSeconds: number;
  series: number;
  samples: number;
  /** OpenMetrics text written, in bytes. */
  textBytes: number;
  blocks: number;
  /** Seconds spent generating text (wall), and the CPU seconds of this process meanwhile. */
  generateSeconds: number;
  generateCpuSeconds: number;
  /** Seconds promtool ran, summed over its runs (each overlaps the generation of the next file), and its CPU seconds. */
  promtoolSeconds: number;
  promtoolCpuSeconds: number;
  /** Wall time of the whole backfill. */
  wallSeconds: number;
  /** Size of the data directory afterwards. */
  diskBytes: number;
}

const FLUSH_CHARS = 1 << 20;
const VALID_BLOCK_HOURS = [2, 6, 18, 54, 162, 486];

function labelText(spec: SeriesSpec): string {
  const parts = Object.entries(spec.labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
  );
  return `${spec.name}{${parts.join(',')}} `;
}

export async function backfill(options: BackfillOptions): Promise<BackfillFigures> {
  const started = performance.now();
  const blockHours = options.blockHours ?? 54;
  if (!VALID_BLOCK_HOURS.includes(blockHours)) {
    throw new Error(`blockHours must be one of ${VALID_BLOCK_HOURS.join(', ')} (promtool's block ranges)`);
  }
  const firstNode = options.catalog.nodes[0];
  const firstOf = (family: string) =>
    options.catalog.families.find((f) => f.name === family)?.samples.find((s) => s.labels.node === firstNode)?.value;
  const ctx = new ClusterContext(options, firstOf('ciliumscope_policy_max_revision'), firstOf('ciliumscope_policies'));
  const templates = options.catalog.nodes;
  const nodes = ctx.nodes.map(
    (n, i) => new NodeModel(n, i, ctx, options.catalog.families, templates[i % templates.length])
  );
  const shards = Array.from({ length: ctx.shards }, (_, shard) => {
    const own = nodes.filter((_, i) => ctx.shardOfNode[i] === shard);
    return new ShardModel(
      shard,
      ctx,
      options.catalog,
      own.length,
      own.reduce((a, n) => a + n.drops.length, 0)
    );
  });
  const models: Array<Pick<SeriesModel, 'series' | 'value' | 'advance'>> = [...shards, ...nodes];
  const prefixes = models.map((m) => m.series.map(labelText));
  const series = prefixes.reduce((a, p) => a + p.length, 0);

  const textDir = `${options.dataDir}.openmetrics`;
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(textDir, { recursive: true });
  const blockSeconds = blockHours * 3600;
  const figures: BackfillFigures = {
    nodes: ctx.nodes.length,
    days: options.days,
    resolutionSeconds: ctx.resolutionSeconds,
    startSeconds: ctx.timeOf(0),
    endSeconds: ctx.timeOf(ctx.steps - 1),
    series,
    samples: 0,
    textBytes: 0,
    blocks: 0,
    generateSeconds: 0,
    generateCpuSeconds: 0,
    promtoolSeconds: 0,
    promtoolCpuSeconds: 0,
    wallSeconds: 0,
    diskBytes: 0,
  };
  let converting: Promise<void> = Promise.resolve();
  let step = 0;
  try {
    while (step < ctx.steps) {
      const window = Math.floor(ctx.timeOf(step) / blockSeconds);
      const file = join(textDir, `block-${window}.om`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const out = createWriteStream(file);
      let chunk = '';
      const written = { lines: 0, bytes: 0 };
      for (; step < ctx.steps && Math.floor(ctx.timeOf(step) / blockSeconds) === window; step++) {
        const time = ctx.timeOf(step);
        const suffix = ` ${time}\n`;
        for (let m = 0; m < models.length; m++) {
          const model = models[m];
          model.advance(step);
          const prefix = prefixes[m];
          for (let s = 0; s < prefix.length; s++) {
            const value = model.value(s);
            // NaN: the series is absent at this step (a withdrawn value).
            if (value === value) {
              chunk += prefix[s] + value + suffix;
              written.lines++;
              options.observe?.(model.series[s], step, time, value);
            }
          }
          if (chunk.length >= FLUSH_CHARS) {
            // Encoded once: the byte count and the write use the same buffer.
            const bytes = Buffer.from(chunk);
            written.bytes += bytes.length;
            if (!out.write(bytes)) {
              await once(out, 'drain');
            }
            chunk = '';
          }
        }
      }
      const last = Buffer.from(chunk + '# EOF\n');
      written.bytes += last.length;
      out.end(last);
      await finished(out);
      figures.generateSeconds += (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      figures.generateCpuSeconds += (cpu.user + cpu.system) / 1e6;
      figures.samples += written.lines;
      figures.textBytes += written.bytes;
      // One promtool at a time, one file ahead: the generation of this file overlapped the previous conversion.
      await converting;
      converting = runPromtool(options.promtool ?? 'promtool', blockHours, file, options.dataDir).then((run) => {
        figures.promtoolSeconds += run.seconds;
        figures.promtoolCpuSeconds += run.cpuSeconds;
        figures.blocks++;
        options.log?.(
          `block ${figures.blocks}: ${(written.bytes / 1e6).toFixed(0)} MB, ${written.lines} samples, promtool ${run.seconds.toFixed(1)} s (${run.cpuSeconds.toFixed(1)} s CPU)`
        );
        if (!options.keepText) {
          rmSync(file, { force: true });
        }
      });
    }
    await converting;
  } finally {
    await converting.catch(() => undefined);
    if (!options.keepText) {
      rmSync(textDir, { recursive: true, force: true });
    }
  }
  figures.wallSeconds = (performance.now() - started) / 1000;
  figures.diskBytes = directoryBytes(options.dataDir);
  return figures;
}

/** Runs promtool on one file: its wall time, and its CPU time read from /proc while it runs (Linux). */
function runPromtool(
  promtool: string,
  blockHours: number,
  file: string,
  dataDir: string
): Promise<{ seconds: number; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      promtool,
      ['tsdb', 'create-blocks-from', 'openmetrics', `--max-block-duration=${blockHours}h`, '--quiet', file, dataDir],
      { stdio: ['ignore', 'ignore', 'pipe'] }
    );
    let cpuSeconds = 0;
    const poll = setInterval(() => (cpuSeconds = cpuSecondsOf(child.pid!) ?? cpuSeconds), 100);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8192)));
    child.once('error', (err) => {
      clearInterval(poll);
      reject(err);
    });
    child.once('exit', (code) => {
      clearInterval(poll);
      if (code === 0) {
        resolve({ seconds: (performance.now() - t0) / 1000, cpuSeconds });
      } else {
        reject(new Error(`promtool failed on ${file} (exit ${code}):\n${stderr}`));
      }
    });
  });
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}
