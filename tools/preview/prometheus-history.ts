/**
 * A simulated cluster scraped by the exporter and the exporter scraped by a real Prometheus (Debian's package), for
 * the Prometheus dashboard's preview. Prometheus stamps samples with its own clock, so this run is on wall-clock
 * time: one tick of the simulator and one exporter scrape per step, Prometheus scraping once a step, for `seconds`
 * steps of `stepSeconds` (1 s; longer for a large cluster). The anomaly detector's window and warm-up are scaled to
 * the run.
 *
 * The same things happen as in the simulated hour, in proportion: pods Cilium does not manage, an agent restart, a
 * node whose agent goes away, two policy changes one agent fails to import, failed regenerations, a drop spike on
 * one node after the warm-up (running at the end), and one agent failing its last scrapes. The drops are attributed
 * to workload pairs on Hubble metrics pages (labels context) unless `hubble` is false.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RunningExporter } from '../../exporter/app';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { type RunningPrometheus, startPrometheus } from '../../test/support/prometheus';
import { castOf, hubbleFlags, startPreviewExporter } from './cast';
import { addUnmanagedPods, failRegeneration, policyChangeFailingOn } from './events';

export interface PrometheusHistoryOptions {
  /** Steps of history to collect (default 75), one every `stepSeconds` of wall-clock time. */
  seconds?: number;
  /**
   * Wall-clock seconds per step: one simulator tick, one exporter scrape, Prometheus's scrape interval (default 1).
   * A large cluster needs longer: the exporter scrapes a thousand agents in more than a second.
   */
  stepSeconds?: number;
  nodes?: number;
  seed?: number;
  /** Agent page size in KiB (default 24) and whether agents answer with gzip (default true). */
  pageKB?: number;
  gzip?: boolean;
  /** Simulated Hubble metrics pages, in labels context (with direction), scraped through discovery (default true). */
  hubble?: boolean;
  log?: (line: string) => void;
}

export interface PrometheusHistory {
  prometheus: RunningPrometheus;
  exporter: RunningExporter;
  sim: RunningSimulator;
  /** Prometheus's scrape interval, what Grafana's datasource setting "Scrape interval" would say. */
  scrapeIntervalMs: number;
  /** Resolves when every planned second has run, with the history's range (Unix ms); the same range every call. */
  ready(): Promise<{ from: number; to: number }>;
  close(): Promise<void>;
}

/** Scrape cycles at the end that must fail only as planned (the anomaly detector confirms over two). */
const CLEAN_TAIL_CYCLES = 3;
const MAX_EXTRA_STEPS = 20;

export async function startPrometheusHistory(options: PrometheusHistoryOptions = {}): Promise<PrometheusHistory> {
  const log = options.log ?? (() => undefined);
  const seconds = Math.max(30, Math.round(options.seconds ?? 75));
  const stepSeconds = Math.max(1, Math.round(options.stepSeconds ?? 1));
  const stepMs = stepSeconds * 1000;
  /** A duration of `steps` steps, as an exporter flag. */
  const wall = (steps: number) => `${steps * stepSeconds}s`;
  const hubble = options.hubble ?? true;
  const sim = await startSimulator({
    nodes: options.nodes ?? 6,
    seed: options.seed ?? 42,
    // Five simulated seconds per wall-clock second: a short run holds as much activity (churn, regenerations,
    // drop bursts) as a few minutes of a real cluster, so rates over a few seconds are rarely empty.
    tickSeconds: 5,
    autoTickMs: 0,
    pageKB: options.pageKB ?? 24,
    gzip: options.gzip,
    startTimeSeconds: Math.floor(Date.now() / 1000),
    kube: { token: 'ciliumscope-preview' },
    ...(hubble ? { hubbleContext: 'labels' as const } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-preview-prom-'));
  let exporter: RunningExporter | undefined;
  let prometheus: RunningPrometheus | undefined;
  let timer: NodeJS.Timeout | null = null;
  let stepping: Promise<unknown> = Promise.resolve();
  const cleanUp = async () => {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
    await stepping.catch(() => undefined);
    await prometheus?.stop();
    await exporter?.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A baseline window as long as the run: the spike of the last seconds stays well above its band until the end.
    const window = wall(Math.max(20, seconds));
    const warmup = wall(Math.max(10, Math.round(seconds * 0.3)));
    exporter = await startPreviewExporter(sim, dir, [
      ...['--scrape-interval', wall(1), '--scrape-timeout', `${stepMs - 100}ms`, '--history-retention', '30m'],
      ...['--anomaly-window', window, '--anomaly-warmup', warmup, '--anomaly-spread-window', wall(seconds * 2)],
      ...(hubble ? hubbleFlags(sim, { relay: false }) : []),
    ]);
    const { spikeNode, spikeProfile, restartNode, failingNode, agentlessNode, downNode } = castOf(sim);
    const at = (fraction: number) => Math.round(seconds * fraction);
    const plan = new Map<number, Array<() => void>>();
    const schedule = (second: number, action: () => void) => plan.set(second, [...(plan.get(second) ?? []), action]);
    schedule(0, () => addUnmanagedPods(sim, restartNode.name, 2, 600));
    schedule(at(0.25), () => sim.cluster.restartAgent(restartNode.name));
    schedule(at(0.3), () => sim.cluster.removeAgent(agentlessNode.name));
    schedule(at(0.35), () => failRegeneration(sim, failingNode.name));
    schedule(at(0.45), () => policyChangeFailingOn(sim, failingNode.name));
    schedule(at(0.5), () => addUnmanagedPods(sim, failingNode.name, 1, 0));
    schedule(at(0.6), () => policyChangeFailingOn(sim, failingNode.name));
    schedule(at(0.65), () => failRegeneration(sim, failingNode.name));
    // Late enough to be well past the warm-up, early enough for the detector to confirm it before the end.
    schedule(seconds - 10, () =>
      sim.spike({
        node: spikeNode.name,
        direction: spikeProfile.direction,
        reason: spikeProfile.reason,
        factor: 300,
        ticks: 1000,
      })
    );
    schedule(seconds - 8, () => sim.setFault(downNode.name, 'http500'));

    prometheus = await startPrometheus({ targets: [new URL(exporter.url).host], scrapeInterval: wall(1) });
    const running = exporter;
    const started = Date.now();
    let second = 0;
    let cleanStreak = 0;
    let finished: (at: number) => void = () => undefined;
    const allSteps = new Promise<number>((resolve) => (finished = resolve));
    const downFrom = seconds - 8;
    // One step per second; a step that starts late (a busy machine) still runs, so the plan holds step by step. The
    // run ends after the planned seconds once the last few scrape cycles failed only where the plan says (one agent
    // down): a scrape that timed out on a busy machine at the very end would leave the instant panels without data.
    const step = () => {
      const now = second++;
      if (now > seconds + MAX_EXTRA_STEPS) {
        return;
      }
      stepping = stepping.then(async () => {
        for (const action of plan.get(now) ?? []) {
          action();
        }
        sim.tick();
        const stats = await running.scrapeNow();
        cleanStreak = stats.failed <= (now >= downFrom ? 1 : 0) ? cleanStreak + 1 : 0;
        if (now > 0 && now % 15 === 0) {
          log(`  Prometheus history: ${now} of ${seconds} steps`);
        }
        if (now >= seconds && (cleanStreak >= CLEAN_TAIL_CYCLES || now >= seconds + MAX_EXTRA_STEPS)) {
          // The cluster stands still from here: every render reads the same final state, however late it comes.
          if (timer) {
            clearInterval(timer);
            timer = null;
          }
          finished(Date.now());
        }
      });
    };
    step();
    timer = setInterval(step, stepMs);
    const promReady = prometheus;
    let range: Promise<{ from: number; to: number }> | null = null;
    return {
      prometheus: promReady,
      exporter: running,
      sim,
      scrapeIntervalMs: stepMs,
      // Once complete, the cluster stands still and every render reads the same range ending then, so neither the
      // rates nor the instant queries (evaluated at its end) depend on how long rendering takes.
      ready: () =>
        (range ??= allSteps.then(async (frozenAt) => {
          await stepping;
          // The range ends just after Prometheus's next scrape of the final state (rates over it barely dip); the wait
          // leaves Prometheus a second more to store it.
          const to = frozenAt + stepMs + 200;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, to + stepMs - Date.now())));
          // The first step holds only Prometheus's first scrape: rates start one scrape later.
          return { from: started + 2 * stepMs, to };
        })),
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
