/**
 * What the writer needs of a model (a node, or an exporter shard): its series, each with a way to read its value
 * after every step, and the step itself. The series carry Prometheus's job and instance (the shard's target).
 */
import { JOB, instanceOf } from './context';

export interface SeriesSpec {
  /** The sample name (with _bucket, _sum or _count for the histogram). */
  name: string;
  labels: Record<string, string>;
}

/** The exporter's scrape cycle (--scrape-interval 30s) and stale mark (3 cycles), for what counts per cycle. */
export const EXPORTER_CYCLE_SECONDS = 30;
export const STALE_AFTER_SECONDS = 3 * EXPORTER_CYCLE_SECONDS;

export abstract class SeriesModel {
  readonly series: SeriesSpec[] = [];
  /** Reads a series' value from the model's state after a step; NaN for "absent at this step". */
  private readonly accessors: Array<(model: this) => number> = [];

  /** Moves the model to `step` (steps come in order, from 0). */
  abstract advance(step: number): void;

  /** The value of series `index` at the current step; NaN when it is absent. */
  value(index: number): number {
    return this.accessors[index](this);
  }

  protected addSeries(
    name: string,
    labels: Record<string, string>,
    shard: number,
    accessor: (model: this) => number
  ): void {
    this.series.push({ name, labels: { ...labels, instance: instanceOf(shard), job: JOB } });
    this.accessors.push(accessor);
  }
}
