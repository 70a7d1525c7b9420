/**
 * The registry behind /metrics: prom-client's Registry for the process metrics (collectDefaultMetrics), plus the
 * exporter's own families, each refilled from its source at every scrape and written by text.ts (no per-series
 * store to reset and refill).
 */
import { Registry } from 'prom-client';
import type { Family } from './family';
import { FamilyText, HistogramText } from './text';

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

  /** The exporter's own families, in the order they are written. */
  familyNames(): string[] {
    return this.writers.map((w) => w.name);
  }

  /** Registers families that read `source` at every scrape. */
  addFamilies<S>(families: ReadonlyArray<Family<S>>, source: S): void {
    for (const family of families) {
      this.addWriter(family.name, this.writer(family, source));
    }
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

  private writer<S>(family: Family<S>, source: S): () => string {
    const at = (timestampMs: number | null | undefined) => (this.timestamps ? (timestampMs ?? null) : null);
    if (family.type === 'histogram') {
      return () => {
        const text = new HistogramText(family);
        family.fill(source, (labels, h, timestampMs) => text.add(labels, h, at(timestampMs)));
        return text.render();
      };
    }
    // A gauge keeps finite values; a counter finite values that are not negative (as prom-client's inc allows).
    const keep = family.type === 'gauge' ? Number.isFinite : (v: number) => Number.isFinite(v) && v >= 0;
    return () => {
      const text = new FamilyText(family, family.unique);
      family.fill(source, (labels, value, timestampMs) => keep(value) && text.add(labels, value, at(timestampMs)));
      return text.render();
    };
  }

  private addWriter(name: string, render: () => string): void {
    if (this.writers.some((w) => w.name === name) || this.getSingleMetric(name)) {
      throw new Error(`A metric with the name ${name} has already been registered.`);
    }
    this.writers.push({ name, render });
  }
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
