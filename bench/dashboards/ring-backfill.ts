/**
 * A Prometheus data directory holding exactly what an exporter's embedded history holds: every ring series written
 * as OpenMetrics text with its samples' own times, plus the exporter's other /metrics families (target state, agent
 * info, ... which the rings do not keep) stamped at the end, then turned into TSDB blocks by
 * `promtool tsdb create-blocks-from openmetrics`. A query replica reading it answers from the same samples the
 * exporter's own API reads, so the two backends can be measured side by side on one simulated history.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { RunningExporter } from '../../exporter/app';
import { samplesOf } from '../../exporter/history/ring';
import { SERIES } from '../../exporter/model/series';

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

export interface RingBackfill {
  series: number;
  samples: number;
  textBytes: number;
  seconds: number;
}

/** Writes the exporter's history up to `endMs` as blocks into `dataDir` (an empty directory). */
export async function backfillFromRings(exporter: RunningExporter, endMs: number, dataDir: string, textFile: string): Promise<RingBackfill> {
  const started = Date.now();
  const ring = exporter.history;
  if (!ring) {
    throw new Error('backfillFromRings: the exporter has no embedded history');
  }
  const out = createWriteStream(textFile);
  const write = async (text: string) => {
    if (!out.write(text)) {
      await once(out, 'drain');
    }
  };
  let series = 0;
  let samples = 0;
  let bytes = 0;
  const inRing = new Set<string>(Object.values(SERIES));
  for (const metric of inRing) {
    const { slots, series: views } = ring.select(metric, () => true, -Infinity, endMs);
    for (const view of views) {
      const { times, values } = samplesOf(view, slots, -Infinity, endMs);
      const name = metric + labelText(view.labels);
      let chunk = '';
      for (let i = 0; i < times.length; i++) {
        chunk += `${name} ${values[i]} ${(times[i] / 1000).toFixed(3)}\n`;
      }
      series++;
      samples += times.length;
      bytes += chunk.length;
      await write(chunk);
    }
  }
  // The families the rings do not keep, as /metrics writes them now, at the end of the history.
  const page = await (await fetch(`${exporter.url}/metrics`)).text();
  const end = (endMs / 1000).toFixed(3);
  for (const line of page.split('\n')) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!name || inRing.has(name)) {
      continue;
    }
    const head = line[name.length] === '{' ? line.slice(0, line.indexOf('} ', name.length) + 1) : name;
    const [value, timestampMs] = line.slice(head.length).trim().split(/\s+/);
    const text = `${head} ${value} ${timestampMs ? (Number(timestampMs) / 1000).toFixed(3) : end}\n`;
    series++;
    samples++;
    bytes += text.length;
    await write(text);
  }
  await write('# EOF\n');
  out.end();
  await finished(out);
  const promtool = spawn('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', textFile, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  promtool.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const [code] = (await once(promtool, 'exit')) as [number];
  if (code !== 0) {
    throw new Error(`promtool create-blocks-from openmetrics failed (${code}): ${stderr}`);
  }
  return { series, samples, textBytes: bytes, seconds: (Date.now() - started) / 1000 };
}
