/**
 * The registry behind /metrics: prom-client's Registry for the process metrics (collectDefaultMetrics), plus the
 * exporter's own families, each refilled from the model at every scrape and written by exposition-text.
 */
import { Registry } from 'prom-client';
import { FamilyText } from './exposition-text';

export type LabelValues = Record<string, string>;
/** A sample; timestampMs (Unix ms) when the value comes from an agent's scrape at that time. */
export type Emit = (labels: LabelValues, value: number, timestampMs?: number | null) => void;

export interface FamilySpec {
  name: string;
  help: string;
  labelNames: string[];
  type: 'gauge' | 'counter';
  fill: (emit: Emit) => void;
  /** Every label set is emitted once by construction: written as it comes, without the check for repeats. */
  unique?: boolean;
}

/**
 * prom-client's registry for the process metrics (collectDefaultMetrics), plus the exporter's own families, each
 * refilled from the model at every scrape and written by exposition-text (no per-series store to reset and refill).
 */
export class ExpositionRegistry extends Registry {
  private readonly writers: Array<{ name: string; render: () => string }> = [];
  private scrapes = 0;

  /** `timestamps`: write the sample times families give (false: every sample at Prometheus's scrape time). */
  constructor(readonly timestamps = true) {
    super();
  }

  /** Incremented at every scrape, so values derived once per scrape (the fresh nodes) can be reused within it. */
  get scrapeCount(): number {
    return this.scrapes;
  }

  addFamily(spec: FamilySpec): void {
    // A gauge keeps finite values; a counter finite values that are not negative (as prom-client's inc allows).
    const keep = spec.type === 'gauge' ? (v: number) => Number.isFinite(v) : (v: number) => Number.isFinite(v) && v >= 0;
    this.addWriter(spec.name, () => {
      const text = new FamilyText(spec, spec.unique);
      spec.fill((labels, value, timestampMs) => keep(value) && text.add(labels, value, this.timestamps ? (timestampMs ?? null) : null));
      return text.render();
    });
  }

  /** A family written by its own function (the pass-through histogram). */
  addWriter(name: string, render: () => string): void {
    if (this.writers.some((w) => w.name === name) || this.getSingleMetric(name)) {
      throw new Error(`A metric with the name ${name} has already been registered.`);
    }
    this.writers.push({ name, render });
  }

  override async metrics(): Promise<string> {
    const own = await super.metrics();
    this.scrapes++;
    const parts = [own.endsWith('\n') ? own : own + '\n'];
    for (const w of this.writers) {
      parts.push(w.render());
    }
    return parts.join('\n');
  }
}

/** Registers a family whose every scrape starts empty and is refilled from the model. */
export function defineFamily(registry: ExpositionRegistry, spec: FamilySpec): void {
  registry.addFamily(spec);
}

/** Calls `f` at most once per scrape of the registry. */
export function oncePerScrape<T>(registry: ExpositionRegistry, f: () => T): () => T {
  let at = -1;
  let value: T;
  return () => {
    if (at !== registry.scrapeCount) {
      value = f();
      at = registry.scrapeCount;
    }
    return value;
  };
}
