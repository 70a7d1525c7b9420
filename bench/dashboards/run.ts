/**
 * What one refresh of each plugin dashboard costs on a large simulated cluster, per panel (series, bytes, time), from
 * both history backends: the exporter's own embedded history, and a query replica reading a Prometheus that holds
 * the same samples (backfilled from the exporter's rings, ring-backfill.ts; the replica has no Kubernetes access, so
 * its unmanaged pods table is empty). Optionally the same for the code before
 * a change (`--before DIR`: a checkout with its node_modules), its own exporter and dashboard, for the before/after
 * figures. Every panel runs with its variables as shipped ("All"), its request built as the datasource builds it.
 *
 *   npm run bench:dashboards -- [--nodes 1000] [--minutes 15] [--before DIR]
 *
 * e.g. `git archive main | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/node_modules`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import { startPrometheus } from '../../test/support/prometheus';
import { PATHS } from '../../tools/dashboards/generate';
import { type DashboardJson, GRID_WIDTH, importDashboard, withVariable } from '../../tools/preview/dashboard';
import { type Exporter, type PanelPayload, formatPayloads, measurePluginDashboard } from '../../tools/preview/payload';
import { readDashboard } from '../../tools/preview/render';
import { runScopeHistory } from '../../tools/preview/scope-history';
import { largeClusterSettings } from '../../tools/preview/session';
import { backfillFromRings } from './ring-backfill';

const { describeMachine } = require('../scale/proc') as { describeMachine: () => string };

const KiB = 1024;
const MiB = KiB * KiB;

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '1000' }, minutes: { type: 'string', default: '15' }, before: { type: 'string' } },
});
const nodes = Number(values.nodes);
const minutes = Number(values.minutes);

const total = (payloads: PanelPayload[]) => payloads.reduce((n, p) => n + p.bytes, 0);
const totalMs = (payloads: PanelPayload[]) => payloads.reduce((n, p) => n + p.ms, 0);
const summary = (payloads: PanelPayload[]) => {
  const largest = [...payloads].sort((a, b) => b.bytes - a.bytes)[0];
  return `${payloads.length} panels, ${(total(payloads) / MiB).toFixed(2)} MiB per refresh, largest "${largest.title}" ${largest.series} series ${(largest.bytes / KiB).toFixed(1)} KiB, ${totalMs(payloads)} ms of requests`;
};
const errorsOf = (payloads: PanelPayload[]) => payloads.flatMap((p) => p.errors.map((e) => `${p.title}: ${e}`));

/** The code before: its own scope history (exporter and simulator) in a child process, measured from here. */
async function measureBefore(dir: string): Promise<PanelPayload[]> {
  const code = `
    const { runScopeHistory } = require('./tools/preview/scope-history');
    runScopeHistory({ nodes: ${nodes}, pageKB: 4, tickSeconds: 30, historySeconds: ${minutes * 60} }).then((h) => {
      process.stdout.write(JSON.stringify({ url: h.exporter.url, token: h.token, range: h.range }) + '\\n');
      process.on('SIGTERM', () => h.close().then(() => process.exit(0)));
    }, (e) => { console.error(e); process.exit(1); });`;
  const child = spawn(join(dir, 'node_modules', '.bin', 'ts-node'), ['-T', '-e', code], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((ok, fail) => {
      createInterface({ input: child.stdout! }).once('line', ok);
      child.once('exit', (status) => fail(new Error(`the code before exited (${status}) before it served`)));
    });
    const { url, token, range } = JSON.parse(line) as Exporter & { range: { from: number; to: number } };
    const dashboard = importDashboard(JSON.parse(readFileSync(join(dir, PATHS.pluginImport), 'utf8')) as DashboardJson, { DS_CILIUMSCOPE: 'ciliumscope' });
    return await measurePluginDashboard(dashboard, { url, token }, range, GRID_WIDTH);
  } finally {
    child.kill('SIGTERM');
  }
}

async function measureAfter(exporter: Exporter, range: { from: number; to: number }, node: string) {
  const main = importDashboard(readDashboard(PATHS.pluginImport), { DS_CILIUMSCOPE: 'ciliumscope' });
  const drill = withVariable(importDashboard(readDashboard(PATHS.nodeImport), { DS_CILIUMSCOPE: 'ciliumscope' }), 'node', node);
  return {
    'Cilium Scope': await measurePluginDashboard(main, exporter, range, GRID_WIDTH),
    'Cilium Scope: node': await measurePluginDashboard(drill, exporter, range, GRID_WIDTH),
  };
}

function sideBySide(title: string, embedded: PanelPayload[], replica: PanelPayload[]): string {
  const width = Math.max(5, ...embedded.map((p) => p.title.length));
  const rows = embedded.map((e, i) => {
    const r = replica[i];
    const cell = (p: PanelPayload) => `${String(p.series).padStart(4)} ${(p.bytes / KiB).toFixed(1).padStart(7)} KiB ${String(p.ms).padStart(6)} ms`;
    return `  ${e.title.padEnd(width)}  ${cell(e)}   ${cell(r)}`;
  });
  return [
    `${title}: embedded history | query replica on Prometheus (series, size, time)`,
    ...rows,
    `  ${'one refresh'.padEnd(width)}  ${(total(embedded) / MiB).toFixed(2).padStart(17)} MiB ${String(totalMs(embedded)).padStart(6)} ms   ${(total(replica) / MiB).toFixed(2).padStart(12)} MiB ${String(totalMs(replica)).padStart(6)} ms`,
  ].join('\n');
}

async function main(): Promise<void> {
  console.log(`bench:dashboards — ${nodes} nodes, ${minutes} minutes of history; ${describeMachine()}`);
  if (values.before) {
    const started = Date.now();
    const before = await measureBefore(resolve(values.before));
    console.log(formatPayloads(`Before (${values.before}): Cilium Scope`, before));
    console.log(`Before: ${summary(before)} (run ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const started = Date.now();
  const settings = largeClusterSettings(nodes);
  const history = await runScopeHistory({ ...settings, historySeconds: minutes * 60 });
  console.log(`After: ${nodes} nodes, ${minutes} minutes of history in ${(history.runMs / 1000).toFixed(0)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-bench-dashboards-'));
  let replica: RunningExporter | null = null;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | null = null;
  try {
    const embedded = await measureAfter({ url: history.exporter.url, token: history.token }, history.range, history.events.importFailures.node);
    const backfill = await backfillFromRings(history.exporter, history.range.to, join(dir, 'data'), join(dir, 'history.om'));
    console.log(
      `Backfilled ${backfill.series} series, ${backfill.samples} samples (${(backfill.textBytes / MiB).toFixed(0)} MiB of OpenMetrics) into Prometheus in ${backfill.seconds.toFixed(0)} s`
    );
    prometheus = await startPrometheus({ targets: [], dataDir: join(dir, 'data'), readyTimeoutMs: 120_000 });
    replica = await startExporter(queryReplicaConfig(prometheus.url, ['--listen', '127.0.0.1:0', '--log-level', 'silent', '--scrape-interval', `${settings.tickSeconds ?? 10}s`]));
    const fromReplica = await measureAfter({ url: replica.url, token: null }, history.range, history.events.importFailures.node);
    for (const [title, payloads] of Object.entries(embedded)) {
      const other = fromReplica[title as keyof typeof fromReplica];
      console.log(sideBySide(title, payloads, other));
      console.log(`After, embedded: ${summary(payloads)}`);
      console.log(`After, query replica: ${summary(other)}`);
      const errors = [...errorsOf(payloads), ...errorsOf(other)];
      if (errors.length) {
        console.log(`Errors:\n  ${errors.join('\n  ')}`);
      }
    }
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await replica?.close();
    await prometheus?.stop();
    await history.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
