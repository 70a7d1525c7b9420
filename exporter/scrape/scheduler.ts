/**
 * Runs scrape cycles: at every interval, takes the current targets, scrapes them with bounded concurrency (each
 * with its own timeout, so a slow agent holds one slot, never the others), and reports every outcome to a sink as
 * it completes, then the cycle's statistics. Cycles never overlap: a cycle that overruns the interval delays the
 * next one and is counted.
 */
import type { ScrapeOutcome } from './client';
import type { ScrapeTarget, TargetSource } from './targets';

export interface CycleStats {
  startedAt: number;
  durationMs: number;
  targets: number;
  succeeded: number;
  failed: number;
  /** Cycles that took longer than the interval so far. */
  overruns: number;
}

export interface CycleSink<T> {
  beginCycle(startedAt: number, targets: ScrapeTarget[]): void;
  /** `at`: when the scrape began (the time of its sample). */
  recordScrape(target: ScrapeTarget, outcome: ScrapeOutcome<T>, at: number): void;
  endCycle(stats: CycleStats): void;
}

export type ScrapeFn<T> = (target: ScrapeTarget) => Promise<ScrapeOutcome<T>>;

export interface SchedulerOptions<T> {
  source: TargetSource;
  scrape: ScrapeFn<T>;
  sink: CycleSink<T>;
  intervalMs: number;
  maxConcurrency: number;
  /** Keeps only this replica's share of the targets (sharding). */
  filter?: (target: ScrapeTarget) => boolean;
  now?: () => number;
  onError?: (err: unknown) => void;
}

export class ScrapeScheduler<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<CycleStats> | null = null;
  private stopped = true;
  private overruns = 0;
  private readonly now: () => number;

  constructor(private readonly options: SchedulerOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.running?.catch(() => undefined);
  }

  /** Runs one cycle now (after the one in progress, if any) and resolves with its statistics. */
  async runCycle(): Promise<CycleStats> {
    while (this.running) {
      await this.running.catch(() => undefined);
    }
    this.running = this.cycle();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private loop(): void {
    if (this.stopped) {
      return;
    }
    const startedAt = this.now();
    this.runCycle()
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        if (this.stopped) {
          return;
        }
        const wait = Math.max(0, startedAt + this.options.intervalMs - this.now());
        this.timer = setTimeout(() => this.loop(), wait);
        this.timer.unref?.();
      });
  }

  private async cycle(): Promise<CycleStats> {
    const { source, filter, sink, scrape, maxConcurrency, intervalMs } = this.options;
    const startedAt = this.now();
    const all = source.targets();
    const targets = filter ? all.filter(filter) : all;
    sink.beginCycle(startedAt, targets);
    let next = 0;
    let succeeded = 0;
    let failed = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++];
        // A sample's time is when its scrape began, as Prometheus stamps its own scrapes.
        const scrapeStart = this.now();
        let outcome: ScrapeOutcome<T>;
        try {
          outcome = await scrape(target);
        } catch (err) {
          outcome = { ok: false, kind: 'other', error: (err as Error)?.message ?? String(err), durationMs: 0 };
        }
        if (outcome.ok) {
          succeeded++;
        } else {
          failed++;
        }
        sink.recordScrape(target, outcome, scrapeStart);
      }
    };
    await Promise.all(Array.from({ length: Math.min(maxConcurrency, targets.length) }, worker));
    const durationMs = this.now() - startedAt;
    if (durationMs > intervalMs) {
      this.overruns++;
    }
    const stats = { startedAt, durationMs, targets: targets.length, succeeded, failed, overruns: this.overruns };
    sink.endCycle(stats);
    return stats;
  }
}
