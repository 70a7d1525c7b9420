/**
 * A simulated cluster with an hour of history in the exporter, for the plugin dashboard's preview: the simulator
 * (Kubernetes API on, so the exporter joins pods with CiliumEndpoints) and the exporter configured through its own
 * flags, with the exporter's clock on simulated time, so an hour of scrapes takes seconds. Simulated time ends at
 * the wall clock's "now" of the start, so relative times ("2 minutes ago") read as they would in Grafana.
 *
 * Along the way the run does what makes every panel show something: pods Cilium does not manage, a drop spike on
 * one node after the anomaly detector's warm-up (still running at the end, so a band is crossed and a series is
 * outside it), two policy changes one agent fails to import, failed regenerations, an agent restart, and one agent
 * failing its last scrapes (a target down with an error). With Hubble (the default), the drops are attributed to
 * workload pairs on Hubble metrics pages and (hubble: 'relay') streamed by a Hubble Relay with their denying policies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RunningExporter } from '../../exporter/app';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { castOf, hubbleFlags, startPreviewExporter } from './cast';
import { addUnmanagedPods, failRegeneration, policyChangeFailingOn } from './events';
import type { ScopeHistorySettings } from './session-types';
import type { ScopeEvents } from './summary';

export interface ScopeHistoryOptions extends ScopeHistorySettings {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ScopeHistory {
  sim: RunningSimulator;
  exporter: RunningExporter;
  /** The exporter's bearer token: the datasource's secureJsonData.token, sent by the data proxy route. */
  token: string;
  /** The whole simulated history, Unix ms. */
  range: { from: number; to: number };
  events: ScopeEvents;
  /** Wall-clock time the run took. */
  runMs: number;
  close(): Promise<void>;
}

export async function runScopeHistory(options: ScopeHistoryOptions = {}): Promise<ScopeHistory> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const historySeconds = options.historySeconds ?? 3600;
  const tickSeconds = options.tickSeconds ?? 10;
  const ticks = Math.round(historySeconds / tickSeconds);
  const endSeconds = Math.floor(Date.now() / 1000);
  const hubble = options.hubble ?? 'relay';
  const sim = await startSimulator({
    nodes: options.nodes ?? 6,
    seed: options.seed ?? 42,
    tickSeconds,
    autoTickMs: 0,
    pageKB: options.pageKB ?? 24,
    podsPerNode: options.podsPerNode,
    gzip: options.gzip,
    startTimeSeconds: endSeconds - ticks * tickSeconds,
    kube: { token: 'ciliumscope-preview' },
    ...(hubble ? { hubbleContext: 'pod' as const } : {}),
    ...(hubble === 'relay' ? { hubbleRelay: {} } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-preview-'));
  let exporter: RunningExporter | undefined;
  try {
    const token = 'ciliumscope-preview-token';
    writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    // A quarter of the history for the detector's baseline and warm-up, so the spike comes well after both.
    const window = `${Math.round(historySeconds / 4)}s`;
    const nowMs = () => sim.cluster.nowSeconds * 1000;
    exporter = await startPreviewExporter(
      sim,
      dir,
      [
        // A generous scrape timeout (wall-clock time) keeps a busy machine from failing scrapes the run did not plan.
        ...['--scrape-interval', `${tickSeconds}s`, '--scrape-timeout', `${Math.max(1, tickSeconds - 1)}s`],
        ...['--history-retention', `${historySeconds * 2}s`],
        ...['--anomaly-window', window, '--anomaly-warmup', window],
        ...['--token-file', join(dir, 'token')],
        // The agents' Hubble metrics through discovery, and Relay for the denying policies.
        ...(hubble ? hubbleFlags(sim, { relay: hubble === 'relay' }) : []),
      ],
      { now: nowMs }
    );
    const { spikeNode, spikeProfile, restartNode, failingNode, downNode } = castOf(sim);
    const at = (fraction: number) => Math.round(ticks * fraction);
    const plan = {
      unmanaged: [at(0.2), at(0.65)],
      regenerationFailures: [at(0.3), at(0.32), at(0.75)],
      restart: at(0.45),
      importFailures: [at(0.6), at(0.7)],
      spike: at(0.88),
      down: ticks - 2,
    };
    const events: ScopeEvents = {
      unmanagedPods: [],
      spike: {
        node: spikeNode.name,
        direction: spikeProfile.direction,
        reason: spikeProfile.reason,
        factor: 40,
        fromMs: 0,
      },
      importFailures: { node: failingNode.name, atMs: [] },
      restart: { node: restartNode.name, atMs: 0 },
      down: { node: downNode.name, fromMs: 0 },
    };

    const from = nowMs();
    await exporter.scrapeNow();
    for (let k = 1; k <= ticks; k++) {
      if (k === plan.restart) {
        sim.cluster.restartAgent(restartNode.name);
        events.restart.atMs = nowMs();
      }
      if (k === plan.unmanaged[0]) {
        events.unmanagedPods.push(...addUnmanagedPods(sim, restartNode.name, 2, 0));
      }
      if (k === plan.unmanaged[1]) {
        events.unmanagedPods.push(...addUnmanagedPods(sim, failingNode.name, 1, 0));
      }
      if (plan.regenerationFailures.includes(k)) {
        failRegeneration(sim, failingNode.name);
      }
      if (plan.importFailures.includes(k)) {
        policyChangeFailingOn(sim, failingNode.name);
        events.importFailures.atMs.push(nowMs());
      }
      if (k === plan.spike) {
        sim.spike({ ...events.spike, ticks: ticks - k + 10 });
        events.spike.fromMs = nowMs();
      }
      if (k === plan.down) {
        sim.setFault(downNode.name, 'http500');
        events.down.fromMs = nowMs();
      }
      sim.tick();
      await exporter.scrapeNow();
      if (k % Math.max(1, Math.round(ticks / 4)) === 0) {
        log(`  simulated ${Math.round((k * tickSeconds) / 60)} of ${Math.round(historySeconds / 60)} minutes`);
      }
    }
    const running = exporter;
    return {
      sim,
      exporter: running,
      token,
      range: { from, to: nowMs() },
      events,
      runMs: Date.now() - started,
      close: async () => {
        await running.close();
        await sim.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await exporter?.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
