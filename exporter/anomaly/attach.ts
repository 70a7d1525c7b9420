/**
 * Connects the drop anomaly detector to the rest of the exporter: it reads each scrape cycle's fresh rates from the
 * cluster model, adds its series to the history point of the cycle, exposes its families on /metrics (at the time
 * of the agent scrape they were computed from, like the agent's own series), and keeps its state file. The
 * detector itself (detector.ts) knows none of these; the imports of history and http here are types only.
 */
import type { HistoryWriter } from '../history/ring';
import type { Emit, FamilySpec } from '../http/exposition';
import type { Logger } from '../log';
import type { ClusterModel } from '../model/cluster';
import { SERIES, agentClock } from '../model/series';
import { DropAnomalyDetector } from './detector';
import type { AnomalyConfig } from './params';
import { maxSnapshotBytes, readSnapshotFile, restoreSnapshot, takeSnapshot, writeSnapshotFile } from './snapshot';

/** The state file is rewritten every this many cycles (and at shutdown). */
export const SAVE_EVERY_CYCLES = 10;

export interface AnomalyDetection {
  detector: DropAnomalyDetector;
  /** Model cycle listener; must run before the history recorder so the cycle's point carries the scores. */
  onCycle(model: ClusterModel, cycleStart: number): void;
  /** History contributor: baseline, upper band and score of every series scored this cycle. */
  contribute(writer: HistoryWriter, model: ClusterModel, cycleStart: number): void;
  families(model: ClusterModel): FamilySpec[];
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
  const freshSeries = (model: ClusterModel, emit: (slot: number, labels: Record<string, string>, at: number | null) => void) => {
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
        const labels = { node: node.name, direction: t.pairDirection[t.keyId[slot]], reason: t.pairReason[t.keyId[slot]] };
        emit(slot, labels, observedAt.get(node.name) ?? null);
      }
    });
  };
  const perSeries =
    (name: string, help: string, pick: (slot: number) => number): ((model: ClusterModel) => FamilySpec) =>
    (model) => ({
      name,
      help,
      type: 'gauge',
      labelNames: ['node', 'direction', 'reason'],
      fill: (emit: Emit) => freshSeries(model, (slot, labels, at) => emit(labels, pick(slot), at)),
    });
  const t = detector.table;
  const familyMakers = [
    perSeries(
      'ciliumscope_drop_anomaly_score',
      "Drop anomaly score per node, direction and reason: 0 while the drop rate is normal, 1 or more when it has been above its upper band for --anomaly-confirm consecutive scrapes (the excess over the baseline in units of the band's height above it).",
      (s) => t.score[s]
    ),
    perSeries(
      'ciliumscope_drop_rate_upper_band',
      'Upper band of the drop rate (packets/s) per node, direction and reason: max(baseline + k·spread, baseline·(1+margin), --anomaly-min-rate, the median band of the other nodes).',
      (s) => t.band[s]
    ),
    perSeries(
      'ciliumscope_drop_rate_baseline',
      'Learnt normal drop rate (packets/s) per node, direction and reason: an exponentially weighted mean over about --anomaly-window.',
      (s) => t.baseline[s]
    ),
  ];

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
    families(model) {
      return [
        ...familyMakers.map((make) => make(model)),
        {
          name: SERIES.dropAnomalyWarmingUp,
          help: "1 while the node's drop series are in the anomaly detector's warm-up (--anomaly-warmup): their scores cannot reach 1 yet.",
          type: 'gauge',
          labelNames: ['node'],
          fill: (emit) => {
            const seen = new Set<string>();
            freshSeries(model, (slot, { node }, at) => {
              const entry = seen.has(node) ? undefined : t.nodeById(t.nodeId[slot]);
              if (entry) {
                seen.add(node);
                emit({ node }, detector.isWarm(entry) ? 0 : 1, at);
              }
            });
          },
        },
        {
          name: 'ciliumscope_drop_anomaly_series',
          help: 'Drop series (node × direction × reason) the anomaly detector keeps state for.',
          type: 'gauge',
          labelNames: [],
          fill: (emit) => emit({}, t.used),
        },
        {
          name: 'ciliumscope_drop_anomaly_refused_series_total',
          help: 'Drop series the anomaly detector refused because it already tracks --anomaly-max-series series.',
          type: 'counter',
          labelNames: [],
          fill: (emit) => emit({}, detector.refusedSeries),
        },
        {
          name: 'ciliumscope_drop_anomaly_state_saves_total',
          help: 'Successful writes of the anomaly state file (--anomaly-state-file).',
          type: 'counter',
          labelNames: [],
          fill: (emit) => emit({}, saves),
        },
      ];
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
