/**
 * Connects the drop anomaly detector to the rest of the exporter: it reads each scrape cycle's fresh rates from the
 * cluster model, adds its series to the history point of the cycle, gives /metrics its fresh scores (at the time
 * of the agent scrape they were computed from, like the agent's own series; the families are in
 * exporter/metrics/anomaly.ts), and keeps its state file. The detector itself (detector.ts) knows none of these;
 * the import of history here is a type only.
 */
import type { HistoryWriter } from '../history/ring';
import type { Logger } from '../log';
import type { ClusterModel } from '../model/cluster';
import { SERIES, agentClock } from '../model/series';
import { DropAnomalyDetector } from './detector';
import type { AnomalyConfig } from './params';
import { maxSnapshotBytes, readSnapshotFile, restoreSnapshot, takeSnapshot, writeSnapshotFile } from './snapshot';

/** The state file is rewritten every this many cycles (and at shutdown). */
export const SAVE_EVERY_CYCLES = 10;

/** A scored drop series: node, direction and reason. */
export type DropSeriesLabels = { node: string; direction: string; reason: string };

export interface AnomalyMetricsSource {
  /**
   * Every scored series of a node whose data is fresh, with the time of the agent sample its scores were computed
   * from; `series` identifies it to the accessors below during the visit.
   */
  forEachFresh(visit: (series: number, labels: DropSeriesLabels, at: number | null) => void): void;
  score(series: number): number;
  upperBand(series: number): number;
  baseline(series: number): number;
  /** The series' node is still in the detector's warm-up. */
  warmingUp(series: number): boolean;
  /** Series the detector keeps state for. */
  trackedSeries(): number;
  refusedSeries(): number;
  stateSaves(): number;
}

export interface AnomalyDetection {
  detector: DropAnomalyDetector;
  /** Model cycle listener; must run before the history recorder so the cycle's point carries the scores. */
  onCycle(model: ClusterModel, cycleStart: number): void;
  /** History contributor: baseline, upper band and score of every series scored this cycle. */
  contribute(writer: HistoryWriter, model: ClusterModel, cycleStart: number): void;
  /** What the anomaly families of /metrics read. */
  metrics(model: ClusterModel): AnomalyMetricsSource;
  /** Loads the state file, when one is configured. */
  load(nowMs: number): Promise<void>;
  /** Saves the state file now (no-op without one). */
  save(nowMs: number): Promise<void>;
  /** Final save. */
  close(nowMs: number): Promise<void>;
}

export function createAnomalyDetection(config: AnomalyConfig, log: Logger): AnomalyDetection {
  const detector = new DropAnomalyDetector(config);
  let saving: Promise<void> | null = null;
  let lastSaveError: string | null = null;
  let saves = 0;

  const save = async (nowMs: number): Promise<void> => {
    if (!config.stateFile) {
      return;
    }
    const path = config.stateFile;
    try {
      const bytes = await writeSnapshotFile(path, takeSnapshot(detector, nowMs));
      saves++;
      if (lastSaveError !== null) {
        log.info({ path }, 'anomaly state file written again');
      }
      lastSaveError = null;
      log.debug({ path, bytes }, 'anomaly state saved');
    } catch (err) {
      const message = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      if (message !== lastSaveError) {
        log.warn(
          { path, error: message },
          'cannot write the anomaly state file (--anomaly-state-file); state is kept in memory'
        );
      }
      lastSaveError = message;
    }
  };
  const saveInBackground = (nowMs: number) => {
    if (saving || !config.stateFile) {
      return;
    }
    saving = save(nowMs).finally(() => {
      saving = null;
    });
  };

  /**
   * The time of the agent sample each node's scores were last computed from. Not the node's latest sample time: a
   * sample is taken during a cycle and scored at its end, and /metrics must not pair a new time with old scores
   * (Prometheus refuses a second value at the same time).
   */
  const observedAt = new Map<string, number>();
  const forEachFresh = (
    model: ClusterModel,
    visit: (series: number, labels: DropSeriesLabels, at: number | null) => void
  ): void => {
    const t = detector.table;
    const now = model.now();
    const stale = new Map<string, boolean>();
    detector.forEachLatest((slot, node) => {
      let isStale = stale.get(node.name);
      if (isStale === undefined) {
        const state = model.node(node.name);
        isStale = !state || model.isStale(state, now);
        stale.set(node.name, isStale);
      }
      if (!isStale) {
        const labels = {
          node: node.name,
          direction: t.pairDirection[t.keyId[slot]],
          reason: t.pairReason[t.keyId[slot]],
        };
        visit(slot, labels, observedAt.get(node.name) ?? null);
      }
    });
  };
  const t = detector.table;

  return {
    detector,
    onCycle(model, cycleStart) {
      detector.beginCycle(cycleStart);
      const live = new Set<string>();
      for (const node of model.nodes()) {
        live.add(node.name);
        const r = node.rates;
        if (r && node.ratesAt !== null && node.ratesAt >= cycleStart) {
          detector.observe(node.name, { intervalSeconds: r.intervalSeconds, restarted: r.restarted, drops: r.dropped });
          observedAt.set(node.name, node.ratesAt);
        }
      }
      for (const name of observedAt.keys()) {
        if (!live.has(name)) {
          observedAt.delete(name);
        }
      }
      detector.endCycle(live);
      if (detector.cycles() % SAVE_EVERY_CYCLES === 0) {
        saveInBackground(model.now());
      }
    },
    contribute(writer) {
      const warming = new Set<string>();
      detector.forEachCurrent((slot, node) => {
        const at = observedAt.get(node.name);
        if (at === undefined) {
          return;
        }
        const w = writer.at(agentClock(node.name), at);
        const labels = {
          node: node.name,
          direction: t.pairDirection[t.keyId[slot]],
          reason: t.pairReason[t.keyId[slot]],
        };
        w.put(SERIES.dropRateBaseline, labels, t.baseline[slot]);
        w.put(SERIES.dropRateUpperBand, labels, t.band[slot]);
        w.put(SERIES.dropAnomalyScore, labels, t.score[slot]);
        if (!warming.has(node.name)) {
          warming.add(node.name);
          w.put(SERIES.dropAnomalyWarmingUp, { node: node.name }, detector.isWarm(node) ? 0 : 1);
        }
      });
    },
    metrics(model) {
      return {
        forEachFresh: (visit) => forEachFresh(model, visit),
        score: (slot) => t.score[slot],
        upperBand: (slot) => t.band[slot],
        baseline: (slot) => t.baseline[slot],
        warmingUp: (slot) => {
          const node = t.nodeById(t.nodeId[slot]);
          return node !== undefined && !detector.isWarm(node);
        },
        trackedSeries: () => t.used,
        refusedSeries: () => detector.refusedSeries,
        stateSaves: () => saves,
      };
    },
    async load(nowMs) {
      if (!config.stateFile) {
        return;
      }
      const path = config.stateFile;
      const outcome = await readSnapshotFile(path, {
        maxSeries: config.maxSeries,
        maxAgeMs: config.windowMs,
        nowMs,
        maxBytes: maxSnapshotBytes(config.maxSeries),
      });
      if (outcome.kind === 'missing') {
        log.info({ path }, 'no anomaly state file yet: the detector starts with a warm-up');
      } else if (outcome.kind === 'ignored') {
        log.warn(
          { path, reason: outcome.reason },
          'ignoring the anomaly state file: the detector starts with a warm-up'
        );
      } else {
        const restored = restoreSnapshot(detector, outcome.snapshot);
        log.info({ path, ...restored, savedAtMs: outcome.snapshot.savedAtMs }, 'anomaly detector state restored');
      }
    },
    save,
    async close(nowMs) {
      if (saving) {
        await saving;
      }
      await save(nowMs);
    },
  };
}
